package daemon

import (
	"fmt"
	"strconv"
	"time"

	"github.com/robfig/cron/v3"
)

// Config is what `payouts serve` adds to jobs.Config, from the environment.
type Config struct {
	Schedule    string        // PAYOUTS_SCHEDULE: cron spec in PAYOUTS_TZ, default "30 2 * * *"
	CatchupDays int           // PAYOUTS_CATCHUP_DAYS: most business dates one tick runs, default 7
	Grace       time.Duration // PAYOUTS_SHUTDOWN_GRACE: how long a running run may finish after SIGTERM, default 5m
	AdminAddr   string        // PAYOUTS_ADMIN_ADDR: health and metrics listener, default 127.0.0.1:9090
}

// Serve defaults.
const (
	DefaultSchedule    = "30 2 * * *"
	DefaultCatchupDays = 7
	DefaultGrace       = 5 * time.Minute
	DefaultAdminAddr   = "127.0.0.1:9090"
)

// ConfigFromEnv reads PAYOUTS_SCHEDULE, PAYOUTS_CATCHUP_DAYS,
// PAYOUTS_SHUTDOWN_GRACE and PAYOUTS_ADMIN_ADDR; getenv is os.Getenv in
// production. The schedule is checked here, so a typo stops the process at
// start rather than silently never running.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	c := Config{Schedule: DefaultSchedule, CatchupDays: DefaultCatchupDays, Grace: DefaultGrace, AdminAddr: DefaultAdminAddr}
	if v := getenv("PAYOUTS_SCHEDULE"); v != "" {
		c.Schedule = v
	}
	if _, err := cron.ParseStandard(c.Schedule); err != nil {
		return c, fmt.Errorf("PAYOUTS_SCHEDULE=%q: %w (want a 5-field cron spec like %q, or a descriptor like @daily)", c.Schedule, err, DefaultSchedule)
	}
	if v := getenv("PAYOUTS_CATCHUP_DAYS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 366 {
			return c, fmt.Errorf("PAYOUTS_CATCHUP_DAYS=%q: want a whole number of days from 1 to 366", v)
		}
		c.CatchupDays = n
	}
	if v := getenv("PAYOUTS_SHUTDOWN_GRACE"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			return c, fmt.Errorf("PAYOUTS_SHUTDOWN_GRACE=%q: want a duration like 5m or 90s", v)
		}
		c.Grace = d
	}
	if v := getenv("PAYOUTS_ADMIN_ADDR"); v != "" {
		c.AdminAddr = v
	}
	return c, nil
}
