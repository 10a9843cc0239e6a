package store

import (
	"context"

	"github.com/jmoiron/sqlx"
)

// What the external tests of this package reach inside for.

// ResolveTaxDiscrepanciesSQL is the statement whose plan
// TestResolveTaxDiscrepanciesScansNothingPerRow checks.
const ResolveTaxDiscrepanciesSQL = resolveTaxDiscrepanciesSQL

// BeginTaxChecksForTest creates the run's tax-check tables.
func (r *RunTx) BeginTaxChecksForTest(ctx context.Context) error { return r.beginTaxChecks(ctx) }

// TxForTest is the run's transaction.
func (r *RunTx) TxForTest() *sqlx.Tx { return r.tx }

// EachRowForTest is eachRow over a query of one bigint column; its scan
// panics at the value panicAt (0: never).
func EachRowForTest(ctx context.Context, s *Store, query string, panicAt int64, fn func(int64) error) error {
	return eachRow(ctx, s.DB, "test read", query, nil, func(scan func(...any) error) (int64, error) {
		var v int64
		err := scan(&v)
		if v == panicAt && panicAt != 0 {
			panic("scan bug")
		}
		return v, err
	}, fn)
}

// SampleStaleForTest is analyzeStale, returning what it sampled.
func (r *RunTx) SampleStaleForTest(ctx context.Context, tables ...string) ([]string, error) {
	return r.sampleStale(ctx, tables...)
}

// EachRowPanickingForTest is eachRow whose scan panics at the value 3.
func EachRowPanickingForTest(ctx context.Context, s *Store, query string) error {
	return eachRow(ctx, s.DB, "test read", query, nil, func(scan func(...any) error) (int64, error) {
		var v int64
		err := scan(&v)
		if v == 3 {
			panic("scan bug")
		}
		return v, err
	}, func(int64) error { return nil })
}
