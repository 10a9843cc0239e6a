package daemon

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"payouts/reconcile"
	"payouts/reconcile/ledger"
	"payouts/reconcile/runtype"
	"payouts/sql/store"
)

// Metrics renders the Prometheus text exposition of the runs. Amounts are
// written as the decimal text of the currency (never through a float).
func Metrics(ctx context.Context, st *store.Store) ([]byte, error) {
	var p promWriter
	p.family("payouts_database_up", "gauge", "1 when the database answers.")
	if err := st.Ping(ctx); err != nil {
		p.sample("payouts_database_up", nil, "0")
		return p.Bytes(), nil
	}
	p.sample("payouts_database_up", nil, "1")

	held, err := st.RunLockHeld(ctx)
	if err != nil {
		return nil, err
	}
	p.family("payouts_run_in_progress", "gauge", "1 while a process holds the run lock.")
	p.sample("payouts_run_in_progress", nil, boolMetric(held))

	counts, err := st.RunStateCounts(ctx)
	if err != nil {
		return nil, err
	}
	p.family("payouts_runs", "gauge", "Runs recorded, by kind and state.")
	for _, c := range counts {
		p.sample("payouts_runs", []string{"run_kind", string(c.Kind), "state", string(c.Status)}, strconv.FormatInt(c.Count, 10))
	}

	var last []ledger.Run
	for _, kind := range runtype.Kinds {
		r, ok, err := st.LatestCompleted(ctx, kind)
		if err != nil {
			return nil, err
		}
		if ok {
			last = append(last, r)
		}
	}
	completedAt := func(r ledger.Run) time.Time { // set for every completed run
		if r.CompletedAt == nil {
			return time.Time{}
		}
		return *r.CompletedAt
	}
	p.family("payouts_last_success_timestamp_seconds", "gauge", "When the last completed run of each kind completed (unix time).")
	for _, r := range last {
		p.sample("payouts_last_success_timestamp_seconds", []string{"run_kind", string(r.Kind)}, strconv.FormatInt(completedAt(r).Unix(), 10))
	}
	p.family("payouts_last_run_duration_seconds", "gauge", "Duration of the last completed run of each kind, from its (last) start to its completion.")
	for _, r := range last {
		d := max(completedAt(r).Sub(r.StartedAt), 0)
		p.sample("payouts_last_run_duration_seconds", []string{"run_kind", string(r.Kind)}, strconv.FormatFloat(d.Seconds(), 'f', 3, 64))
	}
	for _, m := range []struct {
		name, help string
		get        func(ledger.Run) int
	}{
		{"payouts_last_run_sales_allocated", "Sales the last completed run allocated (a rerun: sales it adjusted).", func(r ledger.Run) int { return r.SalesAllocated }},
		{"payouts_last_run_sales_held", "Sales held after the last completed run.", func(r ledger.Run) int { return r.SalesHeld }},
		{"payouts_last_run_events_reversed", "Refunds and chargebacks the last completed run took.", func(r ledger.Run) int { return r.EventsReversed }},
	} {
		p.family(m.name, "gauge", m.help)
		for _, r := range last {
			p.sample(m.name, []string{"run_kind", string(r.Kind)}, strconv.Itoa(m.get(r)))
		}
	}

	type perCurrency struct {
		r      ledger.Run
		totals []ledger.RunTotal
	}
	var lines, items []perCurrency
	for _, r := range last {
		lt, err := st.LineTotals(ctx, r.RunID)
		if err != nil {
			return nil, err
		}
		pt, err := st.PayoutTotals(ctx, r.RunID)
		if err != nil {
			return nil, err
		}
		lines, items = append(lines, perCurrency{r, lt}), append(items, perCurrency{r, pt})
	}
	for _, m := range []struct {
		count, amount, what string
		data                []perCurrency
	}{
		{"payouts_last_run_lines", "payouts_last_run_lines_amount", "lines", lines},
		{"payouts_last_run_payout_items", "payouts_last_run_payout_amount", "payout items", items},
	} {
		p.family(m.count, "gauge", "Number of "+m.what+" of the last completed run, per currency.")
		for _, pc := range m.data {
			for _, t := range pc.totals {
				p.sample(m.count, []string{"run_kind", string(pc.r.Kind), "currency", t.Currency}, strconv.FormatInt(t.Count, 10))
			}
		}
		p.family(m.amount, "gauge", "Total of the "+m.what+" of the last completed run, per currency, in the currency's major unit.")
		for _, pc := range m.data {
			for _, t := range pc.totals {
				p.sample(m.amount, []string{"run_kind", string(pc.r.Kind), "currency", t.Currency}, formatMetricAmount(t.Amount, t.Currency))
			}
		}
	}

	states, err := st.ItemStateCounts(ctx)
	if err != nil {
		return nil, err
	}
	p.family("payouts_payout_items", "gauge", "Payout items ever issued, by state and currency (SPEC 12).")
	for _, s := range states {
		p.sample("payouts_payout_items", []string{"state", s.State, "currency", s.Currency}, strconv.FormatInt(s.Count, 10))
	}
	p.family("payouts_payout_items_amount", "gauge", "Total of the payout items ever issued, by state and currency, in the currency's major unit.")
	for _, s := range states {
		p.sample("payouts_payout_items_amount", []string{"state", s.State, "currency", s.Currency}, formatMetricAmount(s.Amount, s.Currency))
	}

	p.family("payouts_last_run_discrepancies", "gauge", "Discrepancies open after the last completed run, by kind (its backlog).")
	for _, r := range last {
		ks, err := st.RunDiscrepancyCounts(ctx, r.RunID)
		if err != nil {
			return nil, err
		}
		for _, k := range ks {
			p.sample("payouts_last_run_discrepancies", []string{"run_kind", string(r.Kind), "kind", k.Kind}, strconv.FormatInt(k.Count, 10))
		}
	}
	return p.Bytes(), nil
}

func boolMetric(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// formatMetricAmount writes minor units as the currency's decimal text; an
// unknown currency (possible only in data written around the worker) in
// minor units.
func formatMetricAmount(v int64, code string) string {
	cur, err := reconcile.LookupCurrency(code)
	if err != nil {
		return strconv.FormatInt(v, 10)
	}
	return reconcile.FormatAmount(v, cur)
}

// promWriter writes the Prometheus text format: a HELP and TYPE line per
// family, then its samples.
type promWriter struct{ bytes.Buffer }

func (p *promWriter) family(name, typ, help string) {
	fmt.Fprintf(p, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, typ)
}

// sample writes one sample; labels are name, value pairs.
func (p *promWriter) sample(name string, labels []string, value string) {
	p.WriteString(name)
	if len(labels) > 0 {
		pairs := make([]string, 0, len(labels)/2)
		for i := 0; i+1 < len(labels); i += 2 {
			pairs = append(pairs, labels[i]+`="`+escapeLabel(labels[i+1])+`"`)
		}
		p.WriteString("{" + strings.Join(pairs, ",") + "}")
	}
	p.WriteString(" " + value + "\n")
}

var labelEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)

func escapeLabel(s string) string { return labelEscaper.Replace(s) }
