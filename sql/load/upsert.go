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
	set := make([]string, len(cols))
	old := make([]string, len(cols))
	neu := make([]string, len(cols))
	for i, c := range cols {
		set[i] = fmt.Sprintf("%s = EXCLUDED.%s", c, c)
		old[i] = t.name + "." + c
		neu[i] = "EXCLUDED." + c
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
		WHERE NOT EXISTS (SELECT 1 FROM %[1]s t WHERE %[8]s AND ROW(%[9]s)::text = ROW(%[10]s)::text)
		ON CONFLICT (%[4]s) DO UPDATE SET %[5]s
		WHERE ROW(%[6]s)::text IS DISTINCT FROM ROW(%[7]s)::text
		RETURNING xmax = 0 AS inserted)
		SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM u`,
		t.name, list, t.stage(), strings.Join(t.pk, ", "), strings.Join(set, ", "),
		strings.Join(old, ", "), strings.Join(neu, ", "),
		strings.Join(keyMatch, " AND "), strings.Join(sOld, ", "), strings.Join(sNew, ", "))
	if err := tx.QueryRowContext(ctx, q).Scan(&inserted, &updated); err != nil {
		return 0, 0, err
	}
	return inserted, updated, nil
}
