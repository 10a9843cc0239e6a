package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"payouts/reconcile"
)

// StatusImport is the one transaction in which a status report file is
// imported: its items' state changes and history commit together or not
// at all.
type StatusImport struct {
	tx       *sqlx.Tx
	ImportID int64
	File     string
}

// PreviousImport is an earlier import of the same bytes.
type PreviousImport struct {
	ImportID   int64
	File       string
	ImportedAt time.Time
}

// BeginStatusImport opens the import of a file with the given SHA-256. If
// the same bytes were imported before it returns that import and no
// transaction: importing the same report again is a no-op. Two imports of
// the same file at once serialize on the unique sha256.
func (s *Store) BeginStatusImport(ctx context.Context, file, sha256, format string) (*StatusImport, *PreviousImport, error) {
	tx, err := s.DB.BeginTxx(ctx, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("import %s: %w", file, err)
	}
	var id int64
	err = tx.GetContext(ctx, &id, `INSERT INTO status_imports (file_name, sha256, format, reports, changed)
		VALUES ($1, $2, $3, 0, 0) ON CONFLICT (sha256) DO NOTHING RETURNING import_id`, file, sha256, format)
	if errors.Is(err, sql.ErrNoRows) {
		tx.Rollback()
		var p PreviousImport
		if err := s.DB.QueryRowContext(ctx, `SELECT import_id, file_name, imported_at FROM status_imports WHERE sha256 = $1`,
			sha256).Scan(&p.ImportID, &p.File, &p.ImportedAt); err != nil {
			return nil, nil, fmt.Errorf("import %s: %w", file, err)
		}
		return nil, &p, nil
	}
	if err != nil {
		tx.Rollback()
		return nil, nil, fmt.Errorf("import %s: %w", file, err)
	}
	return &StatusImport{tx: tx, ImportID: id, File: file}, nil, nil
}

// Rollback abandons the import: nothing of it is kept.
func (im *StatusImport) Rollback() error { return im.tx.Rollback() }

// Items returns the items named by refs, by reference, and, for the refs
// that name no item, the items of the payment batch they name (a pain.001
// MsgId or PmtInfId, <run-id>-<CUR>), by that batch reference.
func (im *StatusImport) Items(ctx context.Context, refs []string) (map[string]reconcile.ItemStatus, map[string][]reconcile.ItemStatus, error) {
	items := make(map[string]reconcile.ItemStatus, len(refs))
	// A ref may be an item's reference or its short reference (CNAB 240
	// "seu número"); the map is keyed by the ref asked for.
	rows, err := im.tx.QueryContext(ctx, `SELECT CASE WHEN reference = ANY($1) THEN reference ELSE short_ref END,
			reference, state, amount, currency
		FROM payout_items WHERE reference = ANY($1) OR short_ref = ANY($1)`, pq.Array(refs))
	if err != nil {
		return nil, nil, fmt.Errorf("import %s: read items: %w", im.File, err)
	}
	for rows.Next() {
		var key string
		var it reconcile.ItemStatus
		if err := rows.Scan(&key, &it.Reference, &it.State, &it.Amount, &it.Currency); err != nil {
			rows.Close()
			return nil, nil, fmt.Errorf("import %s: read items: %w", im.File, err)
		}
		items[key] = it
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("import %s: read items: %w", im.File, err)
	}
	var missing []string
	for _, r := range refs {
		if _, ok := items[r]; !ok {
			missing = append(missing, r)
		}
	}
	batches := map[string][]reconcile.ItemStatus{}
	if len(missing) == 0 {
		return items, batches, nil
	}
	rows, err = im.tx.QueryContext(ctx, `SELECT run_id || '-' || currency, reference, state, amount, currency FROM payout_items
		WHERE run_id || '-' || currency = ANY($1) ORDER BY reference`, pq.Array(missing))
	if err != nil {
		return nil, nil, fmt.Errorf("import %s: read payment batches: %w", im.File, err)
	}
	defer rows.Close()
	for rows.Next() {
		var b string
		var it reconcile.ItemStatus
		if err := rows.Scan(&b, &it.Reference, &it.State, &it.Amount, &it.Currency); err != nil {
			return nil, nil, fmt.Errorf("import %s: read payment batches: %w", im.File, err)
		}
		batches[b] = append(batches[b], it)
	}
	return items, batches, rows.Err()
}

