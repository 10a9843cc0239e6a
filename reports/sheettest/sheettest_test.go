package sheettest

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestSofficeMissingFails runs this test binary again with no soffice on
// PATH, with and without CI set: the test needing soffice must fail,
// naming the package to install, and never skip.
func TestSofficeMissingFails(t *testing.T) {
	if os.Getenv("SHEETTEST_CHILD") == "1" {
		Soffice(t)
		return
	}
	t.Parallel()
	for _, ci := range []string{"", "true"} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestSofficeMissingFails$", "-test.v")
		for _, kv := range os.Environ() {
			if !strings.HasPrefix(kv, "PATH=") && !strings.HasPrefix(kv, "CI=") {
				cmd.Env = append(cmd.Env, kv)
			}
		}
		cmd.Env = append(cmd.Env, "SHEETTEST_CHILD=1", "PATH="+t.TempDir())
		if ci != "" {
			cmd.Env = append(cmd.Env, "CI="+ci)
		}
		out, err := cmd.CombinedOutput()
		if err == nil || !strings.Contains(string(out), "--- FAIL") || strings.Contains(string(out), "SKIP") ||
			!strings.Contains(string(out), "libreoffice-calc-nogui") {
			t.Errorf("CI=%q, no soffice: err %v, output:\n%s", ci, err, out)
		}
	}
}
