package jobs

import (
	"context"
	"testing"
	"time"

	"payouts/internal/seed"
	"payouts/internal/storetest"
	"payouts/reconcile"
)

// BenchmarkNightlyRun measures a nightly run (compute and publication) of
// 10,000 seeded sales; `make bench` runs it. At 1,000,000 sales the run
// took about 3 minutes with a peak RSS of about 40 MB on 2 cores (see the
// README): memory does not grow with the number of sales.
func BenchmarkNightlyRun(b *testing.B) {
	const sales = 10000
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		st := storetest.New(b)
		cfg, err := ConfigFromEnv(func(string) string { return "" })
		if err != nil {
			b.Fatal(err)
		}
		cfg.OutDir = b.TempDir()
		d, _ := reconcile.ParseDate("2026-03-03")
		if _, err := seed.Run(context.Background(), st.DB, seed.Options{Sales: sales, Date: d, Seed: 1, Location: cfg.Location}); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		if _, err := RunNightly(context.Background(), st, cfg, d); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(sales)/time.Since(start).Seconds(), "sales/s")
	}
}
