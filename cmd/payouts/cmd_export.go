package main

import (
	"context"
	"fmt"

	"payouts/jobs"
	"payouts/reconcile/runtype"
)

func cmdExport(ctx context.Context, e *environment, args []string) error {
	fs := newFlags(e, "export", "export --run RUN_ID --out DIR")
	runID := fs.String("run", "", "id of the run to publish again (see payouts status)")
	out := fs.String("out", "", "output root; files go to DIR/<business-date>/<run-id>/")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *runID == "" || *out == "" {
		return usageError{"export: --run and --out are required"}
	}
	st, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	run, err := st.GetRun(ctx, *runID)
	if err != nil {
		return err
	}
	if run.Status != runtype.Completed && run.Status != runtype.Computed {
		return fmt.Errorf("export: run %s is %s; only computed or completed runs have files", run.RunID, run.Status)
	}
	dir, m, err := jobs.Publish(ctx, st, run, *out, e.progress)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "exported run %s: %d files in %s\n", run.RunID, len(m.Files), dir)
	return nil
}
