package pgtest

import (
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
)

func TestMain(m *testing.M) {
	Main(m, nil)
}

func TestNewDatabaseIsEmptyAndWorks(t *testing.T) {
	url := NewDatabase(t, "")
	db := Connect(t, url)

	var one int
	if err := db.Get(&one, "SELECT 1"); err != nil || one != 1 {
		t.Fatalf("SELECT 1 = %d, %v", one, err)
	}
	name := CurrentDatabase(t, db)
	if !strings.HasSuffix(url, "/"+name+"?sslmode=disable") && !strings.Contains(url, "/"+name) {
		t.Errorf("URL %s does not name database %s", url, name)
	}
	if !strings.HasPrefix(name, "testnewdatabaseisemptyandworks_") {
		t.Errorf("database name %q is not derived from the test name", name)
	}
	var tables int
	if err := db.Get(&tables, "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"); err != nil {
		t.Fatal(err)
	}
	if tables != 0 {
		t.Errorf("new database has %d user tables, want 0", tables)
	}
	db.MustExec("CREATE TABLE payout (id bigint PRIMARY KEY, amount numeric NOT NULL)")
	db.MustExec("INSERT INTO payout VALUES (1, 12.50)")
	var amount string
	if err := db.Get(&amount, "SELECT amount FROM payout WHERE id = 1"); err != nil || amount != "12.50" {
		t.Errorf("amount = %q, %v; want 12.50", amount, err)
	}
}

func TestNewDatabaseDropsInCleanup(t *testing.T) {
	var name string
	t.Run("inner", func(t *testing.T) {
		name = CurrentDatabase(t, Connect(t, NewDatabase(t, "")))
	})
	db := Connect(t, Shared().AdminURL())
	var n int
	if err := db.Get(&n, "SELECT count(*) FROM pg_database WHERE datname = $1", name); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("database %s still exists after its test's cleanup", name)
	}
}

func TestParallelTestsGetDifferentDatabases(t *testing.T) {
	var mu sync.Mutex
	names := map[string]string{}
	t.Run("group", func(t *testing.T) {
		for _, sub := range []string{"a", "b", "c", "d"} {
			t.Run(sub, func(t *testing.T) {
				t.Parallel()
				db := Connect(t, NewDatabase(t, ""))
				// The same table in every database: no conflict.
				db.MustExec("CREATE TABLE t (x int)")
				db.MustExec("INSERT INTO t VALUES (1)")
				mu.Lock()
				names[sub] = CurrentDatabase(t, db)
				mu.Unlock()
			})
		}
	})
	seen := map[string]string{}
	for sub, name := range names {
		if other, dup := seen[name]; dup {
			t.Errorf("subtests %s and %s both got database %s", sub, other, name)
		}
		seen[name] = sub
	}
	if len(names) != 4 {
		t.Errorf("got %d databases, want 4: %v", len(names), names)
	}
}

func TestDatabaseName(t *testing.T) {
	valid := regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	long := strings.Repeat("TestVeryLongName/", 10)
	cases := []struct {
		test string
		n    uint64
		want string
	}{
		{"TestFoo", 1, "testfoo_tok1_1"},
		{"TestFoo/sub_case#01", 2, "testfoo_sub_case_01_tok1_2"},
		{"TestFoo/with spaces & ÜNICODE/ü", 3, "testfoo_with_spaces_nicode_tok1_3"},
		{"TestX/__a--b__", 4, "testx_a_b_tok1_4"},
		{"123abc", 5, "t_123abc_tok1_5"},
		{"", 6, "db_tok1_6"},
		{"///", 7, "db_tok1_7"},
	}
	for _, c := range cases {
		if got := databaseName(c.test, "tok1", c.n); got != c.want {
			t.Errorf("databaseName(%q, tok1, %d) = %q, want %q", c.test, c.n, got, c.want)
		}
	}
	seen := map[string]bool{}
	for _, test := range []string{long, long + "x", "Test" + strings.Repeat("é", 80), "TestA"} {
		for _, n := range []uint64{1, 2, 99999, 1<<64 - 1} {
			got := databaseName(test, "abcd", n)
			if len(got) > 63 || !valid.MatchString(got) || strings.Contains(got, "__") {
				t.Errorf("databaseName(%q, abcd, %d) = %q (%d bytes): not a lower-case [a-z0-9_] name of at most 63 bytes", test, n, got, len(got))
			}
			if !strings.HasSuffix(got, "_abcd_"+strconv.FormatUint(n, 10)) {
				t.Errorf("databaseName(%q, abcd, %d) = %q lost its suffix", test, n, got)
			}
			if test != long+"x" && seen[got] { // long and long+"x" share their first 63 bytes
				t.Errorf("databaseName(%q, abcd, %d) = %q repeats a name", test, n, got)
			}
			seen[got] = true
		}
	}
	if tok := randomToken(4); !regexp.MustCompile(`^[a-z0-9]{4}$`).MatchString(tok) {
		t.Errorf("randomToken(4) = %q", tok)
	}
}
