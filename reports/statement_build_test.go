package reports

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"payouts/reconcile"
	"payouts/reconcile/ledger"
)

// statementRuns are two runs in São Paulo time.
func statementRuns(t *testing.T) []StatementRun {
	t.Helper()
	loc, err := time.LoadLocation("America/Sao_Paulo")
	if err != nil {
		t.Fatal(err)
	}
	return []StatementRun{
		{Run: ledger.Run{RunID: "nightly-20260303", BusinessDate: "2026-03-03", WindowEnd: time.Date(2026, 3, 4, 3, 0, 0, 0, time.UTC)}, Location: loc},
		{Run: ledger.Run{RunID: "nightly-20260304", BusinessDate: "2026-03-04", WindowEnd: time.Date(2026, 3, 5, 3, 0, 0, 0, time.UTC)}, Location: loc},
	}
}

func rowsOf(rows ...ledger.StatementRow) func(func(ledger.StatementRow) error) error {
	return func(fn func(ledger.StatementRow) error) error {
		for _, r := range rows {
			if err := fn(r); err != nil {
				return err
			}
		}
		return nil
	}
}

func balanceRow(p, run, cur string, bf, cf, returned int64, name string) ledger.StatementRow {
	return ledger.StatementRow{ParticipantID: p, Part: ledger.StatementBalance, RunID: run, Currency: cur,
		Balance: ledger.ParticipantBalance{Name: name, Balance: reconcile.Balance{ParticipantID: p, Currency: reconcile.Currency{Code: cur},
			BroughtForward: bf, CarriedForward: cf, Returned: returned}}}
}

func lineRow(p, run, sale string, amount int64) ledger.StatementRow {
	return ledger.StatementRow{ParticipantID: p, Part: ledger.StatementLine, RunID: run, Currency: "BRL", Line: reconcile.LineRecord{
		Line:     reconcile.Line{SaleID: sale, ParticipantID: p, Role: reconcile.RoleLead, Kind: reconcile.KindCommission, Amount: amount},
		Currency: "BRL", ProductID: "p1", SoldAt: time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC)}}
}

func payoutRow(p, run string, amount int64) ledger.StatementRow {
	return ledger.StatementRow{ParticipantID: p, Part: ledger.StatementPayout, RunID: run, Currency: "BRL",
		Item: reconcile.PayoutItem{RunID: run, ParticipantID: p, Currency: "BRL", Amount: amount, Reference: run + "-BRL-000001"}}
}

// TestStatementBuilderSplitsByParticipant: one statement per participant
// of the stream, each with its opening balance from its first run, its
// closing balance from its last, the returned payouts summed, the name
// of its last run, sorted by currency; stamped with the last run's
// window end.
func TestStatementBuilderSplitsByParticipant(t *testing.T) {
	t.Parallel()
	runs := statementRuns(t)
	src := StatementSource{Runs: runs, From: "2026-03-03", To: "2026-03-04", Rows: rowsOf(
		balanceRow("a", runs[0].RunID, "BRL", 0, 500, 0, "Ann"),
		balanceRow("a", runs[0].RunID, "USD", 100, 100, 0, "Ann"),
		balanceRow("a", runs[1].RunID, "BRL", 500, 0, 30, "Ann B."),
		lineRow("a", runs[0].RunID, "s1", 500),
		payoutRow("a", runs[1].RunID, 530),
		balanceRow("b", runs[1].RunID, "BRL", 0, 7, 0, "Bob"),
		lineRow("b", runs[1].RunID, "s2", 7),
	)}
	type got struct {
		id string
		h  StatementHeader
	}
	var out []got
	b := newStatementBuilder(src)
	b.tmpDir = t.TempDir()
	b.done = func(w *StatementWriter, id string) error {
		out = append(out, got{id, w.h})
		w.Abort()
		return nil
	}
	if err := src.Rows(b.add); err != nil {
		t.Fatal(err)
	}
	if err := b.finish(); err != nil {
		t.Fatal(err)
	}
	if len(out) != 2 || out[0].id != "a" || out[1].id != "b" {
		t.Fatalf("statements %+v", out)
	}
	a := out[0].h
	if a.Name != "Ann B." || a.Runs != 2 || a.From != "2026-03-03" || a.To != "2026-03-04" || !a.Stamp.Equal(runs[1].WindowEnd) {
		t.Errorf("header of a: %+v", a)
	}
	if want := "[{BRL 0 0 30} {USD 100 100 0}]"; fmt.Sprint(a.Balances) != want {
		t.Errorf("balances of a: %v, want %s", a.Balances, want)
	}
	if b.lines != 2 || b.payouts != 1 {
		t.Errorf("counted %d lines, %d payouts", b.lines, b.payouts)
	}
}

// TestStatementBuilderRefusesDisorder: a balance after the lines of its
// participant, or a row of a run not covered, is an error, and the
// statement being written is dropped.
func TestStatementBuilderRefusesDisorder(t *testing.T) {
	t.Parallel()
	runs := statementRuns(t)
	for name, tc := range map[string]struct {
		rows []ledger.StatementRow
		want string
	}{
		"balance after lines": {[]ledger.StatementRow{lineRow("a", runs[0].RunID, "s1", 5), balanceRow("a", runs[0].RunID, "BRL", 0, 5, 0, "Ann")},
			"statement of a: a balance after its lines"},
		"unknown run": {[]ledger.StatementRow{lineRow("a", "nightly-20990101", "s1", 5)}, "statement: row of unknown run nightly-20990101"},
	} {
		dir := t.TempDir()
		rd, err := OpenRunDir(dir, "2026-03-04", runs[1].RunID)
		if err != nil {
			t.Fatal(err)
		}
		err = rd.WriteStatements(StatementSource{Runs: runs, From: "2026-03-03", To: "2026-03-04", Rows: rowsOf(tc.rows...)})
		rd.Close()
		if err == nil || err.Error() != tc.want {
			t.Errorf("%s: %v, want %q", name, err, tc.want)
		}
	}
}

// TestParticipantStatementWithoutRows: a participant with nothing in the
// dates still gets a statement saying so, stamped the day after the
// period when no run covers it; an error of the rows is returned as is.
func TestParticipantStatementWithoutRows(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "a.xlsx")
	res, err := WriteParticipantStatement(path, "a", "Ann", StatementSource{From: "2026-03-01", To: "2026-03-02", Rows: rowsOf()})
	if err != nil || res != (StatementResult{}) {
		t.Fatalf("%+v %v", res, err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Size() == 0 {
		t.Errorf("no statement written: %v", err)
	}
	boom := errors.New("boom")
	path2 := filepath.Join(t.TempDir(), "b.xlsx")
	_, err = WriteParticipantStatement(path2, "a", "Ann", StatementSource{Runs: statementRuns(t), From: "2026-03-03", To: "2026-03-04",
		Rows: func(fn func(ledger.StatementRow) error) error {
			if err := fn(lineRow("a", "nightly-20260303", "s1", 5)); err != nil {
				return err
			}
			return boom
		}})
	if !errors.Is(err, boom) {
		t.Errorf("err = %v", err)
	}
	if entries, _ := os.ReadDir(filepath.Dir(path2)); len(entries) != 0 {
		t.Errorf("left behind: %v", entries)
	}
}
