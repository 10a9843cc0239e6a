// Package seed writes a deterministic, realistic synthetic marketplace into
// the source tables (participants, products, contract_terms, affiliations,
// sales, sale_events, tax_records): `payouts seed --sales N --date D --seed S`.
//
// # Determinism
//
// Every value comes from math/rand/v2 PCG streams derived from the seed
// (never the clock, never map order). Each entity has its own stream keyed
// by what it is (participant i, product j, contract slot s of product j, the
// sales of date D), so adding a draw to one part never shifts the values of
// another, and the same Options always write byte-identical rows.
//
// # One marketplace for every date
//
// Participants, products, affiliations and contract histories depend on the
// seed only, and entity i is the same whatever the size of the marketplace:
// product j draws its people from the first max(60, 5(j+1)/2) participants,
// so a larger seed is a superset of a smaller one with the same rows for
// the entities they share.
//
// Contract histories are a fixed timeline (2021 to 2036) of successive
// contracts per co-producer seat (at most 3 seats per product, so at most 3
// contracts in force at once): acceptances, amendments every 20 to 70 days
// on about two thirds of them, declined and pending proposals,
// cancellations and agreed end dates, plus a few anchor seats with a fast
// tempo (monthly launches, frequent renegotiation). That way the 30-day
// window in which a date's sales were sold straddles amendments,
// cancellations and ends_at whatever the date (2023 to 2035).
//
// Seeding date D writes the part of that history decided before the end of
// D (accepted_at, or proposed_at for proposals never accepted), so the
// database never holds an acceptance dated after the newest seeded date.
// Seeding a later date adds the newer rows; no row ever changes, and the
// contract rows after seeding several dates are those of the latest date
// alone, in any order. Rows decided after D cannot alter the terms of D's
// sales: those were all sold before the end of D.
//
// Sales, refunds, chargebacks and invoices depend on (seed, date, sales):
// exactly Sales sales settle on D in the platform zone, plus about 1% that
// settle on D+1 and 1% not settled yet. Their ids carry the date, so seeding
// another date adds new sales.
//
// # Writing
//
// Rows stream through one COPY into a temporary staging table (ON COMMIT
// DROP) and are moved into the source tables with INSERT ... SELECT ... ON
// CONFLICT DO NOTHING, all in one transaction: re-seeding the same options
// changes nothing, and a failed seed leaves nothing behind. Only the small
// per-participant and per-product tables are held in memory; sales are
// generated and copied one at a time.
package seed
