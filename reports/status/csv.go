package status

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"payouts/reconcile"
)

// CSVColumns are the columns of the provider status CSV, in the order we
// document them; a file may have them in any order.
var CSVColumns = []string{"reference", "status", "reason_code", "reason", "amount", "currency", "occurred_at"}

func sniffCSV(head []byte) bool {
	head = bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	line, _, _ := bytes.Cut(head, []byte("\n"))
	rec, err := csv.NewReader(bytes.NewReader(line)).Read()
	if err != nil {
		return false
	}
	has := map[string]bool{}
	for _, c := range rec {
		has[strings.TrimSpace(c)] = true
	}
	return has["reference"] && has["status"]
}

// ReadCSV streams the provider status CSV (docs/file-formats.md): a header
// row with the columns of CSVColumns in any order (reference and status
// required, the others optional), then one row per report. status is one
// of accepted, paid, rejected, returned; amount, when given, is a decimal
// in the currency's minor digits and needs currency; occurred_at is RFC
// 3339 with an offset.
func ReadCSV(r io.Reader, name string, emit func(reconcile.StatusReport) error) error {
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		return fmt.Errorf("%s: not a status CSV: %v", name, err)
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		known := false
		for _, c := range CSVColumns {
			known = known || c == h
		}
		if !known {
			return fmt.Errorf("%s:1: unknown column %q (columns: %s)", name, h, strings.Join(CSVColumns, ", "))
		}
		if _, dup := col[h]; dup {
			return fmt.Errorf("%s:1: column %q twice", name, h)
		}
		col[h] = i
	}
	for _, c := range []string{"reference", "status"} {
		if _, ok := col[c]; !ok {
			return fmt.Errorf("%s:1: column %q missing", name, c)
		}
	}
	get := func(rec []string, c string) string {
		if i, ok := col[c]; ok {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %v", name, err) // a csv.ParseError names the line
		}
		line, _ := cr.FieldPos(0)
		ref := get(rec, "reference")
		if ref == "" {
			return fmt.Errorf("%s:%d: empty reference", name, line)
		}
		rep := reconcile.StatusReport{Reference: ref, State: reconcile.PayoutState(get(rec, "status")),
			ReasonCode: get(rec, "reason_code"), Reason: get(rec, "reason"), Currency: get(rec, "currency"),
			Source: fmt.Sprintf("%s:%d", name, line)}
		if !rep.State.Valid() || rep.State == reconcile.PayoutIssued {
			return fmt.Errorf("%s:%d: reference %s: status %q is not accepted, paid, rejected or returned", name, line, ref, rep.State)
		}
		if rep.Reason == "" {
			rep.Reason = ReasonText(rep.ReasonCode)
		}
		if a := get(rec, "amount"); a != "" {
			if rep.Currency == "" {
				return fmt.Errorf("%s:%d: reference %s: amount without currency", name, line, ref)
			}
			amt, err := parseAmount(a, rep.Currency)
			if err != nil {
				return fmt.Errorf("%s:%d: reference %s: amount %q: %v", name, line, ref, a, err)
			}
			rep.Amount, rep.HasAmount = amt, true
		}
		if o := get(rec, "occurred_at"); o != "" {
			t, err := time.Parse(time.RFC3339, o)
			if err != nil {
				return fmt.Errorf("%s:%d: reference %s: occurred_at %q is not RFC 3339 with an offset", name, line, ref, o)
			}
			rep.OccurredAt = t
		}
		if err := emit(rep); err != nil {
			return err
		}
	}
}
