package seed

import (
	"context"
	"testing"

	"payouts/internal/storetest"
)

// BenchmarkSeed seeds 10,000 sales per iteration, each iteration a new
// date of the same marketplace, so every iteration writes new rows.
func BenchmarkSeed(b *testing.B) {
	db := storetest.New(b).DB
	d := mustDate(b, "2026-03-03")
	ctx := context.Background()
	for i := 0; b.Loop(); i++ {
		if _, err := Run(ctx, db, Options{Sales: 10_000, Date: d.AddDays(i), Seed: 1, Location: saoPaulo}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*10_000)/b.Elapsed().Seconds(), "sales/s")
}
