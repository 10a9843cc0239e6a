package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"
	"unicode/utf8"

	"payouts/reconcile"
	"payouts/reconcile/ledger"
	"payouts/sql/store"
)

func cmdStatus(ctx context.Context, e *environment, args []string) error {
	fs := newFlags(e, "status", "status [--limit N]")
	limit := fs.Int("limit", 20, "how many recent runs to list")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *limit < 1 {
		return usageError{"status: --limit must be at least 1"}
	}
	st, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	runs, err := st.RecentRuns(ctx, *limit)
	if err != nil {
		return err
	}
	if len(runs) == 0 {
		fmt.Fprintln(e.stdout, "no runs yet")
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 2, 2, ' ', 0)
	fmt.Fprintln(tw, "RUN\tDATE\tKIND\tSTATE\tSALES\tHELD\tEVENTS\tLINES\tPAYOUTS\tPAYOUT TOTALS\tNOTE")
	for _, r := range runs {
		totals, err := st.PayoutTotals(ctx, r.RunID)
		if err != nil {
			return err
		}
		var ts []string
		for _, t := range totals {
			cur, err := reconcile.LookupCurrency(t.Currency)
			if err != nil {
				return err
			}
			ts = append(ts, t.Currency+" "+reconcile.FormatAmount(t.Amount, cur))
		}
		note := r.Reason
		if r.Error != "" {
			note = "error: " + oneLine(r.Error)
		}
		if r.RequestedBy != "" {
			note = strings.TrimSpace(note + " (by " + r.RequestedBy + ")")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%s\t%s\n", r.RunID, r.BusinessDate, r.Kind, r.Status,
			r.SalesAllocated, r.SalesHeld, r.EventsReversed, r.LineCount, r.PayoutCount, orDash(strings.Join(ts, ", ")), terminalSafe(note, 300))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	return printItemTotals(ctx, e, st, runs)
}

// printItemTotals shows, per run and currency, what became of the payout
// items (SPEC 12): issued = paid + rejected + returned + outstanding.
func printItemTotals(ctx context.Context, e *environment, st *store.Store, runs []ledger.Run) error {
	ids := make([]string, len(runs))
	for i, r := range runs {
		ids[i] = r.RunID
	}
	totals, err := st.PayoutItemTotals(ctx, ids)
	if err != nil || len(totals) == 0 {
		return err
	}
	fmt.Fprintln(e.stdout, "\nPayout items by state:")
	tw := tabwriter.NewWriter(e.stdout, 0, 2, 2, ' ', 0)
	fmt.Fprintln(tw, "RUN\tCUR\tITEMS\tISSUED\tPAID\tREJECTED\tRETURNED\tOUTSTANDING")
	for _, t := range totals {
		cur, err := reconcile.LookupCurrency(t.Currency)
		if err != nil {
			return err
		}
		f := func(v int64) string { return reconcile.FormatAmount(v, cur) }
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\n", t.RunID, t.Currency, t.Count, f(t.Issued), f(t.Paid),
			f(t.Rejected), f(t.Returned), f(t.Outstanding))
	}
	return tw.Flush()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// terminalSafe is text from the database (a rerun's reason, an error) for
// a terminal: control characters (newlines, tabs, escape sequences) and
// bidirectional overrides are shown escaped, never sent, and the text is
// cut after max bytes with its length said.
func terminalSafe(s string, max int) string {
	var b strings.Builder
	for i, r := range s {
		if b.Len() >= max {
			fmt.Fprintf(&b, "... (%d bytes)", len(s))
			break
		}
		switch {
		case r == utf8.RuneError && runeSize(s[i:]) == 1: // a byte that is not UTF-8
			fmt.Fprintf(&b, "\\x%02x", s[i])
		case r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0:
			fmt.Fprintf(&b, "\\x%02x", r)
		case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f:
			fmt.Fprintf(&b, "\\u%04x", r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// runeSize is the size in bytes of the first character of s (1 for a byte
// that is not UTF-8).
func runeSize(s string) int {
	_, n := utf8.DecodeRuneInString(s)
	return n
}
