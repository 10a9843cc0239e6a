package reports

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"regexp"
	"time"

	"payouts/reconcile"
	"payouts/reconcile/ledger"
)

// Pain001Namespace is the ISO 20022 customer credit transfer initiation,
// version 9.
const Pain001Namespace = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"

// Pain001Path is where a run's pain.001 file for a currency goes.
func Pain001Path(runID, currency string) string {
	return "provider/" + runID + "-" + currency + ".xml"
}

// Pain001Settings are the paying side and the dates of a run's files.
type Pain001Settings struct {
	InitiatingParty string
	DebtorName      string
	DebtorAccount   string         // an IBAN goes in <IBAN>, anything else in <Othr><Id>
	DebtorAgentBIC  string         // empty: <Othr><Id>NOTPROVIDED</Id></Othr>
	CreatedAt       time.Time      // CreDtTm: derived from the run (its window end), never the clock
	ExecutionDate   reconcile.Date // ReqdExctnDt
}

// Pain001Files writes one pain.001.001.09 file per currency from payout
// items sorted by currency, then participant. Each file is one message
// (MsgId <run-id>-<CUR>) with one payment information block; every payout
// item is one CdtTrfTxInf whose EndToEndId is the item's reference.
type Pain001Files struct {
	dir    *RunDir
	runID  string
	set    Pain001Settings
	totals map[string]ledger.RunTotal
	cur    reconcile.Currency
	file   *atomicFile
	n, sum int64
	ids    map[string]bool
}

// NewPain001Files starts the pain.001 files of run runID; totals are the
// payout items per currency as stored, and each file is checked against
// them before it is published.
func (d *RunDir) NewPain001Files(runID string, set Pain001Settings, totals map[string]ledger.RunTotal) *Pain001Files {
	return &Pain001Files{dir: d, runID: runID, set: set, totals: totals}
}

var ibanPattern = regexp.MustCompile(`^[A-Z]{2}[0-9]{2}[A-Za-z0-9]{1,30}$`)

// Add writes one payout item.
func (p *Pain001Files) Add(it reconcile.PayoutItem) error {
	if p.file == nil || it.Currency != p.cur.Code {
		if err := p.closeCurrent(); err != nil {
			return err
		}
		if err := p.open(it.Currency); err != nil {
			return err
		}
	}
	if err := reconcile.ValidatePayoutAccount(it.PayoutAccount); err != nil {
		return fmt.Errorf("pain.001 item %s: %w", it.Reference, err)
	}
	if err := reconcile.ValidatePayoutBank(it.PayoutBank); err != nil {
		return fmt.Errorf("pain.001 item %s: %w", it.Reference, err)
	}
	if it.Reference == "" || len(it.Reference) > 35 || p.ids[it.Reference] {
		return fmt.Errorf("pain.001: EndToEndId %q is empty, longer than 35 characters or repeated", it.Reference)
	}
	p.ids[it.Reference] = true
	p.n++
	p.sum += it.Amount
	var b bytes.Buffer
	b.WriteString("      <CdtTrfTxInf>\n")
	fmt.Fprintf(&b, "        <PmtId><InstrId>%s</InstrId><EndToEndId>%s</EndToEndId></PmtId>\n", esc(it.Reference), esc(it.Reference))
	fmt.Fprintf(&b, "        <Amt><InstdAmt Ccy=\"%s\">%s</InstdAmt></Amt>\n", p.cur.Code, reconcile.FormatAmount(it.Amount, p.cur))
	if it.PayoutBank != "" {
		fmt.Fprintf(&b, "        <CdtrAgt><FinInstnId><ClrSysMmbId><MmbId>%s</MmbId></ClrSysMmbId></FinInstnId></CdtrAgt>\n", esc(it.PayoutBank))
	}
	fmt.Fprintf(&b, "        <Cdtr><Nm>%s</Nm></Cdtr>\n", esc(BankText(it.Name, 140, it.ParticipantID)))
	fmt.Fprintf(&b, "        <CdtrAcct>%s</CdtrAcct>\n", accountID(it.PayoutAccount))
	fmt.Fprintf(&b, "        <RmtInf><Ustrd>%s</Ustrd></RmtInf>\n", esc(BankText("Payout "+p.runID+" "+it.ParticipantID, 140, p.runID)))
	b.WriteString("      </CdtTrfTxInf>\n")
	_, err := p.file.Write(b.Bytes())
	return err
}

