package reports

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"payouts/reconcile/ledger"
)

// File kinds listed in the manifest.
const (
	KindParticipantLines = "participant_lines"
	KindProviderCSV      = "provider_csv"
	KindProviderPain001  = "provider_pain001"
	KindFinanceWorkbook  = "finance_workbook"
	KindDiscrepancies    = "discrepancies"
)

// ManifestName is written last: its presence marks a run's output complete.
const ManifestName = "manifest.json"

// RunDir is a run's output directory being (re)published:
// OUT/<business-date>/<run-id>/.
type RunDir struct {
	Path string
	// PublishHook, when set (only tests set it: crash tests kill the
	// process from it), is called for every file of the directory at two
	// points of its publication: "written" (complete and fsynced under its
	// temporary name) and "published" (renamed into place). Files other
	// than the manifest reach these points on the syncer's goroutines, in
	// no fixed order, one call at a time. Nil in production.
	PublishHook func(path, stage string)

	files    []ledger.RunFile
	syncer   *syncer    // started by the first commit; drained by Finish, Close and Remove
	hookMu   sync.Mutex // PublishHook is called by one goroutine at a time
	lock     *os.File   // flock of OUT/<business-date>/.<run-id>.lock while publishing
	lockPath string
}

// LockWait is how long OpenRunDir waits for another publication of the
// same run directory (an export beside the run, two exports) to finish.
var LockWait = 10 * time.Minute

// OpenRunDir prepares OUT/<date>/<runID>/ for publication. Publications of
// one run directory are serialized by an flock on a lock file beside it
// (OUT/<date>/.<runID>.lock); one that waits longer than LockWait fails.
// Publication never follows a symbolic link inside the output tree: a
// date or run directory that is a link is refused, and a link (or any
// other file that is not a regular file or directory) inside the run
// directory is removed, never its target. A manifest left by an earlier
// publication is removed first, so that the directory reads as incomplete
// until the new manifest is in place. Close releases the lock.
func OpenRunDir(out, date, runID string) (_ *RunDir, err error) {
	dateDir := filepath.Join(out, date)
	path := filepath.Join(dateDir, runID)
	if err := os.MkdirAll(out, dirMode); err != nil {
		return nil, fmt.Errorf("create output root: %w", err)
	}
	if err := realDir(dateDir); err != nil {
		return nil, err
	}
	lock, err := lockRunDir(filepath.Join(dateDir, "."+runID+".lock"), path)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			lock.Close()
		}
	}()
	if err := realDir(path); err != nil {
		return nil, err
	}
	for _, d := range []string{dateDir, path} {
		if err := os.Chmod(d, dirMode); err != nil {
			return nil, fmt.Errorf("create run directory: %w", err)
		}
	}
	if err := removeLinks(path); err != nil {
		return nil, fmt.Errorf("clean run directory %s: %w", path, err)
	}
	if err := os.Remove(filepath.Join(path, ManifestName)); err != nil && !os.IsNotExist(err) {
		return nil, fmt.Errorf("unpublish old manifest: %w", err)
	}
	if err := syncDir(path); err != nil {
		return nil, err
	}
	return &RunDir{Path: path, lock: lock, lockPath: filepath.Join(dateDir, "."+runID+".lock")}, nil
}

// Close releases the run directory's publication lock and removes the
// lock file (while still holding it: a publication waiting on the removed
// file notices and opens the path again), so that nothing but run
// directories stays in the output tree.
func (d *RunDir) Close() error {
	d.settle() // a failed publication's files: Remove, or the next publication, takes them away
	if d.lock == nil {
		return nil
	}
	rmErr := os.Remove(d.lockPath)
	err := d.lock.Close()
	d.lock = nil
	if rmErr != nil && !os.IsNotExist(rmErr) {
		return rmErr
	}
	return err
}

// realDir makes sure path is a directory of its own: created when
// missing, refused when it is a symbolic link or not a directory.
func realDir(path string) error {
	fi, err := os.Lstat(path)
	if os.IsNotExist(err) {
		if err := os.Mkdir(path, dirMode); err != nil && !os.IsExist(err) {
			return fmt.Errorf("create run directory: %w", err)
		}
		fi, err = os.Lstat(path)
	}
	if err != nil {
		return fmt.Errorf("create run directory: %w", err)
	}
	if fi.Mode()&os.ModeSymlink != 0 {
		return fmt.Errorf("publish: %s is a symbolic link; publication never follows links inside the output tree: remove it (or point --out/PAYOUTS_OUT at the real directory)", path)
	}
	if !fi.IsDir() {
		return fmt.Errorf("publish: %s is not a directory", path)
	}
	return nil
}

