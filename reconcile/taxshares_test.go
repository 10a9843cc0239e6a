package reconcile

import (
	"reflect"
	"testing"
)

func TestTaxShares(t *testing.T) {
	tests := []struct {
		name  string
		lines []Line
		ids   map[string]string
		want  []TaxShare
	}{
		{"no lines", nil, nil, nil},
		{"one participant twice, summed",
			[]Line{{ParticipantID: "lead", Amount: 700}, {ParticipantID: "lead", Amount: 5}},
			map[string]string{"lead": "11"},
			[]TaxShare{{ParticipantID: "lead", TaxID: "11", Amount: 705}}},
		{"participant order, missing tax id empty",
			[]Line{{ParticipantID: "z-aff", Amount: 100}, {ParticipantID: "a-cop", Amount: 200}, {ParticipantID: "m-lead", Amount: 700}},
			map[string]string{"m-lead": "22"},
			[]TaxShare{{ParticipantID: "a-cop", Amount: 200}, {ParticipantID: "m-lead", TaxID: "22", Amount: 700},
				{ParticipantID: "z-aff", Amount: 100}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := TaxShares(tc.lines, tc.ids); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}
