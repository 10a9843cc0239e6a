package xlsx

import (
	"bytes"
	"fmt"
	"os"
	"testing"

	"payouts/reconcile"
)

// TestMoneyFormats and TestSpillBuffer came with the code from
// reports/workbook_test.go.

func TestMoneyFormats(t *testing.T) {
	t.Parallel()
	for code, want := range map[string]string{"BRL": `#,##0.00 "BRL"`, "JPY": `#,##0 "JPY"`, "KWD": `#,##0.000 "KWD"`, "CLF": `#,##0.0000 "CLF"`} {
		cur, err := reconcile.LookupCurrency(code)
		if err != nil {
			t.Fatal(err)
		}
		if got := moneyFormat(cur); got != want {
			t.Errorf("%s: %s, want %s", code, got, want)
		}
	}
	cur, _ := reconcile.LookupCurrency("BRL")
	for minor, want := range map[int64]float64{1230: 12.3, -5: -0.05, 123456789012: 1234567890.12} {
		if got := moneyValue(minor, cur); got != want {
			t.Errorf("moneyValue(%d) = %v, want %v", minor, got, want)
		}
	}
}

func TestSpillBuffer(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := &spillBuffer{dir: dir, limit: 10}
	var want bytes.Buffer
	for i := 0; i < 5; i++ {
		chunk := []byte(fmt.Sprintf("<row r=\"%d\"/>", i))
		want.Write(chunk)
		if _, err := s.Write(chunk); err != nil {
			t.Fatal(err)
		}
		if spilled := s.file != nil; spilled != (want.Len() > 10) {
			t.Errorf("after %d bytes: spilled %v", want.Len(), spilled)
		}
	}
	for i := 0; i < 2; i++ { // read twice: the part is read from its start each time
		r, err := s.reader()
		if err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		if _, err := got.ReadFrom(r); err != nil || got.String() != want.String() {
			t.Errorf("read %q (%v), want %q", got.String(), err, want.String())
		}
	}
	if left, _ := os.ReadDir(dir); len(left) != 1 {
		t.Errorf("%d temporary files, want 1", len(left))
	}
	s.release()
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("temporary files left after release: %v", left)
	}
}
