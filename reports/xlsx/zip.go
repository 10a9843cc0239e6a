package xlsx

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"regexp"
	"sort"
	"time"

	"github.com/xuri/excelize/v2"
)

// saveXLSX writes f to w as a deterministic zip: entries sorted by name,
// every entry stamped modified. The entries named in parts are replaced by
// their content (sheets streamed in chunks: see Table, W3a and W3b).
//
// excelize alone is not deterministic: it writes the parts of streamed
// sheets in map order (W1), and lists image types in [Content_Types].xml
// in map order (W2; see doc.go for both). So its archive is read back and
// copied entry by entry, still compressed, in name order with fixed
// headers. That archive is built in memory, which is small: the lists are
// not in it but in parts.
//
// excelize's own entries carry no modification time (archive/zip's
// Writer.Create leaves the DOS date and time at 0); ours carry the
// document's stamp. That is a choice, not a workaround: excelize's zero
// time is as deterministic.
func saveXLSX(f *excelize.File, w io.Writer, modified time.Time, parts map[string]*spillBuffer) error {
	buf, err := f.WriteToBuffer()
	if err != nil {
		return fmt.Errorf("workbook: %w", err)
	}
	return repackZip(bytes.NewReader(buf.Bytes()), int64(buf.Len()), w, modified, parts)
}

// spillBuffer holds a sheet part in memory up to limit bytes and in a
// temporary file in dir beyond: a statement's sheets stay in memory, a big
// run's lists go to disk.
type spillBuffer struct {
	dir   string
	limit int
	buf   bytes.Buffer
	file  *os.File
}

// spillLimit is how much of a sheet part stays in memory.
const spillLimit = 4 << 20

func (s *spillBuffer) Write(p []byte) (int, error) {
	if s.file == nil && s.buf.Len()+len(p) > s.limit {
		f, err := os.CreateTemp(s.dir, ".xlsx-sheet-*.tmp")
		if err != nil {
			return 0, err
		}
		s.file = f
		if _, err := s.buf.WriteTo(f); err != nil {
			return 0, err
		}
		s.buf = bytes.Buffer{}
	}
	if s.file != nil {
		return s.file.Write(p)
	}
	return s.buf.Write(p)
}

// reader reads the part from its start.
func (s *spillBuffer) reader() (io.Reader, error) {
	if s.file == nil {
		return bytes.NewReader(s.buf.Bytes()), nil
	}
	if _, err := s.file.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	return s.file, nil
}

// release drops the part and its temporary file.
func (s *spillBuffer) release() {
	s.buf = bytes.Buffer{}
	if s.file != nil {
		s.file.Close()
		os.Remove(s.file.Name())
		s.file = nil
	}
}

// extractPart writes the workbook f and keeps only its part name, to w,
// uncompressed: a scratch workbook's streamed sheet (W3a), through the zip
// writer excelize lets us set (File.SetZipWriter).
func extractPart(f *excelize.File, name string, w io.Writer) error {
	c := &partCapture{name: name, w: w}
	f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return c })
	if err := f.Write(io.Discard); err != nil {
		return err
	}
	if !c.found {
		return fmt.Errorf("no part %s", name)
	}
	return nil
}

// partCapture is a zip writer that keeps one entry, unzipped, and
// discards the others.
type partCapture struct {
	name  string
	w     io.Writer
	found bool
}

func (c *partCapture) Create(name string) (io.Writer, error) {
	if name != c.name {
		return io.Discard, nil
	}
	if c.found {
		return nil, fmt.Errorf("part %s written twice", name)
	}
	c.found = true
	return c.w, nil
}

func (c *partCapture) AddFS(fs.FS) error { return fmt.Errorf("workbook: AddFS is not supported") }
func (c *partCapture) Close() error      { return nil }

