// Package pgcluster provides a PostgreSQL server for the `payouts demo`
// command, the benchmarks and the tests (internal/pgtest): either the
// existing server named by $DATABASE_URL, or a throwaway cluster started in
// a fresh temporary directory. It holds no test code: the helpers for test
// binaries (one server per binary, one database per test) are in
// internal/pgtest.
//
// A throwaway cluster is a real postmaster process running in the
// background (pg_ctl detaches it). It does NOT exit when the process that
// started it dies, so Stop must always be called; pgtest.Main does it, with
// a defer, for test binaries. If a process is killed anyway (SIGKILL, test
// timeout, panic in a test goroutine), the orphaned cluster is found and
// stopped by the next Start on the same machine (see sweep.go), and every
// error and progress message names the cluster's data directory, where
// postmaster.pid holds the postmaster's process id.
//
// The throwaway cluster trades durability for speed with fsync=off and
// full_page_writes=off, which only matter for an operating-system crash,
// never simulated here. synchronous_commit stays on, so that a committed
// transaction survives Kill (see serverSettings).
//
// The temporary directories keep the names this package had when it was
// sql/pgtemp (pgtemp-*, pgtemp-owner.pid), so that processes built before
// and after the rename sweep each other's orphans.
package pgcluster
