package jobs

import (
	"fmt"
	"strings"
	"time"

	"payouts/reconcile"
)

// Config is the run configuration, from the environment (PAYOUTS_*).
type Config struct {
	Location  *time.Location   // PAYOUTS_TZ, default America/Sao_Paulo
	Policy    reconcile.Policy // PAYOUTS_MAX_COPRODUCER_SHARE, default 70
	MinPayout map[string]int64 // PAYOUTS_MIN_PAYOUT, minor units per currency; default one minor unit
	OutDir    string           // PAYOUTS_OUT, default ./out
	BatchSize int              // sales per fetch and COPY
	LockWait  time.Duration    // how long a run waits for the run lock (--wait); 0: not at all
	Progress  func(format string, args ...any)
}

// DefaultTimeZone is the platform zone when PAYOUTS_TZ is unset.
const DefaultTimeZone = "America/Sao_Paulo"

// ConfigFromEnv reads the configuration; getenv is os.Getenv in production.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	c := Config{Policy: reconcile.DefaultPolicy, MinPayout: map[string]int64{}, OutDir: "./out", BatchSize: 5000}
	tz := getenv("PAYOUTS_TZ")
	if tz == "" {
		tz = DefaultTimeZone
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return c, fmt.Errorf("PAYOUTS_TZ=%q: %w", tz, err)
	}
	c.Location = loc
	if v := getenv("PAYOUTS_MAX_COPRODUCER_SHARE"); v != "" {
		r, err := reconcile.ParseRate(v)
		if err != nil || r <= 0 || r >= reconcile.RateHundred {
			return c, fmt.Errorf("PAYOUTS_MAX_COPRODUCER_SHARE=%q: want a percentage above 0 and below 100", v)
		}
		c.Policy.MaxCoproducerShare = r
	}
	if v := getenv("PAYOUTS_MIN_PAYOUT"); v != "" {
		if c.MinPayout, err = ParseMinPayout(v); err != nil {
			return c, err
		}
	}
	if v := getenv("PAYOUTS_OUT"); v != "" {
		c.OutDir = v
	}
	return c, nil
}

// ParseMinPayout reads PAYOUTS_MIN_PAYOUT: a comma-separated list of
// CURRENCY=AMOUNT in the currency's own digits ("BRL=50.00,USD=10"). A
// single figure for every currency would mean very different sums in JPY
// and KWD, so each currency is named; those not named pay from one minor
// unit.
func ParseMinPayout(v string) (map[string]int64, error) {
	out := map[string]int64{}
	for _, part := range strings.Split(v, ",") {
		code, amount, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return nil, fmt.Errorf("PAYOUTS_MIN_PAYOUT: %q is not CURRENCY=AMOUNT (like BRL=50.00)", part)
		}
		cur, err := reconcile.LookupCurrency(code)
		if err != nil {
			return nil, fmt.Errorf("PAYOUTS_MIN_PAYOUT: %w", err)
		}
		n, err := reconcile.ParseAmount(amount, cur)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("PAYOUTS_MIN_PAYOUT: %s: want a positive amount in %s's digits", part, code)
		}
		out[code] = n
	}
	return out, nil
}

// minPayout is the payout threshold of a currency.
func (c Config) minPayout(code string) int64 {
	if v, ok := c.MinPayout[code]; ok {
		return v
	}
	return 1
}

func (c Config) progress(format string, args ...any) {
	if c.Progress != nil {
		c.Progress(format, args...)
	}
}
