package jobs

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"payouts/reconcile"
	"payouts/reports/cnab240"
	"payouts/reports/status"
	"payouts/sql/store"
)

// statusBatch is how many reports an import judges and writes at a time.
const statusBatch = 5000

// maxMismatchesKept bounds the mismatches of one refused file that are
// kept for the next run's discrepancy report.
const maxMismatchesKept = 1000

// ImportResult is what importing one status report file did.
type ImportResult struct {
	File     string
	Format   string
	SHA256   string
	ImportID int64
	Reports  int // status reports read (a batch-level rejection counts once)
	Changed  int // item state changes recorded
	Same     int // reports of the state an item already had
	Previous *store.PreviousImport
}

// MismatchError refuses a file whose reports do not all fit their items:
// nothing of the file was recorded but the mismatches themselves, which
// the next nightly run reports as PAYOUT_STATUS_MISMATCH.
type MismatchError struct {
	File       string
	Mismatches []store.StatusMismatch
	Total      int
}

func (e *MismatchError) Error() string {
	m := e.Mismatches[0]
	more := ""
	if e.Total > 1 {
		more = fmt.Sprintf(" (and %d more mismatches)", e.Total-1)
	}
	return fmt.Sprintf("%s: reference %s: %s%s; file refused, nothing imported", e.File, m.Reference, m.Detail, more)
}

// ImportStatus imports one status report file (SPEC 12) in one
// transaction: every report is judged against its item (reconcile.JudgeStatus);
// if all fit, the items move on and their history is recorded; if any
// does not, the whole file is refused, its mismatches are kept for the
// next run's PAYOUT_STATUS_MISMATCH, and no item changes. A file that is
// not a status report or not well formed is refused and nothing is
// recorded. The same bytes imported again are a no-op (Previous is set).
//
// progress, when not nil, is told after each batch written (the crash
// test kills the process there).
func ImportStatus(ctx context.Context, st *store.Store, path string, progress func(format string, args ...any), extra ...status.Format) (ImportResult, error) {
	res := ImportResult{File: path}
	sum, err := fileSHA256(path)
	if err != nil {
		return res, err
	}
	res.SHA256 = sum
	f, err := os.Open(path)
	if err != nil {
		return res, err
	}
	defer f.Close()
	format, r, err := status.DetectAmong(append(status.Formats[:len(status.Formats):len(status.Formats)], extra...), f)
	if err != nil {
		return res, fmt.Errorf("%s: %w", path, err)
	}
	res.Format = format.Name
	im, prev, err := st.BeginStatusImport(ctx, filepath.Base(path), sum, format.Name)
	if err != nil {
		return res, err
	}
	if prev != nil {
		res.Previous = prev
		return res, nil
	}
	committed := false
	defer func() {
		if !committed {
			im.Rollback()
		}
	}()
	res.ImportID = im.ImportID

	mis := &MismatchError{File: path}
	seenMismatch := map[string]bool{}
	mismatch := func(ref, detail string) {
		mis.Total++
		if !seenMismatch[ref] && len(mis.Mismatches) < maxMismatchesKept {
			seenMismatch[ref] = true
			mis.Mismatches = append(mis.Mismatches, store.StatusMismatch{Reference: ref, Detail: detail})
		}
	}
	batch := make([]reconcile.StatusReport, 0, statusBatch)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		refs := make([]string, 0, len(batch))
		for _, b := range batch {
			refs = append(refs, b.Reference)
		}
		items, batches, err := im.Items(ctx, refs)
		if err != nil {
			return err
		}
		// A CNAB 240 return names an item by its short reference ("seu
		// número"): judge and record it under the item's own reference.
		for i, rep := range batch {
			if it, ok := items[rep.Reference]; ok && it.Reference != rep.Reference {
				batch[i].Reference = it.Reference
				items[it.Reference] = it
			}
		}
		var changes []store.StatusChange
		judge := func(it reconcile.ItemStatus, rep reconcile.StatusReport, via string) {
			verdict, why := reconcile.JudgeStatus(it, rep)
			switch verdict {
			case reconcile.StatusSame:
				res.Same++
			case reconcile.StatusMismatch:
				mismatch(it.Reference, why+via)
			case reconcile.StatusApply:
				it.State = rep.State
				items[it.Reference] = it
				changes = append(changes, store.StatusChange{Reference: it.Reference, State: rep.State,
					ReasonCode: rep.ReasonCode, Reason: rep.Reason, OccurredAt: rep.OccurredAt})
			}
		}
		for _, rep := range batch {
			if it, ok := items[rep.Reference]; ok {
				judge(it, rep, "")
				continue
			}
			members, ok := batches[rep.Reference]
			if !ok {
				mismatch(rep.Reference, "no payout item has this reference")
				continue
			}
			for _, m := range members {
				if it, ok := items[m.Reference]; ok {
					m = it // moved earlier in this batch
				}
				// A batch-level status names no amount of its own items.
				r := rep
				r.HasAmount, r.Currency = false, ""
				judge(m, r, " (status of payment batch "+rep.Reference+")")
			}
		}
		batch = batch[:0]
		if mis.Total > 0 {
			return nil // the file will be refused: write nothing more
		}
		res.Changed += len(changes)
		if err := im.Apply(ctx, changes); err != nil {
			return err
		}
		if progress != nil {
			progress("%s: %d reports read, %d items changed so far (not committed)", path, res.Reports, res.Changed)
		}
		return nil
	}
	err = format.Read(r, path, func(rep reconcile.StatusReport) error {
		res.Reports++
		batch = append(batch, rep)
		if len(batch) == statusBatch {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		return res, err
	}
	if mis.Total > 0 {
		im.Rollback()
		committed = true // rolled back: nothing to undo
		if err := st.RecordStatusMismatches(context.WithoutCancel(ctx), filepath.Base(path), sum, mis.Mismatches); err != nil {
			return res, errors.Join(mis, err)
		}
		return res, mis
	}
	if err := im.Commit(ctx, res.Reports, res.Changed); err != nil {
		return res, err
	}
	committed = true
	return res, nil
}

// fileSHA256 is the hex SHA-256 of a file, read streaming.
func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// CNABReturnFormat is the CNAB 240 return file of the configured company
// (PAYOUTS_CNAB_*) as a status report format: its reports name items by
// their short reference.
func CNABReturnFormat(cfg Config) status.Format {
	company := cfg.CNABCompany()
	return status.Format{
		Name: "cnab240-return",
		Sniff: func(head []byte) bool {
			line := head
			if i := bytes.IndexByte(head, '\n'); i >= 0 {
				line = head[:i+1]
			}
			return cnab240.Sniff(line)
		},
		Read: func(r io.Reader, name string, emit func(reconcile.StatusReport) error) error {
			reps, err := company.ReadReturn(r, name)
			if err != nil {
				return err
			}
			for _, rep := range reps {
				if err := emit(rep); err != nil {
					return err
				}
			}
			return nil
		},
	}
}
