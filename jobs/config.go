package jobs

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"payouts/reconcile"
	"payouts/sql/store"
)

// Config is the run configuration, from the environment (PAYOUTS_*).
type Config struct {
	Location  *time.Location     // PAYOUTS_TZ, default America/Sao_Paulo
	Policy    reconcile.Policy   // PAYOUTS_MAX_COPRODUCER_SHARE, default 70
	MinPayout map[string]int64   // PAYOUTS_MIN_PAYOUT, minor units per currency; default one minor unit
	OutDir    string             // PAYOUTS_OUT, default ./out
	Debtor    store.DebtorParams // PAYOUTS_DEBTOR_*, PAYOUTS_EXECUTION_LAG_DAYS
	CNAB      store.CNABParams   // PAYOUTS_CNAB_* (cnabconfig.go)
	// Statements (PAYOUTS_STATEMENTS=1) publishes a statement per
	// participant with each run; it is recorded with the run, so an
	// export publishes the same files.
	Statements bool
	BatchSize  int           // sales per fetch and COPY
	LockWait   time.Duration // how long a run waits for the run lock (--wait); 0: not at all
	Progress   func(format string, args ...any)
	// ConfirmDays (PAYOUTS_CONFIRM_DAYS, default 5): business days after its
	// requested execution date an item without a final state is
	// PAYOUT_UNCONFIRMED.
	ConfirmDays int
	Tax         reconcile.TaxPolicy // PAYOUTS_INVOICE_MODEL, PAYOUTS_TAX_TOLERANCE, PAYOUTS_INVOICE_GRACE, PAYOUTS_TAX_BLOCKING (taxconfig.go)

	hooks hooks // set by tests only (hooks.go)
}

// DefaultTimeZone is the platform zone when PAYOUTS_TZ is unset.
const DefaultTimeZone = "America/Sao_Paulo"

// ConfigFromEnv reads the configuration; getenv is os.Getenv in production.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	c := Config{Policy: reconcile.DefaultPolicy, MinPayout: map[string]int64{}, OutDir: "./out", BatchSize: 5000, ConfirmDays: 5}
	tz := getenv("PAYOUTS_TZ")
	if tz == "" {
		tz = DefaultTimeZone
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return c, fmt.Errorf("PAYOUTS_TZ=%q: %w", tz, err)
	}
	c.Location = loc
	if v := getenv("PAYOUTS_MAX_COPRODUCER_SHARE"); v != "" {
		r, err := reconcile.ParseRate(v)
		if err != nil || r <= 0 || r >= reconcile.RateHundred {
			return c, fmt.Errorf("PAYOUTS_MAX_COPRODUCER_SHARE=%q: want a percentage above 0 and below 100", v)
		}
		c.Policy.MaxCoproducerShare = r
	}
	if v := getenv("PAYOUTS_MIN_PAYOUT"); v != "" {
		if c.MinPayout, err = ParseMinPayout(v); err != nil {
			return c, err
		}
	}
	if c.Tax, err = taxPolicyFromEnv(getenv, loc); err != nil {
		return c, err
	}
	if v := getenv("PAYOUTS_OUT"); v != "" {
		c.OutDir = v
	}
	if c.Debtor, err = debtorFromEnv(getenv); err != nil {
		return c, err
	}
	if c.CNAB, err = cnabFromEnv(getenv, c.Debtor.Name); err != nil {
		return c, err
	}
	if v := getenv("PAYOUTS_CONFIRM_DAYS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 365 {
			return c, fmt.Errorf("PAYOUTS_CONFIRM_DAYS=%q: want a number of business days from 0 to 365", v)
		}
		c.ConfirmDays = n
	}
	switch v := getenv("PAYOUTS_STATEMENTS"); v {
	case "", "0", "false":
	case "1", "true":
		c.Statements = true
	default:
		return c, fmt.Errorf("PAYOUTS_STATEMENTS=%q: want 1 or 0", v)
	}
	return c, nil
}

// Demo values of the paying side; production sets PAYOUTS_DEBTOR_*.
const (
	DefaultDebtorName    = "Payouts Marketplace"
	DefaultDebtorAccount = "NOTPROVIDED"
)

