package load

import (
	"strings"
	"testing"
)

// TestHugeValuesAreCutInMessages (issue 15.10): a bad value of megabytes
// is quoted cut, with its length, so a message stays short whatever the
// file holds.
func TestHugeValuesAreCutInMessages(t *testing.T) {
	t.Parallel()
	const n = 4 << 20
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
