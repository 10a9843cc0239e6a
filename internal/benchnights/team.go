package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"payouts/reconcile"
)

// correctOverCapContracts is the finance team working its blocking list:
// the sales held as CAP_EXCEEDED that a run reported on or before day (a
// few nights ago) name products whose co-producers' accepted contract
// versions add up to more than the cap. The team has the platform correct
// those versions (each rate halved: 31-50% plus 40-50% becomes at most
// 45%), and loads the corrected rows with `payouts load`, the way the
// platform sends any change of its data. The load re-queues the products'
// held sales (migration 0008), and the next nightly run pays them.
//
// Why the benchmark does this: the finance workbook lists every open
// blocking item (SPEC 7), so a marketplace that never corrects the
// contracts its runs refuse grows every night's workbook by them, and no
// night's files could depend only on that night's data. A blocking item
// is money somebody is not paid; a team leaves it days, not months. The
// seeded marketplace's over-cap contracts (1% of its products) are never
// amended by the seed itself. -work-after 0 leaves them, and measures a
// backlog nobody works.
//
// It returns the number of contract versions corrected (0 when none were
// due; then nothing is loaded).
func correctOverCapContracts(bin string, env []string, logw io.Writer, url, dir string, day reconcile.Date) (int, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, err
	}
	file := filepath.Join(dir, "contract_terms.csv")
	const ts = `'YYYY-MM-DD"T"HH24:MI:SS"Z"'`
	query := fmt.Sprintf(`SELECT t.contract_id, t.product_id, t.coproducer_id, t.version, t.status,
			round(t.rate_percent / 2, 4) AS rate_percent, t.scope, t.managed_only::text AS managed_only,
			t.may_affiliate::text AS may_affiliate,
			to_char(t.ends_at AT TIME ZONE 'UTC', %[1]s) AS ends_at,
			to_char(t.proposed_at AT TIME ZONE 'UTC', %[1]s) AS proposed_at,
			to_char(t.accepted_at AT TIME ZONE 'UTC', %[1]s) AS accepted_at
		FROM contract_terms t
		WHERE t.status = 'accepted' AND t.product_id IN (
			SELECT s.product_id FROM discrepancies d
			JOIN runs o ON o.run_id = d.opened_run
			JOIN sales s ON s.sale_id = d.sale_id
			WHERE d.kind = 'CAP_EXCEEDED' AND d.resolved_run IS NULL AND o.business_date <= '%[2]s')
		ORDER BY t.contract_id, t.version`, ts, day)
	if _, err := psqlTimed(url, fmt.Sprintf(`\copy (%s) TO '%s' WITH (FORMAT csv, HEADER)`, oneLine(query), file)); err != nil {
		return 0, err
	}
	rows, err := countCSVRows(file)
	if err != nil || rows == 0 {
		return 0, err
	}
	if _, err := runBin(bin, env, logw, "load", dir); err != nil {
		return 0, err
	}
	return rows, nil
}

// oneLine folds a query onto one line: psql's \copy takes the rest of its
// line.
func oneLine(q string) string { return strings.Join(strings.Fields(q), " ") }

// countCSVRows counts the rows of a CSV file under its header (its cells
// hold no line breaks).
func countCSVRows(path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	n := -1
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		n++
	}
	return max(n, 0), sc.Err()
}
