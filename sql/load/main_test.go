package load

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"payouts/internal/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

const basicDir = "../../testdata/examples/basic"

// newDB is a fresh migrated database for t.
func newDB(t *testing.T) *sqlx.DB { return storetest.New(t).DB }

// basicCopy copies the basic example into a temp dir, so a test can change
// one file.
func basicCopy(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	entries, err := os.ReadDir(basicDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(basicDir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, dir, e.Name(), string(b))
	}
	return dir
}

func writeFile(t *testing.T, dir, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// editFile replaces old by new in dir/name, which must contain old once.
func editFile(t *testing.T, dir, name, old, new string) {
	t.Helper()
	s := readFile(t, dir, name)
	if strings.Count(s, old) != 1 {
		t.Fatalf("%s: %q occurs %d times", name, old, strings.Count(s, old))
	}
	writeFile(t, dir, name, strings.Replace(s, old, new, 1))
}

func appendLine(t *testing.T, dir, name, line string) {
	t.Helper()
	writeFile(t, dir, name, readFile(t, dir, name)+line+"\n")
}

func mustLoad(t *testing.T, db *sqlx.DB, dir string) Result {
	t.Helper()
	res, err := Dir(context.Background(), db, dir, t.Logf)
	if err != nil {
		t.Fatalf("load %s: %v", dir, err)
	}
	return res
}

// loadErrors loads dir and wants *Errors.
func loadErrors(t *testing.T, db *sqlx.DB, dir string) *Errors {
	t.Helper()
	_, err := Dir(context.Background(), db, dir, nil)
	var e *Errors
	if !errors.As(err, &e) {
		t.Fatalf("load: want *Errors, got %v", err)
	}
	return e
}

// snapshot is every source table's rows as text, in key order.
func snapshot(t *testing.T, db *sqlx.DB) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, tb := range tables {
		var rows []string
		q := "SELECT t::text FROM " + tb.name + " t ORDER BY " + strings.Join(tb.pk, ", ")
		if err := db.Select(&rows, q); err != nil {
			t.Fatal(err)
		}
		out[tb.name] = rows
	}
	return out
}

func counts(t *testing.T, db *sqlx.DB) map[string]int {
	t.Helper()
	out := map[string]int{}
	for name, rows := range snapshot(t, db) {
		out[name] = len(rows)
	}
	return out
}

// dataRows counts the records of a CSV file of dir (0 when absent).
func dataRows(t *testing.T, dir, name string) int {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if os.IsNotExist(err) {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	return strings.Count(strings.TrimRight(string(b), "\n"), "\n") // basic has no quoted newlines
}
