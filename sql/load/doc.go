// Package load reads the CSV load format of SPEC section 2 (participants,
// products, contract_terms, affiliations, sales, sale_events, tax_records)
// into the payouts database: `payouts load DIR`.
//
// A load is all-or-nothing. It runs in three layers, split so that the
// first one can be tested and fuzzed without a database:
//
//  1. parse (parse.go, header.go, fields.go, rows.go): a pure function over
//     an io.Reader that decodes CSV and validates every row on its own
//     (types, required cells, the rules that involve only that row), and
//     emits the row's values for staging plus a RowError per problem.
//  2. stage (stage.go): the emitted rows are streamed with COPY into TEMP
//     tables that carry each row's line number, so a file is never held in
//     memory.
//  3. check and upsert (checks.go, upsert.go): the rules that need other
//     rows (references, duplicate keys, refund totals, a sale's currency for
//     an event amount, contract versions agreeing on product and
//     co-producer) run as set-based SQL over the staging tables and the
//     existing rows, returning (line, reason). Only when no file has a bad
//     row are the staging tables upserted into the real tables; otherwise
//     the transaction is rolled back and Dir returns *Errors.
package load
