package reports

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
)

// File modes of published output: payout data is personal and financial.
const (
	fileMode = 0o600
	dirMode  = 0o700
)

// atomicFile is a file being written under a temporary name in its final
// directory; Commit makes it appear under its real name in one rename.
type atomicFile struct {
	path  string
	tmp   *os.File
	buf   *bufio.Writer
	hash  hash.Hash
	bytes int64
	hook  func(path, stage string) // RunDir.PublishHook; nil in production
}

func createAtomic(path string) (*atomicFile, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, dirMode); err != nil {
		return nil, fmt.Errorf("create %s: %w", dir, err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	if err := tmp.Chmod(fileMode); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	f := &atomicFile{path: path, tmp: tmp, hash: sha256.New()}
	f.buf = bufio.NewWriterSize(io.MultiWriter(tmp, f.hash), 64<<10)
	return f, nil
}

func (f *atomicFile) Write(p []byte) (int, error) {
	n, err := f.buf.Write(p)
	f.bytes += int64(n)
	return n, err
}

// Commit flushes, fsyncs, renames into place and fsyncs the directory, so
// that after a crash the file is either absent or whole.
func (f *atomicFile) Commit() (bytes int64, sum string, err error) {
	if bytes, sum, err = f.flush(); err != nil {
		return 0, "", err
	}
	if err = f.persist(); err != nil {
		return 0, "", err
	}
	if err = syncDir(filepath.Dir(f.path)); err != nil {
		return 0, "", err
	}
	return bytes, sum, nil
}

// flush writes out what is buffered: the file's size and SHA-256 are then
// final. On failure the temporary file is removed.
func (f *atomicFile) flush() (bytes int64, sum string, err error) {
	if err = f.buf.Flush(); err != nil {
		f.Abort()
		return 0, "", fmt.Errorf("write %s: %w", f.path, err)
	}
	return f.bytes, hex.EncodeToString(f.hash.Sum(nil)), nil
}

// persist fsyncs the flushed file under its temporary name and renames it
// into place; the directory is left to the caller to fsync. On failure the
// temporary file is removed.
func (f *atomicFile) persist() (err error) {
	defer func() {
		if err != nil {
			f.Abort()
		}
	}()
	if err = f.tmp.Sync(); err != nil {
		return fmt.Errorf("fsync %s: %w", f.path, err)
	}
	if err = f.tmp.Close(); err != nil {
		return fmt.Errorf("close %s: %w", f.path, err)
	}
	if f.hook != nil {
		f.hook(f.path, "written")
	}
	if err = os.Rename(f.tmp.Name(), f.path); err != nil {
		return fmt.Errorf("publish %s: %w", f.path, err)
	}
	if f.hook != nil {
		f.hook(f.path, "published")
	}
	return nil
}

// Abort discards the temporary file.
func (f *atomicFile) Abort() {
	f.tmp.Close()
	os.Remove(f.tmp.Name())
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("fsync %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("fsync %s: %w", dir, err)
	}
	return nil
}