// StatusChange is one item moving to a new state.
type StatusChange struct {
	Reference  string
	State      reconcile.PayoutState
	ReasonCode string
	Reason     string
	OccurredAt time.Time
}

// Apply records a batch of state changes, in order: their history rows
// (COPY) and the items' new states (one statement).
func (im *StatusImport) Apply(ctx context.Context, changes []StatusChange) error {
	if len(changes) == 0 {
		return nil
	}
	rows := make([][]any, len(changes))
	final := map[string]int{}
	for i, c := range changes {
		var at any
		if !c.OccurredAt.IsZero() {
			at = c.OccurredAt
		}
		rows[i] = []any{c.Reference, string(c.State), nullStr(c.ReasonCode), nullStr(c.Reason), at, im.File, im.ImportID}
		final[c.Reference] = i
	}
	if err := copyRows(ctx, im.tx, "payout_status_history", []string{"reference", "state", "reason_code", "reason",
		"occurred_at", "source_file", "import_id"}, rows); err != nil {
		return fmt.Errorf("import %s: %w", im.File, err)
	}
	refs := make([]string, 0, len(final))
	states := make([]string, 0, len(final))
	for ref, i := range final {
		refs = append(refs, ref)
		states = append(states, string(changes[i].State))
	}
	if _, err := im.tx.ExecContext(ctx, `UPDATE payout_items p SET state = u.state
		FROM unnest($1::text[], $2::text[]) AS u(reference, state) WHERE p.reference = u.reference`,
		pq.Array(refs), pq.Array(states)); err != nil {
		return fmt.Errorf("import %s: update items: %w", im.File, err)
	}
	return nil
}

// Commit records the import's counts and commits.
func (im *StatusImport) Commit(ctx context.Context, reports, changed int) error {
	if _, err := im.tx.ExecContext(ctx, `UPDATE status_imports SET reports = $2, changed = $3,
			earliest_run_date = (SELECT min(r.business_date) FROM payout_status_history h
				JOIN payout_items i ON i.reference = h.reference JOIN runs r ON r.run_id = i.run_id
				WHERE h.import_id = $1)
		WHERE import_id = $1`,
		im.ImportID, reports, changed); err != nil {
		im.tx.Rollback()
		return fmt.Errorf("import %s: %w", im.File, err)
	}
	if err := im.tx.Commit(); err != nil {
		return fmt.Errorf("import %s: commit: %w", im.File, err)
	}
	return nil
}

// StatusMismatch is a status report that did not fit its item.
type StatusMismatch struct {
	Reference string
	Detail    string
}

// RecordStatusMismatches keeps the mismatches of a refused file, for the
// next nightly run to report as PAYOUT_STATUS_MISMATCH. The file itself
// changed nothing; the same file refused again adds nothing.
func (s *Store) RecordStatusMismatches(ctx context.Context, file, sha256 string, ms []StatusMismatch) error {
	if len(ms) == 0 {
		return nil
	}
	refs := make([]string, len(ms))
	details := make([]string, len(ms))
	for i, m := range ms {
		refs[i], details[i] = m.Reference, m.Detail
	}
	_, err := s.DB.ExecContext(ctx, `INSERT INTO payout_status_mismatches (sha256, file_name, reference, detail)
		SELECT $1, $2, u.reference, u.detail FROM unnest($3::text[], $4::text[]) AS u(reference, detail)
		ON CONFLICT DO NOTHING`, sha256, file, pq.Array(refs), pq.Array(details))
	if err != nil {
		return fmt.Errorf("record mismatches of %s: %w", file, err)
	}
	return nil
}
