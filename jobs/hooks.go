package jobs

import (
	"context"

	"payouts/sql/store"
)

// hooks are the points where a test steps into a run. They are a field of
// the run's Config (unexported: only this package's tests set them), never
// package variables, so a test that sets them changes its own runs and no
// other test's. The zero value, the only one production has, steps in
// nowhere.
type hooks struct {
	// beforeAllocate runs once a nightly run's transaction has begun,
	// before its candidates are read: tests commit a sale there, which
	// the run must not see (it is the next run's).
	beforeAllocate func(ctx context.Context)
	// decide runs on allocate's reader goroutine before each batch is
	// decided: tests panic there, as a bug of the rules would.
	decide func()
	// beforeVerify runs inside a run's transaction once the balances are
	// settled, before the run's checks: tests corrupt the run there to show
	// that the checks catch it.
	beforeVerify func(ctx context.Context, rt *store.RunTx) error
	// beforeManifest runs between a publication's files and its manifest:
	// tests change the database there to show the totals check firing.
	beforeManifest func(ctx context.Context, runID string) error
	// publish is the run directory's reports.RunDir.PublishHook, called at
	// each point of each file's publication: crash tests kill the process
	// from it.
	publish func(path, stage string)
	// workbookMaxRows, when set, is the last row a workbook or statement
	// sheet may use (tests make lists continue on a second sheet).
	workbookMaxRows int
}
