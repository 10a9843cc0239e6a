package main

import (
	"context"
	"fmt"

	"payouts/jobs"
)

func cmdImportStatus(ctx context.Context, e *environment, args []string) error {
	fs := newFlags(e, "import-status", "import-status FILE...\n\n"+
		"Imports payout status reports from the provider or bank (SPEC section 12):\n"+
		"ISO 20022 pain.002 (any version, national namespaces too), camt.054\n"+
		"notifications, CNAB 240 return files of our remittances, and the provider status CSV (docs/file-formats.md). Each file\n"+
		"is one transaction: either every report in it fits its payout item and the\n"+
		"items move on, or the file is refused whole with one line naming the file\n"+
		"and the reference, and no item changes (a mismatch is kept for the next\n"+
		"run's PAYOUT_STATUS_MISMATCH). The same file imported again changes nothing.\n"+
		"Every file is tried; the exit status is 1 if any was refused.")
	if err := parseFlagsArgs(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usageError{"import-status: at least one file expected (payouts import-status FILE...)"}
	}
	cfg, err := e.config("")
	if err != nil {
		return err
	}
	st, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	cnabReturn := jobs.CNABReturnFormat(cfg)
	var failed []string
	var firstErr error
	for _, path := range fs.Args() {
		res, err := jobs.ImportStatus(ctx, st, path, e.progress, cnabReturn)
		switch {
		case err != nil:
			if firstErr == nil {
				firstErr = err
			} else {
				fmt.Fprintf(e.stderr, "payouts: %s\n", oneLine(err.Error()))
			}
			failed = append(failed, path)
		case res.Previous != nil:
			fmt.Fprintf(e.stdout, "%s: already imported as import %d (%s, %s); nothing changed\n", path,
				res.Previous.ImportID, res.Previous.File, res.Previous.ImportedAt.UTC().Format("2006-01-02 15:04:05Z"))
		default:
			fmt.Fprintf(e.stdout, "%s: %s, import %d: %d reports, %d items changed, %d already in that state\n",
				path, res.Format, res.ImportID, res.Reports, res.Changed, res.Same)
		}
	}
	if len(failed) > 1 {
		return fmt.Errorf("%v (%d files refused)", firstErr, len(failed))
	}
	return firstErr
}
