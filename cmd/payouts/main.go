// Command payouts is the nightly payout reconciliation worker: see
// `payouts --help` and README.md. This package only wires: the rules live
// in reconcile, the store in sql/store, files in reports, runs in jobs.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

// Exit statuses.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
	exitBusy    = 75 // EX_TEMPFAIL: another run holds the lock; try again later
)

// usageError is a command-line mistake: exit status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// busyError is a run lock held elsewhere: exit status 75.
type busyError struct{ err error }

func (e busyError) Error() string { return e.err.Error() }
func (e busyError) Unwrap() error { return e.err }

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, env *environment, args []string) error
}

func commands() []command {
	return []command{
		{"migrate", "apply the embedded database migrations (idempotent)", cmdMigrate},
		{"load", "load the CSV files of a directory (SPEC section 2), all or nothing", cmdLoad},
		{"import-tax-record", "load tax records (invoices) from a CSV or XLSX file, all or nothing", cmdImportTaxRecord},
		{"import-status", "import payout status reports (pain.002, camt.054, status CSV), each file all or nothing", cmdImportStatus},
		{"items", "payout items and their status history", cmdItems},
		{"seed", "write a deterministic synthetic marketplace for a date", cmdSeed},
		{"run", "the nightly run for a business date", cmdRun},
		{"rerun", "recompute a date from today's data: adjustment lines in a new run", cmdRerun},
		{"export", "publish an existing run's files again, byte-identical", cmdExport},
		{"statement", "a participant's statement workbook over business dates", cmdStatement},
		{"status", "recent runs, their state, counts and totals", cmdStatus},
		{"discrepancies", "list discrepancies and their lifecycle (opened, last seen, resolved)", cmdDiscrepancies},
		{"tax-report", "the monthly tax report: invoiced totals against settled sales, per producer", cmdTaxReport},
		{"serve", "the scheduler: nightly runs on PAYOUTS_SCHEDULE, catch-up, health and metrics", cmdServe},
		{"demo", "the one-command tour: throwaway PostgreSQL, migrate, seed, run, summary", cmdDemo},
	}
}

func main() {
	os.Exit(runWith(os.Args[1:], os.Stdout, os.Stderr, os.Getenv))
}

// tuneGC trades memory the process does not need for CPU, for the
// commands that compute and publish runs: a run's live heap is a batch of
// sales and their lines (tens of MiB), and with Go's default GOGC=100
// collecting it cost a fifth of a million-sale run's CPU. GOGC=400 with a
// soft limit of 192 MiB keeps the peak under 256 MiB. GOGC and GOMEMLIMIT
// in the environment take precedence. Other commands (imports, lists)
// keep Go's defaults and their small footprint.
func tuneGC(command string, e *environment) {
	switch command {
	case "run", "rerun", "serve", "export", "demo":
	default:
		return
	}
	gogc, memLimit := e.gcSettings()
	if !gogc {
		debug.SetGCPercent(400)
	}
	if !memLimit {
		debug.SetMemoryLimit(192 << 20)
	}
}

// runWith runs the command line args and returns the exit status.
func runWith(args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	return runEnv(args, &environment{stdout: stdout, stderr: stderr, getenv: getenv})
}

// runEnv runs the command line args in env.
func runEnv(args []string, env *environment) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	stdout, stderr := env.stdout, env.stderr
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		printUsage(stdout)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	for _, c := range commands() {
		if c.name == args[0] {
			tuneGC(c.name, env)
			stopProfile, err := startProfile(env.cpuProfilePath())
			if err != nil {
				return exitStatus(stderr, err)
			}
			err = c.run(ctx, env, args[1:])
			stopProfile()
			return exitStatus(stderr, err)
		}
	}
	fmt.Fprintf(stderr, "payouts: unknown command %q (see payouts --help)\n", args[0])
	return exitUsage
}

func exitStatus(stderr io.Writer, err error) int {
	var ue usageError
	var be busyError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "payouts: %s\n", ue.msg)
		return exitUsage
	case errors.As(err, &be):
		fmt.Fprintf(stderr, "payouts: %s\n", oneLine(err.Error()))
		return exitBusy
	default:
		fmt.Fprintf(stderr, "payouts: %s\n", oneLine(err.Error()))
		return exitFailure
	}
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, `payouts: the nightly payout reconciliation worker.

Usage: payouts COMMAND [flags]   (payouts COMMAND --help for its flags)

Commands:`)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-17s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, `
Configuration comes from the environment: DATABASE_URL, PAYOUTS_TZ,
PAYOUTS_OUT, PAYOUTS_MAX_COPRODUCER_SHARE, PAYOUTS_MIN_PAYOUT, PAYOUTS_INVOICE_MODEL,
PAYOUTS_TAX_TOLERANCE, PAYOUTS_INVOICE_GRACE, PAYOUTS_TAX_BLOCKING, PAYOUTS_STATEMENTS, PAYOUTS_CONFIRM_DAYS,
PAYOUTS_DEBTOR_*, PAYOUTS_CNAB_*, and for serve PAYOUTS_SCHEDULE, PAYOUTS_CATCHUP_DAYS,
PAYOUTS_SHUTDOWN_GRACE, PAYOUTS_ADMIN_ADDR (see README.md and docs/operations.md).
Exit status: 0 success, 1 failure, 2 usage error, 75 another run holds the lock.`)
}
