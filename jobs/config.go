package jobs

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"payouts/reconcile"
	"payouts/reconcile/ledger"
	"payouts/reports"
	"payouts/reports/cnab240"
)

// Config is the run configuration, from the environment (PAYOUTS_*).
// Every PAYOUTS_* setting of the jobs is read in this file.
type Config struct {
	Location  *time.Location      // PAYOUTS_TZ, default America/Sao_Paulo
	Policy    reconcile.Policy    // PAYOUTS_MAX_COPRODUCER_SHARE, default 70
	MinPayout map[string]int64    // PAYOUTS_MIN_PAYOUT, minor units per currency; default one minor unit
	OutDir    string              // PAYOUTS_OUT, default ./out
	Debtor    ledger.DebtorParams // PAYOUTS_DEBTOR_*, PAYOUTS_EXECUTION_LAG_DAYS
	CNAB      ledger.CNABParams   // PAYOUTS_CNAB_* (cnabFromEnv)
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
	Tax         reconcile.TaxPolicy // PAYOUTS_INVOICE_MODEL, PAYOUTS_TAX_TOLERANCE, PAYOUTS_INVOICE_GRACE, PAYOUTS_TAX_BLOCKING (taxPolicyFromEnv)

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
		// Per currency, in its own digits ("BRL=50.00,USD=10"); those not
		// named pay from one minor unit.
		if c.MinPayout, err = reconcile.ParseCurrencyAmounts(v, 1, "BRL=50.00"); err != nil {
			return c, fmt.Errorf("PAYOUTS_MIN_PAYOUT: %w", err)
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
func debtorFromEnv(getenv func(string) string) (ledger.DebtorParams, error) {
	d := ledger.DebtorParams{
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
	return json.Marshal(ledger.RunParams{TimeZone: c.Location.String(),
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

// taxPolicyFromEnv reads the settings of the tax-record checks:
//
//	PAYOUTS_INVOICE_MODEL  commission (default) or partnership
//	PAYOUTS_TAX_TOLERANCE  per currency, like PAYOUTS_MIN_PAYOUT: "BRL=0.05,USD=0.01" (default 0)
//	PAYOUTS_INVOICE_GRACE  calendar days after settled_at before MISSING_INVOICE (default 0)
//	PAYOUTS_TAX_BLOCKING   kinds that hold a sale at allocation: "MISSING_INVOICE,AMOUNT_MISMATCH" (default none)
func taxPolicyFromEnv(getenv func(string) string, loc *time.Location) (reconcile.TaxPolicy, error) {
	p := reconcile.TaxPolicy{Tolerance: map[string]int64{}, Blocking: map[string]bool{}, Location: loc}
	var err error
	if p.Model, err = reconcile.ParseInvoiceModel(getenv("PAYOUTS_INVOICE_MODEL")); err != nil {
		return p, fmt.Errorf("PAYOUTS_INVOICE_MODEL: %w", err)
	}
	if v := getenv("PAYOUTS_TAX_TOLERANCE"); v != "" {
		// Per currency, in its own digits ("BRL=0.05,JPY=5"); those not
		// named must match exactly.
		if p.Tolerance, err = reconcile.ParseCurrencyAmounts(v, 0, "BRL=0.05"); err != nil {
			return p, fmt.Errorf("PAYOUTS_TAX_TOLERANCE: %w", err)
		}
	}
	if v := getenv("PAYOUTS_INVOICE_GRACE"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 366 {
			return p, fmt.Errorf("PAYOUTS_INVOICE_GRACE=%q: want a number of days from 0 to 366", v)
		}
		p.GraceDays = n
	}
	if v := getenv("PAYOUTS_TAX_BLOCKING"); v != "" {
		if p.Blocking, err = ParseTaxBlocking(v); err != nil {
			return p, err
		}
	}
	return p, nil
}

// ParseTaxBlocking reads PAYOUTS_TAX_BLOCKING: a comma-separated list of
// the kinds that hold a sale being allocated ("none" or empty: none).
func ParseTaxBlocking(v string) (map[string]bool, error) {
	out := map[string]bool{}
	if strings.TrimSpace(v) == "none" {
		return out, nil
	}
	for _, part := range strings.Split(v, ",") {
		k := strings.TrimSpace(part)
		if !slices.Contains(reconcile.BlockableTaxKinds, k) {
			return nil, fmt.Errorf("PAYOUTS_TAX_BLOCKING: %q is not one of %s", k, strings.Join(reconcile.BlockableTaxKinds, ", "))
		}
		out[k] = true
	}
	return out, nil
}

// Demo values of the paying company of CNAB 240 remittances; production
// sets PAYOUTS_CNAB_*. The CNPJ is a well-known test number with valid
// check digits; bank code 000 names no bank.
const (
	DefaultCNABCNPJ      = "11222333000181"
	DefaultCNABAgreement = "DEMO"
	DefaultCNABBranch    = "0001"
	DefaultCNABAccount   = "1"
	DefaultCNABDigit     = "0"
)

// defaultCNAB is the demo paying company, named after the debtor.
func defaultCNAB(debtorName string) ledger.CNABParams {
	return ledger.CNABParams{Bank: "febraban", BankCode: "000", CNPJ: DefaultCNABCNPJ, Agreement: DefaultCNABAgreement,
		Branch: DefaultCNABBranch, Account: DefaultCNABAccount, Digit: DefaultCNABDigit,
		Name: strings.ToUpper(reports.BankText(debtorName, 30, "PAYOUTS"))}
}

// cnabFromEnv reads PAYOUTS_CNAB_BANK (profile), PAYOUTS_CNAB_BANK_CODE,
// PAYOUTS_CNAB_CNPJ, PAYOUTS_CNAB_AGREEMENT, PAYOUTS_CNAB_BRANCH,
// PAYOUTS_CNAB_ACCOUNT, PAYOUTS_CNAB_DIGIT and PAYOUTS_CNAB_NAME; each
// unset one takes its demo value, like PAYOUTS_DEBTOR_*.
func cnabFromEnv(getenv func(string) string, debtorName string) (ledger.CNABParams, error) {
	c := defaultCNAB(debtorName)
	for _, v := range []struct {
		name string
		to   *string
	}{{"PAYOUTS_CNAB_BANK", &c.Bank}, {"PAYOUTS_CNAB_CNPJ", &c.CNPJ},
		{"PAYOUTS_CNAB_AGREEMENT", &c.Agreement}, {"PAYOUTS_CNAB_BRANCH", &c.Branch},
		{"PAYOUTS_CNAB_ACCOUNT", &c.Account}, {"PAYOUTS_CNAB_DIGIT", &c.Digit}, {"PAYOUTS_CNAB_NAME", &c.Name}} {
		if s := getenv(v.name); s != "" {
			*v.to = s
		}
	}
	code := getenv("PAYOUTS_CNAB_BANK_CODE")
	if code == "" && c.Bank != "febraban" {
		c.BankCode = ""
	} else if code != "" {
		c.BankCode = code
	}
	c.Name = strings.ToUpper(reports.BankText(c.Name, 30, "PAYOUTS"))
	c.Agreement = strings.ToUpper(c.Agreement)
	c.Digit = strings.ToUpper(c.Digit)
	if _, n, err := reconcile.ValidateTaxID(c.CNPJ); err == nil {
		c.CNPJ = n
	}
	p, err := cnab240.LookupProfile(c.Bank, c.BankCode)
	if err != nil {
		return c, fmt.Errorf("PAYOUTS_CNAB_BANK / PAYOUTS_CNAB_BANK_CODE: %w", err)
	}
	c.Bank, c.BankCode = p.Name, p.BankCode
	if err := cnabCompany(c).Validate(); err != nil {
		return c, fmt.Errorf("PAYOUTS_CNAB_*: %w", err)
	}
	if err := p.CheckCompany(cnabCompany(c)); err != nil {
		return c, fmt.Errorf("PAYOUTS_CNAB_AGREEMENT: %w", err)
	}
	return c, nil
}
