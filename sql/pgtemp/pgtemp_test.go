package pgtemp

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
)

func TestMain(m *testing.M) {
	Main(m, nil)
}

func connect(t *testing.T, url string) *sqlx.DB {
	t.Helper()
	db, err := sqlx.Open("postgres", url)
	if err != nil {
		t.Fatalf("open %s: %v", url, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func currentDatabase(t *testing.T, db *sqlx.DB) string {
	t.Helper()
	var name string
	if err := db.Get(&name, "SELECT current_database()"); err != nil {
		t.Fatalf("SELECT current_database(): %v", err)
	}
	return name
}

func TestNewDatabaseIsEmptyAndWorks(t *testing.T) {
	url := NewDatabase(t, "")
	db := connect(t, url)

	var one int
	if err := db.Get(&one, "SELECT 1"); err != nil || one != 1 {
		t.Fatalf("SELECT 1 = %d, %v", one, err)
	}
	name := currentDatabase(t, db)
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
		name = currentDatabase(t, connect(t, NewDatabase(t, "")))
	})
	db := connect(t, Shared().AdminURL())
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
				db := connect(t, NewDatabase(t, ""))
				// The same table in every database: no conflict.
				db.MustExec("CREATE TABLE t (x int)")
				db.MustExec("INSERT INTO t VALUES (1)")
				mu.Lock()
				names[sub] = currentDatabase(t, db)
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

func TestURLAndCreateDropDatabase(t *testing.T) {
	s := Shared()
	ctx := context.Background()

	if url := s.URL("some_db"); !strings.HasPrefix(url, "postgres") || !strings.Contains(url, "/some_db") {
		t.Errorf("URL(some_db) = %s", url)
	}
	if s.Throwaway() {
		want := regexp.MustCompile(`^postgres://postgres@127\.0\.0\.1:\d+/some_db\?sslmode=disable$`)
		if url := s.URL("some_db"); !want.MatchString(url) {
			t.Errorf("URL(some_db) = %s, want match of %s", url, want)
		}
		if got := s.AdminURL(); got != s.URL("postgres") {
			t.Errorf("AdminURL() = %s, want %s", got, s.URL("postgres"))
		}
		if fi, err := os.Stat(filepath.Join(s.DataDir(), "PG_VERSION")); err != nil || !fi.Mode().IsRegular() {
			t.Errorf("DataDir() = %q has no PG_VERSION: %v", s.DataDir(), err)
		}
	} else if s.DataDir() != "" {
		t.Errorf("DataDir() = %q for DATABASE_URL, want empty", s.DataDir())
	}

	token := randomToken(6)
	tmpl, clone := "pgtemp_tmpl_"+token, "pgtemp_clone_"+token
	if err := s.CreateDatabase(ctx, tmpl, ""); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = s.DropDatabase(context.Background(), clone)
		_ = s.DropDatabase(context.Background(), tmpl)
	})
	func() {
		db, err := sqlx.Open("postgres", s.URL(tmpl))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if got := currentDatabase(t, db); got != tmpl {
			t.Errorf("URL(%s) connects to %s", tmpl, got)
		}
		db.MustExec("CREATE TABLE seeded (x int); INSERT INTO seeded VALUES (42)")
	}()

	// The template's session may still be ending: CreateDatabase waits for it.
	if err := s.CreateDatabase(ctx, clone, tmpl); err != nil {
		t.Fatal(err)
	}
	db := connect(t, s.URL(clone))
	var x int
	if err := db.Get(&x, "SELECT x FROM seeded"); err != nil || x != 42 {
		t.Errorf("clone of %s: SELECT x FROM seeded = %d, %v; want 42", tmpl, x, err)
	}
	if got := currentDatabase(t, connect(t, NewDatabase(t, tmpl))); got == tmpl || got == clone {
		t.Errorf("NewDatabase from template returned database %s", got)
	}

	// A session in the dropped database does not stop DROP (WITH (FORCE)).
	if err := s.DropDatabase(ctx, clone); err != nil {
		t.Fatal(err)
	}
	if err := s.DropDatabase(ctx, tmpl); err != nil {
		t.Fatal(err)
	}
	admin := connect(t, s.AdminURL())
	var n int
	if err := admin.Get(&n, "SELECT count(*) FROM pg_database WHERE datname IN ($1, $2)", tmpl, clone); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("%d of %s, %s still exist after DropDatabase", n, tmpl, clone)
	}
	if err := s.DropDatabase(ctx, tmpl); err != nil {
		t.Errorf("dropping a missing database: %v", err)
	}
	if err := s.CreateDatabase(ctx, "pgtemp_bad_"+token, "no_such_template_"+token); err == nil {
		_ = s.DropDatabase(ctx, "pgtemp_bad_"+token)
		t.Error("CreateDatabase from a missing template succeeded")
	} else if !strings.Contains(err.Error(), "no_such_template_"+token) {
		t.Errorf("error does not name the template: %v", err)
	}
}

