package jobs

import (
	"fmt"
	"strings"

	"payouts/reconcile"
	"payouts/reports"
	"payouts/reports/cnab240"
	"payouts/sql/store"
)

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
func defaultCNAB(debtorName string) store.CNABParams {
	return store.CNABParams{Bank: "febraban", BankCode: "000", CNPJ: DefaultCNABCNPJ, Agreement: DefaultCNABAgreement,
		Branch: DefaultCNABBranch, Account: DefaultCNABAccount, Digit: DefaultCNABDigit,
		Name: strings.ToUpper(reports.BankText(debtorName, 30, "PAYOUTS"))}
}

// cnabFromEnv reads PAYOUTS_CNAB_BANK (profile), PAYOUTS_CNAB_BANK_CODE,
// PAYOUTS_CNAB_CNPJ, PAYOUTS_CNAB_AGREEMENT, PAYOUTS_CNAB_BRANCH,
// PAYOUTS_CNAB_ACCOUNT, PAYOUTS_CNAB_DIGIT and PAYOUTS_CNAB_NAME; each
// unset one takes its demo value, like PAYOUTS_DEBTOR_*.
func cnabFromEnv(getenv func(string) string, debtorName string) (store.CNABParams, error) {
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

func cnabCompany(c store.CNABParams) cnab240.Company {
	return cnab240.Company{CNPJ: c.CNPJ, Agreement: c.Agreement, Branch: c.Branch, Account: c.Account,
		Digit: c.Digit, Name: c.Name}
}

// CNABCompany is the paying company of the configuration: its
// ReadReturn reads the bank's return files of our remittances.
func (c Config) CNABCompany() cnab240.Company { return cnabCompany(c.cnab()) }

// cnab is the configured remittance settings, or the demo ones for a
// Config built without ConfigFromEnv.
func (c Config) cnab() store.CNABParams {
	if c.CNAB == (store.CNABParams{}) {
		return defaultCNAB(c.Debtor.Name)
	}
	return c.CNAB
}

func cnabParams(c store.CNABParams) *store.CNABParams { return &c }
