package background

import (
	"errors"
	"testing"
)

func TestStartReturnsTheErrorAndRaisesThePanic(t *testing.T) {
	boom := errors.New("boom")
	if err := Start(func() error { return boom })(); err != boom {
		t.Errorf("wait returned %v, want %v", err, boom)
	}
	if err := Start(func() error { return nil })(); err != nil {
		t.Errorf("wait returned %v, want nil", err)
	}
	wait := Start(func() error { panic("bug") })
	got := func() (p any) {
		defer func() { p = recover() }()
		wait()
		return nil
	}()
	if got != "bug" {
		t.Errorf("recovered %v on the caller's goroutine, want the work's panic", got)
	}
}
