package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"payouts/internal/storetest"
	"payouts/sql/store"
)

// TestEachRowReadsAheadInOrder: the rows reach fn in the query's order,
// all of them, while a reader goroutine reads ahead; fn's failure stops
// the read and is returned as is; a failure of the query is returned
// naming the read; a panic of scan is raised again on the caller's
// goroutine; no connection is left busy either way.
func TestEachRowReadsAheadInOrder(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	ctx := context.Background()
	const n = 10_000
	var got []int64
	if err := store.EachRowForTest(ctx, st, `SELECT g FROM generate_series(1, 10000) g ORDER BY g`, 0, func(v int64) error {
		got = append(got, v)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(got) != n {
		t.Fatalf("%d rows, want %d", len(got), n)
	}
	for i, v := range got {
		if v != int64(i+1) {
			t.Fatalf("row %d is %d", i, v)
		}
	}

	stop := errors.New("disk full")
	seen := 0
	err := store.EachRowForTest(ctx, st, `SELECT g FROM generate_series(1, 1000000) g`, 0, func(v int64) error {
		if seen++; seen == 700 {
			return stop
		}
		return nil
	})
	if err != stop || seen != 700 {
		t.Errorf("fn failing at row 700: %v after %d rows, want %v after 700", err, seen, stop)
	}

	err = store.EachRowForTest(ctx, st, `SELECT 1 / (g - 2000) FROM generate_series(1, 3000) g`, 0, func(int64) error { return nil })
	if err == nil || !strings.HasPrefix(err.Error(), "test read: ") || !strings.Contains(err.Error(), "division by zero") {
		t.Errorf("failing query: %v, want it named", err)
	}
	recovered := func() (p any) {
		defer func() { p = recover() }()
		store.EachRowForTest(ctx, st, `SELECT g FROM generate_series(1, 10) g ORDER BY g`, 3, func(int64) error { return nil })
		return nil
	}()
	if recovered != "scan bug" {
		t.Errorf("a panic of scan reached the caller as %v, want it raised again there", recovered)
	}
	if s := st.DB.Stats(); s.InUse != 0 {
		t.Errorf("%d connections still in use", s.InUse)
	}
}
