package load

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"
	"unicode/utf8"

	"payouts/internal/storetest"
)

// fuzzSeeds are the starting points of both fuzz targets (the files under
// testdata/fuzz/FuzzLoadCSV hold more).
func fuzzSeeds(t testing.TB) [][]byte {
	basic, err := os.ReadFile(filepath.Join(basicDir, "sales.csv"))
	if err != nil {
		t.Fatal(err)
	}
	return [][]byte{
		basic,
		append([]byte("\ufeff"), basic...),
		bytes.ReplaceAll(basic, []byte("\n"), []byte("\r\n")),
		[]byte("sale_id,product_id,currency,gross,platform_fee,sold_at\n\"s\n1\",p1,BRL,\"1.00\",0,2026-01-01T00:00:00Z\n"),
		[]byte("sale_id,product_id,currency,gross,platform_fee,sold_at\ns1,p1,JPY,1.5,0,2026-01-01T00:00:00\n"),
		[]byte(""),
	}
}

// FuzzLoadCSV feeds arbitrary bytes as sales.csv to the pure layer
// (decoding and per-row validation). It must not panic, and what it emits
// must be safe to COPY: see checkParsed. The database side of the same
// property is FuzzLoadCSVDatabase.
func FuzzLoadCSV(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkParsed(t, data)
	})
}

// checkParsed checks parseFile's contract on data as sales.csv.
func checkParsed(t *testing.T, data []byte) {
	sales := byName["sales"]
	var rows [][]any
	var errs []RowError
	emit := func(vals []any) error {
		rows = append(rows, append([]any(nil), vals...))
		return nil
	}
	n, readable, err := parseFile(sales, bytes.NewReader(data), emit, func(e RowError) { errs = append(errs, e) })
	if err != nil {
		t.Fatalf("parseFile returned a non-row error on in-memory input: %v", err)
	}
	if n != len(rows) || (!readable && len(rows) > 0) {
		t.Fatalf("%d records, %d rows emitted, readable %v", n, len(rows), readable)
	}
	if !readable && len(errs) == 0 {
		t.Fatalf("unreadable without a reason")
	}
	bad := map[int]bool{}
	for _, e := range errs {
		if e.File != "sales.csv" || e.Line < 1 || e.Reason == "" || !utf8.ValidString(e.Reason) {
			t.Fatalf("bad RowError %#v", e)
		}
		bad[e.Line] = true
	}
	last := int64(0)
	for _, r := range rows {
		if len(r) != 2+len(sales.cols) {
			t.Fatalf("row has %d values", len(r))
		}
		line, ok := r[0].(int64), r[1].(bool)
		if line <= last {
			t.Fatalf("line %d after %d", line, last)
		}
		last = line
		if ok == bad[int(line)] {
			t.Fatalf("line %d: ok=%v but errors=%v", line, ok, bad[int(line)])
		}
		for i, v := range r[2:] {
			c := sales.cols[i]
			switch v := v.(type) {
			case nil:
				if ok && c.required {
					t.Fatalf("line %d: ok row with NULL %s", line, c.name)
				}
			case string:
				if c.typ != "text" && c.typ != "numeric" || !utf8.ValidString(v) || strings.IndexByte(v, 0) >= 0 || v == "" {
					t.Fatalf("line %d: %s = %q cannot be copied as %s", line, c.name, v, c.typ)
				}
			case time.Time:
				if c.typ != "timestamptz" || v.Location() != time.UTC {
					t.Fatalf("line %d: %s = %v", line, c.name, v)
				}
			default:
				t.Fatalf("line %d: %s has a %T", line, c.name, v)
			}
		}
	}
	// Pure means deterministic.
	var again []RowError
	if _, _, err := parseFile(sales, bytes.NewReader(data), func([]any) error { return nil }, func(e RowError) { again = append(again, e) }); err != nil || len(again) != len(errs) {
		t.Fatalf("second parse differs: %v, %d errors vs %d", err, len(again), len(errs))
	}
}

// FuzzLoadCSVDatabase loads arbitrary sales.csv bytes with the basic
// example's other files, in a transaction that is rolled back. The result
// must be success or *Errors: any other error means parse let through a
// value that PostgreSQL or a constraint refused, which a user would see as
// an internal failure instead of FILE:LINE. About 20 inputs a second per
// worker (one transaction each), so run it on its own:
//
//	go test ./sql/load -run '^$' -fuzz FuzzLoadCSVDatabase -fuzztime 2m -fuzzminimizetime 20x
func FuzzLoadCSVDatabase(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	for _, s := range corpus(f, "testdata/fuzz/FuzzLoadCSV") {
		f.Add(s)
	}
	fsys := fstest.MapFS{}
	for _, tb := range tables {
		if b, err := os.ReadFile(filepath.Join(basicDir, tb.file)); err == nil {
			fsys[tb.file] = &fstest.MapFile{Data: b}
		}
	}
	db := storetest.New(f).DB
	f.Fuzz(func(t *testing.T, data []byte) {
		files := fstest.MapFS{}
		for k, v := range fsys {
			files[k] = v
		}
		files["sales.csv"] = &fstest.MapFile{Data: data}
		ctx := context.Background()
		tx, err := db.BeginTxx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		_, err = loadTx(ctx, tx, files, nil)
		var e *Errors
		if err != nil && !errors.As(err, &e) {
			t.Fatalf("not a row error: %v", err)
		}
	})
}

// corpus reads the inputs of a "go test fuzz v1" corpus directory whose
// files each hold one []byte, so both targets share FuzzLoadCSV's seeds.
func corpus(t testing.TB, dir string) [][]byte {
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(b), "\n") {
			if q, ok := strings.CutPrefix(line, "[]byte("); ok {
				s, err := strconv.Unquote(strings.TrimSuffix(q, ")"))
				if err != nil {
					t.Fatalf("%s: %v", e.Name(), err)
				}
				out = append(out, []byte(s))
			}
		}
	}
	return out
}
