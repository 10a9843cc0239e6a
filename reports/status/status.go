// Package status reads the payout status reports of providers and banks
// (SPEC section 12): ISO 20022 pain.002 and camt.054 of any version, and
// the provider status CSV. Every reader streams reconcile.StatusReport
// values, one file token or row at a time; none holds a file in memory.
//
// A format is one entry of Formats: a name, a sniff function that looks at
// the first bytes of a file, and a reader. Another format (a CNAB 240
// return file, say) is one more entry.
package status

import (
	"bufio"
	"errors"
	"fmt"
	"io"

	"payouts/reconcile"
)

// sniffLen is how much of a file the sniff functions see.
const sniffLen = 4096

// Format is one kind of status report.
type Format struct {
	Name string
	// Sniff reports whether a file starting with head is of this format.
	Sniff func(head []byte) bool
	// Read streams the file's reports to emit, in file order. name is the
	// file name, for the Source of each report and for error messages.
	Read func(r io.Reader, name string, emit func(reconcile.StatusReport) error) error
}

// Formats are the formats import-status reads, in the order they are
// tried.
var Formats = []Format{
	{Name: "pain.002", Sniff: sniffPain002, Read: ReadPain002},
	{Name: "camt.054", Sniff: sniffCamt054, Read: ReadCamt054},
	{Name: "status-csv", Sniff: sniffCSV, Read: ReadCSV},
}

// ErrUnknownFormat is a file none of the formats recognises.
var ErrUnknownFormat = errors.New("not a status report: neither pain.002, camt.054, a CNAB 240 return nor the provider status CSV")

// Detect finds the format of the file r starts with; the returned reader
// reads the whole file again from its start.
func Detect(r io.Reader) (Format, io.Reader, error) {
	return DetectAmong(Formats, r)
}

// DetectAmong is Detect over the given formats (Formats and those that
// need the configuration, such as the CNAB 240 return of our company).
func DetectAmong(formats []Format, r io.Reader) (Format, io.Reader, error) {
	br := bufio.NewReaderSize(r, sniffLen)
	head, err := br.Peek(sniffLen)
	if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) {
		return Format{}, nil, err
	}
	for _, f := range formats {
		if f.Sniff(head) {
			return f, br, nil
		}
	}
	return Format{}, nil, ErrUnknownFormat
}

// Read detects the format of r and streams its reports to emit.
func Read(r io.Reader, name string, emit func(reconcile.StatusReport) error) (string, error) {
	f, br, err := Detect(r)
	if err != nil {
		return "", fmt.Errorf("%s: %w", name, err)
	}
	return f.Name, f.Read(br, name, emit)
}
