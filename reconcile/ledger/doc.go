// Package ledger (under reconcile, the domain, as the top level of the
// repository is fixed) declares, once each, the records a run leaves
// behind and the reports show: the run, its parameters and the files it
// published; its figures per currency, its participants' balances, the
// contract versions it applied, the sales it held, the discrepancy backlog,
// its payout items and their states (the finance workbook); the rows
// participant statements are built from; the tax report's totals; and the
// discrepancies with their lifecycle.
//
// sql/store scans into these types, reports writes them and jobs passes
// them from one to the other without copying them field by field: adding
// a column to a report touches the query, the type here and the writer,
// nothing else. The records the money rules work on (a balance, a line, a
// payout item, a finding) are reconcile's, and the records here embed them
// rather than repeat their fields.
//
// These are plain types, with no SQL, files or clock: the db tags name the
// columns of the queries that select straight into them, the json tags the
// fields of the recorded run parameters and of manifest.json.
package ledger
