package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"payouts/reconcile"
	"payouts/sql/store"
)

func cmdItems(ctx context.Context, e *environment, args []string) error {
	fs := newFlags(e, "items", "items [--state S] [--participant ID] [--run ID]\n\n"+
		"Lists payout items with their status history (SPEC section 12): reference, run,\n"+
		"participant, amount, state, the account it was sent to, and under each item\n"+
		"every status report that moved it, with the bank's reason code and text,\n"+
		"and the run that credited a rejected or returned item back.")
	state := fs.String("state", "", "only items in this state: issued, accepted, paid, rejected, returned")
	participant := fs.String("participant", "", "only this participant's items")
	run := fs.String("run", "", "only the items of this run")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *state != "" && !reconcile.PayoutState(*state).Valid() {
		return usageError{fmt.Sprintf("items: --state %q: want issued, accepted, paid, rejected or returned", *state)}
	}
	st, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	tw := tabwriter.NewWriter(e.stdout, 0, 2, 2, ' ', 0)
	fmt.Fprintln(tw, "REFERENCE\tRUN\tPARTICIPANT\tCUR\tAMOUNT\tSTATE\tSENT TO\tNOTE")
	n := 0
	err = st.Items(ctx, store.ItemFilter{State: *state, ParticipantID: *participant, RunID: *run}, func(it store.ListedItem) error {
		n++
		cur, err := reconcile.LookupCurrency(it.Currency)
		if err != nil {
			return err
		}
		note := ""
		if it.CreditedRun != "" {
			note = "credited back by " + it.CreditedRun
			if it.ReleasedRun != "" {
				note += ", account changed by " + it.ReleasedRun
			} else {
				note += ", held (PAYOUT_RETURNED)"
			}
		}
		sentTo := it.PayoutAccount
		if it.PayoutBank != "" {
			sentTo += " (" + it.PayoutBank + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", it.Reference, it.RunID, it.ParticipantID, it.Currency,
			reconcile.FormatAmount(it.Amount, cur), it.State, sentTo, orDash(note))
		for _, h := range it.History {
			when := "-"
			if h.OccurredAt.Valid {
				when = h.OccurredAt.Time.UTC().Format("2006-01-02T15:04:05Z")
			}
			why := strings.TrimSpace(h.ReasonCode + " " + h.Reason)
			fmt.Fprintf(tw, "  %s\t\t\t\t\t%s\t%s\t%s\n", when, h.State, orDash(why), fmt.Sprintf("%s (import %d)", h.SourceFile, h.ImportID))
		}
		return nil
	})
	if err != nil {
		return err
	}
	if n == 0 {
		fmt.Fprintln(e.stdout, "no payout items")
		return nil
	}
	return tw.Flush()
}
