package reports

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"payouts/reconcile"
)

func participantLine(id string) reconcile.LineRecord {
	return reconcile.LineRecord{Line: reconcile.Line{SaleID: "s1", ParticipantID: id, Role: reconcile.RoleLead,
		Kind: reconcile.KindCommission, Amount: 100, Base: 100}, ProductID: "p1", Currency: "BRL",
		SoldAt: time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC)}
}

// TestPublicationWaitsForItsFiles: files are made durable and put in place
// behind the writing; Finish returns only when every one is in place under
// its real name, with no temporary file left.
func TestPublicationWaitsForItsFiles(t *testing.T) {
	d, err := OpenRunDir(t.TempDir(), "2026-03-03", "nightly-20260303")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	pf := d.NewParticipantFiles("nightly-20260303", time.UTC)
	const n = 200
	for i := range n {
		if err := pf.Add(participantLine("p" + string(rune('a'+i/26)) + string(rune('a'+i%26)))); err != nil {
			t.Fatal(err)
		}
	}
	if err := pf.Close(); err != nil {
		t.Fatal(err)
	}
	m, err := d.Finish(Manifest{RunID: "nightly-20260303"})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Files) != n {
		t.Fatalf("manifest lists %d files, want %d", len(m.Files), n)
	}
	entries, err := os.ReadDir(filepath.Join(d.Path, "participants"))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != n {
		t.Errorf("participants/ holds %d entries, want %d", len(entries), n)
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Errorf("temporary file left: %s", e.Name())
		}
	}
}

// TestPublicationStopsAtAFileThatCannotBePlaced: a file that cannot be
// renamed into place (a directory stands at its path) fails the
// publication, naming the file, and leaves no temporary file behind.
func TestPublicationStopsAtAFileThatCannotBePlaced(t *testing.T) {
	d, err := OpenRunDir(t.TempDir(), "2026-03-03", "nightly-20260303")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	blocker := filepath.Join(d.Path, "participants", "pb.csv")
	if err := os.MkdirAll(filepath.Join(blocker, "x"), 0o700); err != nil {
		t.Fatal(err)
	}
	pf := d.NewParticipantFiles("nightly-20260303", time.UTC)
	for _, id := range []string{"pa", "pb", "pc"} {
		if err := pf.Add(participantLine(id)); err != nil {
			break // an earlier file's failure may surface here already
		}
	}
	pf.Close()
	_, err = d.Finish(Manifest{RunID: "nightly-20260303"})
	if err == nil || !strings.Contains(err.Error(), "pb.csv") {
		t.Fatalf("Finish: %v, want the failure of pb.csv", err)
	}
	if _, err := os.Stat(filepath.Join(d.Path, ManifestName)); !os.IsNotExist(err) {
		t.Errorf("manifest written after a failed file: %v", err)
	}
	matches, _ := filepath.Glob(filepath.Join(d.Path, "participants", ".pb.csv.*.tmp"))
	if len(matches) != 0 {
		t.Errorf("temporary files left: %v", matches)
	}
}
