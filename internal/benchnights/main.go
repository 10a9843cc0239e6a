// Command benchnights measures nightly runs through the CLI, as an operator
// runs them: `make bench-nights` (many nights of one marketplace, to show
// that a night's cost follows that night's data and not history) and
// `make bench-night` (one big night, with the floor the run is compared
// with: COPY of the candidate sales out plus COPY of the run's lines into
// a table with the same columns and no index).
//
// It starts a throwaway PostgreSQL when DATABASE_URL is unset, and runs the
// payouts binary given by -bin for every step, so each night's wall time
// and peak RSS are those of one `payouts run` process. Figures go to
// stdout as a table; the binary's progress goes to -log.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"payouts/internal/pgcluster"
	"payouts/reconcile"
	"payouts/reconcile/runtype"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "benchnights:", err)
		os.Exit(1)
	}
}

type options struct {
	bin    string
	sales  int
	nights int
	start  string
	seed   int64
	floor  bool
	out    string
	log    string
	tz     string
	prof   string
	slowMS int
	lag    int
	work   int
	keepDB bool
}

func run() error {
	var o options
	flag.StringVar(&o.bin, "bin", "bin/payouts", "the payouts binary")
	flag.IntVar(&o.sales, "sales", 50000, "sales seeded per night")
	flag.IntVar(&o.nights, "nights", 30, "consecutive nights")
	flag.StringVar(&o.start, "start", "2026-10-02", "first business date")
	flag.Int64Var(&o.seed, "seed", 7, "seed (the same for every night: one marketplace)")
	flag.BoolVar(&o.floor, "floor", false, "also measure the floor of each night (COPY out of the candidate sales, COPY in of the run's lines)")
	flag.StringVar(&o.out, "out", "", "output root (default: a temporary directory, removed at the end)")
	flag.StringVar(&o.log, "log", "", "file for the binary's progress output (default: discarded)")
	flag.StringVar(&o.tz, "tz", "America/Sao_Paulo", "PAYOUTS_TZ")
	flag.BoolVar(&o.keepDB, "keep-db", false, "keep the bench database at the end (with DATABASE_URL naming a server of your own), to try a later night on a copy of it")
	flag.IntVar(&o.lag, "confirm-after", 2, "each night, import the bank's answer (paid, 1 in 97 rejected) to the payout items of the run this many nights before; 0: never")
	flag.IntVar(&o.work, "work-after", 3, "each night, after the run, the finance team corrects the over-cap contracts of the sales held as CAP_EXCEEDED this many nights before (and loads them with `payouts load`); 0: never, a blocking backlog nobody works")
	flag.IntVar(&o.slowMS, "slow-ms", 1000, "with -profile: log the duration (and auto_explain) of statements over this many milliseconds")
	flag.StringVar(&o.prof, "profile", "", "directory for profiles: a CPU profile of each run (PAYOUTS_CPUPROFILE) and the server log with the durations and EXPLAIN (ANALYZE, BUFFERS) of statements over 1 s (auto_explain)")
	flag.Parse()

	ctx := context.Background()
	bin, err := filepath.Abs(o.bin)
	if err != nil {
		return err
	}
	if _, err := os.Stat(bin); err != nil {
		return fmt.Errorf("%s: %w (run `make build` first)", o.bin, err)
	}
	start, err := reconcile.ParseDate(o.start)
	if err != nil {
		return fmt.Errorf("-start: %w", err)
	}
	loc, err := time.LoadLocation(o.tz)
	if err != nil {
		return fmt.Errorf("-tz: %w", err)
	}
	if o.out == "" {
		dir, err := os.MkdirTemp("", "payouts-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		o.out = dir
	}
	logw := io.Discard
	if o.log != "" {
		f, err := os.Create(o.log)
		if err != nil {
			return err
		}
		defer f.Close()
		logw = f
	}

	srv, err := pgcluster.Start(ctx, func(f string, a ...any) { fmt.Fprintf(logw, f+"\n", a...) })
	if err != nil {
		return err
	}
	defer srv.Stop()
	db := fmt.Sprintf("payouts_bench_%d", os.Getpid())
	if err := srv.CreateDatabase(ctx, db, ""); err != nil {
		return err
	}
	if o.keepDB {
		defer fmt.Printf("# kept database %s\n", db)
	} else {
		defer srv.DropDatabase(context.Background(), db)
	}
	url := srv.URL(db)
	env := append(os.Environ(), "DATABASE_URL="+url, "PAYOUTS_TZ="+o.tz, "PAYOUTS_OUT="+o.out)
	if o.prof != "" {
		if err := os.MkdirAll(o.prof, 0o755); err != nil {
			return err
		}
		for _, set := range []string{fmt.Sprintf(`log_min_duration_statement = %d`, o.slowMS), `session_preload_libraries = 'auto_explain'`,
			fmt.Sprintf(`auto_explain.log_min_duration = %d`, max(o.slowMS, 1000)), `auto_explain.log_analyze = on`, `auto_explain.log_buffers = on`,
			`auto_explain.log_timing = off`} {
			if _, err := psqlTimed(url, fmt.Sprintf(`ALTER DATABASE %s SET %s`, db, set)); err != nil {
				return err
			}
		}
		if dir := srv.DataDir(); dir != "" {
			defer copyFile(filepath.Join(filepath.Dir(dir), "server.log"), filepath.Join(o.prof, "server.log"))
		}
	}

	if _, err := runBin(bin, env, logw, "migrate"); err != nil {
		return err
	}
	worked := "nobody works the blocking list"
	if o.work > 0 {
		worked = fmt.Sprintf("over-cap contracts corrected %d nights after their first held sale", o.work)
	}
	fmt.Printf("# %d nights of %d sales (seed %d) from %s; %s; %s\n", o.nights, o.sales, o.seed, o.start, worked, time.Now().UTC().Format(time.RFC3339))
	header := "night  date        seed_s   run_s  rss_MiB  lines      items   files  out_MiB  discr_rows  workbook_MiB  import_s  fixed"
	if o.floor {
		header += "  sales_out_s  lines_in_s  floor_s  run/floor"
	}
	fmt.Println(header)
	var first, last []float64
	for n := 0; n < o.nights; n++ {
		d := start.AddDays(n)
		seedRes, err := runBin(bin, env, logw, "seed", "--sales", fmt.Sprint(o.sales), "--date", d.String(), "--seed", fmt.Sprint(o.seed))
		if err != nil {
			return err
		}
		var salesOut time.Duration
		if o.floor {
			we := reconcile.WindowEnd(d, loc).UTC().Format(time.RFC3339Nano)
			salesOut, err = psqlTimed(url, fmt.Sprintf(`\copy (SELECT s.* FROM sales s WHERE s.settled_at < '%s' AND NOT EXISTS (SELECT 1 FROM sale_outcomes o WHERE o.sale_id = s.sale_id)) TO '/dev/null'`, we))
			if err != nil {
				return err
			}
		}
		runEnv := env
		if o.prof != "" {
			runEnv = append(runEnv[:len(runEnv):len(runEnv)], "PAYOUTS_CPUPROFILE="+filepath.Join(o.prof, "run-"+d.String()+".pprof"))
		}
		res, err := runBin(bin, runEnv, logw, "run", "--date", d.String())
		if err != nil {
			return err
		}
		runID := string(runtype.Nightly) + "-" + d.Compact()
		st, err := outputStats(filepath.Join(o.out, d.String(), runID))
		if err != nil {
			return err
		}
		var imported time.Duration
		if o.lag > 0 && n >= o.lag {
			// The bank answers, after the run, for the run of o.lag nights
			// before; the next night credits the rejections back.
			sent := d.AddDays(-o.lag)
			file := filepath.Join(o.out, "status-"+d.String()+".csv")
			if _, err := writeConfirmations(filepath.Join(o.out, sent.String(), "nightly-"+sent.Compact()), file, d); err != nil {
				return err
			}
			m, err := runBin(bin, env, logw, "import-status", file)
			if err != nil {
				return err
			}
			imported = m.wall
		}
		fixed := 0
		if o.work > 0 && n+1 >= o.work {
			if fixed, err = correctOverCapContracts(bin, env, logw, url, filepath.Join(o.out, "team-"+d.String()), d.AddDays(1-o.work)); err != nil {
				return err
			}
		}
		line := fmt.Sprintf("%5d  %s  %6.1f  %6.1f  %7.0f  %-9d  %-6d  %5d  %7.1f  %10d  %12.1f  %8.1f  %5d",
			n+1, d, seedRes.wall.Seconds(), res.wall.Seconds(), float64(res.maxRSS)/1024, st.lines, st.items, st.files,
			float64(st.bytes)/(1<<20), st.discrepancyRows, float64(st.workbookBytes)/(1<<20), imported.Seconds(), fixed)
		if o.floor {
			linesIn, err := copyLinesIn(url, runID, o.out)
			if err != nil {
				return err
			}
			floor := salesOut + linesIn
			line += fmt.Sprintf("  %11.2f  %10.2f  %7.2f  %9.1f", salesOut.Seconds(), linesIn.Seconds(), floor.Seconds(),
				res.wall.Seconds()/floor.Seconds())
		}
		fmt.Println(line)
		if n < 3 {
			first = append(first, res.wall.Seconds())
		}
		if n >= o.nights-3 {
			last = append(last, res.wall.Seconds())
		}
	}
	if o.nights >= 6 {
		fmt.Printf("# mean run time of the first 3 nights %.1f s, of the last 3 %.1f s: ratio %.2f\n", mean(first), mean(last), mean(last)/mean(first))
	}
	return nil
}

func mean(xs []float64) float64 {
	var s float64
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

type measured struct {
	wall   time.Duration
	maxRSS int64 // KiB
}

// runBin runs the payouts binary and measures its wall time and peak RSS.
func runBin(bin string, env []string, logw io.Writer, args ...string) (measured, error) {
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = logw, logw
	fmt.Fprintf(logw, "$ payouts %s\n", strings.Join(args, " "))
	t0 := time.Now()
	err := cmd.Run()
	m := measured{wall: time.Since(t0)}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		m.maxRSS = ru.Maxrss
	}
	if err != nil {
		return m, fmt.Errorf("payouts %s: %w", strings.Join(args, " "), err)
	}
	return m, nil
}

// psqlTimed runs one psql command and times it (psql's own start is a few
// milliseconds).
func psqlTimed(url, command string) (time.Duration, error) {
	cmd := exec.Command("psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", command)
	t0 := time.Now()
	out, err := cmd.CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("psql %q: %w: %s", command, err, out)
	}
	return time.Since(t0), nil
}

