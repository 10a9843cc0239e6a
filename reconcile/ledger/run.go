package ledger

import (
	"encoding/json"
	"fmt"
	"time"

	"payouts/reconcile"
	"payouts/reconcile/runtype"
)

// Run is one run (a row of runs): what it is, where it is in its
// lifecycle, the settings it was computed with and what it counted.
type Run struct {
	RunID        string         `db:"run_id"`
	BusinessDate string         `db:"business_date"` // YYYY-MM-DD
	Kind         runtype.Kind   `db:"kind"`
	Seq          int            `db:"seq"`    // a rerun's number among the reruns of its date; 0 for a nightly run
	Status       runtype.Status `db:"status"` // runtype explains the states
	WindowEnd    time.Time      `db:"window_end"`
	// ParamsJSON are the run's parameters as recorded (Params decodes
	// them).
	ParamsJSON  []byte     `db:"params"`
	Reason      string     `db:"reason"`       // a rerun's reason; "" for a nightly run
	RequestedBy string     `db:"requested_by"` // who asked for a rerun, when said
	Error       string     `db:"error"`        // why a failed run failed
	OutDir      string     `db:"out_dir"`      // where a completed run's files were published
	StartedAt   time.Time  `db:"started_at"`   // its last start
	ComputedAt  *time.Time `db:"computed_at"`  // nil until its computation committed
	CompletedAt *time.Time `db:"completed_at"` // nil until its files were published
	// What the run counted when it computed.
	SalesAllocated int `db:"sales_allocated"`
	SalesHeld      int `db:"sales_held"`
	EventsReversed int `db:"events_reversed"`
	LineCount      int `db:"line_count"`
	PayoutCount    int `db:"payout_count"`
	// ReportVersion is the layout of the run's discrepancy report: 1 for
	// runs computed before migration 0008 (everything found or still
	// open), 2 after (what the run opened, re-opened or resolved).
	ReportVersion int `db:"report_version"`
}

// Params decodes the run's parameters.
func (r Run) Params() (RunParams, error) {
	var p RunParams
	if err := json.Unmarshal(r.ParamsJSON, &p); err != nil {
		return p, fmt.Errorf("run %s: params: %w", r.RunID, err)
	}
	return p, nil
}

// Date is the run's business date.
func (r Run) Date() reconcile.Date {
	d, _ := reconcile.ParseDate(r.BusinessDate[:10])
	return d
}

// RunParams are the settings a run was computed with. They are recorded
// with the run (as JSON, these tags) so that its files can be exported
// again identically.
type RunParams struct {
	TimeZone           string           `json:"time_zone"`
	MaxCoproducerShare string           `json:"max_coproducer_share"`
	MinPayout          map[string]int64 `json:"min_payout,omitempty"` // minor units per currency; absent: one minor unit
	Statements         bool             `json:"statements,omitempty"` // PAYOUTS_STATEMENTS=1: publish a statement per participant
	Debtor             DebtorParams     `json:"debtor"`
	// CNAB are the remittance settings (PAYOUTS_CNAB_*); runs recorded
	// before CNAB 240 remittances existed have none and publish none.
	CNAB *CNABParams `json:"cnab,omitempty"`
}

// CNABParams are the paying company and bank profile of the CNAB 240
// remittance (PAYOUTS_CNAB_*).
type CNABParams struct {
	Bank      string `json:"bank"`      // profile: febraban or bradesco
	BankCode  string `json:"bank_code"` // paying bank's COMPE code
	CNPJ      string `json:"cnpj"`
	Agreement string `json:"agreement"`
	Branch    string `json:"branch"`
	Account   string `json:"account"`
	Digit     string `json:"digit"`
	Name      string `json:"name"`
}

// DebtorParams are the paying side of the provider files (pain.001).
type DebtorParams struct {
	InitiatingParty  string `json:"initiating_party"`
	Name             string `json:"name"`
	Account          string `json:"account"`
	AgentBIC         string `json:"agent_bic,omitempty"`
	ExecutionLagDays int    `json:"execution_lag_days"` // business days after the business date
}

// RunFile is one file a run published, as manifest.json lists it (these
// JSON tags) and run_files keeps it.
type RunFile struct {
	Path   string            `json:"path"` // relative to the run directory, "/"-separated
	Kind   string            `json:"kind"`
	Bytes  int64             `json:"bytes"`
	SHA256 string            `json:"sha256"`
	Rows   int64             `json:"rows"`
	Totals map[string]string `json:"totals,omitempty"` // per currency, decimal strings (not in run_files)
}

// RunTotal is the count and sum of a run's lines or payout items in one
// currency. The provider files are checked against it before they are
// published, and `status` and the metrics show it.
type RunTotal struct {
	Currency string `db:"currency"`
	Count    int64  `db:"n"`
	Amount   int64  `db:"amount"`
}
