package jobs

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"payouts/reports"
	"payouts/sql/store"
)

func rerunDate(t *testing.T, st *store.Store, cfg Config, date, reason string) Result {
	t.Helper()
	res, err := RunRerun(context.Background(), st, cfg, RerunRequest{Date: mustDate(t, date), Reason: reason, RequestedBy: "ops"})
	if err != nil {
		t.Fatalf("rerun %s: %v", date, err)
	}
	return res
}

// runLines are a run's lines as "sale,participant,role,contract,kind,amount"
// rows read from its participant files.
func runLines(t *testing.T, res Result) []string {
	t.Helper()
	return sorted(readCSVColumns(t, filepath.Join(res.Dir, "participants", "*.csv"), "",
		"sale_id", "participant_id", "role", "contract_id", "kind", "amount"))
}

func runPayouts(t *testing.T, res Result) []string {
	t.Helper()
	return sorted(readCSVColumns(t, filepath.Join(res.Dir, "provider", "*.csv"), "", "participant_id", "currency", "amount"))
}

func equalLists(t *testing.T, what string, want, got []string) {
	t.Helper()
	if strings.Join(sorted(want), "\n") != strings.Join(got, "\n") {
		t.Errorf("%s:\n got %q\nwant %q", what, got, sorted(want))
	}
}

// TestRerunWithNothingChanged: a rerun of a date whose data did not change
// writes no lines and no payout items, still publishes its manifest and a
// discrepancies.csv with only its header (it opens, re-opens and resolves
// nothing), and a second one does the same.
func TestRerunWithNothingChanged(t *testing.T) {
	t.Parallel()
	st := loadedStore(t, basicExample)
	cfg := testConfig(t)
	runDate(t, st, cfg, "2026-03-03")
	runDate(t, st, cfg, "2026-03-20")
	for i, id := range []string{"rerun-20260303-1", "rerun-20260303-2"} {
		res := rerunDate(t, st, cfg, "2026-03-03", "audit")
		if res.Run.RunID != id || res.Run.Kind != "rerun" || res.Run.Seq != i+1 || res.Run.Status != "completed" {
			t.Fatalf("rerun %d: %+v", i+1, res.Run)
		}
		if res.Run.LineCount != 0 || res.Run.PayoutCount != 0 || len(res.Manifest.ControlTotals.Lines) != 0 {
			t.Errorf("rerun %s with nothing changed: %d lines, %d payout items", id, res.Run.LineCount, res.Run.PayoutCount)
		}
		if want := filepath.Join(cfg.OutDir, "2026-03-03", id); res.Dir != want {
			t.Errorf("rerun directory %s, want %s", res.Dir, want)
		}
		body, err := os.ReadFile(filepath.Join(res.Dir, "discrepancies.csv"))
		var open int
		if err := st.DB.Get(&open, `SELECT count(*) FROM discrepancies WHERE resolved_run IS NULL`); err != nil {
			t.Fatal(err)
		}
		if err != nil || strings.Count(string(body), "\n") != 1 || open == 0 {
			t.Errorf("discrepancies.csv: %q (%v), want the header only (%d discrepancies still open)", body, err, open)
		}
		var touched int
		if err := st.DB.Get(&touched, `SELECT count(*) FROM discrepancies WHERE $1 IN (opened_run, last_seen_run, resolved_run)`, id); err != nil || touched != 0 {
			t.Errorf("rerun %s opened, saw or resolved %d discrepancies (%v)", id, touched, err)
		}
		if _, err := os.Stat(filepath.Join(res.Dir, reports.ManifestName)); err != nil {
			t.Error(err)
		}
		if res.Manifest.Kind != "rerun" {
			t.Errorf("manifest kind %q", res.Manifest.Kind)
		}
		if res.Run.Reason != "audit" || res.Run.RequestedBy != "ops" {
			t.Errorf("reason %q requested by %q", res.Run.Reason, res.Run.RequestedBy)
		}
	}
	var n int
	if err := st.DB.Get(&n, `SELECT count(*) FROM lines WHERE kind = 'adjustment'`); err != nil || n != 0 {
		t.Errorf("%d adjustment lines (%v)", n, err)
	}
}

