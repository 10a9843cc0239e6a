package jobs

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"payouts/internal/runtest"
	"payouts/internal/storetest"
	"payouts/reconcile"
	"payouts/sql/store"
)

// testConfig is the default configuration with files under a temp dir.
func testConfig(t *testing.T) Config {
	t.Helper()
	cfg, err := ConfigFromEnv(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	cfg.OutDir = t.TempDir()
	cfg.BatchSize = 7 // small batches exercise the cursor and COPY loops
	return cfg
}

// loadedStore is a fresh database with dir loaded.
func loadedStore(t *testing.T, dir string) *store.Store {
	t.Helper()
	return runtest.LoadedStore(t, dir)
}

// newLoadedURL is the URL of a fresh database with dir loaded.
func newLoadedURL(t *testing.T, dir string) string {
	t.Helper()
	url := storetest.NewURL(t)
	loadInto(t, storeAt(t, url), dir)
	return url
}

// storeAt opens a Store on url for the test.
func storeAt(t *testing.T, url string) *store.Store {
	t.Helper()
	return storetest.Open(t, url)
}

func loadInto(t *testing.T, st *store.Store, dir string) { t.Helper(); runtest.LoadInto(t, st, dir) }

func mustDate(t *testing.T, s string) reconcile.Date { t.Helper(); return runtest.MustDate(t, s) }

func runDate(t *testing.T, st *store.Store, cfg Config, date string) Result {
	t.Helper()
	res, err := RunNightly(context.Background(), st, cfg, mustDate(t, date))
	if err != nil {
		t.Fatalf("run %s: %v", date, err)
	}
	return res
}

// readCSV reads a whole CSV file as maps keyed by header.
func readCSV(t *testing.T, path string) []map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var out []map[string]string
	for _, r := range recs[1:] {
		m := map[string]string{}
		for i, h := range recs[0] {
			m[h] = r[i]
		}
		out = append(out, m)
	}
	return out
}

// readCSVColumns reads selected columns of a CSV file (or of every file
// matching a glob) as comma-joined rows, prefixed by prefix.
func readCSVColumns(t *testing.T, glob, prefix string, cols ...string) []string {
	t.Helper()
	paths, err := filepath.Glob(glob)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, p := range paths {
		for _, row := range readCSV(t, p) {
			vals := []string{}
			if prefix != "" {
				vals = append(vals, prefix)
			}
			for _, c := range cols {
				vals = append(vals, row[c])
			}
			out = append(out, strings.Join(vals, ","))
		}
	}
	return out
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}

// diffLists reports the rows only in want and only in got.
func diffLists(t *testing.T, what string, want, got []string) {
	t.Helper()
	w, g := map[string]int{}, map[string]int{}
	for _, s := range want {
		w[s]++
	}
	for _, s := range got {
		g[s]++
	}
	for _, s := range sorted(want) {
		if g[s] < w[s] {
			t.Errorf("%s: missing %s", what, s)
			g[s]++
		}
	}
	for _, s := range sorted(got) {
		if w[s] < g[s] {
			t.Errorf("%s: unexpected %s", what, s)
			w[s]++
		}
	}
}
