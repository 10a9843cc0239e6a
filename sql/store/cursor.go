package store

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"

	"payouts/internal/background"
)

// streamCursor runs query through a server-side cursor inside tx and hands
// its rows to scan, batch by batch, calling flush after each batch. Only one
// batch is ever in memory, and the connection is free between batches, so
// flush can COPY what the batch produced in the same transaction.
func streamCursor(ctx context.Context, tx *sqlx.Tx, name, query string, args []any, batch int,
	scan func(*sqlx.Rows) error, flush func() error) error {
	if _, err := tx.ExecContext(ctx, `DECLARE `+name+` NO SCROLL CURSOR FOR `+query, args...); err != nil {
		return fmt.Errorf("declare cursor %s: %w", name, err)
	}
	for {
		rows, err := tx.QueryxContext(ctx, fmt.Sprintf(`FETCH FORWARD %d FROM %s`, batch, name))
		if err != nil {
			return fmt.Errorf("fetch from %s: %w", name, err)
		}
		n := 0
		for rows.Next() {
			n++
			if err := scan(rows); err != nil {
				rows.Close()
				return err
			}
		}
		if err := rows.Err(); err != nil {
			rows.Close()
			return fmt.Errorf("fetch from %s: %w", name, err)
		}
		rows.Close()
		if n > 0 {
			if err := flush(); err != nil {
				return err
			}
		}
		if n < batch {
			break
		}
	}
	if _, err := tx.ExecContext(ctx, `CLOSE `+name); err != nil {
		return fmt.Errorf("close cursor %s: %w", name, err)
	}
	return nil
}

// streamBatches is streamCursor for callers that want typed batches: scan
// reads one row, fn receives each batch (a reused slice it must not keep).
func streamBatches[T any](ctx context.Context, tx *sqlx.Tx, name, query string, args []any, batch int,
	scan func(*sqlx.Rows) (T, error), fn func([]T) error) error {
	buf := make([]T, 0, batch)
	return streamCursor(ctx, tx, name, query, args, batch,
		func(rows *sqlx.Rows) error {
			v, err := scan(rows)
			if err != nil {
				return err
			}
			buf = append(buf, v)
			return nil
		},
		func() error {
			err := fn(buf)
			buf = buf[:0]
			return err
		})
}

// eachRow streams the rows of a query outside the run's transaction (the
// reads publication and the reports make): scan reads one row through
// the scan it is given, which wraps a failed Scan like a failed query
// ("<what>: <error>"), and fn takes each value.
//
// The rows are read ahead on a goroutine of their own, a few batches at
// most, while fn runs: the server and the driver's decoding work while fn
// writes files. Read in turn, each waited for the other: the participant
// files of a million-sale night took 23 s, the server's part of it 9 s.
func eachRow[T any](ctx context.Context, db *sqlx.DB, what, query string, args []any,
	scan func(scan func(dest ...any) error) (T, error), fn func(T) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan []T, readAheadBatches)
	// A panic of scan is raised again on the caller's goroutine.
	end := background.Start(func() error {
		defer close(batches)
		return readRows(ctx, db, what, query, args, scan, batches)
	})
	for b := range batches {
		for _, v := range b {
			if err := fn(v); err != nil {
				cancel()
				for range batches { // let the reader see the cancellation and end
				}
				end()
				return err
			}
		}
	}
	return end()
}

// Read-ahead of eachRow: at most readAheadBatches batches of
// readAheadRows rows wait for fn.
const (
	readAheadBatches = 4
	readAheadRows    = 512
)

// readRows is eachRow's reader: it sends the rows to out in batches until
// the query ends, fails or ctx is cancelled.
func readRows[T any](ctx context.Context, db *sqlx.DB, what, query string, args []any,
	scan func(scan func(dest ...any) error) (T, error), out chan<- []T) error {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	scanRow := func(dest ...any) error {
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		return nil
	}
	send := func(b []T) error {
		select {
		case out <- b:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	b := make([]T, 0, readAheadRows)
	for rows.Next() {
		v, err := scan(scanRow)
		if err != nil {
			return err
		}
		if b = append(b, v); len(b) == readAheadRows {
			if err := send(b); err != nil {
				return err
			}
			b = make([]T, 0, readAheadRows)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if len(b) > 0 {
		return send(b)
	}
	return nil
}
