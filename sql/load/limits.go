package load

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
)

// Limits on what one load file may hold, so that a wrong or hostile file
// (a link to /dev/zero, a line of gigabytes, a zip bomb) is refused with
// one line instead of exhausting memory or time. Variables so that tests
// can lower them.
var (
	// MaxRows is the most data rows one file may have.
	MaxRows = 20_000_000
	// MaxLineBytes is the longest physical line of a CSV file.
	MaxLineBytes = 1 << 20
	// MaxXLSXBytes is the most an XLSX workbook may hold once unzipped.
	MaxXLSXBytes int64 = 256 << 20
	// MaxCells is the most cells one row of an XLSX sheet may have.
	MaxCells = 1000
)

// regularFile refuses what is not a regular file (a device such as
// /dev/zero, a pipe, a socket; a link is followed to what it names).
func regularFile(name string, st fs.FileInfo) error {
	switch {
	case st.IsDir():
		return errors.New("is a directory")
	case !st.Mode().IsRegular():
		return fmt.Errorf("%s is not a regular file (%s); load reads regular files only", name, st.Mode().Type())
	}
	return nil
}

// lineLimit passes r through, failing once a line exceeds max bytes: the
// bytes before the excess are passed on, then the error.
type lineLimit struct {
	r   io.Reader
	max int
	n   int   // bytes since the last newline
	err error // once a line is too long
}

func (l *lineLimit) Read(p []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	n, err := l.r.Read(p)
	for i, c := range p[:n] {
		if c == '\n' {
			l.n = 0
			continue
		}
		l.n++
		if l.n > l.max {
			l.err = fmt.Errorf("a line is longer than %d bytes: not a CSV export of the load format", l.max)
			if i == 0 {
				return 0, l.err
			}
			return i, nil
		}
	}
	return n, err
}