func TestKillRestart(t *testing.T) {
	s := Shared()
	if !s.Throwaway() {
		t.Log("not applicable: the server at DATABASE_URL is not a throwaway cluster")
		return
	}
	ctx := context.Background()
	db := connect(t, NewDatabase(t, ""))
	db.MustExec("CREATE TABLE payout (id int PRIMARY KEY)")
	db.MustExec("INSERT INTO payout VALUES (1)")

	if err := s.Kill(); err != nil {
		t.Fatal(err)
	}
	if err := s.Kill(); err != nil {
		t.Errorf("second Kill: %v", err)
	}
	if _, err := os.Stat(filepath.Join(s.DataDir(), "PG_VERSION")); err != nil {
		t.Errorf("Kill removed the data dir: %v", err)
	}
	var n int
	if err := db.Get(&n, "SELECT count(*) FROM payout"); err == nil {
		t.Error("query succeeded on a killed server")
	}

	began := time.Now()
	if err := s.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	t.Logf("Restart after Kill took %s", time.Since(began))
	// database/sql replaces the broken connection.
	db.SetMaxIdleConns(0)
	if err := db.Get(&n, "SELECT count(*) FROM payout"); err != nil {
		t.Fatalf("after Restart: %v", err)
	}
	if n != 1 {
		t.Errorf("after Kill and Restart: %d rows, want 1", n)
	}
	// Restart of a running cluster stops and starts it.
	if err := s.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	if err := db.Get(&n, "SELECT count(*) FROM payout"); err != nil {
		t.Fatalf("after second Restart: %v", err)
	}
}

