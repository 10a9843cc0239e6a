package jobs

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"payouts/internal/storetest"
	"payouts/reconcile"
)

// TestWindowsAcrossDaylightSaving runs the days around clock changes in
// zones with daylight saving. Sales settle at the last microsecond of a
// local day and at the first instant of the next; each must fall in the
// run of its local day, whatever the length of that day (23 or 25 hours).
func TestWindowsAcrossDaylightSaving(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ zone, day string }{
		{"America/New_York", "2026-03-08"}, // 02:00 -> 03:00
		{"America/New_York", "2026-11-01"}, // 02:00 -> 01:00
		{"Europe/Berlin", "2026-03-29"},    // 02:00 -> 03:00
		{"Europe/Berlin", "2026-10-25"},    // 03:00 -> 02:00
		{"America/Sao_Paulo", "2026-03-03"},
	} {
		t.Run(tc.zone+"/"+tc.day, func(t *testing.T) {
			t.Parallel()
			loc, err := time.LoadLocation(tc.zone)
			if err != nil {
				t.Fatal(err)
			}
			st := storetest.New(t)
			cfg := testConfig(t)
			cfg.Location = loc
			d := mustDate(t, tc.day)
			days := []reconcile.Date{d.AddDays(-1), d, d.AddDays(1)}
			// Per day: a sale at its first instant and one at its last microsecond.
			var rows []string
			for i, day := range days {
				start := time.Date(day.Year, day.Month, day.Day, 0, 0, 0, 0, loc)
				end := time.Date(day.Year, day.Month, day.Day+1, 0, 0, 0, 0, loc).Add(-time.Microsecond)
				rows = append(rows,
					fmt.Sprintf("('first%d', 'p1', 'BRL', 10.00, 1.00, '2026-01-01T00:00:00Z', '%s')", i, start.Format(time.RFC3339Nano)),
					fmt.Sprintf("('last%d', 'p1', 'BRL', 10.00, 1.00, '2026-01-01T00:00:00Z', '%s')", i, end.Format(time.RFC3339Nano)))
			}
			_, err = st.DB.Exec(`INSERT INTO participants (participant_id, name, payout_account) VALUES ('lead1', 'Ana', 'acc');
				INSERT INTO products VALUES ('p1', 'Curso', 'lead1');
				INSERT INTO sales (sale_id, product_id, currency, gross, platform_fee, sold_at, settled_at) VALUES ` + strings.Join(rows, ","))
			if err != nil {
				t.Fatal(err)
			}
			for i, day := range days {
				res := runDate(t, st, cfg, day.String())
				got := sorted(readCSVColumns(t, filepath.Join(res.Dir, "participants", "lead1.csv"), "", "sale_id"))
				want := []string{fmt.Sprintf("first%d", i), fmt.Sprintf("last%d", i)}
				if strings.Join(got, " ") != strings.Join(want, " ") {
					t.Errorf("run of %s allocated %v, want %v", day, got, want)
				}
			}
		})
	}
}
