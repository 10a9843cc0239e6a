// Package ledger (under reconcile, the domain, as the top level of the
// repository is fixed) declares, once each, the records a run leaves
// behind and the reports show: the run and its parameters, its figures
// per currency, its participants' balances, the contract versions it
// applied, the sales it held, the discrepancy backlog, its payout items
// and their states, and the rows participant statements are built from.
//
// sql/store scans into these types, reports writes them and jobs passes
// them from one to the other without copying them field by field: adding
// a column to a report touches the query, the type here and the writer,
// nothing else. The records that the money rules work on (a balance, a
// line, a payout item, a finding) are reconcile's, and the records here
// embed them rather than repeat their fields.
//
// These are plain types: no SQL, files or clock. The db tags name the
// columns of the queries that select straight into them.
package ledger