// copyLinesIn copies the run's lines out (not timed), then times COPY of
// them into a table with the same columns and no index or constraint.
func copyLinesIn(url, runID, dir string) (time.Duration, error) {
	file := filepath.Join(dir, "floor-lines.copy")
	defer os.Remove(file)
	if _, err := psqlTimed(url, `DROP TABLE IF EXISTS floor_lines; CREATE TABLE floor_lines (LIKE lines)`); err != nil {
		return 0, err
	}
	if _, err := psqlTimed(url, fmt.Sprintf(`\copy (SELECT * FROM lines WHERE run_id = '%s') TO '%s'`, runID, file)); err != nil {
		return 0, err
	}
	d, err := psqlTimed(url, fmt.Sprintf(`\copy floor_lines FROM '%s'`, file))
	if err != nil {
		return 0, err
	}
	_, err = psqlTimed(url, `DROP TABLE floor_lines`)
	return d, err
}

type stats struct {
	files, bytes, workbookBytes int64
	discrepancyRows             int64
	lines, items                int64
}

// outputStats reads a published run directory: its manifest's file list
// and control totals.
func outputStats(dir string) (stats, error) {
	var s stats
	raw, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		return s, err
	}
	var m struct {
		Files []struct {
			Path  string `json:"path"`
			Kind  string `json:"kind"`
			Bytes int64  `json:"bytes"`
			Rows  int64  `json:"rows"`
		} `json:"files"`
		ControlTotals struct {
			Lines       map[string]struct{ Count int64 } `json:"lines"`
			PayoutItems map[string]struct{ Count int64 } `json:"payout_items"`
		} `json:"control_totals"`
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		return s, fmt.Errorf("%s/manifest.json: %w", dir, err)
	}
	for _, f := range m.Files {
		s.files++
		s.bytes += f.Bytes
		switch f.Kind {
		case "discrepancies":
			s.discrepancyRows = f.Rows
		case "finance_workbook":
			s.workbookBytes = f.Bytes
		}
	}
	for _, t := range m.ControlTotals.Lines {
		s.lines += t.Count
	}
	for _, t := range m.ControlTotals.PayoutItems {
		s.items += t.Count
	}
	s.bytes += int64(len(raw))
	s.files++
	return s, nil
}

// copyFile keeps the server log before the throwaway cluster is removed.
func copyFile(from, to string) {
	b, err := os.ReadFile(from)
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchnights: keep the server log:", err)
		return
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "benchnights: keep the server log:", err)
	}
}
