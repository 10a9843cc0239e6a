package load

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"payouts/internal/storetest"
)

// BenchmarkLoadSales loads the basic example plus 200,000 generated sales
// and 20,000 refunds into an empty database, then again (all unchanged):
//
//	go test ./sql/load -run '^$' -bench LoadSales -benchtime 1x
func BenchmarkLoadSales(b *testing.B) {
	const sales, refunds = 200_000, 20_000
	dir := b.TempDir()
	for _, name := range []string{"participants.csv", "products.csv", "contract_terms.csv", "affiliations.csv"} {
		data, err := os.ReadFile(filepath.Join(basicDir, name))
		if err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	writeLines(b, filepath.Join(dir, "sales.csv"), "sale_id,product_id,currency,gross,platform_fee,affiliate_id,affiliate_rate_percent,sold_at,settled_at", sales, func(i int) string {
		if i%2 == 0 {
			return fmt.Sprintf("g%d,p1,BRL,%d.90,%d.00,aff1,35,2026-02-01T10:00:00-03:00,2026-03-03T10:00:00-03:00", i, 10+i%500, 1+i%9)
		}
		return fmt.Sprintf("g%d,p3,JPY,%d,%d,,,2026-02-01T10:00:00-03:00,", i, 1000+i%500, i%90)
	})
	writeLines(b, filepath.Join(dir, "sale_events.csv"), "event_id,sale_id,kind,amount,occurred_at", refunds, func(i int) string {
		return fmt.Sprintf("r%d,g%d,refund,5.00,2026-03-20T10:00:00-03:00", i, 2*i)
	})
	for b.Loop() {
		b.StopTimer()
		db := storetest.New(b).DB
		b.StartTimer()
		for range 2 {
			start := time.Now()
			if _, err := Dir(context.Background(), db, dir, func(f string, a ...any) {
				b.Logf("%8v "+f, append([]any{time.Since(start).Round(time.Millisecond)}, a...)...)
			}); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func writeLines(b *testing.B, path, header string, n int, line func(int) string) {
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, header)
	for i := range n {
		fmt.Fprintln(w, line(i))
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
}