// lockRunDir takes the flock that serializes publications of runDir. The
// holder removes the lock file when done, so a lock taken on a file that
// is no longer at lockPath is dropped and the path opened again.
func lockRunDir(lockPath, runDir string) (*os.File, error) {
	deadline := time.Now().Add(LockWait)
	for {
		f, err := os.OpenFile(lockPath, os.O_CREATE|os.O_RDWR|syscall.O_NOFOLLOW, fileMode)
		if err != nil {
			return nil, fmt.Errorf("publish: lock %s: %w", lockPath, err)
		}
		for {
			err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
			if err == nil || (!errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR)) {
				break
			}
			if time.Now().After(deadline) {
				f.Close()
				return nil, fmt.Errorf("publish: another process is publishing %s (it holds %s); waited %s, try again when it is done", runDir, lockPath, LockWait)
			}
			time.Sleep(50 * time.Millisecond)
		}
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("publish: lock %s: %w", lockPath, err)
		}
		held, herr := f.Stat()
		now, nerr := os.Lstat(lockPath)
		if herr == nil && nerr == nil && os.SameFile(held, now) {
			return f, nil
		}
		f.Close() // the previous holder removed it: lock the new one
	}
}

// removeLinks removes every symbolic link (and any other entry that is not
// a regular file or a directory) inside dir, never following one: the
// link goes, its target is not touched.
func removeLinks(dir string) error {
	return filepath.WalkDir(dir, func(p string, e os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if t := e.Type(); t&os.ModeSymlink != 0 || !(t.IsRegular() || t.IsDir()) {
			return os.Remove(p)
		}
		return nil
	})
}

// verify checks, before the manifest lists them, that every file the
// publication wrote is a regular file inside the run directory (no link
// on its path) with the size and SHA-256 recorded.
func (d *RunDir) verify() error {
	checked := map[string]bool{}
	for _, f := range d.files {
		p := d.Path
		parts := strings.Split(f.Path, "/")
		for i, part := range parts {
			p = filepath.Join(p, part)
			if i < len(parts)-1 && checked[p] {
				continue
			}
			fi, err := os.Lstat(p)
			if err != nil {
				return fmt.Errorf("publish: %s is not there: %w", f.Path, err)
			}
			if i < len(parts)-1 {
				if !fi.IsDir() {
					return fmt.Errorf("publish: %s: %s is not a directory", f.Path, p)
				}
				checked[p] = true
				continue
			}
			if !fi.Mode().IsRegular() {
				return fmt.Errorf("publish: %s is not a regular file", f.Path)
			}
			if fi.Size() != f.Bytes {
				return fmt.Errorf("publish: %s has %d bytes, %d were written", f.Path, fi.Size(), f.Bytes)
			}
			sum, err := fileSHA256(p)
			if err != nil {
				return fmt.Errorf("publish: %s: %w", f.Path, err)
			}
			if sum != f.SHA256 {
				return fmt.Errorf("publish: %s changed after it was written (SHA-256 %s, wrote %s)", f.Path, sum, f.SHA256)
			}
		}
	}
	return nil
}

// fileSHA256 is the hex SHA-256 of the file at path, not following a link.
func fileSHA256(path string) (string, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW, 0)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// create starts a file at rel (a "/"-separated path inside the run dir).
func (d *RunDir) create(rel string) (*atomicFile, error) {
	f, err := createAtomic(filepath.Join(d.Path, filepath.FromSlash(rel)))
	if err != nil {
		return nil, err
	}
	if h := d.PublishHook; h != nil {
		// The syncer's goroutines reach the hook's points at once; the
		// hook is called by one at a time, as a test's hook expects.
		f.hook = func(path, stage string) {
			d.hookMu.Lock()
			defer d.hookMu.Unlock()
			h(path, stage)
		}
	}
	return f, nil
}

// commit records f for the manifest and hands it to the syncer, which
// makes it durable and puts it in place while the next file is written
// (Finish waits for it).
func (d *RunDir) commit(f *atomicFile, rel, kind string, rows int64, totals map[string]string) error {
	n, sum, err := f.flush()
	if err != nil {
		return err
	}
	if d.syncer == nil {
		d.syncer = newSyncer()
	}
	if err := d.syncer.add(f); err != nil {
		return err
	}
	d.files = append(d.files, ledger.RunFile{Path: rel, Kind: kind, Bytes: n, SHA256: sum, Rows: rows, Totals: totals})
	return nil
}

// settle waits until every committed file is durable under its real name.
func (d *RunDir) settle() error {
	if d.syncer == nil {
		return nil
	}
	s := d.syncer
	d.syncer = nil
	return s.wait()
}

// Files returns the files published so far, sorted by path.
func (d *RunDir) Files() []ledger.RunFile {
	out := append([]ledger.RunFile(nil), d.files...)
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// removeStrays deletes files in the run directory that this publication
// did not write (left by an interrupted earlier attempt), so the directory
// holds exactly what the manifest lists.
func (d *RunDir) removeStrays() error {
	keep := map[string]bool{ManifestName: true}
	for _, f := range d.files {
		keep[f.Path] = true
	}
	return filepath.WalkDir(d.Path, func(p string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		rel, err := filepath.Rel(d.Path, p)
		if err != nil {
			return err
		}
		if !keep[filepath.ToSlash(rel)] || strings.HasSuffix(p, ".tmp") {
			return os.Remove(p)
		}
		return nil
	})
}

// Remove deletes the run directory and everything in it: a publication
// that failed leaves nothing that could be mistaken for output.
func (d *RunDir) Remove() error {
	d.settle() // its error is the publication's, already returned
	if err := os.RemoveAll(d.Path); err != nil {
		return err
	}
	return syncDir(filepath.Dir(d.Path))
}
