// Package reportstest holds helpers for tests that compare published
// output directories: a redo, an export or a recovered run must publish
// the same bytes as a clean run.
package reportstest

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// DirDigests maps every file under dir (relative, "/"-separated path) to
// its SHA-256 in hex. A directory that does not exist has no files.
func DirDigests(t testing.TB, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		out[filepath.ToSlash(rel)] = hex.EncodeToString(sum[:])
		return nil
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatalf("digests of %s: %v", dir, err)
	}
	return out
}
