package store_test

import (
	"context"
	"strings"
	"testing"

	"payouts/internal/storetest"
)

// TestRunLockSession: one session at a time holds the run lock; another
// finds it taken and learns the holder's name; once released it can be
// taken again; RunLockHeld sees it from any connection.
func TestRunLockSession(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := storetest.New(t)
	held := func() bool {
		t.Helper()
		h, err := st.RunLockHeld(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	if held() {
		t.Fatal("held on a fresh database")
	}
	a, err := st.OpenRunLockSession(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := a.TryLock(ctx); err != nil || !ok {
		t.Fatalf("first session: %v %v", ok, err)
	}
	a.SetName(ctx, "payouts run nightly-20260303 on test")
	b, err := st.OpenRunLockSession(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := b.TryLock(ctx); err != nil || ok {
		t.Fatalf("second session took a held lock: %v %v", ok, err)
	}
	if h := b.Holder(ctx); !strings.Contains(h, "database session pid ") || !strings.Contains(h, "(payouts run nightly-20260303 on test)") {
		t.Errorf("holder %q", h)
	}
	if !held() {
		t.Error("RunLockHeld while held: false")
	}
	a.Release()
	if held() {
		t.Error("RunLockHeld after the release: true")
	}
	if ok, err := b.TryLock(ctx); err != nil || !ok {
		t.Fatalf("after the release: %v %v", ok, err)
	}
	b.Release()
}
