package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/user"
	"strings"
	"time"

	"payouts/jobs"
	"payouts/reconcile"
	"payouts/sql/store"
)

// environment is what commands share: output streams and the process
// environment (a function, so tests can pass their own).
type environment struct {
	stdout, stderr io.Writer
	getenv         func(string) string
	now            func() time.Time // the clock; nil is time.Now (tests set it)
}

// clock is the current time.
func (e *environment) clock() time.Time {
	if e.now == nil {
		return time.Now()
	}
	return e.now()
}

// firstBusinessDate is the earliest business date run and rerun accept.
var firstBusinessDate = reconcile.Date{Year: 1970, Month: time.January, Day: 1}

// checkDateEnded refuses (usage error) a business date for run or rerun
// whose day has not ended yet in the platform zone: a mistyped future
// date would complete and make every real date before it refused. Dates
// before 1970 are refused too (PostgreSQL has no year 0).
func (e *environment) checkDateEnded(name string, d reconcile.Date, loc *time.Location) error {
	if d.Before(firstBusinessDate) {
		return usageError{fmt.Sprintf("%s: --date %s is before %s; not a business date", name, d, firstBusinessDate)}
	}
	if end := reconcile.WindowEnd(d, loc); end.After(e.clock()) {
		return usageError{fmt.Sprintf("%s: --date %s has not ended yet in %s (it ends %s); a business date is run once its day is over",
			name, d, loc, end.Format(time.RFC3339))}
	}
	return nil
}

// progress prints a line of progress on stderr.
func (e *environment) progress(format string, args ...any) {
	fmt.Fprintf(e.stderr, "payouts: %s %s\n", time.Now().UTC().Format("15:04:05"), fmt.Sprintf(format, args...))
}

// The environment the commands read besides the PAYOUTS_* settings of
// the jobs (jobs.ConfigFromEnv) and of serve (daemon.ConfigFromEnv): every
// variable this package reads is read in this file.

// databaseURL is DATABASE_URL ("": none; demo then starts a throwaway
// PostgreSQL).
func (e *environment) databaseURL() string { return e.getenv("DATABASE_URL") }

// gcSettings reports whether GOGC and GOMEMLIMIT are set: they then take
// precedence over tuneGC's values.
func (e *environment) gcSettings() (gogc, memLimit bool) {
	return e.getenv("GOGC") != "", e.getenv("GOMEMLIMIT") != ""
}

// cpuProfilePath is PAYOUTS_CPUPROFILE: where to write a CPU profile of
// the command ("": none).
func (e *environment) cpuProfilePath() string { return e.getenv("PAYOUTS_CPUPROFILE") }

// osUser is the operating-system user running the command, recorded as
// the rerun's requested_by.
func osUser() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return os.Getenv("USER")
}

// openStore connects to DATABASE_URL.
func (e *environment) openStore(ctx context.Context) (*store.Store, error) {
	url := e.databaseURL()
	if url == "" {
		return nil, errors.New("DATABASE_URL is not set (for a throwaway database, try `payouts demo`)")
	}
	return store.Open(ctx, url)
}

// config reads PAYOUTS_* and applies --out when given.
func (e *environment) config(out string) (jobs.Config, error) {
	cfg, err := jobs.ConfigFromEnv(e.getenv)
	if err != nil {
		return cfg, err
	}
	if out != "" {
		cfg.OutDir = out
	}
	cfg.Progress = e.progress
	return cfg, nil
}

// newFlags makes a flag set that reports usage errors instead of exiting.
func newFlags(e *environment, name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	// The flag package prints its error and the whole usage on a bad
	// flag: both go to a buffer, which parseFlags passes on for --help
	// only; a bad flag is one line (exitStatus).
	fs.SetOutput(&flagOutput{stderr: e.stderr})
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: payouts %s\n\n", usage)
		fs.PrintDefaults()
	}
	return fs
}

// flagOutput holds what the flag package prints while parsing.
type flagOutput struct {
	bytes.Buffer
	stderr io.Writer
}

// parseFlags parses args (no positional arguments), turning flag errors
// into one-line usage errors and printing the usage for --help.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := parseFlagsArgs(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("%s: unexpected argument %q", fs.Name(), fs.Arg(0))}
	}
	return nil
}

// parseFlagsArgs is parseFlags for a command with positional arguments.
func parseFlagsArgs(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			if out, ok := fs.Output().(*flagOutput); ok {
				s := out.String()
				if i := strings.Index(s, "Usage: "); i > 0 {
					s = s[i:]
				}
				io.WriteString(out.stderr, s)
			}
			return err
		}
		return usageError{fmt.Sprintf("%s: %s (see payouts %s --help)", fs.Name(), oneLine(err.Error()), fs.Name())}
	}
	return nil
}

// parseDateFlag parses a required --date.
func parseDateFlag(name, v string) (reconcile.Date, error) {
	if v == "" {
		return reconcile.Date{}, usageError{name + ": --date YYYY-MM-DD is required"}
	}
	d, err := reconcile.ParseDate(v)
	if err != nil {
		return d, usageError{name + ": --date: " + err.Error()}
	}
	return d, nil
}

// oneLine folds a multi-line error into one line for the final message.
func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " | ")), " ")
}
