package main

import (
	"bufio"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"payouts/reconcile"
	"payouts/reconcile/ledger"
	"payouts/reports"
	"payouts/sql/store"
)

// discrepancyKinds are the kinds `payouts discrepancies --kind` accepts.
var discrepancyKinds = append([]string{reconcile.CapExceeded, reconcile.InvalidSale, reconcile.MissingPayoutAccount,
	reconcile.InvalidPayoutAccount, reconcile.UnauthorizedAffiliate, reconcile.RerunSkipped,
	reconcile.PayoutReturnedKind, reconcile.PayoutUnconfirmedKind, reconcile.PayoutStatusMismatchKind}, reconcile.TaxKinds...)

func cmdDiscrepancies(ctx context.Context, e *environment, args []string) error {
	fs := newFlags(e, "discrepancies", "discrepancies [--open] [--kind K] [--producer ID] [--format table|csv]\n\n"+
		"Lists discrepancies with the runs that opened, last saw and resolved them.\n"+
		"--producer keeps those of the sales of the products ID leads, those naming\n"+
		"ID, and those of invoices issued under ID's tax id.")
	open := fs.Bool("open", false, "only discrepancies not resolved yet")
	kind := fs.String("kind", "", "only this kind (e.g. MISSING_INVOICE)")
	producer := fs.String("producer", "", "only what concerns this participant")
	format := fs.String("format", "table", "table (for people) or csv (for spreadsheets and scripts)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *kind != "" && !slices.Contains(discrepancyKinds, *kind) {
		return usageError{fmt.Sprintf("discrepancies: --kind %q is not one of %s", *kind, strings.Join(discrepancyKinds, ", "))}
	}
	if *format != "table" && *format != "csv" {
		return usageError{fmt.Sprintf("discrepancies: --format %q is not table or csv", *format)}
	}
	st, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	filter := store.DiscrepancyFilter{OpenOnly: *open, Kind: *kind, Producer: *producer}
	out := bufio.NewWriter(e.stdout)
	if *format == "csv" {
		list, err := reports.NewDiscrepancyList(out)
		if err != nil {
			return err
		}
		err = st.ListDiscrepancies(ctx, filter, list.Add)
		if err != nil {
			return err
		}
		if err := list.Flush(); err != nil {
			return err
		}
		return out.Flush()
	}

	// A table, flushed every tableChunk rows so that a long list is not
	// held in memory (columns are aligned within each chunk).
	const tableChunk = 5000
	tw := tabwriter.NewWriter(out, 0, 2, 2, ' ', 0)
	header := "KIND\tBLOCKING\tSALE\tINVOICE\tPARTICIPANT\tCUR\tEXPECTED\tACTUAL\tOPENED\tLAST SEEN\tRESOLVED\tDETAIL"
	fmt.Fprintln(tw, header)
	n := 0
	err = st.ListDiscrepancies(ctx, filter, func(d ledger.DiscrepancyRecord) error {
		fields := []string{d.Kind, strconv.FormatBool(d.Blocking), d.SaleID, d.InvoiceID, d.ParticipantID, d.Currency,
			d.Expected, d.Actual, d.OpenedRun, d.LastSeenRun, d.ResolvedRun, d.Detail}
		for i, f := range fields {
			fields[i] = orDash(terminalText(f))
		}
		if fields[10] == "-" {
			fields[10] = "open"
		}
		fmt.Fprintln(tw, strings.Join(fields, "\t"))
		if n++; n%tableChunk == 0 {
			return tw.Flush()
		}
		return nil
	})
	if err != nil {
		return err
	}
	if n == 0 {
		fmt.Fprintln(tw, "(none)")
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	return out.Flush()
}

// terminalText replaces control characters (tabs, line breaks, escapes)
// of text from the data, which would break the table or the terminal.
func terminalText(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return ' '
		}
		return r
	}, s)
}
