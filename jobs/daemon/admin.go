package daemon

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"payouts/reconcile/runtype"
	"payouts/sql/store"
)

// adminTimeout bounds the database work of one /healthz or /metrics
// request.
const adminTimeout = 5 * time.Second

// AdminHandler serves the operations endpoints of `payouts serve`:
//
//   - /healthz: 200 when the database answers and the last run did not
//     fail or die, else 503; a small JSON body says which (see Health);
//   - /metrics: the Prometheus text exposition format (version 0.0.4).
//
// sched may be nil (no scheduler state is reported then).
func AdminHandler(st *store.Store, sched *Scheduler) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), adminTimeout)
		defer cancel()
		h := CheckHealth(ctx, st, sched)
		body, _ := json.MarshalIndent(h, "", "  ")
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		if h.Status != "ok" {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		w.Write(append(body, '\n'))
	})
	mux.HandleFunc("/metrics", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), adminTimeout)
		defer cancel()
		body, err := Metrics(ctx, st)
		if err != nil {
			http.Error(w, "metrics: "+err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		w.Write(body)
	})
	return mux
}

// Health is the body of /healthz.
type Health struct {
	Status    string          `json:"status"`   // "ok" or "unhealthy"
	Database  string          `json:"database"` // "ok" or the error
	LastRun   *HealthRun      `json:"last_run,omitempty"`
	Scheduler *SchedulerState `json:"scheduler,omitempty"`
}

// HealthRun is the last run started, as /healthz reports it.
type HealthRun struct {
	RunID        string       `json:"run_id"`
	Kind         runtype.Kind `json:"kind"`
	BusinessDate string       `json:"business_date"`
	State        string       `json:"state"` // a runtype.Status, or StateInterrupted
	Error        string       `json:"error,omitempty"`
}

// StateInterrupted is the state /healthz reports for a run recorded as
// running while nobody holds the run lock: its process died.
const StateInterrupted = "interrupted"

// CheckHealth is /healthz: unhealthy when the database does not answer,
// the last run failed, was interrupted (recorded as running while no
// process holds the run lock) or stays computed while nobody publishes it,
// or the scheduler's last tick failed. Meant for readiness and alerting: a failed
// run needs a person (or the next tick), not a restart.
func CheckHealth(ctx context.Context, st *store.Store, sched *Scheduler) Health {
	h := Health{Status: "ok", Database: "ok"}
	if sched != nil {
		s := sched.State()
		h.Scheduler = &s
	}
	if err := st.Ping(ctx); err != nil {
		h.Status, h.Database = "unhealthy", err.Error()
		return h
	}
	r, ok, err := st.LatestRun(ctx)
	if err != nil {
		h.Status, h.Database = "unhealthy", err.Error()
		return h
	}
	if !ok {
		return h
	}
	h.LastRun = &HealthRun{RunID: r.RunID, Kind: r.Kind, BusinessDate: r.BusinessDate, State: string(r.Status), Error: r.Error}
	if r.Status == runtype.Running {
		held, err := st.RunLockHeld(ctx)
		if err != nil {
			h.Status, h.Database = "unhealthy", err.Error()
			return h
		}
		if !held {
			h.LastRun.State = StateInterrupted
		}
	}
	if r.Status == runtype.Failed || h.LastRun.State == StateInterrupted {
		h.Status = "unhealthy"
	}
	if r.Status == runtype.Computed {
		// computed but not published: fine while its process publishes
		// (it holds the run lock), stuck otherwise
		held, err := st.RunLockHeld(ctx)
		if err != nil {
			h.Status, h.Database = "unhealthy", err.Error()
			return h
		}
		if !held {
			h.Status = "unhealthy"
		}
	}
	if h.Scheduler != nil && h.Scheduler.LastError != "" {
		h.Status = "unhealthy" // the last tick failed: the next retries it
	}
	return h
}
