package daemon

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"payouts/jobs"
	"payouts/reconcile"
	"payouts/sql/store"
)

// DatesDue are the business dates a tick on day today runs, oldest first:
// every date after latest (the latest nightly run that got past
// computing) up to yesterday, but at most catchup of them, the latest
// ones. Without any run yet, only yesterday is due: the first run
// allocates everything settled before its window's end anyway. skipped
// counts the dates left out by the bound; their sales are not lost, the
// first date run picks them up (SPEC 3: a run takes every sale settled
// before its end that has no lines yet).
func DatesDue(latest reconcile.Date, hasLatest bool, today reconcile.Date, catchup int) (due []reconcile.Date, skipped int) {
	yesterday := today.AddDays(-1)
	if !hasLatest {
		return []reconcile.Date{yesterday}, 0
	}
	if !latest.Before(yesterday) {
		return nil, 0
	}
	n := daysBetween(latest, yesterday) // dates after latest up to yesterday
	first := latest.AddDays(1)
	if n > catchup {
		skipped = n - catchup
		first = yesterday.AddDays(1 - catchup)
		n = catchup
	}
	for i := 0; i < n; i++ {
		due = append(due, first.AddDays(i))
	}
	return due, skipped
}

// daysBetween is the number of calendar days from a to b.
func daysBetween(a, b reconcile.Date) int {
	ta := time.Date(a.Year, a.Month, a.Day, 12, 0, 0, 0, time.UTC)
	tb := time.Date(b.Year, b.Month, b.Day, 12, 0, 0, 0, time.UTC)
	return int(tb.Sub(ta).Round(time.Hour) / (24 * time.Hour))
}

// Scheduler is the nightly job of `payouts serve`.
type Scheduler struct {
	store *store.Store
	cfg   jobs.Config
	serve Config
	logf  func(format string, args ...any)

	// now is the clock (time.Now in production); run runs one date
	// (jobs.RunNightly). Tests replace them.
	now func() time.Time
	run func(ctx context.Context, st *store.Store, cfg jobs.Config, d reconcile.Date) (jobs.Result, error)

	mu      sync.Mutex
	current string    // the date being run, "" when idle
	lastErr error     // of the last tick
	lastEnd time.Time // when the last tick ended
}

// NewScheduler makes the scheduler; logf receives one line per event.
func NewScheduler(st *store.Store, cfg jobs.Config, sc Config, logf func(format string, args ...any)) *Scheduler {
	if logf == nil {
		logf = func(string, ...any) {}
	}
	return &Scheduler{store: st, cfg: cfg, serve: sc, logf: logf, now: time.Now, run: jobs.RunNightly}
}

// Tick does what is due now: it publishes runs left computed by a process
// that stopped, then runs every due business date in order (DatesDue). It
// starts no new date once stop is done, and runs with work (cancelled only
// to abort a run). It stops at the first date that fails: the dates after
// it would be refused later, and its sales are retried by the next tick.
// When another process (a replica) holds the run lock, the tick leaves
// the work to it.
func (s *Scheduler) Tick(stop, work context.Context) (err error) {
	defer func() {
		s.mu.Lock()
		s.lastErr, s.lastEnd = err, s.now()
		s.mu.Unlock()
	}()
	today := reconcile.DateOf(s.now(), s.cfg.Location)
	if _, err := jobs.PublishPending(work, s.store, s.cfg); err != nil {
		if errors.Is(err, jobs.ErrBusy) {
			s.logf("another process holds the run lock; leaving the work to it (%v)", err)
			return nil
		}
		return err
	}
	latest, ok, err := s.store.LatestNightly(work)
	if err != nil {
		return err
	}
	var latestDate reconcile.Date
	if ok {
		latestDate = latest.Date()
	}
	due, skipped := DatesDue(latestDate, ok, today, s.serve.CatchupDays)
	if skipped > 0 {
		s.logf("%d business dates after %s were not run (PAYOUTS_CATCHUP_DAYS=%d); their sales are paid by the run of %s",
			skipped, latest.BusinessDate, s.serve.CatchupDays, due[0])
	}
	for _, d := range due {
		if stop.Err() != nil {
			s.logf("shutting down: %s not started", d)
			return nil
		}
		s.setCurrent(d.String())
		res, err := s.run(work, s.store, s.cfg, d)
		s.setCurrent("")
		switch {
		case errors.Is(err, jobs.ErrBusy):
			s.logf("another process holds the run lock; leaving %s to it (%v)", d, err)
			return nil
		case err != nil:
			return fmt.Errorf("run of %s: %w", d, err)
		case res.AlreadyDone:
			s.logf("%s already covered by %s", d, res.Run.RunID)
		default:
			s.logf("run %s completed: %d sales allocated, %d lines, %d payout items; files in %s",
				res.Run.RunID, res.Run.SalesAllocated, res.Run.LineCount, res.Run.PayoutCount, res.Dir)
		}
	}
	return nil
}