// TestRerunAfterCorrections: a contract rate corrected after the run, then
// a platform fee. Each rerun writes the difference as adjustment lines
// (worked out by hand below) and pays or carries exactly that; a rerun
// right after writes nothing.
func TestRerunAfterCorrections(t *testing.T) {
	t.Parallel()
	st := loadedStore(t, basicExample)
	cfg := testConfig(t)
	runDate(t, st, cfg, "2026-03-03")

	// c1 v1 was 10%, should have been 12%. s01, s11, s12 (aff1 35% of
	// 89.60 = 31.36; pool 58.24): cop1 12% = 6.9888, lead 88% = 51.2512;
	// floors 6.98 + 51.25 leave 0.01 for the larger remainder, cop1: 6.99
	// and 51.25 instead of 5.82 and 52.42.
	mustExec(t, st, `UPDATE contract_terms SET rate_percent = 12 WHERE contract_id = 'c1' AND version = 1`)
	res := rerunDate(t, st, cfg, "2026-03-03", "c1 v1 rate was 12%")
	equalLists(t, "rerun-1 lines", []string{
		"s01,cop1,coproducer,c1,adjustment,1.17", "s01,lead1,lead,,adjustment,-1.17",
		"s11,cop1,coproducer,c1,adjustment,1.17", "s11,lead1,lead,,adjustment,-1.17",
		"s12,cop1,coproducer,c1,adjustment,1.17", "s12,lead1,lead,,adjustment,-1.17",
	}, runLines(t, res))
	// cop1 is paid 3.51; lead1 was paid out on 03-03 and carries -3.51.
	equalLists(t, "rerun-1 payouts", []string{"cop1,BRL,3.51"}, runPayouts(t, res))
	assertBalance(t, st, res.Run.RunID, "lead1", "BRL", 0, -351, 0, -351)
	assertBalance(t, st, res.Run.RunID, "cop1", "BRL", 0, 351, 351, 0)
	assertNoBalance(t, st, res.Run.RunID, "cop4") // carries 5.19 but has no adjustment

	// s09's fee was 20.40, not 30.40: net 276.60; cop1 (c5, 12.5%,
	// producer sales) 34.575, lead 242.025: the tie goes to the lead,
	// 242.03 and 34.57 instead of 233.28 and 33.32.
	mustExec(t, st, `UPDATE sales SET platform_fee = 20.40 WHERE sale_id = 's09'`)
	res = rerunDate(t, st, cfg, "2026-03-03", "s09 fee")
	equalLists(t, "rerun-2 lines", []string{"s09,cop1,coproducer,c5,adjustment,1.25", "s09,lead1,lead,,adjustment,8.75"}, runLines(t, res))
	// lead1 brings -3.51 forward: 8.75 - 3.51 = 5.24 is paid.
	equalLists(t, "rerun-2 payouts", []string{"cop1,BRL,1.25", "lead1,BRL,5.24"}, runPayouts(t, res))
	assertBalance(t, st, res.Run.RunID, "lead1", "BRL", -351, 875, 524, 0)

	res = rerunDate(t, st, cfg, "2026-03-03", "again")
	if res.Run.LineCount != 0 || res.Run.PayoutCount != 0 {
		t.Errorf("a rerun right after a rerun wrote %d lines and %d payout items", res.Run.LineCount, res.Run.PayoutCount)
	}
	if res.Run.RunID != "rerun-20260303-3" {
		t.Errorf("third rerun is %s", res.Run.RunID)
	}

	// The next nightly run takes the chargeback of s11 back to zero from
	// the adjusted amounts, and the 30.00 refund of s12 (26.88 of 89.60)
	// splits over 31.36 / 6.99 / 51.25: 9.408, 2.097, 15.375 -> 9.41,
	// 2.10, 15.37.
	night := runDate(t, st, cfg, "2026-03-20")
	equalLists(t, "03-20 lines", []string{
		"s11,aff1,affiliate,,reversal,-31.36", "s11,cop1,coproducer,c1,reversal,-6.99", "s11,lead1,lead,,reversal,-51.25",
		"s12,aff1,affiliate,,reversal,-9.41", "s12,cop1,coproducer,c1,reversal,-2.10", "s12,lead1,lead,,reversal,-15.37",
		"s15,cop4,coproducer,c9,commission,5.19", "s15,lead1,lead,,commission,20.75",
	}, runLines(t, night))
}

