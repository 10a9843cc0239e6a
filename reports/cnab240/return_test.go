package cnab240

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"payouts/reconcile"
)

var update = flag.Bool("update", false, "rewrite the return test files under testdata/cnab240/return from the golden remittances")

const (
	goldenDir = "../../testdata/golden/basic" // the basic example's published files (jobs' TestGoldenBasicExample)
	returnDir = "../../testdata/cnab240/return"
)

// demo is the paying company of the golden remittances (the demo defaults).
var demo = Company{CNPJ: "11222333000181", Agreement: "DEMO", Branch: "0001", Account: "1", Digit: "0", Name: "PAYOUTS MARKETPLACE"}

// returnFiles are the bank's answers to the basic example's remittances:
// how each is derived from the remittance (codes per reference, and edits).
var returnFiles = []struct {
	name, from string
	codes      map[string]string // reference -> 231-240; others "00"
	editRef    map[string]string // reference -> the reference the bank echoes
	editAmount map[string]int64  // reference -> the amount the bank echoes
}{
	{name: "nightly-20260303-all-paid.ret", from: "nightly-20260303/provider/nightly-20260303-BRL.rem"},
	{name: "nightly-20260303-some-rejected.ret", from: "nightly-20260303/provider/nightly-20260303-BRL.rem",
		codes: map[string]string{"N2026030300000000001": "AGAN", "N2026030300000000004": "PJ", "N2026030300000000005": "BD"}},
	{name: "nightly-20260703-unknown-reference.ret", from: "nightly-20260703/provider/nightly-20260703-BRL.rem",
		editRef: map[string]string{"N2026070300000000001": "N2026070300000000099"}},
	{name: "nightly-20260404-amount-differs.ret", from: "nightly-20260404/provider/nightly-20260404-BRL.rem",
		editAmount: map[string]int64{"N2026040400000000002": 26149}},
}

// makeReturn turns a remittance into the bank's return: file code 2, the
// occurrence codes in every Segment A (and "00" after the payment date
// and amount the bank booked), batch totals recomputed after edits.
func makeReturn(t *testing.T, rem []byte, codes, editRef map[string]string, editAmount map[string]int64) []byte {
	t.Helper()
	lines := strings.SplitAfter(string(rem), "\r\n")
	var out bytes.Buffer
	var total int64
	for _, s := range lines {
		if s == "" {
			continue
		}
		l := []byte(strings.TrimSuffix(s, "\r\n"))
		r := (*record)(l)
		switch l[7] {
		case '0':
			l[142] = '2'
		case '3':
			if l[13] != 'A' {
				break
			}
			ref := strings.TrimSpace(string(l[73:93]))
			code, ok := codes[ref]
			if !ok {
				code = "00"
			}
			r.text(231, 240, code)
			if a, ok := editAmount[ref]; ok {
				r.num(120, 134, a)
			}
			if to, ok := editRef[ref]; ok {
				r.text(74, 93, to)
			}
			amount, _ := line(l).number(120, 134)
			total += amount
			if code == "00" {
				copy(l[154:162], l[93:101])  // actual payment date
				copy(l[162:177], l[119:134]) // actual amount
			}
		case '5':
			r.num(24, 41, total)
			total = 0
		}
		out.Write(l)
		out.WriteString("\r\n")
	}
	return out.Bytes()
}

