package status

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"payouts/reconcile"
)

// readAll reads a file through Read and returns its reports as
// "reference state code amount currency" lines.
func readAll(t *testing.T, name, body string) (string, []string, error) {
	t.Helper()
	var got []string
	format, err := Read(strings.NewReader(body), name, func(r reconcile.StatusReport) error {
		amt := "-"
		if r.HasAmount {
			amt = fmt.Sprint(r.Amount)
		}
		when := "-"
		if !r.OccurredAt.IsZero() {
			when = r.OccurredAt.UTC().Format("2006-01-02T15:04")
		}
		got = append(got, strings.Join([]string{r.Reference, string(r.State), r.ReasonCode, r.Reason, amt, r.Currency, when}, "|"))
		return nil
	})
	return format, got, err
}

func readFile(t *testing.T, path string) (string, []string) {
	t.Helper()
	body, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	format, got, err := readAll(t, filepath.Base(path), string(body))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return format, got
}

func same(t *testing.T, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s:\ngot\n  %s\nwant\n  %s", what, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// TestSwissPain002 reads a hand-written pain.002.001.03 in the Swiss
// national namespace: elements by local name, PART group status skipped.
func TestSwissPain002(t *testing.T) {
	t.Parallel()
	format, got := readFile(t, "../../testdata/status/pain.002.001.03.ch.02.xml")
	if format != "pain.002" {
		t.Errorf("format %q", format)
	}
	same(t, "reports", got, []string{
		"nightly-20260303-BRL-000001|rejected|AC01|Kontonummer ungueltig / account number invalid|20072|BRL|2026-03-04T09:15",
		"nightly-20260303-BRL-000002|rejected|AC04|closed account number|15742|BRL|2026-03-04T09:15",
		"nightly-20260303-BRL-000003|paid|||2|BRL|2026-03-04T13:00",
		"nightly-20260303-BRL-000004|paid|||1|BRL|2026-03-04T09:15",
		"nightly-20260303-BRL-000005|paid|||78884|BRL|2026-03-04T09:15",
		"nightly-20260303-BRL-000006|accepted|||3199|BRL|2026-03-04T09:15",
	})
}

// TestCamt054v04 reads a hand-written camt.054.001.04: a booked debit is
// paid, a credit with RtrInf is returned with its reason, a pending entry
// says nothing.
func TestCamt054v04(t *testing.T) {
	t.Parallel()
	format, got := readFile(t, "../../testdata/status/camt.054.001.04.xml")
	if format != "camt.054" {
		t.Errorf("format %q", format)
	}
	same(t, "reports", got, []string{
		"nightly-20260303-BRL-000003|paid|||2|BRL|2026-03-04T00:00",
		"nightly-20260303-BRL-000005|returned|AC06|Account blocked by the beneficiary bank|78884|BRL|2026-03-05T00:00",
	})
}

func TestStatusCSV(t *testing.T) {
	t.Parallel()
	format, got := readFile(t, "../../testdata/status/status-jpy.csv")
	if format != "status-csv" {
		t.Errorf("format %q", format)
	}
	same(t, "reports", got, []string{
		"nightly-20260303-JPY-000001|paid|||1102|JPY|2026-03-04T14:00",
		"nightly-20260303-JPY-000002|accepted|||7718|JPY|2026-03-04T14:00",
		"nightly-20260303-JPY-000002|paid|||7718|JPY|2026-03-04T18:30",
	})
	// Columns in another order, optional ones left out, a BOM.
	_, got, err := readAll(t, "s.csv", "\ufeffstatus,reference,reason_code\nrejected,R1,AC04\n")
	if err != nil {
		t.Fatal(err)
	}
	same(t, "reordered", got, []string{"R1|rejected|AC04|closed account number|-||-"})
}

// TestGroupAndPaymentRejection: a pain.002 (here 001.02, which names its
// message element after the version) rejecting a whole message or payment
// information reports it under the original MsgId or PmtInfId.
func TestGroupAndPaymentRejection(t *testing.T) {
	t.Parallel()
	body := `<?xml version="1.0"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.02"><pain.002.001.02>
<GrpHdr><MsgId>S1</MsgId><CreDtTm>2026-03-04T08:00:00Z</CreDtTm></GrpHdr>
<OrgnlGrpInfAndSts><OrgnlMsgId>nightly-20260303-BRL</OrgnlMsgId><OrgnlMsgNmId>pain.001.001.09</OrgnlMsgNmId><GrpSts>RJCT</GrpSts>
<StsRsnInf><StsRsn><Cd>FF01</Cd></StsRsn><AddtlStsRsnInf>bad file</AddtlStsRsnInf></StsRsnInf></OrgnlGrpInfAndSts>
</pain.002.001.02></Document>`
	format, got, err := readAll(t, "g.xml", body)
	if err != nil || format != "pain.002" {
		t.Fatalf("format %q err %v", format, err)
	}
	same(t, "group", got, []string{"nightly-20260303-BRL|rejected|FF01|bad file|-||2026-03-04T08:00"})

	body = `<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.11"><CstmrPmtStsRpt>
<GrpHdr><MsgId>S2</MsgId><CreDtTm>2026-03-04T08:00:00Z</CreDtTm></GrpHdr>
<OrgnlGrpInfAndSts><OrgnlMsgId>M</OrgnlMsgId><OrgnlMsgNmId>pain.001.001.09</OrgnlMsgNmId></OrgnlGrpInfAndSts>
<OrgnlPmtInfAndSts><OrgnlPmtInfId>nightly-20260303-JPY</OrgnlPmtInfId><PmtInfSts>RJCT</PmtInfSts>
<StsRsnInf><Rsn><Cd>AM04</Cd></Rsn></StsRsnInf></OrgnlPmtInfAndSts>
</CstmrPmtStsRpt></Document>`
	_, got, err = readAll(t, "p.xml", body)
	if err != nil {
		t.Fatal(err)
	}
	same(t, "payment information", got, []string{"nightly-20260303-JPY|rejected|AM04|insufficient funds|-||2026-03-04T08:00"})
}

// TestRefusedFiles: each bad file is refused with one line naming the
// file (and the reference or line where there is one).
func TestRefusedFiles(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, body, want string }{
		{"broken.xml", `<Document><CstmrPmtStsRpt><GrpHdr></CstmrPmtStsRpt></Document>`, "broken.xml: not well-formed XML"},
		{"cut.xml", `<Document><CstmrPmtStsRpt><GrpHdr><MsgId>x</MsgId></GrpHdr>`, "cut.xml: not well-formed XML: XML syntax error on line 1: unexpected EOF"},
		{"pain001.xml", `<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"><CstmrCdtTrfInitn/></Document>`,
			"pain001.xml: not a status report"},
		{"sales.csv", "sale_id,product_id\ns1,p1\n", "sales.csv: not a status report"},
		{"empty.csv", "", "empty.csv: not a status report"},
		{"bad-status.csv", "reference,status\nR1,settled\n", `bad-status.csv:2: reference R1: status "settled" is not accepted, paid, rejected or returned`},
		{"bad-amount.csv", "reference,status,amount,currency\nR1,paid,1.234,BRL\n", `bad-amount.csv:2: reference R1: amount "1.234"`},
		{"unknown-col.csv", "reference,status,note\nR1,paid,x\n", `unknown-col.csv:1: unknown column "note"`},
		{"no-e2e.xml", `<Document><CstmrPmtStsRpt><OrgnlPmtInfAndSts><TxInfAndSts><TxSts>ACSC</TxSts></TxInfAndSts></OrgnlPmtInfAndSts></CstmrPmtStsRpt></Document>`,
			"no-e2e.xml: line 1: TxInfAndSts with status ACSC names no original EndToEndId"},
		{"bad-amount.xml", `<Document><BkToCstmrDbtCdtNtfctn><Ntfctn><Ntry><CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts><NtryDtls><TxDtls><Refs><EndToEndId>R9</EndToEndId></Refs><Amt Ccy="BRL">1.001</Amt></TxDtls></NtryDtls></Ntry></Ntfctn></BkToCstmrDbtCdtNtfctn></Document>`,
			"bad-amount.xml: line 1: reference R9: amount 1.001 BRL"},
	}
	for _, tc := range tests {
		_, _, err := readAll(t, tc.name, tc.body)
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: err = %v, want one line containing %q", tc.name, err, tc.want)
		}
	}
}

// TestStatusCSVParseError: a malformed row is one line naming the file and
// the line.
func TestStatusCSVParseError(t *testing.T) {
	t.Parallel()
	_, _, err := readAll(t, "bad.csv", "reference,status\nR1,paid\n\"R2,paid\n")
	if err == nil || !strings.Contains(err.Error(), "bad.csv: parse error on line 3") {
		t.Errorf("err = %v", err)
	}
	_, _, err = readAll(t, "short.csv", "reference,status,amount\nR1,paid\n")
	if err == nil || !strings.Contains(err.Error(), "short.csv: record on line 2: wrong number of fields") {
		t.Errorf("err = %v", err)
	}
}
