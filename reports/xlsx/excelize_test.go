package xlsx

// Pins of the excelize behaviour this package works around or relies on
// (doc.go lists them). Each test shows plain excelize still behaving so,
// and fails, naming what can be deleted, the day it does not: excelize
// fixed it upstream, or go.mod moved to a version that did.

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// archiveOf writes f with plain excelize and opens the result.
func archiveOf(t *testing.T, f *excelize.File) (*zip.Reader, []byte) {
	t.Helper()
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	return zr, buf.Bytes()
}

// entry is the uncompressed content of the archive's entry name.
func entry(t *testing.T, zr *zip.Reader, name string) []byte {
	t.Helper()
	r, err := zr.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// writes is how many times each of 30 fresh workbooks built by build,
// written by plain excelize, gave each of the things seen returns.
func writes(t *testing.T, build func() *excelize.File, seen func(*zip.Reader) string) map[string]int {
	t.Helper()
	got := map[string]int{}
	for i := 0; i < 30; i++ {
		f := build()
		zr, _ := archiveOf(t, f)
		got[seen(zr)]++
		f.Close()
	}
	return got
}

// TestExcelizeWritesStreamedSheetsInMapOrder pins W1: excelize v2.11.0
// writes the parts of streamed sheets in the order of a range over the
// map File.streams (file.go, (*File).writeToZip), so the same workbook
// gives archives with its sheets in different orders.
func TestExcelizeWritesStreamedSheetsInMapOrder(t *testing.T) {
	t.Parallel()
	build := func() *excelize.File {
		f := excelize.NewFile()
		for i := 1; i <= 12; i++ {
			name := fmt.Sprintf("S%02d", i)
			if _, err := f.NewSheet(name); err != nil {
				t.Fatal(err)
			}
			sw, err := f.NewStreamWriter(name)
			if err != nil {
				t.Fatal(err)
			}
			if err := sw.SetRow("A1", []any{i}); err != nil {
				t.Fatal(err)
			}
			if err := sw.Flush(); err != nil {
				t.Fatal(err)
			}
		}
		return f
	}
	orders := writes(t, build, func(zr *zip.Reader) string {
		var names []string
		for _, e := range zr.File {
			if strings.HasPrefix(e.Name, "xl/worksheets/sheet") {
				names = append(names, e.Name)
			}
		}
		return strings.Join(names, " ")
	})
	if len(orders) == 1 {
		t.Errorf("excelize now writes streamed sheets in one order (%v, 30 times out of 30): "+
			"the sorting of entries in reports/xlsx/zip.go (repackZip) can be deleted for them "+
			"(W1 in reports/xlsx/doc.go; the repack itself stays while W3 needs it)", orders)
	}
}

// TestExcelizeListsImageTypesInMapOrder pins W2: in excelize v2.11.0
// adding a chart adds a drawing, whose content type part lists the image
// extensions in the order of a range over a map literal (workbook.go,
// (*File).setContentTypePartImageExtensions, called by addContentTypePart
// for "drawings" from AddChart).
func TestExcelizeListsImageTypesInMapOrder(t *testing.T) {
	t.Parallel()
	build := func() *excelize.File {
		f := excelize.NewFile()
		if err := f.SetSheetRow("Sheet1", "A1", &[]any{1, 2, 3}); err != nil {
			t.Fatal(err)
		}
		if err := f.AddChart("Sheet1", "E1", &excelize.Chart{Type: excelize.Col,
			Series: []excelize.ChartSeries{{Values: "Sheet1!$A$1:$C$1"}}}); err != nil {
			t.Fatal(err)
		}
		return f
	}
	orders := writes(t, build, func(zr *zip.Reader) string {
		var ct struct {
			Defaults []struct {
				Extension string `xml:",attr"`
			} `xml:"Default"`
		}
		if err := xml.Unmarshal(entry(t, zr, contentTypesName), &ct); err != nil {
			t.Fatal(err)
		}
		var ext []string
		for _, d := range ct.Defaults {
			ext = append(ext, d.Extension)
		}
		return strings.Join(ext, " ")
	})
	if len(orders) == 1 {
		t.Errorf("excelize now lists the image types of [Content_Types].xml in one order (%v, 30 times out of 30): "+
			"canonicalContentTypes in reports/xlsx/zip.go can be deleted (W2 in reports/xlsx/doc.go)", orders)
	}
}

// TestExcelizeStreamWriterKeepsSheetsInMemory pins W3a: excelize v2.11.0
// keeps what a StreamWriter wrote in memory (stream.go, bufferedWriter:
// a bytes.Buffer, spilled to a temporary file by Sync only past
// StreamChunkSize, 16 MiB, templates.go), and keeps every streamed sheet
// after its Flush, until (*File).Close releases them (file.go). Two
// sheets of a few MiB each, flushed: nothing in the temporary directory,
// and the heap still holds them. Not parallel: it measures the heap.
func TestExcelizeStreamWriterKeepsSheetsInMemory(t *testing.T) {
	dir := t.TempDir()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f := excelize.NewFile(excelize.Options{TmpDir: dir})
	defer f.Close()
	for _, name := range []string{"A", "B"} {
		if _, err := f.NewSheet(name); err != nil {
			t.Fatal(err)
		}
		sw, err := f.NewStreamWriter(name)
		if err != nil {
			t.Fatal(err)
		}
		for r := 1; r <= 25000; r++ {
			if err := sw.SetRow(fmt.Sprintf("A%d", r), []any{"participant-name", int64(r) * 7919, 1234.56, "BRL"}); err != nil {
				t.Fatal(err)
			}
		}
		if err := sw.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	held := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	spilled, _ := os.ReadDir(dir)
	runtime.KeepAlive(f)

	// What the two sheets hold: their parts, uncompressed.
	zr, _ := archiveOf(t, f)
	var parts int64
	for _, e := range zr.File {
		if e.Name == "xl/worksheets/sheet2.xml" || e.Name == "xl/worksheets/sheet3.xml" {
			parts += int64(e.UncompressedSize64)
		}
	}
	if parts < 2<<20 || parts >= excelize.StreamChunkSize {
		t.Fatalf("the test's sheets hold %d bytes; it needs a few MiB, less than StreamChunkSize (%d)", parts, excelize.StreamChunkSize)
	}
	t.Logf("two streamed sheets of %d bytes, flushed: %d bytes held on the heap, %d temporary files", parts, held, len(spilled))
	if len(spilled) != 0 {
		t.Errorf("excelize now spills %d bytes of streamed sheets to temporary files (%d files) before StreamChunkSize: "+
			"check whether a sheet's memory is bounded and the chunked streaming of reports/xlsx/table.go can go "+
			"(W3a in reports/xlsx/doc.go)", parts, len(spilled))
	}
	if held < parts*3/4 {
		t.Errorf("excelize now holds %d bytes after flushing streamed sheets of %d bytes: it no longer keeps them in memory "+
			"until the file is closed; the chunked streaming of reports/xlsx/table.go can go if W3b is gone too "+
			"(W3a in reports/xlsx/doc.go)", held, parts)
	}
}

// countingWriter counts the writes it is given.
type countingWriter struct {
	writes int
	bytes  int
}

func (w *countingWriter) Write(p []byte) (int, error) {
	w.writes++
	w.bytes += len(p)
	return len(p), nil
}

// TestExcelizeBuildsTheArchiveInMemory pins W3b: excelize v2.11.0's
// (*File).Write and WriteTo build the whole archive in a bytes.Buffer
// (file.go, WriteToBuffer) and only then write it, in one Write: a
// workbook's lists would be in memory twice, uncompressed in the streams
// and compressed in the buffer.
func TestExcelizeBuildsTheArchiveInMemory(t *testing.T) {
	t.Parallel()
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	for r := 1; r <= 2000; r++ {
		if err := sw.SetRow(fmt.Sprintf("A%d", r), []any{"text", r}); err != nil {
			t.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	var w countingWriter
	if err := f.Write(&w); err != nil {
		t.Fatal(err)
	}
	if w.writes != 1 {
		t.Errorf("excelize now writes an archive of %d bytes in %d writes, as it builds it: the parts of tables "+
			"(W3) may be streamed into it, and saveXLSX in reports/xlsx/zip.go need not hold the main archive "+
			"in memory (W3b in reports/xlsx/doc.go)", w.bytes, w.writes)
	}
}

// TestExcelizeWritesFormulasWithoutResults pins W4: excelize v2.11.0
// writes a formula without a cached result (cell.go, SetCellFormula sets
// the <f> element only; stream.go, setCellFormula likewise), so a reader
// that does not compute shows nothing: Options.RecalcOnOpen asks for
// fullCalcOnLoad.
func TestExcelizeWritesFormulasWithoutResults(t *testing.T) {
	t.Parallel()
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetCellFormula("Sheet1", "A1", "1+1"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.NewSheet("S"); err != nil {
		t.Fatal(err)
	}
	sw, err := f.NewStreamWriter("S")
	if err != nil {
		t.Fatal(err)
	}
	if err := sw.SetRow("A1", []any{excelize.Cell{Formula: "2+2"}}); err != nil {
		t.Fatal(err)
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	zr, _ := archiveOf(t, f)
	for _, part := range []string{"xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"} {
		body := string(entry(t, zr, part))
		i := strings.Index(body, `<c r="A1"`)
		j := strings.Index(body[max(i, 0):], "</c>")
		if i < 0 || j < 0 {
			t.Fatalf("%s: no cell A1 in %s", part, body)
		}
		cell := body[i : i+j]
		if !strings.Contains(cell, "<f>") || strings.Contains(cell, "<v>") {
			t.Errorf("excelize now writes a formula with its result (%s: %s): check whether RecalcOnOpen "+
				"(fullCalcOnLoad, set in reports/xlsx/book.go) is still needed (W4 in reports/xlsx/doc.go)", part, cell)
		}
	}
}

// TestExcelizeArchiveIsFixedWithoutStreams pins R1, what Save relies on
// to write a book without tables or charts (the tax report) as excelize
// writes it: excelize v2.11.0 puts no time in its archive's entries
// (archive/zip's Writer.Create, called by (*File).writeToZip, leaves the
// DOS date and time at 0) and writes its other parts in a fixed order
// (names sorted, descending). If it stamped the clock, such a book would
// need packing again too.
func TestExcelizeArchiveIsFixedWithoutStreams(t *testing.T) {
	t.Parallel()
	build := func() []byte {
		f := excelize.NewFile()
		defer f.Close()
		for i := 1; i <= 6; i++ {
			if _, err := f.NewSheet(fmt.Sprintf("S%d", i)); err != nil {
				t.Fatal(err)
			}
			if err := f.SetCellStr(fmt.Sprintf("S%d", i), "A1", "x"); err != nil {
				t.Fatal(err)
			}
		}
		_, b := archiveOf(t, f)
		return b
	}
	first := build()
	zr, err := zip.NewReader(bytes.NewReader(first), int64(len(first)))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range zr.File {
		if e.ModifiedDate != 0 || e.ModifiedTime != 0 || len(e.Extra) != 0 {
			t.Errorf("excelize now stamps its archive's entries (%s: %v): a Book without tables or charts "+
				"(the tax report) no longer gives the same bytes unless Save in reports/xlsx/book.go packs it "+
				"again too (R1 in reports/xlsx/doc.go)", e.Name, e.Modified)
			break
		}
	}
	for i := 0; i < 10; i++ {
		if !bytes.Equal(first, build()) {
			t.Fatal("excelize now writes a workbook without streamed sheets or charts in varying bytes: Save in " +
				"reports/xlsx/book.go must pack every book again (R1 in reports/xlsx/doc.go)")
		}
	}
}