// TestRerunOfPartiallyRefundedSale: s12 was paid on 03-03 and 30.00 of its
// 100.00 refunded on 03-20; then c1 v1's rate is corrected to 12%. The
// rerun recomputes the allocation (31.36 / 6.99 / 51.25) and the refund's
// reversal from it (9.41 / 2.10 / 15.37) and adjusts by the difference
// with what is recorded (31.36-9.41 / 5.82-1.74 / 52.42-15.73). A later
// refund then splits over the corrected amounts.
func TestRerunOfPartiallyRefundedSale(t *testing.T) {
	t.Parallel()
	st := loadedStore(t, basicExample)
	cfg := testConfig(t)
	runDate(t, st, cfg, "2026-03-03")
	runDate(t, st, cfg, "2026-03-20")
	mustExec(t, st, `UPDATE contract_terms SET rate_percent = 12 WHERE contract_id = 'c1' AND version = 1`)
	res := rerunDate(t, st, cfg, "2026-03-03", "c1 v1 rate was 12%")
	// s11 was charged back: everyone is at zero either way, no line.
	equalLists(t, "rerun lines", []string{
		"s01,cop1,coproducer,c1,adjustment,1.17", "s01,lead1,lead,,adjustment,-1.17",
		"s12,cop1,coproducer,c1,adjustment,0.81", "s12,lead1,lead,,adjustment,-0.81",
	}, runLines(t, res))
	var parts []string
	if err := st.DB.Select(&parts, `SELECT participant_id || ':' || reversal_part FROM lines
		WHERE run_id = $1 AND sale_id = 's12' ORDER BY participant_id`, res.Run.RunID); err != nil {
		t.Fatal(err)
	}
	// cop1: +1.17 commission, -0.36 more reversed; lead1: -1.17, +0.36.
	if strings.Join(parts, " ") != "cop1:-36 lead1:36" {
		t.Errorf("reversal parts %v", parts)
	}

	// 20.00 more refunded on 04-01: 50.00 of 100.00 in all, 44.80 of
	// 89.60 over 31.36 / 6.99 / 51.25 is 15.68 / 3.495 / 25.625 -> 15.68,
	// 3.49, 25.63 (tie: the lead); less what was reversed so far.
	mustExec(t, st, `INSERT INTO sale_events VALUES ('e3', 's12', 'refund', 20.00, '2026-04-01T10:00:00-03:00')`)
	night := runDate(t, st, cfg, "2026-04-04")
	var got []string
	for _, l := range runLines(t, night) {
		if strings.HasPrefix(l, "s12,") {
			got = append(got, l)
		}
	}
	equalLists(t, "04-04 reversal of s12", []string{
		"s12,aff1,affiliate,,reversal,-6.27", "s12,cop1,coproducer,c1,reversal,-1.39", "s12,lead1,lead,,reversal,-10.26",
	}, got)

	// And a rerun now finds nothing to adjust.
	res = rerunDate(t, st, cfg, "2026-03-03", "check")
	if res.Run.LineCount != 0 {
		t.Errorf("rerun after the refund wrote %d lines: %v", res.Run.LineCount, runLines(t, res))
	}
}

// TestRerunRefusals: reruns only recompute dates a completed nightly run
// covered.
func TestRerunRefusals(t *testing.T) {
	t.Parallel()
	st := loadedStore(t, basicExample)
	cfg := testConfig(t)
	ctx := context.Background()
	_, err := RunRerun(ctx, st, cfg, RerunRequest{Date: mustDate(t, "2026-03-03"), Reason: "x"})
	if !errors.Is(err, ErrDateRefused) || !strings.Contains(err.Error(), "none yet") {
		t.Errorf("rerun before any run: %v", err)
	}
	runDate(t, st, cfg, "2026-03-03")
	runDate(t, st, cfg, "2026-03-20")
	_, err = RunRerun(ctx, st, cfg, RerunRequest{Date: mustDate(t, "2026-03-21"), Reason: "x"})
	if !errors.Is(err, ErrDateRefused) || !strings.Contains(err.Error(), "later than the latest completed nightly run (2026-03-20 (nightly-20260320))") {
		t.Errorf("rerun of a later date: %v", err)
	}
	_, err = RunRerun(ctx, st, cfg, RerunRequest{Date: mustDate(t, "2026-03-10"), Reason: "x"})
	if !errors.Is(err, ErrDateRefused) || !strings.Contains(err.Error(), "2026-03-10 has no nightly run") {
		t.Errorf("rerun of a date never run: %v", err)
	}
	if _, err = RunRerun(ctx, st, cfg, RerunRequest{Date: mustDate(t, "2026-03-03"), Reason: " "}); err == nil {
		t.Error("rerun without a reason accepted")
	}
	var n int
	if err := st.DB.Get(&n, `SELECT count(*) FROM runs WHERE kind = 'rerun'`); err != nil || n != 0 {
		t.Errorf("refused reruns left %d runs (%v)", n, err)
	}
}

