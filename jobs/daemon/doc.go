// Package daemon is `payouts serve`, the long-running process: the
// scheduler that runs the nightly job on PAYOUTS_SCHEDULE and catches up
// missed dates, and the admin listener with /healthz and /metrics. It
// runs nothing itself: each date is a jobs.RunNightly and each pending
// publication a jobs.PublishPending, under the run lock; what it reads
// of the runs comes from the store. Its settings (PAYOUTS_SCHEDULE,
// PAYOUTS_CATCHUP_DAYS, PAYOUTS_SHUTDOWN_GRACE, PAYOUTS_ADMIN_ADDR) are
// read in config.go.
package daemon
