package pgcluster

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"

	_ "github.com/lib/pq" // the "postgres" database/sql driver
)

// Server is a PostgreSQL server: either the one named by DATABASE_URL, or a
// throwaway cluster this package started.
type Server struct {
	base    *url.URL // connection URL; its path is replaced by the database name
	adminDB string   // maintenance database

	// Throwaway clusters only; c is nil for DATABASE_URL.
	c *cluster
}

// Start returns the server named by $DATABASE_URL when it is set (Stop then
// does nothing), otherwise starts a throwaway cluster: initdb into a fresh
// temp dir, pg_ctl start on a free TCP port on 127.0.0.1 (and a unix socket
// in the temp dir), trust auth, fsync=off, full_page_writes=off (but
// synchronous_commit on: see serverSettings). logf receives one-line
// progress messages (may be nil).
//
// A throwaway cluster keeps running if this process dies: call Stop
// (pgtest.Main does, with a defer). Start stops and removes clusters
// orphaned by earlier processes that died without calling Stop.
func Start(ctx context.Context, logf func(format string, args ...any)) (*Server, error) {
	return start(ctx, logf, defaultStartOptions())
}

// startOptions are what Start looks up on the machine: where the server
// binaries are and which port a new cluster listens on. Start always uses
// the real ones; this package's tests start clusters with others.
type startOptions struct {
	binGlob  string              // directories of the server binaries, one per major version
	pickPort func() (int, error) // the port of a new cluster (tried again when taken)
}

func defaultStartOptions() startOptions {
	return startOptions{binGlob: debianBinGlob, pickPort: freePort}
}

func start(ctx context.Context, logf func(format string, args ...any), o startOptions) (*Server, error) {
	if logf == nil {
		logf = func(string, ...any) {}
	}
	if raw := os.Getenv("DATABASE_URL"); raw != "" {
		return startExternal(ctx, raw, logf)
	}
	return startThrowaway(ctx, logf, o)
}

// startExternal returns the server named by DATABASE_URL after checking
// that it accepts connections.
func startExternal(ctx context.Context, raw string, logf func(string, ...any)) (*Server, error) {
	u, err := parseDatabaseURL(raw)
	if err != nil {
		return nil, err
	}
	s := &Server{base: u, adminDB: databaseOf(u)}
	if s.adminDB == "" {
		s.adminDB = "postgres"
	}
	if err := ping(ctx, s.AdminURL()); err != nil {
		return nil, fmt.Errorf("connect to DATABASE_URL %s: %w (fix the URL, or unset DATABASE_URL to use a throwaway cluster)",
			u.Redacted(), err)
	}
	logf("using the PostgreSQL server at DATABASE_URL %s", u.Redacted())
	return s, nil
}

func ping(ctx context.Context, dsn string) error {
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	return db.PingContext(ctx)
}

// URL returns a connection URL (postgres://...?sslmode=disable) for
// database dbname on the server. When DATABASE_URL was given, it replaces
// the database name in that URL (keeping its query parameters as they are).
func (s *Server) URL(dbname string) string {
	return withDatabase(s.base, dbname)
}

// AdminURL is the URL of the maintenance database (the DATABASE_URL's own
// database, or "postgres").
func (s *Server) AdminURL() string {
	return s.URL(s.adminDB)
}

// Throwaway reports whether this package started the cluster.
func (s *Server) Throwaway() bool {
	return s.c != nil
}

// DataDir is the cluster's data directory ("" when not throwaway).
func (s *Server) DataDir() string {
	if s.c == nil {
		return ""
	}
	return s.c.dataDir
}

// Stop stops a throwaway cluster (pg_ctl stop -m fast) and removes its temp
// dir. It does nothing for DATABASE_URL. Idempotent.
func (s *Server) Stop() error {
	if s.c == nil {
		return nil
	}
	return s.c.stop()
}

// Kill stops a throwaway cluster immediately (pg_ctl stop -m immediate, like
// a crash) WITHOUT removing the data dir; Restart starts it again on the same
// port. Killing a killed cluster does nothing.
func (s *Server) Kill() error {
	if s.c == nil {
		return fmt.Errorf("pgcluster: Kill: the server at DATABASE_URL %s is not a throwaway cluster", s.base.Redacted())
	}
	return s.c.kill()
}

// Restart starts a killed throwaway cluster again on the same port, waiting
// until it accepts connections (after crash recovery). A running cluster is
// first stopped with pg_ctl stop -m fast.
func (s *Server) Restart(ctx context.Context) error {
	if s.c == nil {
		return fmt.Errorf("pgcluster: Restart: the server at DATABASE_URL %s is not a throwaway cluster", s.base.Redacted())
	}
	return s.c.restart(ctx)
}

// Keep disowns a throwaway cluster so that it outlives this process: its
// owner file is removed, so later Starts do not sweep it as an orphan (a
// directory without one is left alone). It returns the command that stops
// and removes the cluster by hand. It does nothing for DATABASE_URL.
func (s *Server) Keep() (stopCommand string, err error) {
	if s.c == nil {
		return "", nil
	}
	if err := os.Remove(filepath.Join(s.c.tempDir, ownerFile)); err != nil && !os.IsNotExist(err) {
		return "", fmt.Errorf("pgcluster: keep the cluster in %s: %w", s.c.tempDir, err)
	}
	return s.c.manualStopCommand(), nil
}
