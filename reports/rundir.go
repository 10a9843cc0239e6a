package reports

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
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

// PublishedFile describes one file of a run's directory.
type PublishedFile struct {
	Path   string            `json:"path"` // relative to the run directory, "/"-separated
	Kind   string            `json:"kind"`
	Bytes  int64             `json:"bytes"`
	SHA256 string            `json:"sha256"`
	Rows   int64             `json:"rows"`
	Totals map[string]string `json:"totals,omitempty"` // per currency, decimal strings
}

// RunDir is a run's output directory being (re)published:
// OUT/<business-date>/<run-id>/.
type RunDir struct {
	Path  string
	files []PublishedFile
}

// OpenRunDir prepares OUT/<date>/<runID>/ for publication. A manifest left
// by an earlier publication is removed first, so that the directory reads
// as incomplete until the new manifest is in place.
func OpenRunDir(out, date, runID string) (*RunDir, error) {
	path := filepath.Join(out, date, runID)
	if err := os.MkdirAll(path, dirMode); err != nil {
		return nil, fmt.Errorf("create run directory: %w", err)
	}
	for _, d := range []string{filepath.Join(out, date), path} {
		if err := os.Chmod(d, dirMode); err != nil {
			return nil, fmt.Errorf("create run directory: %w", err)
		}
	}
	if err := os.Remove(filepath.Join(path, ManifestName)); err != nil && !os.IsNotExist(err) {
		return nil, fmt.Errorf("unpublish old manifest: %w", err)
	}
	if err := syncDir(path); err != nil {
		return nil, err
	}
	return &RunDir{Path: path}, nil
}

// create starts a file at rel (a "/"-separated path inside the run dir).
func (d *RunDir) create(rel string) (*atomicFile, error) {
	return createAtomic(filepath.Join(d.Path, filepath.FromSlash(rel)))
}

// commit publishes f and records it for the manifest.
func (d *RunDir) commit(f *atomicFile, rel, kind string, rows int64, totals map[string]string) error {
	n, sum, err := f.Commit()
	if err != nil {
		return err
	}
	d.files = append(d.files, PublishedFile{Path: rel, Kind: kind, Bytes: n, SHA256: sum, Rows: rows, Totals: totals})
	return nil
}

// Files returns the files published so far, sorted by path.
func (d *RunDir) Files() []PublishedFile {
	out := append([]PublishedFile(nil), d.files...)
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
	if err := os.RemoveAll(d.Path); err != nil {
		return err
	}
	return syncDir(filepath.Dir(d.Path))
}
