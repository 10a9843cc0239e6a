package pgcluster

import (
	"os"
	"strings"
)

// fileSize is the size of the file at path, 0 if it cannot be read.
func fileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}

// logTail returns the last n lines written to the log at path after offset.
func logTail(path string, offset int64, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "(cannot read: " + err.Error() + ")"
	}
	if offset < 0 || offset > int64(len(b)) {
		offset = 0
	}
	lines := strings.Split(strings.TrimRight(string(b[offset:]), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
