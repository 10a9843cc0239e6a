package daemon

import (
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
)

// TestMetrics: the exposition after the basic example's 03-03, a rerun of
// it after a rate correction, and 03-20 carries the figures of the last completed run of each kind.
func TestMetrics(t *testing.T) {
	t.Parallel()
	st := loadedStore(t, basicExample)
	cfg := testConfig(t)
	runDate(t, st, cfg, "2026-03-03")
	mustExec(t, st, `UPDATE contract_terms SET rate_percent = 12 WHERE contract_id = 'c1' AND version = 1`)
	rerunDate(t, st, cfg, "2026-03-03", "rate")
	runDate(t, st, cfg, "2026-03-20")
	mustExec(t, st, `INSERT INTO runs (run_id, business_date, kind, status, window_end, params, error)
		VALUES ('nightly-20260321', '2026-03-21', 'nightly', 'failed', '2026-03-22T03:00:00Z', '{}', 'boom')`)

	srv := httptest.NewServer(AdminHandler(st, nil))
	defer srv.Close()
	code, body := get(t, srv, "/metrics")
	if code != 200 {
		t.Fatalf("/metrics: %d %s", code, body)
	}
	for _, want := range []string{
		"# TYPE payouts_runs gauge\n",
		"payouts_database_up 1\n",
		"payouts_run_in_progress 0\n",
		`payouts_runs{run_kind="nightly",state="completed"} 2` + "\n",
		`payouts_runs{run_kind="nightly",state="failed"} 1` + "\n",
		`payouts_runs{run_kind="rerun",state="completed"} 1` + "\n",
		`payouts_last_run_sales_allocated{run_kind="nightly"} 1` + "\n", // s15
		`payouts_last_run_events_reversed{run_kind="nightly"} 2` + "\n",
		// 03-20: s11 charged back, s12 refunded, s15 paid to lead1; cop4 carried.
		`payouts_last_run_lines{run_kind="nightly",currency="BRL"} 8` + "\n",
		`payouts_last_run_lines_amount{run_kind="nightly",currency="BRL"} -90.54` + "\n", // -89.60 - 26.88 + 25.94
		// The rerun: cop1 +1.17 on s01, s11 and s12, lead1 the opposite.
		`payouts_last_run_lines{run_kind="rerun",currency="BRL"} 6` + "\n",
		`payouts_last_run_lines_amount{run_kind="rerun",currency="BRL"} 0.00` + "\n",
		`payouts_last_run_payout_items{run_kind="rerun",currency="BRL"} 1` + "\n",
		`payouts_last_run_payout_amount{run_kind="rerun",currency="BRL"} 3.51` + "\n",
		`payouts_last_run_discrepancies{run_kind="nightly",kind="MISSING_PAYOUT_ACCOUNT"} 1` + "\n",
		`payouts_last_success_timestamp_seconds{run_kind="nightly"} `,
		`payouts_last_run_duration_seconds{run_kind="rerun"} `,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q:\n%s", want, body)
		}
	}
	for _, line := range strings.Split(strings.TrimSpace(body), "\n") {
		if !strings.HasPrefix(line, "# HELP ") && !strings.HasPrefix(line, "# TYPE ") && len(strings.Fields(line)) != 2 {
			t.Errorf("malformed sample %q", line)
		}
	}
}

// TestMetricsCountPayoutItems: /metrics counts payout items by state and
// currency.
func TestMetricsCountPayoutItems(t *testing.T) {
	t.Parallel()
	st := loadedStore(t, basicExample)
	cfg := testConfig(t)
	runDate(t, st, cfg, "2026-03-03")
	importStatus(t, st, filepath.Join("..", "..", "testdata", "status", "pain.002.001.03.ch.02.xml"))
	srv := httptest.NewServer(AdminHandler(st, nil))
	defer srv.Close()
	code, body := get(t, srv, "/metrics")
	if code != 200 {
		t.Fatalf("/metrics: %d %s", code, body)
	}
	for _, want := range []string{
		"# TYPE payouts_payout_items gauge\n",
		`payouts_payout_items{state="accepted",currency="BRL"} 1` + "\n",
		`payouts_payout_items{state="issued",currency="JPY"} 2` + "\n",
		`payouts_payout_items{state="paid",currency="BRL"} 3` + "\n",
		`payouts_payout_items{state="rejected",currency="BRL"} 2` + "\n",
		`payouts_payout_items_amount{state="rejected",currency="BRL"} 358.14` + "\n",
		`payouts_payout_items_amount{state="issued",currency="JPY"} 8820` + "\n",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q:\n%s", want, body)
		}
	}
}