// debtorFromEnv reads the paying side of the provider files.
func debtorFromEnv(getenv func(string) string) (store.DebtorParams, error) {
	d := store.DebtorParams{
		Name:             getenv("PAYOUTS_DEBTOR_NAME"),
		Account:          getenv("PAYOUTS_DEBTOR_ACCOUNT"),
		AgentBIC:         getenv("PAYOUTS_DEBTOR_AGENT_BIC"),
		InitiatingParty:  getenv("PAYOUTS_INITIATING_PARTY"),
		ExecutionLagDays: 1,
	}
	if d.Name == "" {
		d.Name = DefaultDebtorName
	}
	if d.Account == "" {
		d.Account = DefaultDebtorAccount
	}
	if d.InitiatingParty == "" {
		d.InitiatingParty = d.Name
	}
	if err := reconcile.ValidatePayoutAccount(d.Account); err != nil {
		return d, fmt.Errorf("PAYOUTS_DEBTOR_ACCOUNT: %w", err)
	}
	if d.AgentBIC != "" && !bicPattern.MatchString(d.AgentBIC) {
		return d, fmt.Errorf("PAYOUTS_DEBTOR_AGENT_BIC=%q is not a BIC (8 or 11 characters like BOFABRSPXXX)", d.AgentBIC)
	}
	if v := getenv("PAYOUTS_EXECUTION_LAG_DAYS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 30 {
			return d, fmt.Errorf("PAYOUTS_EXECUTION_LAG_DAYS=%q: want a number of business days from 0 to 30", v)
		}
		d.ExecutionLagDays = n
	}
	return d, nil
}

// bicPattern is the ISO 9362 BIC as the pain.001 schema accepts it.
var bicPattern = regexp.MustCompile(`^[A-Z0-9]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$`)

// ParseMinPayout reads PAYOUTS_MIN_PAYOUT: a comma-separated list of
// CURRENCY=AMOUNT in the currency's own digits ("BRL=50.00,USD=10"). A
// single figure for every currency would mean very different sums in JPY
// and KWD, so each currency is named; those not named pay from one minor
// unit.
func ParseMinPayout(v string) (map[string]int64, error) {
	out := map[string]int64{}
	for _, part := range strings.Split(v, ",") {
		code, amount, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return nil, fmt.Errorf("PAYOUTS_MIN_PAYOUT: %q is not CURRENCY=AMOUNT (like BRL=50.00)", part)
		}
		cur, err := reconcile.LookupCurrency(code)
		if err != nil {
			return nil, fmt.Errorf("PAYOUTS_MIN_PAYOUT: %w", err)
		}
		n, err := reconcile.ParseAmount(amount, cur)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("PAYOUTS_MIN_PAYOUT: %s: want a positive amount in %s's digits", part, code)
		}
		out[code] = n
	}
	return out, nil
}

// minPayout is the payout threshold of a currency.
func (c Config) minPayout(code string) int64 {
	if v, ok := c.MinPayout[code]; ok {
		return v
	}
	return 1
}

func (c Config) progress(format string, args ...any) {
	if c.Progress != nil {
		c.Progress(format, args...)
	}
}

// runParams are the parameters recorded with a run (nightly or rerun): what
// its publication depends on besides the database, so that an export
// publishes the same bytes whatever the exporting process's environment.
func (c Config) runParams() ([]byte, error) {
	return json.Marshal(store.RunParams{TimeZone: c.Location.String(),
		MaxCoproducerShare: c.Policy.MaxCoproducerShare.String(), MinPayout: c.MinPayout, Debtor: c.Debtor,
		Statements: c.Statements, CNAB: cnabParams(c.cnab())})
}

// holdRulesVersion changes when a release decides held sales differently
// (a new check, a changed rule): every held sale is then retried once.
const holdRulesVersion = 1

// holdPolicy identifies the settings a sale is held under: a held sale
// recorded under other settings is retried by the next run, since the
// same data may now be decided otherwise (store.RunTx.HoldPolicy).
func (c Config) holdPolicy() string {
	var blocking []string
	for k, on := range c.Tax.Blocking {
		if on {
			blocking = append(blocking, k)
		}
	}
	sort.Strings(blocking)
	var tolerance []string
	for cur, v := range c.Tax.Tolerance {
		tolerance = append(tolerance, fmt.Sprintf("%s=%d", cur, v))
	}
	sort.Strings(tolerance)
	return fmt.Sprintf("rules=%d;cap=%s;model=%s;grace=%d;blocking=%s;tolerance=%s", holdRulesVersion,
		c.Policy.MaxCoproducerShare.String(), c.Tax.Model, c.Tax.GraceDays, strings.Join(blocking, ","), strings.Join(tolerance, ","))
}
