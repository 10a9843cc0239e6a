package load

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// TestHugeValuesAreCutInMessages (issue 15.10): a bad value of megabytes
// is quoted cut, with its length, so a message stays short whatever the
// file holds.
func TestHugeValuesAreCutInMessages(t *testing.T) {
	t.Parallel()
	const n = 512 << 10
	huge := strings.Repeat("x", n)
	zeros := strings.Repeat("0", n) + "1"
	for _, c := range []struct{ name, row, want string }{
		{"id", huge + ",p1,BRL,1.00,0,,,,2026-02-01T10:00:00-03:00,", `sales.csv:17: sale_id: id "xxxxxxxxxx`},
		{"amount", "sX,p1,BRL," + huge + ",0,,,,2026-02-01T10:00:00-03:00,", `sales.csv:17: gross: amount "xxxxxxxxxx`},
		{"fee above gross", "sX,p1,BRL,0.50," + zeros + ",,,,2026-02-01T10:00:00-03:00,", `sales.csv:17: platform_fee: 0000000000`},
		{"currency", "sX,p1," + huge + ",1.00,0,,,,2026-02-01T10:00:00-03:00,", `sales.csv:17: currency: unknown currency "xxxxxxxxxx`},
		{"timestamp", "sX,p1,BRL,1.00,0,,,," + huge + ",", `sales.csv:17: sold_at: timestamp "xxxxxxxxxx`},
		{"rate", "sX,p1,BRL,1.00,0,aff1," + huge + ",,2026-02-01T10:00:00-03:00,", `sales.csv:17: affiliate_rate_percent: rate "xxxxxxxxxx`},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			db := newDB(t)
			dir := basicCopy(t)
			writeFile(t, dir, "sales.csv", readFile(t, dir, "sales.csv")+c.row+"\n")
			msg := loadErrors(t, db, dir).Error()
			if len(msg) > 1000 {
				t.Errorf("message of %d bytes: %.300s...", len(msg), msg)
			}
			if !strings.HasPrefix(msg, c.want) || !strings.Contains(msg, " bytes)") {
				t.Errorf("message %.300q does not start %q and give the length", msg, c.want)
			}
		})
	}
}

// TestNonASCIICharacterNamed (issue 15.12): the character an id may not
// hold is named as written, not as one of its bytes.
func TestNonASCIICharacterNamed(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	dir := basicCopy(t)
	writeFile(t, dir, "sales.csv", readFile(t, dir, "sales.csv")+"sç1,p1,BRL,1.00,0,,,,2026-02-01T10:00:00-03:00,\n")
	wantExactly(t, loadErrors(t, db, dir), `sales.csv:17: sale_id: id "sç1" has "ç"; ids are 1-64 characters of A-Z a-z 0-9 _ -`)
}

// TestLoadRefusesSaleSettledBeforeSold (issue 15.5): the load refuses what
// the run would hold.
func TestLoadRefusesSaleSettledBeforeSold(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	dir := basicCopy(t)
	writeFile(t, dir, "sales.csv", readFile(t, dir, "sales.csv")+"sX,p1,BRL,1.00,0,,,,2026-02-02T10:00:00-03:00,2026-02-01T10:00:00-03:00\n")
	wantExactly(t, loadErrors(t, db, dir), `sales.csv:17: settled_at: 2026-02-01T13:00:00Z is before sold_at 2026-02-02T13:00:00Z`)
}

// loadFails loads dir (or imports a tax record file) and wants a plain
// one-line error containing want, within seconds.
func loadFails(t *testing.T, what string, do func(ctx context.Context) error, want string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := do(ctx)
	if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "\n") {
		t.Errorf("%s: %v, want one line with %q", what, err, want)
	}
}

// TestLoadRefusesDevices (issue 15.11): a load file or tax record file
// that is a link to /dev/zero is refused at once with one line.
func TestLoadRefusesDevices(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	dir := basicCopy(t)
	os.Remove(filepath.Join(dir, "sales.csv"))
	if err := os.Symlink("/dev/zero", filepath.Join(dir, "sales.csv")); err != nil {
		t.Fatal(err)
	}
	loadFails(t, "sales.csv -> /dev/zero", func(ctx context.Context) error { _, err := Dir(ctx, db, dir, nil); return err },
		"sales.csv is not a regular file")
	for _, name := range []string{"notas.csv", "notas.xlsx"} {
		path := filepath.Join(t.TempDir(), name)
		if err := os.Symlink("/dev/zero", path); err != nil {
			t.Fatal(err)
		}
		loadFails(t, name+" -> /dev/zero", func(ctx context.Context) error { _, err := TaxRecords(ctx, db, path, nil); return err },
			name+" is not a regular file")
	}
}

// TestLoadLimits (issue 15.11): a line too long, too many rows, a
// workbook too large once unzipped and a row with too many cells are each
// refused with one line. Not parallel: it lowers the package's limits.
func TestLoadLimits(t *testing.T) {
	defer func(rows, line int, xlsx int64) { MaxRows, MaxLineBytes, MaxXLSXBytes = rows, line, xlsx }(MaxRows, MaxLineBytes, MaxXLSXBytes)
	MaxLineBytes, MaxXLSXBytes = 200, 64<<10
	db := newDB(t)
	dir := basicCopy(t)
	writeFile(t, dir, "sales.csv", readFile(t, dir, "sales.csv")+strings.Repeat("0", 300)+"\n")
	loadFails(t, "long line", func(ctx context.Context) error { _, err := Dir(ctx, db, dir, nil); return err }, "longer than 200 bytes")

	dir = basicCopy(t)
	writeFile(t, dir, "sales.csv", strings.Repeat("0", 100000))
	loadFails(t, "long first line", func(ctx context.Context) error { _, err := Dir(ctx, db, dir, nil); return err }, "longer than 200 bytes")

	dir = basicCopy(t) // 15 sales
	MaxRows = 12
	loadFails(t, "too many rows", func(ctx context.Context) error { _, err := Dir(ctx, db, dir, nil); return err }, "sales.csv: more than 12 rows")

	// a workbook of 64 KiB and more once unzipped: a few hundred rows
	f := excelize.NewFile()
	f.SetSheetRow("Sheet1", "A1", &[]any{"invoice_id", "issuer_tax_id", "sale_id", "issued_at", "amount", "currency", "status"})
	for r := 2; r < 3000; r++ {
		cell, _ := excelize.CoordinatesToCellName(1, r)
		f.SetSheetRow("Sheet1", cell, &[]any{fmt.Sprintf("inv%d", r), "11144477735", "s01", "2026-03-03T10:00:00-03:00", "100.00", "BRL", "active"})
	}
	big := filepath.Join(t.TempDir(), "big.xlsx")
	if err := f.SaveAs(big); err != nil {
		t.Fatal(err)
	}
	loadFails(t, "large xlsx", func(ctx context.Context) error { _, err := TaxRecords(ctx, db, big, nil); return err }, "once unzipped")

	MaxXLSXBytes = 256 << 20
	f = excelize.NewFile()
	f.SetSheetRow("Sheet1", "A1", &[]any{"invoice_id", "issuer_tax_id", "sale_id", "issued_at", "amount", "currency", "status"})
	f.SetCellValue("Sheet1", "XFD2", "x")
	wide := filepath.Join(t.TempDir(), "wide.xlsx")
	if err := f.SaveAs(wide); err != nil {
		t.Fatal(err)
	}
	loadFails(t, "wide xlsx", func(ctx context.Context) error { _, err := TaxRecords(ctx, db, wide, nil); return err }, "more than 1000")
}
