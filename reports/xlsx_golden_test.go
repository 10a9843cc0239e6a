package reports

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"payouts/reconcile"
	"payouts/reconcile/ledger"
	"payouts/reconcile/runtype"
	"payouts/reports/xlsx"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden workbooks under testdata/golden/xlsx")

// goldenDir holds the workbooks the xlsx writer gave for fixed inputs
// when its code was gathered into reports/xlsx (issue 12, item 5): the
// finance workbook, participant statements and tax reports. The files
// must stay byte-identical; a change that alters them on purpose rewrites
// them with -update, and the difference is reviewed by hand (unzip -p).
const goldenDir = "../testdata/golden/xlsx"

// fullSampleWorkbook is sampleWorkbook(n) with everything of report
// version 2: discrepancy states, the backlog, payout items by state and
// the Payout items sheet, and a participant with an amount credited back.
func fullSampleWorkbook(n int) FinanceWorkbook {
	w := sampleWorkbook(n)
	w.Run.ReportVersion = 2
	parts := w.Participants
	w.Participants = func(fn func(ledger.ParticipantBalance) error) error {
		first := true
		return parts(func(p ledger.ParticipantBalance) error {
			if first {
				p.Returned, p.Payout = 1234, p.Payout+1234
				first = false
			}
			return fn(p)
		})
	}
	w.Discrepancies = func(fn func(reconcile.ReportedDiscrepancy) error) error {
		for i, f := range []reconcile.Finding{
			{Kind: "CAP_EXCEEDED", Blocking: true, SaleID: "s13", Currency: "BRL", Expected: "70", Actual: "80", Detail: "-held"},
			{Kind: "MISSING_PAYOUT_ACCOUNT", Blocking: true, ParticipantID: "p0003", Currency: "BRL", Expected: "-1.00", Detail: `=HYPERLINK("x")`},
			{Kind: "AMOUNT_MISMATCH", InvoiceID: "i1", Currency: "KWD", Expected: "1.234", Actual: "1.2", Detail: "kwd"},
			{Kind: "ISSUER_MISMATCH", InvoiceID: "i3", Currency: "BRL", Expected: "11144477735", Actual: "52998224725", Detail: "d"},
		} {
			d := reconcile.ReportedDiscrepancy{Finding: f, State: []string{"open", "reopened", "resolved", "open"}[i],
				OpenedBusinessDate: []string{"2026-03-03", "2026-02-01", "2026-01-15", "not a date"}[i], AgeDays: []int{0, 30, 47, 3}[i]}
			if err := fn(d); err != nil {
				return err
			}
		}
		return nil
	}
	w.Backlog = []ledger.BacklogCount{
		{Kind: "CAP_EXCEEDED", Blocking: true, Currency: "BRL", Age: "0-2", Count: 1},
		{Kind: "CAP_EXCEEDED", Blocking: true, Currency: "BRL", Age: "over 30", Count: 4},
		{Kind: "MISSING_INVOICE", Currency: "JPY", Age: "3-7", Count: 2},
		{Kind: "UNKNOWN_PARTICIPANT", Age: "8-30", Count: 7},
	}
	w.ItemTotals = []ledger.ItemTotals{
		{Currency: "BRL", Issued: 100000, Paid: 60000, Rejected: 1234, Returned: 766, Outstanding: 38000,
			Aged0to2: 30000, Aged3to7: 5000, Aged8to30: 2000, AgedOver30: 1000},
		{Currency: "JPY", Issued: 8820, Outstanding: 8820, Aged0to2: 8820},
	}
	w.PayoutItems = func(fn func(ledger.ItemState) error) error {
		for _, it := range []ledger.ItemState{
			{PayoutItem: reconcile.PayoutItem{Reference: "nightly-20260302-BRL-000001", RunID: "nightly-20260302", ParticipantID: "p0000",
				Currency: "BRL", Amount: 1234}, State: "rejected", ReasonCode: "AC04", Reason: "=closed account", AgeDays: 1,
				CreditedRun: "nightly-20260303"},
			{PayoutItem: reconcile.PayoutItem{Reference: "nightly-20260303-BRL-000001", RunID: "nightly-20260303", ParticipantID: "p0001",
				Currency: "BRL", Amount: 5000}, State: "issued"},
			{PayoutItem: reconcile.PayoutItem{Reference: "nightly-20260303-JPY-000001", RunID: "nightly-20260303", ParticipantID: "p0002",
				Currency: "JPY", Amount: 8820}, State: "accepted", AgeDays: 0},
		} {
			if err := fn(it); err != nil {
				return err
			}
		}
		return nil
	}
	return w
}

