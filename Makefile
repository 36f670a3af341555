# respkit/redis — build, test and demo entry points.
GO          ?= go
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2
SUDO        := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: test demo bench bench-micro deps fmt-check vet staticcheck fuzz chaos

## test: install the Redis binaries if missing, check formatting, vet, staticcheck, a few seconds of each fuzz target, every test with -race (the root module, then extra/otel, a module of its own)
test: deps fmt-check vet staticcheck fuzz-short
	$(GO) test -race -count=1 -timeout 12m ./...
	cd extra/otel && $(GO) test -race -count=1 -timeout 5m ./...

## chaos: the long forms of the fault suite (10^7 calls, a 30-minute soak, 1,000 pub/sub disconnects)
chaos: deps
	CHAOS=1 RESPKIT_CHAOS=1 $(GO) test -race -count=1 -timeout 90m -run 'TestFault|TestPubSubChaos' -v .

## demo: run the tour (uses REDIS_URL when set, otherwise starts a throwaway server)
demo: deps
	$(GO) run ./examples/tour

## bench: this client against go-redis and rueidis on one real server (bench/, its own module)
bench: deps
	$(GO) run ./bench $(BENCH_ARGS)

## bench-micro: microbenchmarks of the protocol and of round trips against a real server
bench-micro: deps
	$(GO) test -run '^$$' -bench . -benchmem ./...

## deps: install redis-server, redis-sentinel and redis-tools from apt when missing
deps:
	@if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-sentinel >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then \
		echo "installing redis-server redis-sentinel redis-tools with apt-get"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq redis-server redis-sentinel redis-tools >/dev/null; \
	fi
	@redis-server --version

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...
	cd extra/otel && $(GO) vet ./...

staticcheck:
	$(GO) run $(STATICCHECK) ./...
	cd extra/otel && $(GO) run $(STATICCHECK) ./...

## fuzz: run every fuzz target of the module (FuzzReader, FuzzDecoders, FuzzParseURL, ...) for FUZZTIME each
## fuzz-short: the same for FUZZTIME_SHORT each, a smoke run for make test
FUZZTIME       ?= 30s
FUZZTIME_SHORT ?= 3s
# go test -fuzz takes one target of one package per run: find them all
# (func FuzzX(f *testing.F) in *_test.go, outside the bench module), run
# each, and fail at the end if any failed (a crasher is written to the
# package's testdata/fuzz/FuzzX/).
#
# Go 1.26's fuzzing coordinator may fail a target with a bare "context
# deadline exceeded" when -fuzztime runs out (golang/go#75804, fixed in Go
# 1.27): a run that fails with that message and writes no failing input
# to testdata/fuzz/<target>/ is reported and not counted as a failure.
define run_fuzz
	@failed=; for f in $$(find . -name '*_test.go' -not -path './bench/*' -not -path '*/testdata/*' | sort); do \
		for name in $$(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(f \*testing\.F).*/\1/p' "$$f"); do \
			dir=$$(dirname $$f); corpus="$$dir/testdata/fuzz/$$name"; \
			before=$$(ls "$$corpus" 2>/dev/null | wc -l); \
			echo "== $$name ($$dir) for $(1)"; \
			$(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(1) -fuzzminimizetime 10s $$dir >/tmp/fuzz-$$$$.log 2>&1; rc=$$?; \
			cat /tmp/fuzz-$$$$.log; \
			if [ $$rc -ne 0 ]; then \
				after=$$(ls "$$corpus" 2>/dev/null | wc -l); \
				if [ "$$after" = "$$before" ] && grep -q '^    context deadline exceeded$$' /tmp/fuzz-$$$$.log; then \
					echo "== $$name: the fuzzing coordinator's deadline race (golang/go#75804), no failing input: not a failure"; \
				else failed="$$failed $$name"; fi; \
			fi; \
		done; \
	done; \
	rm -f /tmp/fuzz-$$$$.log; \
	if [ -n "$$failed" ]; then echo "fuzz targets that failed:$$failed"; exit 1; fi
endef
.PHONY: fuzz-short
fuzz:
	$(call run_fuzz,$(FUZZTIME))
fuzz-short:
	$(call run_fuzz,$(FUZZTIME_SHORT))
