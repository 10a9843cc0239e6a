package reports

import (
	"fmt"
	"path/filepath"

	"payouts/reports/xlsx"
)

// The workbooks are written with reports/xlsx; this file publishes them.

// tmpDirOf is the directory temporary files of a file at path go to: its
// own, so that they share its file system and a failed publication cleans
// them up with the rest (run directories drop stray *.tmp files).
func tmpDirOf(path string) string { return filepath.Dir(path) }

// publishBook saves b to path atomically (see createAtomic), readable by
// its owner only.
func publishBook(path string, b *xlsx.Book) error {
	out, err := createAtomic(path)
	if err != nil {
		b.Close()
		return err
	}
	if err := b.Save(out); err != nil {
		out.Abort()
		return fmt.Errorf("write %s: %w", path, err)
	}
	_, _, err = out.Commit()
	return err
}
