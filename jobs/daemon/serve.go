package daemon

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"payouts/jobs"
	"payouts/sql/store"
)

// Serve is `payouts serve`: the health and metrics listener on
// sc.AdminAddr and the scheduler (Scheduler.Run) until ctx is done
// (SIGTERM). It returns nil after a clean shutdown.
func Serve(ctx context.Context, st *store.Store, cfg jobs.Config, sc Config, logf func(format string, args ...any)) error {
	sched := NewScheduler(st, cfg, sc, logf)
	ln, err := net.Listen("tcp", sc.AdminAddr)
	if err != nil {
		return fmt.Errorf("PAYOUTS_ADMIN_ADDR=%s: %w", sc.AdminAddr, err)
	}
	srv := &http.Server{Handler: AdminHandler(st, sched), ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	logf("admin: health on http://%s/healthz, metrics on http://%s/metrics", ln.Addr(), ln.Addr())

	runErr := sched.Run(ctx)

	shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		srv.Close()
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return errors.Join(runErr, fmt.Errorf("admin listener: %w", err))
	}
	if runErr == nil {
		logf("stopped")
	}
	return runErr
}
