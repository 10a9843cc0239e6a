// Package jobs runs things: the nightly run's lifecycle (lock, compute,
// publish), exports, and the scheduler. It wires the rules of reconcile to
// the store and the report writers, and holds no money rule of its own.
package jobs
