# respkit/redis — build, test and demo entry points.
GO          ?= go
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2
SUDO        := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: test demo bench bench-micro deps fmt-check vet staticcheck fuzz

## test: install the Redis binaries if missing, check formatting, vet, staticcheck, run every test with -race
test: deps fmt-check vet staticcheck
	$(GO) test -race -count=1 -timeout 12m ./...

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

staticcheck:
	$(GO) run $(STATICCHECK) ./...

## fuzz: run the protocol reader's fuzz target for a minute
fuzz:
	$(GO) test -run '^$$' -fuzz FuzzReader -fuzztime 60s -fuzzminimizetime 5s ./resp
