package status

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"payouts/reconcile"
)

// xmlRoot returns the local names of the root element and of its first
// child element in head (the start of a file), or "" where head does not
// say. Namespaces are ignored: national variants of ISO 20022 messages
// differ only in them.
func xmlRoot(head []byte) (root, child string) {
	d := xml.NewDecoder(bytes.NewReader(head))
	d.Strict = true
	for {
		tok, err := d.RawToken()
		if err != nil {
			return root, child
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if root == "" {
				root = t.Name.Local
				continue
			}
			return root, t.Name.Local
		case xml.CharData:
			if root == "" && len(bytes.TrimSpace(t)) > 0 {
				return "", ""
			}
		}
	}
}

// walker is the token loop the XML readers share: the path of local
// names from the root, and the text of the element that just ended.
type walker struct {
	name string
	d    *xml.Decoder
	path []string
	text strings.Builder
}

func newWalker(r io.Reader, name string) *walker {
	d := xml.NewDecoder(r)
	d.Strict = true
	d.CharsetReader = func(label string, input io.Reader) (io.Reader, error) {
		if strings.EqualFold(label, "utf-8") || strings.EqualFold(label, "us-ascii") {
			return input, nil
		}
		return nil, fmt.Errorf("encoding %s is not supported (UTF-8 only)", label)
	}
	return &walker{name: name, d: d}
}

// walk calls start at each start element and end at each end element
// (with the element's trimmed text), with the path including the element.
func (w *walker) walk(start func(path []string, attrs []xml.Attr) error, end func(path []string, text string) error) error {
	for {
		tok, err := w.d.Token()
		if errors.Is(err, io.EOF) {
			if len(w.path) > 0 {
				return fmt.Errorf("%s: not well-formed XML: unexpected end of file inside <%s>", w.name, w.path[len(w.path)-1])
			}
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: not well-formed XML: %v", w.name, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			w.path = append(w.path, t.Name.Local)
			w.text.Reset()
			if start != nil {
				if err := start(w.path, t.Attr); err != nil {
					return err
				}
			}
		case xml.CharData:
			if w.text.Len() < 4096 {
				w.text.Write(t)
			}
		case xml.EndElement:
			text := strings.TrimSpace(w.text.String())
			w.text.Reset()
			if err := end(w.path, text); err != nil {
				return err
			}
			w.path = w.path[:len(w.path)-1]
		}
	}
}

// line is the decoder's current line, for messages.
func (w *walker) line() int {
	l, _ := w.d.InputPos()
	return l
}

// suffix reports whether path ends with the given local names.
func suffix(path []string, names ...string) bool {
	if len(path) < len(names) {
		return false
	}
	for i, n := range names {
		if path[len(path)-len(names)+i] != n {
			return false
		}
	}
	return true
}

// attr is the value of the attribute with local name local.
func attr(attrs []xml.Attr, local string) string {
	for _, a := range attrs {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

// parseAmount parses an ISO 20022 amount in currency code into minor
// units; more fraction digits than the currency has is an error.
func parseAmount(text, code string) (int64, error) {
	cur, err := reconcile.LookupCurrency(code)
	if err != nil {
		return 0, err
	}
	return reconcile.ParseAmount(text, cur)
}

// parseWhen parses an ISO date-time (with or without offset, read as UTC
// without) or an ISO date.
func parseWhen(text string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02"} {
		if t, err := time.Parse(layout, text); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("date or time %q is not ISO 8601", text)
}
