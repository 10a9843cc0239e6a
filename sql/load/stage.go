package load

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// createStaging creates one TEMP table per file, dropped at commit or
// rollback. Every column is nullable: an invalid cell is staged as NULL
// (row.ok false) so the SQL checks still see the row's other cells. The
// tables of files that are not in the load stay empty, which keeps every
// check one query whatever files are present.
func createStaging(ctx context.Context, tx *sqlx.Tx) error {
	for _, t := range tables {
		var b strings.Builder
		fmt.Fprintf(&b, "CREATE TEMP TABLE %s (line bigint NOT NULL, ok boolean NOT NULL", t.stage())
		for _, c := range t.cols {
			fmt.Fprintf(&b, ", %s %s", c.name, c.typ)
		}
		b.WriteString(") ON COMMIT DROP")
		if _, err := tx.ExecContext(ctx, b.String()); err != nil {
			return fmt.Errorf("create staging table %s: %w", t.stage(), err)
		}
	}
	return nil
}

// stageFile parses r as t's CSV file and streams its rows into t's
// staging table: stageSource over a CSV source.
func stageFile(ctx context.Context, tx *sqlx.Tx, t *table, r io.Reader, report func(RowError), progress func(rows int)) (n int, readable bool, err error) {
	return stageSource(ctx, tx, t, NewCSVSource(r), report, progress)
}

// stageSource reads src as t's file and streams its rows into t's staging
// table with COPY, so the file is never held in memory. progress, if not
// nil, is called every progressEvery rows. readable is parseRecords'.
func stageSource(ctx context.Context, tx *sqlx.Tx, t *table, src RecordSource, report func(RowError), progress func(rows int)) (n int, readable bool, err error) {
	cols := append([]string{"line", "ok"}, t.columnNames()...)
	stmt, err := tx.PrepareContext(ctx, pq.CopyIn(t.stage(), cols...))
	if err != nil {
		return 0, false, err
	}
	defer stmt.Close()
	emit := func(vals []any) error {
		if _, err := stmt.ExecContext(ctx, vals...); err != nil {
			return err
		}
		n++
		if progress != nil && n%progressEvery == 0 {
			progress(n)
		}
		return nil
	}
	if _, readable, err = parseRecords(t, src, emit, report); err != nil {
		return n, readable, err
	}
	// An empty Exec ends the COPY and returns any error of the stream.
	if _, err := stmt.ExecContext(ctx); err != nil {
		return n, readable, err
	}
	// Temp tables are never auto-analyzed; without statistics the checks'
	// joins are planned for an empty table.
	if _, err := tx.ExecContext(ctx, "ANALYZE "+t.stage()); err != nil {
		return n, readable, err
	}
	return n, readable, nil
}

// progressEvery is how often (in rows) a long file reports progress.
const progressEvery = 100_000
