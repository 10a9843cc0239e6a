package seed

import (
	"errors"
	"fmt"
	"time"

	"payouts/reconcile"
)

// Options say what to seed.
type Options struct {
	Sales    int                              // sales settled on Date (the caller picks the default)
	Date     reconcile.Date                   // the business date the sales settle on
	Seed     int64                            // PRNG seed; the same options write the same rows
	Location *time.Location                   // platform zone (PAYOUTS_TZ): what "settled on Date" means
	Progress func(format string, args ...any) // may be nil; every 100,000 sales and per table written
}

// Summary counts the rows Run generated for the options. They describe the
// seed, not what was new to the database: re-seeding the same options
// reports the same counts and Inserted 0.
type Summary struct {
	Participants, Products, ContractTerms, Affiliations, Sales, Events, Invoices int

	// ByCurrency counts sales rows per currency code (including the
	// deliberately invalid codes of INVALID_SALE rows).
	ByCurrency map[string]int

	// Sales is SettledOnDate + SettledNextDay + Unsettled.
	SettledOnDate, SettledNextDay, Unsettled int

	// Inserted is the number of rows that were not in the database yet.
	Inserted int

	// Features counts the deliberate features and discrepancies of the
	// data (see featureNames), for reports and tests.
	Features map[string]int
}

// progressEvery is how many sales pass between two Progress calls.
const progressEvery = 100_000

func (o Options) validate() error {
	if o.Sales < 0 {
		return fmt.Errorf("seed: sales must be >= 0, got %d", o.Sales)
	}
	if o.Date == (reconcile.Date{}) {
		return errors.New("seed: a business date is required")
	}
	if _, err := reconcile.ParseDate(o.Date.String()); err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	if o.Location == nil {
		return errors.New("seed: the platform time zone (Location) is required")
	}
	return nil
}