func readTestReturn(t *testing.T, name string) []reconcile.StatusReport {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(returnDir, name))
	if err != nil {
		t.Fatal(err)
	}
	got, err := demo.ReadReturn(bytes.NewReader(data), name)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestReturnFiles(t *testing.T) {
	if *update {
		if err := os.MkdirAll(returnDir, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, f := range returnFiles {
			rem, err := os.ReadFile(filepath.Join(goldenDir, f.from))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(returnDir, f.name), makeReturn(t, rem, f.codes, f.editRef, f.editAmount), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, f := range returnFiles {
		rem, err := os.ReadFile(filepath.Join(goldenDir, f.from))
		if err != nil {
			t.Fatal(err)
		}
		payments, err := ReadRemittance(bytes.NewReader(rem), f.from)
		if err != nil {
			t.Fatal(err)
		}
		got := readTestReturn(t, f.name)
		if len(got) != len(payments.Payments) {
			t.Fatalf("%s: %d reports for %d payments", f.name, len(got), len(payments.Payments))
		}
		for i, p := range payments.Payments {
			want := reconcile.StatusReport{Reference: p.Reference, State: reconcile.PayoutPaid, Amount: p.Amount,
				HasAmount: true, Currency: "BRL", Source: fmt.Sprintf("%s:%d", f.name, 3+2*i)}
			switch f.codes[p.Reference] {
			case "PJ":
				want.State, want.ReasonCode, want.Reason = reconcile.PayoutRejected, "PJ", "PJ Chave nao cadastrada no DICT"
			case "BD":
				want.State = reconcile.PayoutAccepted
			case "AGAN":
				want.State, want.ReasonCode = reconcile.PayoutRejected, "AG"
				want.Reason = "AG Agencia/conta corrente/DV invalido; AN Conta corrente/DV/conta de pagamento do favorecido invalido"
			}
			if to, ok := f.editRef[p.Reference]; ok {
				want.Reference = to
			}
			if a, ok := f.editAmount[p.Reference]; ok {
				want.Amount = a
			}
			if got[i] != want {
				t.Errorf("%s report %d:\n got %+v\nwant %+v", f.name, i, got[i], want)
			}
		}
	}
}

// TestReturnRefused: a return file that is not one, not ours, or does not
// add up is refused whole with the file and the line.
func TestReturnRefused(t *testing.T) {
	good, err := os.ReadFile(filepath.Join(returnDir, "nightly-20260303-all-paid.ret"))
	if err != nil {
		t.Fatal(err)
	}
	edit := func(lineNo, from int, s string) []byte {
		ls := strings.SplitAfter(string(good), "\r\n")
		l := []byte(ls[lineNo-1])
		copy(l[from-1:], s)
		ls[lineNo-1] = string(l)
		return []byte(strings.Join(ls, ""))
	}
	remove := func(lineNo int) []byte {
		ls := strings.SplitAfter(string(good), "\r\n")
		return []byte(strings.Join(append(ls[:lineNo-1:lineNo-1], ls[lineNo:]...), ""))
	}
	short := strings.Replace(string(good), strings.Repeat(" ", 10)+"\r\n", strings.Repeat(" ", 9)+"\r\n", 1)
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"short line", []byte(short), "f.ret:1: the line has 239 characters, not 240"},
		{"unknown record type", edit(5, 8, "7"), `f.ret:5: unknown record type '7'`},
		{"unknown segment", edit(5, 14, "?"), `f.ret:5: segment '?' is not A or B`},
		{"batch total", edit(15, 41, "1"), "f.ret:15: batch trailer total 117901, the Segments A add up to 117900"},
		{"batch count", edit(15, 23, "5"), "f.ret:15: batch trailer counts 15 records, the batch has 14"},
		{"file count", edit(16, 29, "7"), "f.ret:16: file trailer counts 17 records, the file has 16"},
		{"missing record", remove(4), "f.ret:4: record sequence 3, want 2"},
		{"a remittance", edit(1, 143, "1"), "f.ret:1: file code at 143 is '1': not a return (2)"},
		{"another company", edit(1, 19, "11444777000161"), `f.ret:1: company CNPJ "11444777000161" at 19-32 is not ours (11222333000181): not a return of our remittances`},
		{"no trailer", remove(16), "f.ret:15: the file ends without a file trailer (9)"},
		{"no codes", edit(3, 231, "  "), "f.ret:3: Segment A without occurrence codes (231-240)"},
		{"bad amount", edit(3, 120, "00000000000000X"), "f.ret:3: amount: positions 120-134 \"00000000000000X\": not a number"},
		{"not ASCII", edit(3, 50, "\xc3\xa9"), `f.ret:3: position 50 holds byte 0xC3, not printable ASCII`},
		{"empty", nil, "f.ret:1: empty file"},
	} {
		_, err := demo.ReadReturn(bytes.NewReader(tc.data), "f.ret")
		if err == nil || err.Error() != tc.want {
			t.Errorf("%s: %v\nwant %s", tc.name, err, tc.want)
		}
	}
	// A bank's own segment (Z: authentication) is counted, not read.
	if got, err := demo.ReadReturn(bytes.NewReader(edit(4, 14, "Z")), "z.ret"); err != nil || len(got) != 6 {
		t.Errorf("return with a Segment Z: %d reports, %v", len(got), err)
	}
	// LF line ends and no final line end are read as well.
	lf := strings.TrimSuffix(strings.ReplaceAll(string(good), "\r\n", "\n"), "\n")
	if got, err := demo.ReadReturn(strings.NewReader(lf), "lf.ret"); err != nil || len(got) != 6 {
		t.Errorf("LF return: %d reports, %v", len(got), err)
	}
}

// TestBatchRejectedWhole: a batch header's codes apply to Segments A
// without their own.
func TestBatchRejectedWhole(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(returnDir, "nightly-20260303-all-paid.ret"))
	if err != nil {
		t.Fatal(err)
	}
	ls := strings.SplitAfter(string(data), "\r\n")
	for i, l := range ls {
		b := []byte(l)
		if len(b) == 242 && (b[7] == '1' || b[7] == '3' && b[13] == 'A') {
			code := "  "
			if b[7] == '1' {
				code = "HF"
			}
			copy(b[230:240], code+"        ")
			ls[i] = string(b)
		}
	}
	got, err := demo.ReadReturn(strings.NewReader(strings.Join(ls, "")), "b.ret")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range got {
		if r.State != reconcile.PayoutRejected || r.ReasonCode != "HF" {
			t.Errorf("%+v: want rejected HF", r)
		}
	}
}

func TestSniff(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(returnDir, "nightly-20260303-all-paid.ret"))
	if err != nil {
		t.Fatal(err)
	}
	first, _, _ := bytes.Cut(data, []byte("\n"))
	rem, _ := os.ReadFile(filepath.Join(goldenDir, "nightly-20260303/provider/nightly-20260303-BRL.rem"))
	remFirst, _, _ := bytes.Cut(rem, []byte("\n"))
	for _, tc := range []struct {
		line []byte
		want bool
	}{
		{first, true}, {bytes.TrimRight(first, "\r"), true}, {remFirst, false},
		{[]byte("reference,status,reason_code"), false}, {[]byte("<?xml version=\"1.0\"?>"), false},
	} {
		if got := Sniff(tc.line); got != tc.want {
			t.Errorf("Sniff(%.40q) = %v", tc.line, got)
		}
	}
}

// FuzzReadReturn: whatever the input, the reader returns reports or one
// error line naming the file and a line, and never panics.
func FuzzReadReturn(f *testing.F) {
	for _, rf := range returnFiles {
		if data, err := os.ReadFile(filepath.Join(returnDir, rf.name)); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte("0\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := demo.ReadReturn(bytes.NewReader(data), "fuzz.ret")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.ret:") || strings.Contains(err.Error(), "\n") {
				t.Fatalf("error %q does not name the file and line on one line", err)
			}
			return
		}
		for _, r := range got {
			if r.Reference == "" || !r.State.Valid() || r.Amount < 0 || r.Currency != "BRL" {
				t.Fatalf("bad report %+v", r)
			}
		}
	})
}
