package jobs

import (
	"payouts/reconcile/ledger"
	"payouts/reports/cnab240"
)

// cnabCompany is the paying company of remittance settings c.
func cnabCompany(c ledger.CNABParams) cnab240.Company {
	return cnab240.Company{CNPJ: c.CNPJ, Agreement: c.Agreement, Branch: c.Branch, Account: c.Account,
		Digit: c.Digit, Name: c.Name}
}

// CNABCompany is the paying company of the configuration: its
// ReadReturn reads the bank's return files of our remittances.
func (c Config) CNABCompany() cnab240.Company { return cnabCompany(c.cnab()) }

// cnab is the configured remittance settings, or the demo ones for a
// Config built without ConfigFromEnv.
func (c Config) cnab() ledger.CNABParams {
	if c.CNAB == (ledger.CNABParams{}) {
		return defaultCNAB(c.Debtor.Name)
	}
	return c.CNAB
}

func cnabParams(c ledger.CNABParams) *ledger.CNABParams { return &c }
