package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"payouts/jobs"
)

func cmdStatement(ctx context.Context, e *environment, args []string) error {
	fs := newFlags(e, "statement", "statement --participant ID --from YYYY-MM-DD --to YYYY-MM-DD --out FILE.xlsx")
	participant := fs.String("participant", "", "participant_id of the co-producer, affiliate or producer")
	from := fs.String("from", "", "first business date of the runs covered (YYYY-MM-DD)")
	to := fs.String("to", "", "last business date of the runs covered, inclusive (YYYY-MM-DD)")
	out := fs.String("out", "", "the workbook to write (.xlsx)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *participant == "" || *out == "" {
		return usageError{"statement: --participant and --out are required"}
	}
	if !strings.EqualFold(filepath.Ext(*out), ".xlsx") {
		return usageError{fmt.Sprintf("statement: --out %s: the statement is a workbook; name it FILE.xlsx", *out)}
	}
	d1, err := parseDateFlag("statement", *from)
	if err != nil {
		return usageError{strings.ReplaceAll(err.Error(), "--date", "--from")}
	}
	d2, err := parseDateFlag("statement", *to)
	if err != nil {
		return usageError{strings.ReplaceAll(err.Error(), "--date", "--to")}
	}
	if d2.Before(d1) {
		return usageError{fmt.Sprintf("statement: --to %s is before --from %s", d2, d1)}
	}
	st, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	res, err := jobs.WriteStatement(ctx, st, *participant, d1, d2, *out)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "statement of %s, business dates %s to %s: %d runs, %d lines, %d payouts; written to %s\n",
		*participant, d1, d2, res.Runs, res.Lines, res.Payouts, *out)
	return nil
}
