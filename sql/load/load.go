package load

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/jmoiron/sqlx"

	"payouts/reconcile"
)

// FileResult is what a successful load did with one file.
type FileResult struct {
	Name     string // e.g. "sales.csv"
	Rows     int    // data rows in the file, all upserted
	Inserted int64  // new primary keys
	Updated  int64  // existing keys whose values changed; Rows-Inserted-Updated were identical
}

// Result lists the files that were present, in load order.
type Result struct {
	Files []FileResult
	// PaidSalesChanged counts the sales already allocated by a nightly run
	// whose product, currency, amounts, affiliate or times this load
	// changed; RerunDates are those runs' business dates, in order: each
	// needs `payouts rerun` to pay the difference.
	PaidSalesChanged int64
	RerunDates       []string
}

// Dir loads the CSV files of SPEC section 2 found in dir into db, in one
// transaction: all or nothing.
//
// Only the seven file names of the load format are read; a name that is not
// present is skipped, and any other file (expected_lines.csv, notes) is
// ignored. A directory with none of them is an error, since that is almost
// always a wrong path.
//
// When any row of any file is bad, Dir writes nothing and returns *Errors
// listing every problem (up to MaxReported). Other failures (I/O,
// database) are returned wrapped with the file or step they happened in.
// progress, if not nil, receives one line per step for a human.
func Dir(ctx context.Context, db *sqlx.DB, dir string, progress func(format string, args ...any)) (Result, error) {
	info, err := os.Stat(dir)
	if err != nil {
		return Result{}, fmt.Errorf("load: %w", err)
	}
	if !info.IsDir() {
		return Result{}, fmt.Errorf("load: %s is not a directory", dir)
	}
	res, err := loadFS(ctx, db, os.DirFS(dir), progress)
	if errors.Is(err, errNoFiles) {
		return res, fmt.Errorf("load: %s has none of %s", dir, fileList())
	}
	return res, err
}

var errNoFiles = errors.New("no load files")

func fileList() string {
	names := make([]string, len(tables))
	for i, t := range tables {
		names[i] = t.file
	}
	return strings.Join(names, ", ")
}

// loadFS is Dir over any file system, in its own transaction.
func loadFS(ctx context.Context, db *sqlx.DB, fsys fs.FS, progress func(string, ...any)) (Result, error) {
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return Result{}, fmt.Errorf("load: begin: %w", err)
	}
	defer tx.Rollback() // after Commit, a no-op
	res, err := loadTx(ctx, tx, fsys, progress)
	if err != nil {
		return res, err
	}
	if err := tx.Commit(); err != nil {
		return Result{}, fmt.Errorf("load: commit: %w", err)
	}
	return res, nil
}

// loadLockKey serializes loads: two concurrent loads could each pass the
// cross-row checks (refund totals, contract versions) that their union
// fails. It does not block runs, which read committed rows only.
const loadLockKey = `SELECT pg_advisory_xact_lock(hashtextextended('payouts.load', 0))`

// loadTx stages, checks and upserts inside tx. On *Errors or any error the
// caller must roll back; tests roll back even a success.
func loadTx(ctx context.Context, tx *sqlx.Tx, fsys fs.FS, progress func(string, ...any)) (Result, error) {
	say := func(format string, args ...any) {
		if progress != nil {
			progress(format, args...)
		}
	}
	if _, err := tx.ExecContext(ctx, loadLockKey); err != nil {
		return Result{}, fmt.Errorf("load: lock: %w", err)
	}
	if err := createStaging(ctx, tx); err != nil {
		return Result{}, fmt.Errorf("load: %w", err)
	}
	errs := newCollector(MaxReported)
	var res Result
	unreadable := map[string]bool{}
	for _, t := range tables {
		n, present, readable, err := stageOne(ctx, tx, fsys, t, errs.add, say)
		if err != nil {
			return Result{}, fmt.Errorf("load %s: %w", t.file, err)
		}
		if present {
			res.Files = append(res.Files, FileResult{Name: t.file, Rows: n})
			unreadable[t.name] = !readable
		}
	}
	if len(res.Files) == 0 {
		return Result{}, errNoFiles
	}
	say("checking references and totals")
	if err := runChecks(ctx, tx, unreadable, errs.add); err != nil {
		return Result{}, fmt.Errorf("load: %w", err)
	}
	if e := errs.errors(); e != nil {
		say("%s; nothing written", reconcile.Plural(int64(errs.count()), "problem", ""))
		return Result{}, e
	}
	var err error
	if res.RerunDates, res.PaidSalesChanged, err = paidSalesChanged(ctx, tx); err != nil {
		return Result{}, fmt.Errorf("load: %w", err)
	}
	for i := range res.Files {
		f := &res.Files[i]
		t := byName[strings.TrimSuffix(f.Name, ".csv")]
		ins, upd, err := upsert(ctx, tx, t)
		if err != nil {
			return Result{}, fmt.Errorf("load %s: write %s: %w", f.Name, t.name, err)
		}
		f.Inserted, f.Updated = ins, upd
		say("%s: %s, %d new, %d changed", f.Name, reconcile.Plural(int64(f.Rows), "row", ""), ins, upd)
	}
	return res, nil
}

// stageOne stages t's file if fsys has it.
func stageOne(ctx context.Context, tx *sqlx.Tx, fsys fs.FS, t *table, report func(RowError), say func(string, ...any)) (rows int, present, readable bool, err error) {
	f, err := fsys.Open(t.file)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, false, true, nil
	}
	if err != nil {
		return 0, false, false, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return 0, false, false, err
	}
	if err := regularFile(t.file, st); err != nil {
		return 0, false, false, err
	}
	say("reading %s", t.file)
	n, readable, err := stageFile(ctx, tx, t, f, report, func(n int) { say("%s: %s read", t.file, reconcile.Plural(int64(n), "row", "")) })
	return n, true, readable, err
}
