// Package faults holds the tests of runs against a database that goes away:
// PostgreSQL stopped in the middle of a run or during its publication,
// unreachable at start, a run's connection cut. They stop and restart the
// database server, so they live in a test binary of their own (this
// package) with its own throwaway cluster, apart from the tests that share
// a server in parallel. There is no code here.
package faults