// sampleStatement writes a statement of lines and payouts in BRL, JPY and
// KWD (one credited back) to a buffer.
func sampleStatement(t *testing.T, maxRows int, empty bool) []byte {
	t.Helper()
	h := StatementHeader{ParticipantID: "cop1", Name: `=HYPERLINK("x")`, From: "2026-03-03", To: "2026-03-20", Runs: 3,
		Stamp: time.Date(2026, 3, 21, 3, 0, 0, 0, time.UTC), MaxRows: maxRows, TmpDir: t.TempDir(),
		Balances: []StatementBalance{{Currency: "BRL", Opening: -700, Closing: 1234, Returned: 15742},
			{Currency: "JPY", Opening: 0, Closing: 0}, {Currency: "KWD", Opening: 1, Closing: 12346}}}
	if empty {
		h.Balances, h.Runs = nil, 0
	}
	s, err := NewStatement(h)
	if err != nil {
		t.Fatal(err)
	}
	sp, _ := time.LoadLocation("America/Sao_Paulo")
	if !empty {
		for i := 0; i < 14; i++ {
			code := []string{"BRL", "JPY", "KWD"}[i%3]
			ln := reconcile.LineRecord{Line: reconcile.Line{SaleID: fmt.Sprintf("s%02d", i), ParticipantID: "cop1",
				Role: reconcile.RoleCoproducer, Kind: []reconcile.LineKind{reconcile.KindCommission, reconcile.KindReversal,
					reconcile.KindAdjustment}[i%3], Amount: int64(1000*i + 7), Base: int64(10000 * i), Rate: reconcile.Rate(125000 * (i % 2))},
				ProductID: "+prod", Currency: code, SoldAt: time.Date(2026, 3, 2, 23, 59, 58, 0, time.UTC)}
			if i%2 == 0 {
				ln.ContractID, ln.ContractVersion = "c5", 2
				ln.SettledAt = time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC)
			}
			loc := sp
			if i == 5 {
				loc = nil
			}
			run := StatementRun{Run: ledger.Run{RunID: "nightly-20260303", BusinessDate: "2026-03-03"}, Location: loc}
			if err := s.AddLine(run, ln); err != nil {
				t.Fatal(err)
			}
		}
		for i, code := range []string{"BRL", "JPY", "KWD", "BRL"} {
			run := StatementRun{Run: ledger.Run{RunID: "nightly-20260320", BusinessDate: "2026-03-20"}}
			if err := s.AddPayout(run, reconcile.PayoutItem{RunID: run.RunID, Currency: code, Amount: int64(5000 + i),
				Reference: fmt.Sprintf("nightly-20260320-%s-%06d", code, i)}); err != nil {
				t.Fatal(err)
			}
		}
	}
	var buf bytes.Buffer
	if _, _, err := s.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// sampleTaxReport writes a tax report of model to a file and returns its
// bytes.
func sampleTaxReport(t *testing.T, model reconcile.InvoiceModel, empty bool) []byte {
	t.Helper()
	brl, _ := reconcile.LookupCurrency("BRL")
	jpy, _ := reconcile.LookupCurrency("JPY")
	kwd, _ := reconcile.LookupCurrency("KWD")
	rows := []ledger.TaxPeriodTotal{
		{Producers: "lead1", Name: "Ana Lima", TaxID: "11144477735", Currency: brl, Sales: 11, Expected: 140086, Invoices: 12, Invoiced: 159786},
		{Producers: "lead1", Name: "Ana Lima", TaxID: "11144477735", Currency: jpy, Sales: 1, Expected: 9800, Invoices: 1, Invoiced: 9800},
		{Producers: "lead2 lead3", Name: "=Lia", TaxID: "", Currency: kwd, Sales: 2, Expected: 1234, Invoices: 0, Invoiced: 0, NotSummed: 1},
		{Producers: "", Name: "", TaxID: "52998224725", Currency: brl, Invoices: 1, Invoiced: 3332},
	}
	if empty {
		rows = nil
	}
	meta := TaxReportMeta{Month: "2026-03", TimeZone: "America/Sao_Paulo", Model: model,
		From: "2026-03-01T03:00:00Z", To: "2026-04-01T03:00:00Z"}
	path := filepath.Join(t.TempDir(), "tax.xlsx")
	if err := WriteTaxReport(path, meta, rows); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestWorkbooksMatchGolden: every kind of workbook, from fixed inputs, is
// byte for byte the committed one.
func TestWorkbooksMatchGolden(t *testing.T) {
	t.Parallel()
	finance := func(w FinanceWorkbook, chunkRows int) func(*testing.T) []byte {
		return func(t *testing.T) []byte {
			var buf bytes.Buffer
			if _, err := writeFinanceWorkbook(&buf, t.TempDir(), w, chunkRows); err != nil {
				t.Fatal(err)
			}
			return buf.Bytes()
		}
	}
	long := sampleWorkbook(25)
	long.MaxRows = 10
	cases := []struct {
		name  string
		write func(*testing.T) []byte
	}{
		{"finance-sample.xlsx", finance(sampleWorkbook(40), xlsx.DefaultChunkRows)},
		{"finance-full.xlsx", finance(fullSampleWorkbook(40), 7)},
		{"finance-long.xlsx", finance(long, 3)},
		{"finance-empty.xlsx", finance(FinanceWorkbook{Run: ledger.Run{RunID: "nightly-20260101", BusinessDate: "2026-01-01",
			Kind: runtype.Nightly, WindowEnd: time.Date(2026, 1, 2, 3, 0, 0, 0, time.UTC)}}, xlsx.DefaultChunkRows)},
		{"statement.xlsx", func(t *testing.T) []byte { return sampleStatement(t, 0, false) }},
		{"statement-long.xlsx", func(t *testing.T) []byte { return sampleStatement(t, 8, false) }},
		{"statement-empty.xlsx", func(t *testing.T) []byte { return sampleStatement(t, 0, true) }},
		{"tax-commission.xlsx", func(t *testing.T) []byte { return sampleTaxReport(t, reconcile.InvoiceCommission, false) }},
		{"tax-partnership.xlsx", func(t *testing.T) []byte { return sampleTaxReport(t, reconcile.InvoicePartnership, false) }},
		{"tax-empty.xlsx", func(t *testing.T) []byte { return sampleTaxReport(t, reconcile.InvoiceCommission, true) }},
	}
	for _, c := range cases {
		got := c.write(t)
		path := filepath.Join(goldenDir, c.name)
		if *updateGolden {
			if err := os.MkdirAll(goldenDir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (go test ./reports -run Golden -update writes it)", err)
		}
		if !bytes.Equal(got, want) {
			out := filepath.Join(t.TempDir(), c.name)
			_ = os.WriteFile(out, got, 0o600)
			t.Errorf("%s: %d bytes differ from the golden %s (%d bytes); written to %s", c.name, len(got), path, len(want), out)
		}
	}
}