func (s *Scheduler) setCurrent(d string) {
	s.mu.Lock()
	s.current = d
	s.mu.Unlock()
}

// SchedulerState is what the scheduler reports on /healthz.
type SchedulerState struct {
	Running   string `json:"running,omitempty"`    // business date being run
	LastTick  string `json:"last_tick,omitempty"`  // when the last tick ended (RFC 3339, UTC)
	LastError string `json:"last_error,omitempty"` // of the last tick
}

// State returns the scheduler's state.
func (s *Scheduler) State() SchedulerState {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := SchedulerState{Running: s.current}
	if !s.lastEnd.IsZero() {
		st.LastTick = s.lastEnd.UTC().Format(time.RFC3339)
	}
	if s.lastErr != nil {
		st.LastError = s.lastErr.Error()
	}
	return st
}

// Run schedules Tick on PAYOUTS_SCHEDULE in the platform zone, after one
// tick at start (the catch-up), until ctx is done. Ticks never overlap
// (cron.SkipIfStillRunning; across processes, the run lock) and a panic
// in one is logged, not fatal (cron.Recover).
//
// When ctx is done (SIGTERM), no new tick or date starts; a run in
// progress may finish for up to the grace period, after which it is
// aborted: its context is cancelled, its transaction rolls back, nothing is
// published and it is recorded as failed (a run aborted while publishing
// stays computed and is published by the next start). Run returns nil
// once nothing runs any more.
func (s *Scheduler) Run(ctx context.Context) error {
	schedule, err := cron.ParseStandard(s.serve.Schedule)
	if err != nil {
		return fmt.Errorf("PAYOUTS_SCHEDULE=%q: %w", s.serve.Schedule, err)
	}
	work, abort := context.WithCancel(context.WithoutCancel(ctx))
	defer abort()
	logger := cronLogger{s.logf}
	job := cron.NewChain(cron.Recover(logger), cron.SkipIfStillRunning(logger)).Then(cron.FuncJob(func() {
		if err := s.Tick(ctx, work); err != nil {
			s.logf("tick failed (retried at the next tick): %v", err)
		}
	}))
	c := cron.New(cron.WithLocation(s.cfg.Location), cron.WithLogger(logger))
	c.Schedule(schedule, job)

	startup := make(chan struct{})
	go func() {
		defer close(startup)
		job.Run()
	}()
	c.Start()
	s.logf("scheduler started: %q in %s, catching up at most %d business dates", s.serve.Schedule, s.cfg.Location, s.serve.CatchupDays)

	<-ctx.Done()
	stopped := c.Stop()
	idle := make(chan struct{})
	go func() {
		<-startup
		<-stopped.Done()
		close(idle)
	}()
	if cur := s.State().Running; cur != "" {
		s.logf("shutting down: no new runs; the run of %s may finish within %s", cur, s.serve.Grace)
	}
	timer := time.NewTimer(s.serve.Grace)
	defer timer.Stop()
	select {
	case <-idle:
		return nil
	case <-timer.C:
	}
	s.logf("shutting down: grace period over, aborting the run of %s", s.State().Running)
	abort()
	select {
	case <-idle:
		return nil
	case <-time.After(abortWait):
		return fmt.Errorf("the run did not stop within %s of its abort", abortWait)
	}
}

// abortWait bounds how long an aborted run may take to roll back.
var abortWait = time.Minute

// cronLogger passes cron's errors (and recovered panics) and skipped
// ticks to logf; its routine messages are dropped.
type cronLogger struct{ logf func(string, ...any) }

func (l cronLogger) Info(msg string, _ ...any) {
	if msg == "skip" {
		l.logf("tick skipped: the previous one is still running")
	}
}

func (l cronLogger) Error(err error, msg string, _ ...any) { l.logf("scheduler: %s: %v", msg, err) }
