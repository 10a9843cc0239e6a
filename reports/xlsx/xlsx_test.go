package xlsx

import (
	"bytes"
	"fmt"
	"os"
	"testing"

	"github.com/xuri/excelize/v2"

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

// TestMoneyCells: an amount is a number with its currency's format; with
// AllMinorDigits its text keeps every minor digit, the number is the same;
// a table refuses that option (the stream writer cannot write it).
func TestMoneyCells(t *testing.T) {
	t.Parallel()
	for _, all := range []bool{false, true} {
		b, err := New(Options{FirstSheet: "S", AllMinorDigits: all})
		if err != nil {
			t.Fatal(err)
		}
		if err := b.SetCells("S", 1, 1, b.Money(19700, "BRL"), b.Money(9800, "JPY"), b.Money(-5, "KWD"), b.Money(12, "XYZ")); err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := b.Save(&buf); err != nil {
			t.Fatal(err)
		}
		f, err := excelize.OpenReader(&buf)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"197", "9800", "-0.005", "12"}
		if all {
			want = []string{"197.00", "9800", "-0.005", "12"}
		}
		for i, ref := range []string{"A1", "B1", "C1", "D1"} {
			if got, _ := f.GetCellValue("S", ref, excelize.Options{RawCellValue: true}); got != want[i] {
				t.Errorf("all digits %v: %s holds %q, want %q", all, ref, got, want[i])
			}
		}
		if shown, _ := f.GetCellValue("S", "A1"); shown != "197.00 BRL" {
			t.Errorf("A1 shows %q", shown)
		}
		f.Close()
	}
	b, err := New(Options{FirstSheet: "S", AllMinorDigits: true})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if _, err := b.NewTable(TableSpec{Name: "T", Columns: []Column{{Header: "a", Width: 1}}}, nil); err == nil {
		t.Error("a table accepted AllMinorDigits")
	}
}
