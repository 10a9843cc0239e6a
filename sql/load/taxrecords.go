package load

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/jmoiron/sqlx"

	"payouts/reconcile"
)

// TaxRecords loads one file of tax records (the lead producers' invoices,
// SPEC section 2's tax_records columns) into tax_records: `payouts
// import-tax-record FILE`. FILE is CSV (.csv) or an XLSX workbook (.xlsx,
// first sheet, header row); see xlsxSource for how cells are read.
//
// The rows go through the same validation and staging as tax_records.csv
// in `payouts load`, and the load is the same: all or nothing (*Errors
// with FILE:ROW: reason for every bad row, FILE being the file's base
// name), upserted by invoice_id, so importing a file again changes
// nothing and a corrected file replaces what it corrects.
func TaxRecords(ctx context.Context, db *sqlx.DB, path string, progress func(format string, args ...any)) (FileResult, error) {
	say := func(format string, args ...any) {
		if progress != nil {
			progress(format, args...)
		}
	}
	t := *byName["tax_records"] // the same columns and rules, reported under the file's own name
	t.file = filepath.Base(path)
	src, closer, err := openTaxRecords(path, &t)
	if err != nil {
		return FileResult{}, fmt.Errorf("import %s: %w", path, err)
	}
	defer closer.Close()

	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return FileResult{}, fmt.Errorf("import %s: begin: %w", path, err)
	}
	defer tx.Rollback() // after Commit, a no-op
	if _, err := tx.ExecContext(ctx, loadLockKey); err != nil {
		return FileResult{}, fmt.Errorf("import %s: lock: %w", path, err)
	}
	if err := createStaging(ctx, tx); err != nil {
		return FileResult{}, fmt.Errorf("import %s: %w", path, err)
	}
	errs := newCollector(MaxReported)
	say("reading %s", t.file)
	n, readable, err := stageSource(ctx, tx, &t, src, errs.add, func(n int) { say("%s: %s read", t.file, reconcile.Plural(int64(n), "row", "")) })
	if err != nil {
		return FileResult{}, fmt.Errorf("import %s: %w", path, err)
	}
	if readable {
		for _, c := range duplicateChecks() {
			if c.file == byName["tax_records"].file {
				c.file = t.file
				if err := c.run(ctx, tx, errs.add); err != nil {
					return FileResult{}, fmt.Errorf("import %s: %w", path, err)
				}
			}
		}
	}
	if e := errs.errors(); e != nil {
		say("%s; nothing written", reconcile.Plural(int64(errs.count()), "problem", ""))
		return FileResult{}, e
	}
	res := FileResult{Name: t.file, Rows: n}
	if res.Inserted, res.Updated, err = upsert(ctx, tx, &t); err != nil {
		return FileResult{}, fmt.Errorf("import %s: write tax_records: %w", path, err)
	}
	if err := tx.Commit(); err != nil {
		return FileResult{}, fmt.Errorf("import %s: commit: %w", path, err)
	}
	say("%s: %s, %d new, %d changed", t.file, reconcile.Plural(int64(res.Rows), "row", ""), res.Inserted, res.Updated)
	return res, nil
}

// openTaxRecords opens path as CSV or XLSX, by its extension.
func openTaxRecords(path string, t *table) (RecordSource, io.Closer, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, nil, err
	}
	if err := regularFile(filepath.Base(path), st); err != nil {
		return nil, nil, err
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		f, err := os.Open(path)
		if err != nil {
			return nil, nil, err
		}
		if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
			f.Close()
			return nil, nil, fmt.Errorf("%s is not a regular file", filepath.Base(path))
		}
		return NewCSVSource(f), f, nil
	case ".xlsx":
		return OpenXLSXSource(path, func(column string) bool {
			i, ok := t.pos[column]
			return ok && t.cols[i].typ == "numeric"
		})
	}
	return nil, nil, fmt.Errorf("unsupported file type %q: want .csv or .xlsx", filepath.Ext(path))
}
