package status

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"

	"payouts/reconcile"
)

// pain002States maps pain.002 status codes (ExternalPaymentTransactionStatus1Code)
// to item states (SPEC 12). Codes not listed (RCVD, PART, CANC, ...) say
// nothing about where an item stands and are skipped.
var pain002States = map[string]reconcile.PayoutState{
	"ACCP": reconcile.PayoutAccepted, "ACSP": reconcile.PayoutAccepted, "ACTC": reconcile.PayoutAccepted,
	"ACWC": reconcile.PayoutAccepted, "PDNG": reconcile.PayoutAccepted, "ACFC": reconcile.PayoutAccepted,
	"ACWP": reconcile.PayoutAccepted,
	"ACSC": reconcile.PayoutPaid, "ACCC": reconcile.PayoutPaid,
	"RJCT": reconcile.PayoutRejected,
}

func sniffPain002(head []byte) bool {
	root, child := xmlRoot(head)
	if root != "Document" {
		return false
	}
	// pain.002.001.02 names its message element after the version; later
	// versions call it CstmrPmtStsRpt.
	return child == "CstmrPmtStsRpt" || strings.HasPrefix(child, "pain.002.")
}

// pain002Status is the status block being read: a group, payment
// information or transaction status with its reason.
type pain002Status struct {
	ref, code, reason, text, amount, ccy, when string
	line                                       int
}

func (s *pain002Status) reasonAt(path []string, text string) bool {
	switch {
	case suffix(path, "StsRsnInf", "Rsn", "Cd"), suffix(path, "StsRsnInf", "Rsn", "Prtry"),
		suffix(path, "StsRsnInf", "StsRsn", "Cd"), suffix(path, "StsRsnInf", "StsRsn", "Prtry"):
		if s.reason == "" {
			s.reason = text
		}
	case suffix(path, "StsRsnInf", "AddtlInf"), suffix(path, "StsRsnInf", "AddtlStsRsnInf"):
		if s.text == "" {
			s.text = text
		} else {
			s.text += " " + text
		}
	default:
		return false
	}
	return true
}

// ReadPain002 streams a pain.002 Customer Payment Status Report of any
// version (001.02 on, national variants included: elements are read by
// local name). A transaction status (TxInfAndSts) reports on the item
// whose reference is its OrgnlEndToEndId; a rejection of a whole payment
// information block (PmtInfSts RJCT) or of the whole message (GrpSts
// RJCT) is reported with the original PmtInfId or MsgId as its reference,
// which the import expands to every item of that block.
func ReadPain002(r io.Reader, name string, emit func(reconcile.StatusReport) error) error {
	w := newWalker(r, name)
	var created time.Time
	var grp, pmt, tx *pain002Status
	seenRoot := false
	report := func(s *pain002Status, where string) error {
		if s.code == "" {
			return nil
		}
		state, ok := pain002States[s.code]
		if !ok {
			return nil
		}
		if where != "TxInfAndSts" && state != reconcile.PayoutRejected {
			return nil // accepted or paid as a whole: the transactions say it one by one
		}
		if s.ref == "" {
			return fmt.Errorf("%s: line %d: %s with status %s names no original %s", name, s.line, where, s.code,
				map[string]string{"TxInfAndSts": "EndToEndId", "OrgnlPmtInfAndSts": "PmtInfId", "OrgnlGrpInfAndSts": "MsgId"}[where])
		}
		rep := reconcile.StatusReport{Reference: s.ref, State: state, ReasonCode: s.reason, Reason: s.text,
			OccurredAt: created, Source: fmt.Sprintf("%s: line %d: %s", name, s.line, where)}
		if rep.Reason == "" {
			rep.Reason = ReasonText(s.reason)
		}
		if s.when != "" {
			t, err := parseWhen(s.when)
			if err != nil {
				return fmt.Errorf("%s: line %d: reference %s: %v", name, s.line, s.ref, err)
			}
			rep.OccurredAt = t
		}
		if s.amount != "" {
			amt, err := parseAmount(s.amount, s.ccy)
			if err != nil {
				return fmt.Errorf("%s: line %d: reference %s: amount %s %s: %v", name, s.line, s.ref, s.amount, s.ccy, err)
			}
			rep.Amount, rep.HasAmount, rep.Currency = amt, true, s.ccy
		}
		return emit(rep)
	}
	start := func(path []string, attrs []xml.Attr) error {
		switch {
		case len(path) == 1:
			if path[0] != "Document" {
				return fmt.Errorf("%s: not a pain.002 report: root element <%s>", name, path[0])
			}
		case len(path) == 2:
			if path[1] != "CstmrPmtStsRpt" && !strings.HasPrefix(path[1], "pain.002.") {
				return fmt.Errorf("%s: not a pain.002 report: <%s> in <Document>", name, path[1])
			}
			seenRoot = true
		case path[len(path)-1] == "OrgnlGrpInfAndSts":
			grp = &pain002Status{line: w.line()}
		case path[len(path)-1] == "OrgnlPmtInfAndSts":
			pmt = &pain002Status{line: w.line()}
		case path[len(path)-1] == "TxInfAndSts":
			tx = &pain002Status{line: w.line()}
		case tx != nil && suffix(path, "OrgnlTxRef", "Amt", "InstdAmt"):
			tx.ccy = attr(attrs, "Ccy")
		}
		return nil
	}
	end := func(path []string, text string) error {
		last := path[len(path)-1]
		switch {
		case tx != nil:
			switch {
			case last == "TxInfAndSts":
				err := report(tx, "TxInfAndSts")
				tx = nil
				return err
			case last == "OrgnlEndToEndId" && len(path) >= 2 && path[len(path)-2] == "TxInfAndSts":
				tx.ref = text
			case last == "TxSts" && len(path) >= 2 && path[len(path)-2] == "TxInfAndSts":
				tx.code = text
			case last == "AccptncDtTm" && len(path) >= 2 && path[len(path)-2] == "TxInfAndSts":
				tx.when = text
			case suffix(path, "OrgnlTxRef", "Amt", "InstdAmt"):
				tx.amount = text
			default:
				tx.reasonAt(path, text)
			}
		case pmt != nil:
			switch {
			case last == "OrgnlPmtInfAndSts":
				err := report(pmt, "OrgnlPmtInfAndSts")
				pmt = nil
				return err
			case last == "OrgnlPmtInfId":
				pmt.ref = text
			case last == "PmtInfSts":
				pmt.code = text
			default:
				pmt.reasonAt(path, text)
			}
		case grp != nil:
			switch {
			case last == "OrgnlGrpInfAndSts":
				err := report(grp, "OrgnlGrpInfAndSts")
				grp = nil
				return err
			case last == "OrgnlMsgId":
				grp.ref = text
			case last == "GrpSts":
				grp.code = text
			default:
				grp.reasonAt(path, text)
			}
		case suffix(path, "GrpHdr", "CreDtTm") && len(path) == 4:
			t, err := parseWhen(text)
			if err != nil {
				return fmt.Errorf("%s: line %d: GrpHdr CreDtTm: %v", name, w.line(), err)
			}
			created = t
		}
		return nil
	}
	if err := w.walk(start, end); err != nil {
		return err
	}
	if !seenRoot {
		return fmt.Errorf("%s: not a pain.002 report: no CstmrPmtStsRpt", name)
	}
	return nil
}
