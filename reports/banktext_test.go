package reports

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestBankText(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, fallback, want string }{
		{"João Ávila", "u1", "Joao Avila"},
		{"Çağla Şen-Øverby", "u1", "Cagla Sen-Overby"},
		{"Straße & Söhne", "u1", "Strasse + Sohne"},
		{"=HYPERLINK(\"http://x\")", "u1", "HYPERLINK('http://x')"},
		{"+55 11 99999", "u1", "55 11 99999"},
		{"-1 @SUM(A1)", "u1", "1 SUM(A1)"},
		{"@admin", "u1", "admin"},
		{"\tTab\rName", "u1", "Tab Name"},
		{"<b>Ana</b>", "u1", "b Ana /b"},
		{"王小明", "u42", "u42"},
		{"   ", "-u7", "u7"},
	}
	for _, tc := range tests {
		if got := BankText(tc.in, 140, tc.fallback); got != tc.want {
			t.Errorf("BankText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestBankTextCutsWithinLimit(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("Á", 200)
	got := BankText(long, 140, "x")
	if n := utf8.RuneCountInString(got); n != 140 || !utf8.ValidString(got) {
		t.Errorf("cut to %d characters (valid UTF-8: %v), want 140", n, utf8.ValidString(got))
	}
}
