package pgcluster

// The tests that need no server but their own (unexported parts, clusters
// started with other options). The tests against the test binary's shared
// server are in server_test.go (package pgcluster_test: pgtest imports
// this package).

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// startOwnCluster starts a throwaway cluster other than pgtest.Shared, with
// options o, or returns nil when DATABASE_URL is set (the local binaries
// may be missing then).
func startOwnCluster(t *testing.T, o startOptions) *Server {
	if os.Getenv("DATABASE_URL") != "" {
		t.Log("not applicable: DATABASE_URL is set")
		return nil
	}
	began := time.Now()
	s, err := start(context.Background(), t.Logf, o)
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
	s := startOwnCluster(t, defaultStartOptions())
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
	o := defaultStartOptions()
	o.binGlob = filepath.Join(t.TempDir(), "*", "bin")
	t.Setenv("PATH", t.TempDir())
	t.Setenv("DATABASE_URL", "")
	s, err := start(context.Background(), t.Logf, o)
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
	o := defaultStartOptions()
	o.pickPort = func() (int, error) {
		calls++
		if calls == 1 {
			return takenPort, nil
		}
		return freePort()
	}

	s := startOwnCluster(t, o)
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
	o := defaultStartOptions()
	o.pickPort = func() (int, error) { return taken.Addr().(*net.TCPAddr).Port, nil }

	s, err := start(context.Background(), t.Logf, o)
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
	s := startOwnCluster(t, defaultStartOptions())
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
	startOwnCluster(t, defaultStartOptions()) // sweeps orphans
	if _, err := os.Stat(s.DataDir()); err != nil {
		t.Fatalf("the kept cluster was swept: %v", err)
	}
	if err := s.CreateDatabase(context.Background(), "kept", ""); err != nil {
		t.Errorf("the kept cluster no longer answers: %v", err)
	}
}
