package store_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/lib/pq"

	"payouts/internal/storetest"
	"payouts/reconcile"
	"payouts/sql/store"
)

// TestResolveTaxDiscrepanciesScansNothingPerRow guards the plan of the
// statement that resolves open tax discrepancies. Written with
// "sale_id IN (SELECT ...)" inside an OR, it became a subplan that scanned
// all the sales the run checked once per open discrepancy as soon as they
// did not fit in work_mem as a hash: quadratic, over ten minutes at 100,000
// sales. work_mem is made tiny here so that a few thousand rows are enough
// to show that plan.
func TestResolveTaxDiscrepanciesScansNothingPerRow(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := storetest.New(t)
	if _, err := st.DB.Exec(baseRows); err != nil {
		t.Fatal(err)
	}
	rt, err := st.BeginCompute(ctx, "nightly-20260301", time.Date(2026, 3, 2, 3, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Rollback()
	if err := rt.BeginTaxChecksForTest(ctx); err != nil {
		t.Fatal(err)
	}
	tx := rt.TxForTest()
	for _, q := range []string{
		`SET LOCAL work_mem = '64kB'`,
		`INSERT INTO run_tax_checked (sale_id) SELECT 'sale-' || i FROM generate_series(1, 20000) i`,
		`INSERT INTO discrepancies (discrepancy_key, kind, blocking, sale_id, detail, opened_run, last_seen_run)
			SELECT 'k' || i, 'MISSING_INVOICE', false, 'sale-' || (i * 7), 'x', 'nightly-20260301', 'nightly-20260301'
			FROM generate_series(1, 5000) i`,
		`ANALYZE run_tax_checked, run_findings, discrepancies`,
	} {
		if _, err := tx.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	var plan []byte
	if err := tx.QueryRow(`EXPLAIN (FORMAT JSON) `+store.ResolveTaxDiscrepanciesSQL,
		"nightly-20260301", pq.Array(reconcile.TaxKinds)).Scan(&plan); err != nil {
		t.Fatal(err)
	}
	var root []struct{ Plan planNode }
	if err := json.Unmarshal(plan, &root); err != nil {
		t.Fatal(err)
	}
	if len(root) != 1 {
		t.Fatalf("plan: %s", plan)
	}
	if bad := perRowScans(root[0].Plan, false, "run_tax_checked"); len(bad) > 0 {
		t.Errorf("the plan scans run_tax_checked once per open discrepancy (%s):\n%s", strings.Join(bad, "; "), plan)
	}
}

type planNode struct {
	NodeType    string     `json:"Node Type"`
	Relation    string     `json:"Relation Name"`
	Parent      string     `json:"Parent Relationship"`
	SubplanName string     `json:"Subplan Name"`
	Plans       []planNode `json:"Plans"`
}

// perRowScans lists the sequential scans of table that run under a
// subplan executed per row (one that is not hashed).
func perRowScans(n planNode, perRow bool, table string) []string {
	if n.Parent == "SubPlan" && !strings.HasPrefix(n.SubplanName, "hashed") {
		perRow = true
	}
	var out []string
	if perRow && n.NodeType == "Seq Scan" && n.Relation == table {
		out = append(out, "Seq Scan on "+table)
	}
	for _, c := range n.Plans {
		out = append(out, perRowScans(c, perRow, table)...)
	}
	return out
}
