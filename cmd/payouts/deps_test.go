package main

import (
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestNoTestCodeInTheBinary: the binary links no test code: not the
// testing package (nor testing/...), not the test infrastructure
// (internal/pgtest, internal/storetest, or any other package of this
// module whose name ends in "test"). Test helpers import testing; a
// product package that imports one of them puts it in the binary.
func TestNoTestCodeInTheBinary(t *testing.T) {
	t.Parallel()
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	out, err := exec.Command(goTool, "list", "-deps", ".").Output()
	if err != nil {
		msg := ""
		if ee, ok := err.(*exec.ExitError); ok {
			msg = string(ee.Stderr)
		}
		t.Fatalf("go list -deps .: %v\n%s", err, msg)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 10 || deps[len(deps)-1] != "payouts/cmd/payouts" {
		t.Fatalf("go list -deps . did not list the binary's dependencies:\n%s", out)
	}
	for _, pkg := range deps {
		if isTestCode(pkg) {
			t.Errorf("the binary links %s, which is test code; the package that imports it: "+
				"go list -deps -f '{{.ImportPath}}: {{.Imports}}' ./cmd/payouts | grep -w %s", pkg, pkg)
		}
	}
}

// isTestCode reports whether package path pkg is test code.
func isTestCode(pkg string) bool {
	switch {
	case pkg == "testing", strings.HasPrefix(pkg, "testing/"):
		return true
	case pkg == "payouts/internal/pgtest", strings.HasPrefix(pkg, "payouts/internal/pgtest/"):
		return true
	case strings.HasPrefix(pkg, "payouts/") && strings.HasSuffix(pkg, "test"):
		return true // storetest, reportstest, sheettest, ...
	}
	return false
}

func TestIsTestCode(t *testing.T) {
	t.Parallel()
	for pkg, want := range map[string]bool{
		"testing": true, "testing/fstest": true, "payouts/internal/pgtest": true, "payouts/internal/storetest": true,
		"payouts/reports/sheettest": true, "payouts/internal/pgcluster": false, "payouts/jobs": false,
		"net/http/httptest": false, "payouts/internal/seed": false, "testingx": false,
	} {
		if got := isTestCode(pkg); got != want {
			t.Errorf("isTestCode(%q) = %v, want %v", pkg, got, want)
		}
	}
}
