package load

import (
	"context"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"
)

// upsert copies t's staging table into t by primary key: new keys are
// inserted, existing ones get every column of the file. It runs only when
// no row of any file is bad, so every staged row is complete and valid and
// the real table's constraints hold.
//
// A row whose text is already identical is left alone (no new row
// version, not counted as updated), so reloading the same export is cheap
// and the counts say what actually changed. Comparing the rows as text
// also catches a change of written scale ("10.0" to "10.00"), which
// numeric equality would miss.
func upsert(ctx context.Context, tx *sqlx.Tx, t *table) (inserted, updated int64, err error) {
	cols := t.columnNames()
	list := strings.Join(cols, ", ")
	// The key columns are never assigned: an ON CONFLICT UPDATE whose SET
	// names a key column locks the row FOR UPDATE, which conflicts with
	// the FOR KEY SHARE locks of a concurrent run's foreign-key checks
	// (the run then fails to serialize, or one of them deadlocks). Without
	// them the row is locked FOR NO KEY UPDATE, which those checks allow.
	isKey := map[string]bool{}
	for _, k := range t.pk {
		isKey[k] = true
	}
	var set, old, neu []string
	for _, c := range cols {
		if isKey[c] {
			continue
		}
		set = append(set, fmt.Sprintf("%s = EXCLUDED.%s", c, c))
		old = append(old, t.name+"."+c)
		neu = append(neu, "EXCLUDED."+c)
	}
	conflict := fmt.Sprintf("DO UPDATE SET %s\n\t\tWHERE ROW(%s)::text IS DISTINCT FROM ROW(%s)::text",
		strings.Join(set, ", "), strings.Join(old, ", "), strings.Join(neu, ", "))
	if len(set) == 0 {
		conflict = "DO NOTHING" // every column is the key: nothing to update
	}
	keyMatch := make([]string, len(t.pk))
	for i, k := range t.pk {
		keyMatch[i] = fmt.Sprintf("t.%s = s.%s", k, k)
	}
	sOld := make([]string, len(cols))
	sNew := make([]string, len(cols))
	for i, c := range cols {
		sOld[i], sNew[i] = "t."+c, "s."+c
	}
	// Unchanged rows are filtered out before the INSERT: a speculative
	// insertion that ends in a no-op costs as much as a real one, and
	// reloading a whole export where little changed is the common case.
	q := fmt.Sprintf(`WITH u AS (
		INSERT INTO %[1]s (%[2]s)
		SELECT %[2]s FROM %[3]s s
		WHERE NOT EXISTS (SELECT 1 FROM %[1]s t WHERE %[6]s AND ROW(%[7]s)::text = ROW(%[8]s)::text)
		ON CONFLICT (%[4]s) %[5]s
		RETURNING xmax = 0 AS inserted)
		SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM u`,
		t.name, list, t.stage(), strings.Join(t.pk, ", "), conflict,
		strings.Join(keyMatch, " AND "), strings.Join(sOld, ", "), strings.Join(sNew, ", "))
	if err := tx.QueryRowContext(ctx, q).Scan(&inserted, &updated); err != nil {
		return 0, 0, err
	}
	return inserted, updated, nil
}
