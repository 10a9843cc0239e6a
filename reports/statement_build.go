package reports

import (
	"fmt"
	"path/filepath"
	"sort"
	"time"

	"payouts/reconcile/ledger"
)

// StatementRun is a run a statement covers, with the platform zone it
// was computed in: its lines' sold_at and settled_at are shown in it. The
// statement of its last run is stamped with its window end.
type StatementRun struct {
	ledger.Run
	Location *time.Location
}

// StatementSource is what statements are built from: the runs covered
// (in run order) and their rows, streamed by participant, then part
// (balances, lines, payout items), then run, then for lines in
// participant-file order (sale, role, contract, kind) and otherwise by
// currency.
type StatementSource struct {
	Runs     []StatementRun
	From, To string // the business dates covered, YYYY-MM-DD
	Rows     func(fn func(ledger.StatementRow) error) error
	MaxRows  int // the last row a sheet may use; 0 is Excel's
}

// StatementResult says what a statement holds.
type StatementResult struct {
	Runs, Lines, Payouts int
}

// WriteStatements publishes statements/<participant_id>.xlsx in the run
// directory for every participant src.Rows holds (PAYOUTS_STATEMENTS=1),
// in one pass over the rows.
func (d *RunDir) WriteStatements(src StatementSource) error {
	b := newStatementBuilder(src)
	b.tmpDir = d.Path
	b.done = func(w *StatementWriter, _ string) error { return d.WriteStatement(w) }
	if err := src.Rows(b.add); err != nil {
		b.abort()
		return err
	}
	return b.finish()
}

// WriteParticipantStatement writes the statement of participantID (named
// name) to path, atomically: `payouts statement`. src.Rows holds the rows
// of this participant only; with none (nothing in these dates) the
// statement says so.
func WriteParticipantStatement(path, participantID, name string, src StatementSource) (StatementResult, error) {
	var res StatementResult
	b := newStatementBuilder(src)
	b.name, b.tmpDir = name, filepath.Dir(path)
	wrote := false
	b.done = func(w *StatementWriter, _ string) error {
		wrote = true
		return WriteStatementFile(path, w)
	}
	if err := src.Rows(b.add); err != nil {
		b.abort()
		return res, err
	}
	if err := b.finish(); err != nil {
		return res, err
	}
	if !wrote { // nothing in these dates: a statement saying so
		b.participant = participantID
		if err := b.start(); err != nil {
			return res, err
		}
		if err := b.finish(); err != nil {
			return res, err
		}
	}
	return StatementResult{Runs: len(src.Runs), Lines: b.lines, Payouts: b.payouts}, nil
}

// statementBuilder turns a stream of statement rows (by participant:
// balances, then lines, then payout items) into one statement per
// participant, handed to done.
type statementBuilder struct {
	runs     map[string]StatementRun // looked up, never ranged over
	from, to string
	count    int       // runs covered
	stamp    time.Time // window end of the last run
	maxRows  int
	name     string // the participant's name, when known beforehand (one participant)
	tmpDir   string // where the statements' temporary files go
	done     func(w *StatementWriter, participantID string) error

	participant string
	balances    []ledger.StatementRow
	w           *StatementWriter
	lines       int
	payouts     int
}

func newStatementBuilder(src StatementSource) *statementBuilder {
	b := &statementBuilder{runs: map[string]StatementRun{}, from: src.From, to: src.To, count: len(src.Runs), maxRows: src.MaxRows}
	for _, r := range src.Runs {
		b.runs[r.RunID] = r
		b.stamp = r.WindowEnd
	}
	if len(src.Runs) == 0 { // no run: the day after the period, at midnight UTC
		if d, err := time.Parse("2006-01-02", src.To); err == nil {
			b.stamp = d.AddDate(0, 0, 1)
		}
	}
	return b
}

func (b *statementBuilder) add(r ledger.StatementRow) error {
	if r.ParticipantID != b.participant {
		if err := b.finish(); err != nil {
			return err
		}
		b.participant = r.ParticipantID
	}
	run, ok := b.runs[r.RunID]
	if !ok {
		return fmt.Errorf("statement: row of unknown run %s", r.RunID)
	}
	switch r.Part {
	case ledger.StatementBalance:
		if b.w != nil {
			return fmt.Errorf("statement of %s: a balance after its lines", r.ParticipantID)
		}
		b.balances = append(b.balances, r)
		return nil
	case ledger.StatementLine:
		if err := b.start(); err != nil {
			return err
		}
		b.lines++
		return b.w.AddLine(run, r.Line)
	default:
		if err := b.start(); err != nil {
			return err
		}
		b.payouts++
		return b.w.AddPayout(run, r.Item)
	}
}

// start begins the current participant's statement, once its balances
// are known: the opening balance of a currency is what its first run
// brought forward, the closing one what its last run carried forward.
func (b *statementBuilder) start() error {
	if b.w != nil {
		return nil
	}
	h := StatementHeader{ParticipantID: b.participant, Name: b.name, From: b.from, To: b.to, Runs: b.count,
		Stamp: b.stamp, MaxRows: b.maxRows, TmpDir: b.tmpDir}
	at := map[string]int{}
	for _, r := range b.balances {
		bal := r.Balance
		i, ok := at[r.Currency]
		if !ok {
			i = len(h.Balances)
			at[r.Currency] = i
			h.Balances = append(h.Balances, StatementBalance{Currency: r.Currency, Opening: bal.BroughtForward})
		}
		h.Balances[i].Closing = bal.CarriedForward
		h.Balances[i].Returned += bal.Returned
		if b.name == "" {
			h.Name = bal.Name // the last run's
		}
	}
	sort.Slice(h.Balances, func(i, j int) bool { return h.Balances[i].Currency < h.Balances[j].Currency })
	w, err := NewStatement(h)
	if err != nil {
		return err
	}
	b.w = w
	return nil
}

// finish hands the current participant's statement to done.
func (b *statementBuilder) finish() error {
	if b.participant == "" {
		return nil
	}
	if err := b.start(); err != nil {
		return err
	}
	w, id := b.w, b.participant
	b.w, b.balances, b.participant = nil, nil, ""
	return b.done(w, id)
}

func (b *statementBuilder) abort() {
	if b.w != nil {
		b.w.Abort()
		b.w = nil
	}
}
