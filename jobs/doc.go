// Package jobs runs things: the nightly run's lifecycle (lock, compute,
// publish), reruns, exports, payout status and tax record imports. It
// wires the rules of reconcile to the store and the report writers, and
// holds no money rule and no SQL of its own. The scheduler and admin
// server of `payouts serve` are in jobs/daemon, which runs these jobs.
package jobs
