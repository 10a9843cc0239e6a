package jobs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"payouts/reports"
	"payouts/sql/load"
)

// TestPoisonedSaleDoesNotBlockPublication (issue 15.1): a sale whose gross
// is NaN or Infinity, written before the schema refused them, is held as
// INVALID_SALE; the night is published and paid, and so are later nights.
func TestPoisonedSaleDoesNotBlockPublication(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{"NaN", "Infinity"} {
		t.Run(bad, func(t *testing.T) {
			t.Parallel()
			st := loadedStore(t, basicExample)
			cfg := testConfig(t)
			// a database that holds the row from before migration 0005
			if _, err := st.DB.Exec(`ALTER TABLE sales DROP CONSTRAINT sales_gross_finite, DROP CONSTRAINT sales_platform_fee_finite`); err != nil {
				t.Fatal(err)
			}
			if _, err := st.DB.Exec(`INSERT INTO sales (sale_id, product_id, currency, gross, platform_fee, sold_at, settled_at)
				VALUES ('poison', 'p1', 'BRL', $1, 0, '2026-02-01T10:00:00-03:00', '2026-03-03T10:00:00-03:00')`, bad); err != nil {
				t.Fatal(err)
			}
			res := runDate(t, st, cfg, "2026-03-03")
			if res.Run.Status != "completed" {
				t.Fatalf("run status %s", res.Run.Status)
			}
			disc := readCSVColumns(t, filepath.Join(res.Dir, "discrepancies.csv"), "", "kind", "sale_id")
			if !contains(disc, "INVALID_SALE,poison") {
				t.Errorf("poisoned sale not held: %v", disc)
			}
			lines := readCSVColumns(t, filepath.Join(res.Dir, "participants", "*.csv"), "", "sale_id", "participant_id", "amount")
			if !contains(lines, "s01,aff1,31.36") {
				t.Errorf("the rest of the night was not paid: %v", lines)
			}
			// fixing the row lets the next night pay it
			if _, err := st.DB.Exec(`UPDATE sales SET gross = 100, platform_fee = 10 WHERE sale_id = 'poison'`); err != nil {
				t.Fatal(err)
			}
			res = runDate(t, st, cfg, "2026-03-20")
			lines = readCSVColumns(t, filepath.Join(res.Dir, "participants", "*.csv"), "", "sale_id", "participant_id", "amount")
			if !contains(lines, "poison,lead1,81.00") {
				t.Errorf("corrected sale not paid: %v", lines)
			}
			// and an export of the first night still publishes
			first, err := st.GetRun(context.Background(), "nightly-20260303")
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := Publish(context.Background(), st, first, t.TempDir(), nil); err != nil {
				t.Errorf("export of the night that held it: %v", err)
			}
		})
	}
}

