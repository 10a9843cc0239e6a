package jobs

import (
	"payouts/reports/cnab240"
	"payouts/sql/store"
)

// cnabCompany is the paying company of remittance settings c.
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
