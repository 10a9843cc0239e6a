package jobs

import (
	"context"
	"fmt"
	"payouts/reports/reportstest"
	"testing"
)

// TestExportIsByteIdentical: exporting a run again gives every file the
// same SHA-256, even after the source rows it was computed from changed
// (payee details and sale facts are kept with the run).
func TestExportIsByteIdentical(t *testing.T) {
	t.Parallel()
	st := loadedStore(t, basicExample)
	cfg := testConfig(t)
	var dirs []string
	for _, d := range []string{"2026-03-03", "2026-03-20"} {
		dirs = append(dirs, runDate(t, st, cfg, d).Dir)
	}
	if _, err := st.DB.Exec(`UPDATE participants SET name = 'Someone Else', payout_account = '9999-1'`); err != nil {
		t.Fatal(err)
	}
	if _, err := st.DB.Exec(`UPDATE sales SET sold_at = sold_at + interval '1 day', settled_at = settled_at + interval '1 hour'`); err != nil {
		t.Fatal(err)
	}
	for i, id := range []string{"nightly-20260303", "nightly-20260320"} {
		run, err := st.GetRun(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		dir, _, err := Publish(context.Background(), st, run, t.TempDir(), nil)
		if err != nil {
			t.Fatal(err)
		}
		want, got := reportstest.DirDigests(t, dirs[i]), reportstest.DirDigests(t, dir)
		if len(want) < 3 || fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("export of %s differs:\n got %v\nwant %v", id, got, want)
		}
	}
}
