// Package pgtemp provides a PostgreSQL server for tests and for the
// `payouts demo` command: either the existing server named by $DATABASE_URL,
// or a throwaway cluster started in a fresh temporary directory.
//
// A throwaway cluster is a real postmaster process running in the
// background (pg_ctl detaches it). It does NOT exit when the process that
// started it dies, so Stop must always be called; Main does it, with a defer,
// for test binaries. If a test binary is killed anyway (SIGKILL, test
// timeout, panic in a test goroutine), the orphaned cluster is found and
// stopped by the next Start on the same machine (see sweep.go), and every
// error and progress message names the cluster's data directory, where
// postmaster.pid holds the postmaster's process id.
//
// The throwaway cluster trades durability for speed with fsync=off and
// full_page_writes=off, which only matter for an operating-system crash,
// never simulated here. synchronous_commit stays on, so that a committed
// transaction survives Kill (see serverSettings).
package pgtemp
