package pgcluster

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// installHint is the command that installs the PostgreSQL server binaries.
const installHint = "apt-get update && apt-get install -y postgresql"

// debianBinGlob is where Debian and Ubuntu install the server binaries,
// one directory per major version.
const debianBinGlob = "/usr/lib/postgresql/*/bin"

// binaries are the PostgreSQL server programs this package runs.
type binaries struct {
	initdb string
	pgCtl  string
}

// findBinaries looks for initdb and pg_ctl in the directories matching
// binGlob (debianBinGlob: /usr/lib/postgresql/*/bin), highest version
// first, then in PATH.
func findBinaries(binGlob string) (binaries, error) {
	dirs, _ := filepath.Glob(binGlob) // the pattern is valid
	sortByVersionDesc(dirs)
	for _, dir := range dirs {
		b := binaries{initdb: filepath.Join(dir, "initdb"), pgCtl: filepath.Join(dir, "pg_ctl")}
		if isExecutable(b.initdb) && isExecutable(b.pgCtl) {
			return b, nil
		}
	}
	initdb, err1 := exec.LookPath("initdb")
	pgCtl, err2 := exec.LookPath("pg_ctl")
	if err1 == nil && err2 == nil {
		return binaries{initdb: initdb, pgCtl: pgCtl}, nil
	}
	return binaries{}, fmt.Errorf("PostgreSQL server programs initdb and pg_ctl not found in %s or in PATH; "+
		"install them by running, as root: %s (or set DATABASE_URL to an existing server)",
		binGlob, installHint)
}

// sortByVersionDesc sorts .../<version>/bin directories, highest version first.
func sortByVersionDesc(dirs []string) {
	version := func(dir string) []int {
		var v []int
		for _, part := range strings.Split(filepath.Base(filepath.Dir(dir)), ".") {
			n, err := strconv.Atoi(part)
			if err != nil {
				n = -1
			}
			v = append(v, n)
		}
		return v
	}
	sort.SliceStable(dirs, func(i, j int) bool {
		a, b := version(dirs[i]), version(dirs[j])
		for k := 0; k < len(a) && k < len(b); k++ {
			if a[k] != b[k] {
				return a[k] > b[k]
			}
		}
		return len(a) > len(b)
	})
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}
