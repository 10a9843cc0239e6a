// Package reports writes a run's files: one CSV per participant, the
// provider files per currency, discrepancies.csv and manifest.json, and
// the workbooks (finance workbook, statements, tax report), laid out here
// and written through reports/xlsx. Every
// file is published atomically (temporary file in the same directory,
// fsync, rename, directory fsync) and readable by its owner only, and its
// bytes depend only on what it is given: no clock, no random ids, no map
// order.
package reports
