package status

import (
	"encoding/xml"
	"fmt"
	"io"

	"payouts/reconcile"
)

func sniffCamt054(head []byte) bool {
	root, child := xmlRoot(head)
	return root == "Document" && child == "BkToCstmrDbtCdtNtfctn"
}

// camtEntry is the entry (Ntry) being read.
type camtEntry struct {
	status, cdtDbt, booked string
}

// camtTx is the transaction details (TxDtls) being read.
type camtTx struct {
	ref, amount, ccy, cdtDbt string
	hasReturn                bool
	reason, text             string
	line                     int
}

// ReadCamt054 streams a camt.054 Bank to Customer Debit/Credit Notification
// of any version (elements read by local name). Of each booked entry, each
// transaction (TxDtls) with an EndToEndId reports on that item: with return
// information (RtrInf) it was returned, with its reason; a debit without it
// was paid. Pending entries and credits without return information say
// nothing about our payouts and are skipped.
func ReadCamt054(r io.Reader, name string, emit func(reconcile.StatusReport) error) error {
	w := newWalker(r, name)
	var ntry *camtEntry
	var tx *camtTx
	seenRoot := false
	report := func() error {
		if tx.ref == "" || tx.ref == "NOTPROVIDED" || ntry.status != "BOOK" {
			return nil
		}
		dir := tx.cdtDbt
		if dir == "" {
			dir = ntry.cdtDbt
		}
		rep := reconcile.StatusReport{Reference: tx.ref, Source: fmt.Sprintf("%s: line %d: TxDtls", name, tx.line)}
		switch {
		case tx.hasReturn:
			rep.State, rep.ReasonCode, rep.Reason = reconcile.PayoutReturned, tx.reason, tx.text
			if rep.Reason == "" {
				rep.Reason = ReasonText(tx.reason)
			}
		case dir == "DBIT":
			rep.State = reconcile.PayoutPaid
		default:
			return nil
		}
		if ntry.booked != "" {
			t, err := parseWhen(ntry.booked)
			if err != nil {
				return fmt.Errorf("%s: line %d: reference %s: booking date: %v", name, tx.line, tx.ref, err)
			}
			rep.OccurredAt = t
		}
		if tx.amount != "" {
			amt, err := parseAmount(tx.amount, tx.ccy)
			if err != nil {
				return fmt.Errorf("%s: line %d: reference %s: amount %s %s: %v", name, tx.line, tx.ref, tx.amount, tx.ccy, err)
			}
			rep.Amount, rep.HasAmount, rep.Currency = amt, true, tx.ccy
		}
		return emit(rep)
	}
	start := func(path []string, attrs []xml.Attr) error {
		last := path[len(path)-1]
		switch {
		case len(path) == 1:
			if last != "Document" {
				return fmt.Errorf("%s: not a camt.054 notification: root element <%s>", name, last)
			}
		case len(path) == 2:
			if last != "BkToCstmrDbtCdtNtfctn" {
				return fmt.Errorf("%s: not a camt.054 notification: <%s> in <Document>", name, last)
			}
			seenRoot = true
		case last == "Ntry":
			ntry = &camtEntry{}
		case last == "TxDtls" && ntry != nil:
			tx = &camtTx{line: w.line()}
		case tx != nil && (suffix(path, "TxDtls", "Amt") || suffix(path, "TxDtls", "AmtDtls", "TxAmt", "Amt")):
			tx.ccy = attr(attrs, "Ccy")
		case tx != nil && last == "RtrInf":
			tx.hasReturn = true
		}
		return nil
	}
	end := func(path []string, text string) error {
		last := path[len(path)-1]
		switch {
		case ntry == nil:
		case last == "Ntry":
			ntry = nil
		case tx != nil:
			switch {
			case last == "TxDtls":
				err := report()
				tx = nil
				return err
			case suffix(path, "TxDtls", "Refs", "EndToEndId"):
				tx.ref = text
			case suffix(path, "TxDtls", "Amt"):
				tx.amount = text
			case suffix(path, "TxDtls", "AmtDtls", "TxAmt", "Amt"):
				if tx.amount == "" {
					tx.amount = text
				}
			case suffix(path, "TxDtls", "CdtDbtInd"):
				tx.cdtDbt = text
			case suffix(path, "RtrInf", "Rsn", "Cd"), suffix(path, "RtrInf", "Rsn", "Prtry"):
				tx.reason = text
			case suffix(path, "RtrInf", "AddtlInf"):
				if tx.text == "" {
					tx.text = text
				} else {
					tx.text += " " + text
				}
			}
		case suffix(path, "Ntry", "CdtDbtInd"):
			ntry.cdtDbt = text
		case suffix(path, "Ntry", "Sts"), suffix(path, "Ntry", "Sts", "Cd"):
			if text != "" {
				ntry.status = text
			}
		case suffix(path, "Ntry", "BookgDt", "Dt"), suffix(path, "Ntry", "BookgDt", "DtTm"):
			ntry.booked = text
		}
		return nil
	}
	if err := w.walk(start, end); err != nil {
		return err
	}
	if !seenRoot {
		return fmt.Errorf("%s: not a camt.054 notification: no BkToCstmrDbtCdtNtfctn", name)
	}
	return nil
}
