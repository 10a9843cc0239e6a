# payouts: the nightly payout reconciliation worker.
#   make demo   throwaway PostgreSQL, migrate, seed, one nightly run, summary
#   make test   gofmt, go vet and every test against a real PostgreSQL
GO      ?= go
BIN     := bin/payouts
PKGS    := ./...

.PHONY: all build test race demo bench bench-nights bench-night fuzz vet fmt-check tools demo-tools clean

all: build

build:
	CGO_ENABLED=0 $(GO) build -trimpath -o $(BIN) ./cmd/payouts

# What the tests need (PostgreSQL, xmllint, LibreOffice) and what the demo
# uses (PostgreSQL only).
tools:
	@.ci/ensure-tools test

demo-tools:
	@.ci/ensure-tools demo

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet $(PKGS)

# Every test, including the fuzz targets' seed corpora. Database tests start
# a throwaway PostgreSQL per test binary unless DATABASE_URL is set.
test: tools fmt-check vet
	$(GO) test -count=1 -timeout 15m $(PKGS)

# The race detector over the packages with goroutines (scheduler, admin
# server, lock waits, publication) and the rules; needs cgo (gcc).
race: tools
	CGO_ENABLED=1 $(GO) test -race -count=1 -timeout 20m ./jobs/... ./reports/... ./reconcile/... ./internal/pgcluster/ ./internal/pgtest/

demo: demo-tools build
	./$(BIN) demo

bench: tools
	$(GO) test -run '^$$' -bench . -benchmem -timeout 30m $(PKGS)

# A year of nights in small: NIGHTS consecutive nights of NIGHT_SALES new
# sales each in one seeded marketplace, run through the CLI; prints each
# night's wall time, peak RSS and output sizes (docs/scaling.md). The
# finance team corrects the over-cap contracts WORK_AFTER nights after
# their first held sale (0: nobody works the blocking list).
NIGHTS      ?= 30
NIGHT_SALES ?= 50000
WORK_AFTER  ?= 3
bench-nights: tools build
	$(GO) run ./internal/benchnights -bin $(BIN) -sales $(NIGHT_SALES) -nights $(NIGHTS) -work-after $(WORK_AFTER) -log bench-nights.log

# One big night (BIG_SALES) with every default output, against its floor:
# COPY of the candidate sales out plus COPY of the run's lines into a table
# with the same columns and no index.
BIG_SALES ?= 1000000
bench-night: tools build
	$(GO) run ./internal/benchnights -bin $(BIN) -sales $(BIG_SALES) -nights 1 -floor -log bench-night.log -profile bench-night-profile

# Fuzz each target for FUZZTIME (go test -fuzz takes one target at a time).
FUZZTIME ?= 30s
fuzz:
	@for pkg in $$($(GO) list $(PKGS)); do \
	  for t in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "== $$pkg $$t"; $(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

clean:
	rm -rf bin out
