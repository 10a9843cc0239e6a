package seed

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"

	"payouts/reconcile"
)

// Run writes the marketplace of o.Seed and the sales of o.Date into db, in
// one transaction. Running it again with the same options writes nothing
// new and does not fail; see the package documentation for what depends on
// what.
func Run(ctx context.Context, db *sqlx.DB, o Options) (Summary, error) {
	if err := o.validate(); err != nil {
		return Summary{}, err
	}
	sum := Summary{ByCurrency: map[string]int{}}
	var c counters

	m := newMarketplace(o.Seed, o.Sales)
	start, end, nextEnd := window(o.Date, o.Location)
	dateKey := uint64(o.Date.Year*10000 + int(o.Date.Month)*100 + o.Date.Day)
	g := &dayGen{
		m: m, r: newRNG(o.Seed, purposeDay, dateKey), c: &c, sum: &sum,
		compact: o.Date.Compact(), start: start, end: end, nextEnd: nextEnd,
	}
	var plan map[int]special
	if o.Sales > 0 {
		plan = planSpecials(newRNG(o.Seed, purposePlan, dateKey), o.Sales)
	}

	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return Summary{}, fmt.Errorf("seed: %w", err)
	}
	defer tx.Rollback()
	w, err := openStage(ctx, tx)
	if err != nil {
		return Summary{}, err
	}
	g.w = w
	if err := m.write(ctx, w, reconcile.WindowEnd(o.Date, o.Location), &c, &sum); err != nil {
		return Summary{}, err
	}
	if err := g.run(ctx, o.Sales, plan, o.Progress); err != nil {
		return Summary{}, err
	}
	if o.Progress != nil {
		o.Progress("seed: writing %d rows into the source tables", sum.rows())
	}
	if sum.Inserted, err = w.finish(ctx, tx, o.Progress); err != nil {
		return Summary{}, err
	}
	if err := tx.Commit(); err != nil {
		return Summary{}, fmt.Errorf("seed: commit: %w", err)
	}
	sum.Features = c.toMap()
	return sum, nil
}

func (s *Summary) rows() int {
	return s.Participants + s.Products + s.ContractTerms + s.Affiliations + s.Sales + s.Events + s.Invoices
}
