package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"payouts/internal/storetest"
)

// statusScaleItems is the size of the status report of the scale test.
const statusScaleItems = 100000

// TestImportStatusAtScale imports a pain.002 of 100,000 transactions
// through the binary: first it SIGKILLs an import after its first batch
// was written (uncommitted) and sees that nothing was recorded, then it
// imports the file whole, in seconds and without holding it in memory
// (the peak RSS of the process is bounded far below the file's size).
func TestImportStatusAtScale(t *testing.T) {
	t.Parallel()
	bin := payoutsBinary(t)
	dbURL := storetest.NewURL(t)
	st := storetest.Open(t, dbURL)
	start := time.Now()
	_, err := st.DB.Exec(`
		INSERT INTO runs (run_id, business_date, kind, status, window_end, params)
			VALUES ('nightly-20260303', '2026-03-03', 'nightly', 'completed', '2026-03-04T03:00:00Z', '{}');
		INSERT INTO participants (participant_id, name, payout_account)
			SELECT 'p' || n, 'Participant ' || n, '0001-' || n FROM generate_series(1, ` + fmt.Sprint(statusScaleItems) + `) n;
		INSERT INTO payout_items (run_id, participant_id, currency, amount, reference, name, payout_account)
			SELECT 'nightly-20260303', 'p' || n, 'BRL', 100 + n, 'nightly-20260303-BRL-' || lpad(n::text, 6, '0'), 'Participant ' || n, '0001-' || n
			FROM generate_series(1, ` + fmt.Sprint(statusScaleItems) + `) n;
		ANALYZE participants, payout_items;`)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d items in %s", statusScaleItems, time.Since(start).Round(time.Millisecond))

	path := filepath.Join(t.TempDir(), "pain002-100k.xml")
	writeBigPain002(t, path, statusScaleItems)
	fi, _ := os.Stat(path)

	// Killed after its first batch: nothing.
	p := newProc(t, bin, dbURL, t.TempDir())
	cmd := p.command("import-status", path)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stderr)
	killed := false
	for sc.Scan() {
		if strings.Contains(sc.Text(), "items changed so far") && !killed {
			cmd.Process.Kill()
			killed = true
		}
	}
	cmd.Wait()
	if !killed {
		t.Fatal("the import finished before it could be killed")
	}
	var imports, history, moved int
	st.DB.Get(&imports, `SELECT count(*) FROM status_imports`)
	st.DB.Get(&history, `SELECT count(*) FROM payout_status_history`)
	st.DB.Get(&moved, `SELECT count(*) FROM payout_items WHERE state <> 'issued'`)
	if imports+history+moved != 0 {
		t.Fatalf("a killed import left %d imports, %d history rows, %d items moved", imports, history, moved)
	}

	// The whole file.
	cmd = p.command("import-status", path)
	start = time.Now()
	out, err := cmd.CombinedOutput()
	elapsed := time.Since(start)
	if err != nil {
		t.Fatalf("import-status: %v\n%s", err, out)
	}
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	rssMB := float64(ru.Maxrss) / 1024
	t.Logf("imported %d transactions (%.1f MB) in %s, peak RSS %.1f MB", statusScaleItems, float64(fi.Size())/1e6, elapsed.Round(time.Millisecond), rssMB)
	fmt.Fprintf(os.Stderr, "import-status of %d transactions (%.1f MB): %s, peak RSS %.1f MB\n", statusScaleItems, float64(fi.Size())/1e6, elapsed.Round(time.Millisecond), rssMB)
	st.DB.Get(&moved, `SELECT count(*) FROM payout_items WHERE state = 'paid'`)
	if moved != statusScaleItems {
		t.Errorf("%d items paid, want %d", moved, statusScaleItems)
	}
	// A streaming import holds a batch, not the file: the Go runtime, the
	// driver and one batch take 20-30 MB whatever the file's size (45.9 MB
	// measured for this 22.9 MB file on a loaded machine, where the bound
	// used to be twice the file's size and failed by 0.1 MB). A file read
	// whole would take its size again in parsed form on top. The time is
	// logged, not asserted: speed targets live in benchmarks.
	if fileMB := float64(fi.Size()) / 1e6; rssMB > fileMB+30 {
		t.Errorf("peak RSS %.1f MB for a %.1f MB file: more than the file plus 30 MB", rssMB, fileMB)
	}
}

// writeBigPain002 writes a pain.002.001.11 reporting n items paid.
func writeBigPain002(t *testing.T, path string, n int) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.11"><CstmrPmtStsRpt>
<GrpHdr><MsgId>BIG</MsgId><CreDtTm>2026-03-04T09:00:00Z</CreDtTm></GrpHdr>
<OrgnlGrpInfAndSts><OrgnlMsgId>nightly-20260303-BRL</OrgnlMsgId><OrgnlMsgNmId>pain.001.001.09</OrgnlMsgNmId></OrgnlGrpInfAndSts>
<OrgnlPmtInfAndSts><OrgnlPmtInfId>nightly-20260303-BRL</OrgnlPmtInfId>
`)
	for i := 1; i <= n; i++ {
		amt := 100 + i
		fmt.Fprintf(w, "<TxInfAndSts><OrgnlEndToEndId>nightly-20260303-BRL-%06d</OrgnlEndToEndId><TxSts>ACSC</TxSts>"+
			"<AccptncDtTm>2026-03-04T10:00:00Z</AccptncDtTm><OrgnlTxRef><Amt><InstdAmt Ccy=\"BRL\">%d.%02d</InstdAmt></Amt></OrgnlTxRef></TxInfAndSts>\n",
			i, amt/100, amt%100)
	}
	fmt.Fprint(w, "</OrgnlPmtInfAndSts></CstmrPmtStsRpt></Document>\n")
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}