// startOwnCluster starts a throwaway cluster other than Shared, or returns
// nil when DATABASE_URL is set (the local binaries may be missing then).
func startOwnCluster(t *testing.T) *Server {
	if os.Getenv("DATABASE_URL") != "" {
		t.Log("not applicable: DATABASE_URL is set")
		return nil
	}
	began := time.Now()
	s, err := Start(context.Background(), t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("Start took %s", time.Since(began))
	t.Cleanup(func() { _ = s.Stop() })
	if !s.Throwaway() {
		t.Fatal("Start without DATABASE_URL did not start a throwaway cluster")
	}
	return s
}

func TestStopRemovesTempDirAndIsIdempotent(t *testing.T) {
	s := startOwnCluster(t)
	if s == nil {
		return
	}
	tempDir := filepath.Dir(s.DataDir())
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(tempDir); !os.IsNotExist(err) {
		t.Errorf("temp dir %s still exists after Stop: %v", tempDir, err)
	}
	if err := s.Stop(); err != nil {
		t.Errorf("second Stop: %v", err)
	}
	if err := s.Kill(); err == nil {
		t.Error("Kill after Stop succeeded")
	}
	if err := s.CreateDatabase(context.Background(), "x", ""); err == nil {
		t.Error("CreateDatabase after Stop succeeded")
	}
}

func TestStartStopsOrphanedClusters(t *testing.T) {
	s := startOwnCluster(t)
	if s == nil {
		return
	}
	tempDir := filepath.Dir(s.DataDir())
	pidBytes, err := os.ReadFile(filepath.Join(s.DataDir(), "postmaster.pid"))
	if err != nil {
		t.Fatal(err)
	}
	postmaster, _ := strconv.Atoi(strings.SplitN(string(pidBytes), "\n", 2)[0])

	// Make the cluster look orphaned: its owner is a process that has exited.
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(tempDir, ownerFile), []byte(strconv.Itoa(dead.Process.Pid)), 0o600); err != nil {
		t.Fatal(err)
	}
	s2 := startOwnCluster(t)
	if _, err := os.Stat(tempDir); !os.IsNotExist(err) {
		t.Errorf("orphan's temp dir %s still exists after Start: %v", tempDir, err)
	}
	// pg_ctl stop -w returns when postmaster.pid is gone, a moment before
	// the postmaster process ends.
	for deadline := time.Now().Add(10 * time.Second); processAlive(postmaster); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Errorf("orphan's postmaster %d still runs after Start", postmaster)
			break
		}
	}
	// The shared cluster, whose owner lives, was left alone.
	if err := s2.CreateDatabase(context.Background(), "alive", ""); err != nil {
		t.Error(err)
	}
	if shared := Shared(); shared.Throwaway() {
		if _, err := os.Stat(shared.DataDir()); err != nil {
			t.Errorf("Start removed the live shared cluster: %v", err)
		}
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

func TestURLWithDatabaseURL(t *testing.T) {
	cases := []struct {
		databaseURL, admin, url string
	}{
		{"postgres://u:p@db.example:5433/app?sslmode=require", "postgres://u:p@db.example:5433/app?sslmode=require", "postgres://u:p@db.example:5433/other?sslmode=require"},
		{"postgresql://u@localhost", "postgresql://u@localhost/postgres", "postgresql://u@localhost/other"},
		{"postgres://u@localhost/", "postgres://u@localhost/postgres", "postgres://u@localhost/other"},
	}
	for _, c := range cases {
		u, err := parseDatabaseURL(c.databaseURL)
		if err != nil {
			t.Fatal(err)
		}
		s := &Server{base: u, adminDB: databaseOf(u)}
		if s.adminDB == "" {
			s.adminDB = "postgres"
		}
		if got := s.AdminURL(); got != c.admin {
			t.Errorf("%s: AdminURL() = %s, want %s", c.databaseURL, got, c.admin)
		}
		if got := s.URL("other"); got != c.url {
			t.Errorf("%s: URL(other) = %s, want %s", c.databaseURL, got, c.url)
		}
		if s.Throwaway() || s.DataDir() != "" || s.Stop() != nil || s.Kill() == nil || s.Restart(context.Background()) == nil {
			t.Errorf("%s: a DATABASE_URL server must not be throwaway, Stop must do nothing, Kill and Restart must fail", c.databaseURL)
		}
	}
	for _, bad := range []string{"mysql://x/y", "host=localhost dbname=x", "postgres://u:secret@h/%zz"} {
		if _, err := parseDatabaseURL(bad); err == nil {
			t.Errorf("parseDatabaseURL(%q) succeeded", bad)
		} else if strings.Contains(err.Error(), "secret") {
			t.Errorf("parseDatabaseURL(%q) error shows the password: %v", bad, err)
		}
	}
}

func TestShellQuote(t *testing.T) {
	for in, want := range map[string]string{
		"/tmp/pgtemp-123": "/tmp/pgtemp-123",
		"/tmp/a b":        "'/tmp/a b'",
		"it's":            `'it'\''s'`,
		"":                "''",
	} {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestMissingBinariesErrorSaysHowToInstall(t *testing.T) {
	saved := debianBinGlob
	t.Cleanup(func() { debianBinGlob = saved })
	debianBinGlob = filepath.Join(t.TempDir(), "*", "bin")
	t.Setenv("PATH", t.TempDir())
	t.Setenv("DATABASE_URL", "")
	s, err := Start(context.Background(), t.Logf)
	if err == nil {
		s.Stop()
		t.Fatal("Start succeeded without PostgreSQL binaries")
	}
	if msg := err.Error(); !strings.Contains(msg, "apt-get update && apt-get install -y postgresql") || !strings.Contains(msg, "as root") {
		t.Errorf("error does not give the install command: %v", err)
	}
}

func TestSortByVersionDesc(t *testing.T) {
	dirs := []string{"/u/9.6/bin", "/u/15/bin", "/u/devel/bin", "/u/16/bin", "/u/10/bin"}
	sortByVersionDesc(dirs)
	if got := strings.Join(dirs, " "); got != "/u/16/bin /u/15/bin /u/10/bin /u/9.6/bin /u/devel/bin" {
		t.Errorf("sorted: %s", got)
	}
}

func TestStartRetriesWhenThePortIsTaken(t *testing.T) {
	if os.Getenv("DATABASE_URL") != "" {
		t.Log("not applicable: DATABASE_URL is set")
		return
	}
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	takenPort := taken.Addr().(*net.TCPAddr).Port
	calls := 0
	pickPort = func() (int, error) {
		calls++
		if calls == 1 {
			return takenPort, nil
		}
		return freePort()
	}
	t.Cleanup(func() { pickPort = freePort })

	s := startOwnCluster(t)
	if calls != 2 {
		t.Errorf("picked a port %d times, want 2", calls)
	}
	if strings.Contains(s.AdminURL(), ":"+strconv.Itoa(takenPort)+"/") {
		t.Errorf("AdminURL %s uses the taken port", s.AdminURL())
	}
	if err := s.CreateDatabase(context.Background(), "after_retry", ""); err != nil {
		t.Error(err)
	}
}

func TestStartFailureShowsServerLogAndCleansUp(t *testing.T) {
	if os.Getenv("DATABASE_URL") != "" {
		t.Log("not applicable: DATABASE_URL is set")
		return
	}
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	pickPort = func() (int, error) { return taken.Addr().(*net.TCPAddr).Port, nil }
	t.Cleanup(func() { pickPort = freePort })

	s, err := Start(context.Background(), t.Logf)
	if err == nil {
		s.Stop()
		t.Fatal("Start succeeded with every port taken")
	}
	t.Logf("the error:\n%v", err)
	msg := err.Error()
	for _, want := range []string{"pg_ctl start on 127.0.0.1:", "server.log ends with:", "Address already in use", "postmaster.pid"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q", want)
		}
	}
	dir := regexp.MustCompile(`data dir (\S+)/data`).FindStringSubmatch(msg)
	if dir == nil {
		t.Fatal("error does not name the data dir")
	}
	if _, err := os.Stat(dir[1]); !os.IsNotExist(err) {
		t.Errorf("failed Start left %s behind: %v", dir[1], err)
	}
}

// TestKeptClusterIsNotSwept: `payouts demo --keep` leaves its cluster
// running after it exits; the next Start (a test binary, another demo) must
// not take it for an orphan and stop it under the user.
func TestKeptClusterIsNotSwept(t *testing.T) {
	s := startOwnCluster(t)
	if s == nil {
		return
	}
	stop, err := s.Keep()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stop, s.DataDir()) {
		t.Errorf("stop command %q does not name the data dir %s", stop, s.DataDir())
	}
	startOwnCluster(t) // sweeps orphans
	if _, err := os.Stat(s.DataDir()); err != nil {
		t.Fatalf("the kept cluster was swept: %v", err)
	}
	if err := s.CreateDatabase(context.Background(), "kept", ""); err != nil {
		t.Errorf("the kept cluster no longer answers: %v", err)
	}
}
