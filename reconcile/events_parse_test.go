package reconcile

import (
	"fmt"
	"strings"
	"testing"
)

// TestParseSaleEvents: stored events become the rules' events in the
// sale's currency digits, or the data-contract breach is named.
func TestParseSaleEvents(t *testing.T) {
	t.Parallel()
	pos := []Position{{Key: LineKey{ParticipantID: "lead1", Role: RoleLead}, Entitled: 9000}}
	refund := func(id, amount string) StoredEvent { return StoredEvent{EventID: id, Kind: "refund", Amount: amount} }
	chargeback := func(id string) StoredEvent { return StoredEvent{EventID: id, Kind: "chargeback"} }
	sale := func(cur, gross string, outcome SaleOutcome, evs ...StoredEvent) StoredSaleEvents {
		return StoredSaleEvents{SaleID: "s1", Currency: cur, Gross: gross, Outcome: outcome, Refunded: 0, Positions: pos, Events: evs}
	}
	for _, tc := range []struct {
		name string
		in   StoredSaleEvents
		// want is "allocated closedUnpaid gross refunded closed | event kind amount full ..." or the error's text
		want    string
		wantErr string
	}{
		{name: "allocated, partial refund then chargeback",
			in:   sale("BRL", "100.00", SaleAllocated, refund("e1", "10.5"), chargeback("e2")),
			want: "true false 10000 0 false | e1 refund 1050 false | e2 chargeback 0 true"},
		{name: "refund without an amount is full",
			in:   sale("BRL", "100.00", SaleAllocated, refund("e1", "")),
			want: "true false 10000 0 false | e1 refund 0 true"},
		{name: "not allocated yet",
			in:   sale("JPY", "5000", "", refund("e1", "200")),
			want: "false false 5000 0 false | e1 refund 200 false"},
		{name: "closed before it was paid",
			in:   sale("KWD", "1.250", SaleClosed, refund("e1", "0.125")),
			want: "false true 1250 0 false | e1 refund 125 false"},
		{name: "gross of a sale never allocated that does not parse is unknown",
			in:   sale("BRL", "12.345", "", chargeback("e1")),
			want: "false false 0 0 false | e1 chargeback 0 true"},
		{name: "zero gross is unknown",
			in:   sale("BRL", "0", "", refund("e1", "")),
			want: "false false 0 0 false | e1 refund 0 true"},
		{name: "unknown currency, full events only",
			in:   sale("XXX", "10", "", chargeback("e1")),
			want: "false false 0 0 false | e1 chargeback 0 true"},
		{name: "refunds taken before count against the gross",
			in:   StoredSaleEvents{SaleID: "s1", Currency: "BRL", Gross: "100.00", Outcome: SaleAllocated, Refunded: 9000, Positions: pos, Events: []StoredEvent{refund("e1", "10.00")}},
			want: "true false 10000 9000 false | e1 refund 1000 false"},
		{name: "allocated sale whose gross no longer parses",
			in:      sale("BRL", "1,00", SaleAllocated, chargeback("e1")),
			wantErr: `gross "1,00" no longer parses in BRL`},
		{name: "unknown kind",
			in:      sale("BRL", "100.00", SaleAllocated, StoredEvent{EventID: "e1", Kind: "dispute"}),
			wantErr: `event e1: kind "dispute" is not refund or chargeback`},
		{name: "amount with more digits than the currency",
			in:      sale("BRL", "100.00", SaleAllocated, refund("e1", "1.005")),
			wantErr: `event e1: amount: amount "1.005" has 3 fraction digits; BRL has 2`},
		{name: "amount in an unknown currency",
			in:      sale("XXX", "10", "", refund("e1", "1")),
			wantErr: `event e1: unknown currency "XXX"`},
		{name: "refunds above the gross",
			in:      sale("BRL", "100.00", SaleAllocated, refund("e1", "60.00"), refund("e2", "40.01")),
			wantErr: "refunds add up to 10001 minor units with event e2, above the gross of 10000"},
		{name: "a chargeback ends the check",
			in:   sale("BRL", "100.00", SaleAllocated, refund("e1", "60.00"), chargeback("e2"), refund("e3", "90.00")),
			want: "true false 10000 0 false | e1 refund 6000 false | e2 chargeback 0 true | e3 refund 9000 false"},
	} {
		got, err := ParseSaleEvents(tc.in)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%s: err = %v, want %q", tc.name, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		parts := []string{fmt.Sprintf("%v %v %d %d %v", got.Allocated, got.ClosedUnpaid, got.Ledger.Gross, got.Ledger.Refunded, got.Ledger.Closed)}
		for _, e := range got.Events {
			if e.SaleID != "s1" {
				t.Errorf("%s: event %s of sale %q", tc.name, e.EventID, e.SaleID)
			}
			parts = append(parts, fmt.Sprintf("%s %s %d %v", e.EventID, e.Kind, e.Amount, e.Full))
		}
		if s := strings.Join(parts, " | "); s != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.name, s, tc.want)
		}
		if got.Ledger.SaleID != "s1" || len(got.Ledger.Positions) != 1 {
			t.Errorf("%s: ledger %+v", tc.name, got.Ledger)
		}
	}
}
