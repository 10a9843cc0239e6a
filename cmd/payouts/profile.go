package main

import (
	"fmt"
	"os"
	"runtime/pprof"
)

// startProfile writes a CPU profile of the whole command to the file named
// by PAYOUTS_CPUPROFILE, for an operator (or make bench-night) finding out
// where a slow night spends its time: `go tool pprof bin/payouts FILE`.
// It returns the function that stops and flushes it.
func startProfile(getenv func(string) string) (func(), error) {
	path := getenv("PAYOUTS_CPUPROFILE")
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("PAYOUTS_CPUPROFILE: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("PAYOUTS_CPUPROFILE: %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}