// repackZip copies the entries of the archive in r to w sorted by name
// (which puts [Content_Types].xml first), each with the same modification
// time and no other varying header field. Entries are copied compressed,
// as they are, except [Content_Types].xml, which is put in canonical form
// (see canonicalContentTypes).
func repackZip(r io.ReaderAt, size int64, w io.Writer, modified time.Time, parts map[string]*spillBuffer) error {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return fmt.Errorf("workbook: read back archive: %w", err)
	}
	files := append([]*zip.File(nil), zr.File...)
	sort.Slice(files, func(i, j int) bool { return files[i].Name < files[j].Name })
	date, clock := msDosTime(zipModified(modified))
	used := 0
	zw := zip.NewWriter(w)
	for i, f := range files {
		if i > 0 && files[i-1].Name == f.Name {
			return fmt.Errorf("workbook: archive has %s twice", f.Name)
		}
		// Every field set here, nothing inherited: no extra fields, no
		// flags but UTF-8 names, the same time on every entry.
		h := &zip.FileHeader{
			Name:               f.Name,
			Method:             f.Method,
			CRC32:              f.CRC32,
			CompressedSize64:   f.CompressedSize64,
			UncompressedSize64: f.UncompressedSize64,
			ModifiedDate:       date,
			ModifiedTime:       clock,
			ReaderVersion:      20,
		}
		h.SetMode(fs.FileMode(0o600))
		h.CreatorVersion = h.CreatorVersion&0xff00 | 20
		if f.Name == contentTypesName {
			if err := copyContentTypes(zw, f, h); err != nil {
				return err
			}
			continue
		}
		if part, ok := parts[f.Name]; ok {
			if err := copyPart(zw, part, h); err != nil {
				return fmt.Errorf("workbook: %s: %w", f.Name, err)
			}
			used++
			continue
		}
		raw, err := f.OpenRaw()
		if err != nil {
			return fmt.Errorf("workbook: %s: %w", f.Name, err)
		}
		out, err := zw.CreateRaw(h)
		if err != nil {
			return fmt.Errorf("workbook: %s: %w", f.Name, err)
		}
		if _, err := io.Copy(out, raw); err != nil {
			return fmt.Errorf("workbook: %s: %w", f.Name, err)
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("workbook: %w", err)
	}
	if used != len(parts) {
		return fmt.Errorf("workbook: %d streamed sheets have no part in the archive", len(parts)-used)
	}
	return nil
}

// copyPart writes the content of part as the entry of h, compressed.
func copyPart(zw *zip.Writer, part *spillBuffer, h *zip.FileHeader) error {
	r, err := part.reader()
	if err != nil {
		return err
	}
	out, err := zw.CreateHeader(deflated(h))
	if err != nil {
		return err
	}
	_, err = io.Copy(out, r)
	return err
}

// deflated is a header for an entry compressed here, with the fixed
// fields of h.
func deflated(h *zip.FileHeader) *zip.FileHeader {
	nh := &zip.FileHeader{Name: h.Name, Method: zip.Deflate, ModifiedDate: h.ModifiedDate, ModifiedTime: h.ModifiedTime}
	nh.SetMode(fs.FileMode(0o600))
	return nh
}

const contentTypesName = "[Content_Types].xml"

// copyContentTypes writes the content types entry in canonical form,
// compressed again.
func copyContentTypes(zw *zip.Writer, f *zip.File, h *zip.FileHeader) error {
	r, err := f.Open()
	if err != nil {
		return fmt.Errorf("workbook: %s: %w", f.Name, err)
	}
	body, err := io.ReadAll(r)
	r.Close()
	if err != nil {
		return fmt.Errorf("workbook: %s: %w", f.Name, err)
	}
	out, err := zw.CreateHeader(deflated(h))
	if err != nil {
		return fmt.Errorf("workbook: %s: %w", f.Name, err)
	}
	_, err = out.Write(canonicalContentTypes(body))
	return err
}

var defaultElement = regexp.MustCompile(`<Default [^>]*>(</Default>)?`)

// canonicalContentTypes sorts the run of <Default Extension=...> elements
// of [Content_Types].xml. excelize appends the image extensions a drawing
// may use in map order (W2: workbook.go, setContentTypePartImageExtensions,
// ranges over a map literal); their order means nothing to a reader.
func canonicalContentTypes(body []byte) []byte {
	locs := defaultElement.FindAllIndex(body, -1)
	if len(locs) < 2 {
		return body
	}
	elems := make([][]byte, len(locs))
	for i, l := range locs {
		if i > 0 && l[0] != locs[i-1][1] {
			return body // not one run of elements: not what excelize writes; leave it
		}
		elems[i] = body[l[0]:l[1]]
	}
	sort.Slice(elems, func(i, j int) bool { return bytes.Compare(elems[i], elems[j]) < 0 })
	out := append([]byte(nil), body[:locs[0][0]]...)
	out = append(out, bytes.Join(elems, nil)...)
	return append(out, body[locs[len(locs)-1][1]:]...)
}

// zipModified is the modification time stamped on every entry of a
// workbook: the instant the document properties name, in UTC (zip headers
// have no zone), to the two seconds a zip header can hold.
func zipModified(t time.Time) time.Time {
	t = t.UTC().Truncate(2 * time.Second)
	if t.Year() < 1980 {
		return time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	return t
}

// msDosTime is t in the date and time fields of a zip header.
func msDosTime(t time.Time) (date, clock uint16) {
	date = uint16(t.Day() + int(t.Month())<<5 + (t.Year()-1980)<<9)
	clock = uint16(t.Second()/2 + t.Minute()<<5 + t.Hour()<<11)
	return date, clock
}