// TestGoldenWithReruns: the basic example's four dates, each followed by a
// rerun of every date run so far, still give exactly the expected lines and
// payouts, and every rerun is empty.
func TestGoldenWithReruns(t *testing.T) {
	t.Parallel()
	st := loadedStore(t, basicExample)
	cfg := testConfig(t)
	var gotLines, gotPayouts []string
	dates := []string{"2026-03-03", "2026-03-20", "2026-04-04", "2026-07-03"}
	for i, date := range dates {
		res := runDate(t, st, cfg, date)
		gotLines = append(gotLines, readCSVColumns(t, filepath.Join(res.Dir, "participants", "*.csv"), date,
			"sale_id", "kind", "role", "participant_id", "contract_id", "currency", "amount")...)
		gotPayouts = append(gotPayouts, readCSVColumns(t, filepath.Join(res.Dir, "provider", "*.csv"), date,
			"participant_id", "currency", "amount")...)
		for _, earlier := range dates[:i+1] {
			if r := rerunDate(t, st, cfg, earlier, "no-op"); r.Run.LineCount != 0 || r.Run.PayoutCount != 0 {
				t.Errorf("rerun of %s after %s: %d lines, %d payout items", earlier, date, r.Run.LineCount, r.Run.PayoutCount)
			}
		}
	}
	wantLines := readCSVColumns(t, filepath.Join(basicExample, "expected_lines.csv"), "",
		"business_date", "sale_id", "kind", "role", "participant_id", "contract_id", "currency", "amount")
	wantPayouts := readCSVColumns(t, filepath.Join(basicExample, "expected_payouts.csv"), "",
		"business_date", "participant_id", "currency", "amount")
	diffLists(t, "lines", wantLines, gotLines)
	diffLists(t, "payouts", wantPayouts, gotPayouts)
}

func assertBalance(t *testing.T, st *store.Store, runID, participant, currency string, bf, adj, payout, carried int64) {
	t.Helper()
	var got [4]int64
	err := st.DB.QueryRow(`SELECT brought_forward, adjustments, payout, carried_forward FROM balances
		WHERE run_id = $1 AND participant_id = $2 AND currency = $3`, runID, participant, currency).Scan(&got[0], &got[1], &got[2], &got[3])
	if err != nil {
		t.Fatalf("balance of %s in %s: %v", participant, runID, err)
	}
	if want := [4]int64{bf, adj, payout, carried}; got != want {
		t.Errorf("balance of %s in %s (brought forward, adjustments, payout, carried): %v, want %v", participant, runID, got, want)
	}
}

func assertNoBalance(t *testing.T, st *store.Store, runID, participant string) {
	t.Helper()
	var n int
	if err := st.DB.Get(&n, `SELECT count(*) FROM balances WHERE run_id = $1 AND participant_id = $2`, runID, participant); err != nil || n != 0 {
		t.Errorf("%s has %d balances in %s (%v), want none", participant, n, runID, err)
	}
}

// TestRerunAfterACrash: a rerun whose process died after committing is
// published by the next `rerun` of its date (same id, same bytes, no new
// rerun); one that died while computing is redone under its number.
func TestRerunAfterACrash(t *testing.T) {
	t.Parallel()
	st := loadedStore(t, basicExample)
	cfg := testConfig(t)
	runDate(t, st, cfg, "2026-03-03")
	mustExec(t, st, `UPDATE contract_terms SET rate_percent = 12 WHERE contract_id = 'c1' AND version = 1`)
	first := rerunDate(t, st, cfg, "2026-03-03", "rate")
	manifest, err := os.ReadFile(filepath.Join(first.Dir, reports.ManifestName))
	if err != nil {
		t.Fatal(err)
	}
	// Died while publishing: committed, files half written.
	mustExec(t, st, `UPDATE runs SET status = 'computed', completed_at = NULL WHERE run_id = $1`, first.Run.RunID)
	os.Remove(filepath.Join(first.Dir, reports.ManifestName))
	again := rerunDate(t, st, cfg, "2026-03-03", "another reason")
	if !again.Resumed || again.Run.RunID != first.Run.RunID || again.Run.Reason != "rate" {
		t.Fatalf("resumed %v run %s reason %q", again.Resumed, again.Run.RunID, again.Run.Reason)
	}
	if got, err := os.ReadFile(filepath.Join(again.Dir, reports.ManifestName)); err != nil || string(got) != string(manifest) {
		t.Errorf("republished manifest differs (%v)", err)
	}
	// Died while computing: a running row, nothing committed.
	mustExec(t, st, `INSERT INTO runs (run_id, business_date, kind, seq, status, window_end, params, reason)
		VALUES ('rerun-20260303-2', '2026-03-03', 'rerun', 2, 'running', '2026-03-04T03:00:00Z', '{}', 'lost')`)
	mustExec(t, st, `UPDATE sales SET platform_fee = 20.40 WHERE sale_id = 's09'`)
	redo := rerunDate(t, st, cfg, "2026-03-03", "s09 fee")
	if redo.Run.RunID != "rerun-20260303-2" || redo.Run.LineCount != 2 || redo.Run.Reason != "s09 fee" {
		t.Errorf("redo: %s, %d lines, reason %q", redo.Run.RunID, redo.Run.LineCount, redo.Run.Reason)
	}
}