func (p *Pain001Files) open(code string) error {
	cur, err := reconcile.LookupCurrency(code)
	if err != nil {
		return err
	}
	t, ok := p.totals[code]
	if !ok {
		return fmt.Errorf("pain.001 %s: no stored totals for the currency", code)
	}
	f, err := p.dir.create(Pain001Path(p.runID, code))
	if err != nil {
		return err
	}
	p.cur, p.file, p.n, p.sum, p.ids = cur, f, 0, 0, map[string]bool{}
	msgID := p.runID + "-" + code
	ctrl := reconcile.FormatAmount(t.Amount, cur)
	agent := "<Othr><Id>NOTPROVIDED</Id></Othr>"
	if p.set.DebtorAgentBIC != "" {
		agent = "<BICFI>" + esc(p.set.DebtorAgentBIC) + "</BICFI>"
	}
	var b bytes.Buffer
	b.WriteString(xml.Header)
	fmt.Fprintf(&b, "<Document xmlns=\"%s\">\n  <CstmrCdtTrfInitn>\n", Pain001Namespace)
	b.WriteString("    <GrpHdr>\n")
	fmt.Fprintf(&b, "      <MsgId>%s</MsgId>\n", esc(msgID))
	fmt.Fprintf(&b, "      <CreDtTm>%s</CreDtTm>\n", p.set.CreatedAt.UTC().Format("2006-01-02T15:04:05Z"))
	fmt.Fprintf(&b, "      <NbOfTxs>%d</NbOfTxs>\n      <CtrlSum>%s</CtrlSum>\n", t.Count, ctrl)
	fmt.Fprintf(&b, "      <InitgPty><Nm>%s</Nm></InitgPty>\n", esc(BankText(p.set.InitiatingParty, 140, "payouts")))
	b.WriteString("    </GrpHdr>\n    <PmtInf>\n")
	fmt.Fprintf(&b, "      <PmtInfId>%s</PmtInfId>\n      <PmtMtd>TRF</PmtMtd>\n", esc(msgID))
	fmt.Fprintf(&b, "      <NbOfTxs>%d</NbOfTxs>\n      <CtrlSum>%s</CtrlSum>\n", t.Count, ctrl)
	fmt.Fprintf(&b, "      <ReqdExctnDt><Dt>%s</Dt></ReqdExctnDt>\n", p.set.ExecutionDate)
	fmt.Fprintf(&b, "      <Dbtr><Nm>%s</Nm></Dbtr>\n", esc(BankText(p.set.DebtorName, 140, "payouts")))
	fmt.Fprintf(&b, "      <DbtrAcct>%s<Ccy>%s</Ccy></DbtrAcct>\n", accountID(p.set.DebtorAccount), code)
	fmt.Fprintf(&b, "      <DbtrAgt><FinInstnId>%s</FinInstnId></DbtrAgt>\n", agent)
	_, err = f.Write(b.Bytes())
	return err
}

// accountID is an <Id> of a CashAccount38: IBAN or other.
func accountID(account string) string {
	if ibanPattern.MatchString(account) {
		return "<Id><IBAN>" + esc(account) + "</IBAN></Id>"
	}
	return "<Id><Othr><Id>" + esc(account) + "</Id></Othr></Id>"
}

func esc(s string) string {
	var b bytes.Buffer
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

// closeCurrent ends the open file after checking that what it holds is
// what its header announced: NbOfTxs and CtrlSum are not checked by the
// schema, and a wrong one can make a bank reject or mis-book the batch.
func (p *Pain001Files) closeCurrent() error {
	if p.file == nil {
		return nil
	}
	f := p.file
	p.file = nil
	t := p.totals[p.cur.Code]
	if p.n != t.Count || p.sum != t.Amount {
		f.Abort()
		return fmt.Errorf("pain.001 %s: wrote %d transactions totalling %s, the header says %d totalling %s",
			p.cur.Code, p.n, reconcile.FormatAmount(p.sum, p.cur), t.Count, reconcile.FormatAmount(t.Amount, p.cur))
	}
	if _, err := f.Write([]byte("    </PmtInf>\n  </CstmrCdtTrfInitn>\n</Document>\n")); err != nil {
		f.Abort()
		return err
	}
	return p.dir.commit(f, Pain001Path(p.runID, p.cur.Code), KindProviderPain001, p.n,
		map[string]string{p.cur.Code: reconcile.FormatAmount(p.sum, p.cur)})
}

// Close publishes the last currency's file.
func (p *Pain001Files) Close() error { return p.closeCurrent() }
