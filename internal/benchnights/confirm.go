package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"

	"payouts/reconcile"
)

// rejectEvery: one item in this many is rejected by the bank (AC04, closed
// account) instead of paid, so that the nights also credit rejected
// payouts back, as production nights do.
const rejectEvery = 97

// writeConfirmations writes the bank's answer to the payout items of one
// published run, as a provider status CSV (SPEC 12): every item of the
// run's provider CSVs paid, one in rejectEvery rejected, on the given day.
// Production nights have them: without, every item ever sent stays
// outstanding, and the workbook, which lists outstanding items, would
// grow with history for a reason production does not have. It returns
// the number of items answered.
func writeConfirmations(runDir, file string, day reconcile.Date) (int, error) {
	paths, err := filepath.Glob(filepath.Join(runDir, "provider", "*.csv"))
	if err != nil {
		return 0, err
	}
	sort.Strings(paths)
	out, err := os.Create(file)
	if err != nil {
		return 0, err
	}
	defer out.Close()
	w := csv.NewWriter(out)
	if err := w.Write([]string{"reference", "status", "reason_code", "reason", "amount", "currency", "occurred_at"}); err != nil {
		return 0, err
	}
	at := day.String() + "T12:00:00Z"
	n := 0
	for _, p := range paths {
		if err := eachProviderItem(p, func(ref, amount, currency string) error {
			n++
			status, code, reason := "paid", "", ""
			if n%rejectEvery == 0 {
				status, code, reason = "rejected", "AC04", "closed account"
			}
			return w.Write([]string{ref, status, code, reason, amount, currency, at})
		}); err != nil {
			return 0, err
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return 0, err
	}
	return n, out.Close()
}

// eachProviderItem reads a provider CSV (reports.ProviderHeader) and calls
// fn with each item's reference, amount and currency.
func eachProviderItem(path string, fn func(ref, amount, currency string) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	r := csv.NewReader(f)
	head, err := r.Read()
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[h] = i
	}
	for _, c := range []string{"reference", "amount", "currency"} {
		if _, ok := col[c]; !ok {
			return fmt.Errorf("%s: no %s column", path, c)
		}
	}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if err := fn(rec[col["reference"]], rec[col["amount"]], rec[col["currency"]]); err != nil {
			return err
		}
	}
}