// checkRunDir checks that dir holds exactly the files its manifest lists,
// each with its size and SHA-256, and no symbolic link.
func checkRunDir(t *testing.T, dir string) {
	t.Helper()
	body, err := os.ReadFile(filepath.Join(dir, reports.ManifestName))
	if err != nil {
		t.Fatalf("no manifest: %v", err)
	}
	var m reports.Manifest
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{reports.ManifestName: true}
	for _, f := range m.Files {
		listed[f.Path] = true
		data, err := os.ReadFile(filepath.Join(dir, f.Path))
		if err != nil {
			t.Errorf("manifest lists %s: %v", f.Path, err)
			continue
		}
		sum := sha256.Sum256(data)
		if int64(len(data)) != f.Bytes || hex.EncodeToString(sum[:]) != f.SHA256 {
			t.Errorf("%s: %d bytes %x, manifest says %d bytes %s", f.Path, len(data), sum, f.Bytes, f.SHA256)
		}
	}
	filepath.WalkDir(dir, func(p string, e os.DirEntry, err error) error {
		if err != nil {
			t.Error(err)
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		switch {
		case e.Type()&os.ModeSymlink != 0:
			t.Errorf("%s is a symbolic link", rel)
		case !e.IsDir() && !listed[filepath.ToSlash(rel)]:
			t.Errorf("%s is not in the manifest", rel)
		}
		return nil
	})
}

// TestPublicationNeverFollowsLinks (issue 15.6): a folder of a run
// directory that is a symbolic link is replaced by a real folder, its
// target untouched; a run directory that is a link is refused; the
// manifest lists only files that are there.
func TestPublicationNeverFollowsLinks(t *testing.T) {
	t.Parallel()
	st := loadedStore(t, basicExample)
	cfg := testConfig(t)
	res := runDate(t, st, cfg, "2026-03-03")
	ctx := context.Background()

	elsewhere := t.TempDir()
	sentinel := filepath.Join(elsewhere, "keep.txt")
	if err := os.WriteFile(sentinel, []byte("not yours"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, sub := range []string{"participants", "provider"} {
		if err := os.RemoveAll(filepath.Join(res.Dir, sub)); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(elsewhere, filepath.Join(res.Dir, sub)); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(sentinel, filepath.Join(res.Dir, "discrepancies.csv.link")); err != nil {
		t.Fatal(err)
	}
	dir, _, err := Publish(ctx, st, res.Run, cfg.OutDir, nil)
	if err != nil {
		t.Fatalf("publish over links: %v", err)
	}
	checkRunDir(t, dir)
	entries, _ := os.ReadDir(elsewhere)
	if data, err := os.ReadFile(sentinel); err != nil || string(data) != "not yours" || len(entries) != 1 {
		t.Errorf("the links' target was touched: %v %q, %d entries", err, data, len(entries))
	}

	// a run directory that is a link is refused, its target untouched
	out := t.TempDir()
	if err := os.MkdirAll(filepath.Join(out, res.Run.BusinessDate), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(elsewhere, filepath.Join(out, res.Run.BusinessDate, res.Run.RunID)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Publish(ctx, st, res.Run, out, nil); err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Errorf("publish into a linked run directory: %v, want a refusal naming the link", err)
	}
	if entries, _ := os.ReadDir(elsewhere); len(entries) != 1 {
		t.Errorf("the linked run directory's target holds %d entries", len(entries))
	}
}

// TestConcurrentPublicationsOfOneRun (issue 15.7): exports of one run into
// one destination at the same time are serialized: each succeeds and the
// directory is whole.
func TestConcurrentPublicationsOfOneRun(t *testing.T) {
	t.Parallel()
	st := loadedStore(t, basicExample)
	cfg := testConfig(t)
	res := runDate(t, st, cfg, "2026-03-03")
	ctx := context.Background()
	out := t.TempDir()
	for round := 0; round < 3; round++ {
		errs := make(chan error, 4)
		for i := 0; i < cap(errs); i++ {
			go func() {
				_, _, err := Publish(ctx, st, res.Run, out, nil)
				errs <- err
			}()
		}
		for i := 0; i < cap(errs); i++ {
			if err := <-errs; err != nil {
				t.Errorf("round %d: concurrent publication: %v", round, err)
			}
		}
		checkRunDir(t, filepath.Join(out, res.Run.BusinessDate, res.Run.RunID))
		if entries, err := os.ReadDir(filepath.Join(out, res.Run.BusinessDate)); err != nil || len(entries) != 1 {
			t.Errorf("round %d: the date directory holds %d entries (%v), want the run directory only", round, len(entries), err)
		}
	}
}

// modifiedBasic is a copy of the basic example where every participant's
// email and every sale's buyer tax id changed: a load of it updates the
// rows a run's lines reference.
func modifiedBasic(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{"participants.csv", "sales.csv", "sale_events.csv"} {
		data, err := os.ReadFile(filepath.Join(basicExample, name))
		if err != nil {
			t.Fatal(err)
		}
		s := string(data)
		switch name {
		case "participants.csv":
			s = strings.ReplaceAll(s, "@example.com", "@example.org")
		case "sales.csv":
			lines := strings.Split(s, "\n")
			for i := 1; i < len(lines); i++ {
				f := strings.Split(lines[i], ",")
				if len(f) == 10 {
					f[7] = "52998224725"
					lines[i] = strings.Join(f, ",")
				}
			}
			s = strings.Join(lines, "\n")
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestLoadAndRunAtTheSameTime (issue 15.4): a load that changes the rows
// a run references, while the run computes, and a run while a load is
// open: both succeed (one may wait), both ways round.
func TestLoadAndRunAtTheSameTime(t *testing.T) {
	t.Parallel()
	for _, loadFirst := range []bool{true, false} {
		name := "run first"
		if loadFirst {
			name = "load first"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			st := loadedStore(t, basicExample)
			cfg := testConfig(t)
			mod := modifiedBasic(t)
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			firstAt, releaseFirst := make(chan struct{}), make(chan struct{})
			pause := func(prefix string) func(string, ...any) {
				var once sync.Once
				return func(format string, args ...any) {
					if strings.HasPrefix(fmt.Sprintf(format, args...), prefix) {
						once.Do(func() { close(firstAt); <-releaseFirst })
					}
				}
			}
			loadErr, runErr := make(chan error, 1), make(chan error, 1)
			doLoad := func(say func(string, ...any)) {
				_, err := load.Dir(ctx, st.DB, mod, say)
				loadErr <- err
			}
			doRun := func() {
				_, err := RunNightly(ctx, st, cfg, mustDate(t, "2026-03-03"))
				runErr <- err
			}
			first, second := loadErr, runErr
			if loadFirst {
				// the load has written every file and holds its transaction open
				go doLoad(pause("sale_events.csv: "))
				<-firstAt
				go doRun()
			} else {
				// the run has written its lines and holds its transaction open
				cfg.Progress = pause("allocation done")
				go doRun()
				<-firstAt
				go doLoad(nil)
				first, second = runErr, loadErr
			}
			var secondErr error
			secondDone := false
			select { // the second may finish while the first is open, or wait for it
			case secondErr = <-second:
				secondDone = true
			case <-time.After(3 * time.Second):
			}
			close(releaseFirst)
			if err := <-first; err != nil {
				t.Errorf("first: %v", err)
			}
			if !secondDone {
				secondErr = <-second
			}
			if secondErr != nil {
				t.Errorf("second: %v", secondErr)
			}
		})
	}
}

// TestDirectWritesBreakingSpecAreHeld (issue 15.5): rows written straight
// into the tables that break SPEC section 2 are not paid or capped
// silently: refunds adding up to more than the gross, a sale settled
// before it was sold, a contract whose versions name two products each
// give an INVALID_SALE with the reason; the rest of the night is paid.
func TestDirectWritesBreakingSpecAreHeld(t *testing.T) {
	t.Parallel()
	st := loadedStore(t, basicExample)
	cfg := testConfig(t)
	mustExec(t, st, `INSERT INTO sales (sale_id, product_id, currency, gross, platform_fee, sold_at, settled_at)
		VALUES ('sX', 'p2', 'BRL', 10, 1, '2026-03-02T10:00:00-03:00', '2026-03-01T10:00:00-03:00')`)
	mustExec(t, st, `INSERT INTO sale_events (event_id, sale_id, kind, amount, occurred_at) VALUES
		('e8', 's01', 'refund', 60.00, '2026-03-03T11:00:00-03:00'), ('e9', 's01', 'refund', 50.00, '2026-03-03T12:00:00-03:00')`)
	mustExec(t, st, `INSERT INTO contract_terms (contract_id, version, product_id, coproducer_id, status, rate_percent, accepted_at) VALUES
		('c99', 1, 'p3', 'cop2', 'accepted', 5, '2026-01-01T00:00:00Z'), ('c99', 2, 'p2', 'cop2', 'accepted', 5, '2026-01-02T00:00:00Z')`)
	res := runDate(t, st, cfg, "2026-03-03")

	found := map[string]string{}
	for _, r := range readCSV(t, filepath.Join(res.Dir, "discrepancies.csv")) {
		if r["kind"] == "INVALID_SALE" {
			found[r["sale_id"]] = r["detail"]
		}
	}
	for sale, want := range map[string]string{
		"sX":  "settled_at",
		"s01": "refunds add up",
		"s06": "contract c99 names products p2, p3",
		"s07": "contract c99 names products p2, p3",
		"s10": "contract c99 names products p2, p3",
	} {
		if !strings.Contains(found[sale], want) {
			t.Errorf("INVALID_SALE of %s: %q, want a reason with %q", sale, found[sale], want)
		}
	}
	lines := readCSVColumns(t, filepath.Join(res.Dir, "participants", "*.csv"), "", "sale_id", "kind")
	for _, l := range lines {
		if strings.HasPrefix(l, "sX,") || strings.HasPrefix(l, "s07,") || strings.HasPrefix(l, "s06,") || l == "s01,reversal" {
			t.Errorf("line %s paid for a held sale or an over-refund", l)
		}
	}
	if !contains(lines, "s02,commission") {
		t.Errorf("the rest of the night was not paid: %v", lines)
	}
}
