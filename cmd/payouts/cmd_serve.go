package main

import (
	"context"

	"payouts/jobs/daemon"
)

func cmdServe(ctx context.Context, e *environment, args []string) error {
	fs := newFlags(e, "serve", "serve [--out DIR]\n\nRuns the nightly job on PAYOUTS_SCHEDULE (default \"30 2 * * *\" in PAYOUTS_TZ) for the\nprevious business date, catches up missed dates on start (at most\nPAYOUTS_CATCHUP_DAYS, default 7), serves /healthz and /metrics on\nPAYOUTS_ADMIN_ADDR (default 127.0.0.1:9090). On SIGTERM it starts nothing new,\nlets a running run finish for PAYOUTS_SHUTDOWN_GRACE (default 5m), then aborts\nit (rolled back, recorded as failed) and exits 0.")
	out := fs.String("out", "", "output root (default $PAYOUTS_OUT, else ./out)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := e.config(*out)
	if err != nil {
		return err
	}
	sc, err := daemon.ConfigFromEnv(e.getenv)
	if err != nil {
		return err
	}
	st, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	return daemon.Serve(ctx, st, cfg, sc, e.progress)
}
