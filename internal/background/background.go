// Package background runs work on a goroutine of its own for a caller that
// waits for it, as if the caller had run it: the work's error is returned
// by the wait, and a panic of the work is raised again on the caller's
// goroutine, where whatever recovers the caller's panics (the scheduler)
// recovers it, instead of ending the process from a goroutine nobody
// recovers.
package background

// Start runs fn on a goroutine of its own. wait returns fn's error once fn
// has returned; if fn panicked, wait panics with the same value. Call wait
// exactly once.
func Start(fn func() error) (wait func() error) {
	done := make(chan result, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- result{panicked: p}
			}
		}()
		done <- result{err: fn()}
	}()
	return func() error {
		r := <-done
		if r.panicked != nil {
			panic(r.panicked)
		}
		return r.err
	}
}

type result struct {
	err      error
	panicked any
}
