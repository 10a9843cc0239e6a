// Package runtype (under reconcile, the domain, as the top level of the
// repository is fixed) declares what kind of run a run is and which state it
// is in, once, as typed strings: the store records them, jobs moves a run
// from one to the next, the daemon reports them and the commands print
// them. It is a leaf: it imports nothing of payouts, so that every layer
// can name a run's kind and state without depending on another (as
// river's rivertype does for job states).
//
// The values are the text stored in runs.kind and runs.status (migrations
// check them) and shown in files, metrics and command output; changing one
// is a migration, not a rename.
package runtype

// Kind is what a run does.
type Kind string

// Run kinds.
const (
	// Nightly allocates the sales settled before the end of a business
	// date and takes the refunds and chargebacks that occurred before it
	// (SPEC section 3). One per business date, id nightly-YYYYMMDD.
	Nightly Kind = "nightly"
	// Rerun recomputes what the nightly run of a date allocated from
	// today's data and writes the differences as adjustment lines (SPEC
	// section 9). Any number per date, id rerun-YYYYMMDD-N.
	Rerun Kind = "rerun"
)

// Kinds are the run kinds, in the order reports list them.
var Kinds = []Kind{Nightly, Rerun}

// Status is where a run is in its lifecycle. A run is Running while it
// computes, Computed once its lines, balances and payout items are
// committed, and Completed once its files are published with a manifest.
// A crash leaves it Running (nothing of it committed) or Computed (files
// to publish again); both are resumed under the same run id. Failed is a
// run whose computation did not commit; the next run of its date redoes
// it.
type Status string

// Run states.
const (
	Running   Status = "running"
	Computed  Status = "computed"
	Completed Status = "completed"
	Failed    Status = "failed"
)
