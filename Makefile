# payouts: the nightly payout reconciliation worker.
#   make demo   throwaway PostgreSQL, migrate, seed, one nightly run, summary
#   make test   gofmt, go vet and every test against a real PostgreSQL
GO      ?= go
BIN     := bin/payouts
PKGS    := ./...

.PHONY: all build test race demo bench fuzz vet fmt-check tools demo-tools clean

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
	CGO_ENABLED=1 $(GO) test -race -count=1 -timeout 20m ./jobs/... ./reports/... ./reconcile/... ./sql/pgtemp/

demo: demo-tools build
	./$(BIN) demo

bench: tools
	$(GO) test -run '^$$' -bench . -benchmem -timeout 30m $(PKGS)

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
