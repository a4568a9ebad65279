# Trafficinator — build, test and run.
# The repository is a Go workspace of four modules; `./...` at the root covers none of them,
# so every target loops over MODULES. deploy/kubernetes/check only tests the Kubernetes
# manifests: a module of its own, so that the k8s.io dependencies stay out of the programs'.

MODULES   := pkg loader control deploy/kubernetes/check
GO        ?= go
BIN       := bin
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -s -w -X github.com/trafficinator/trafficinator/pkg/version.Version=$(VERSION)
TESTFLAGS ?= -race -count=1 -timeout 20m
# golangci-lint, pinned: `make tools` installs this version into $(GOBIN_DIR)
GOLANGCI_LINT_VERSION := v2.15.0
GOBIN_DIR     = $(or $(shell $(GO) env GOBIN),$(shell $(GO) env GOPATH)/bin)
GOLANGCI_LINT = $(GOBIN_DIR)/golangci-lint

.PHONY: all build test test-short lint vet fmt tools docs docs-check bench tidy clean

all: build

## build: the loader and the sink (static) and the control (cgo, for SQLite) into ./bin;
## make images builds the fully static control for its FROM-scratch image
build:
	mkdir -p $(BIN)
	cd loader && CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o ../$(BIN)/loader ./cmd/loader
	cd loader && CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o ../$(BIN)/matomo-sink ./cmd/matomo-sink
	cd control && CGO_ENABLED=1 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o ../$(BIN)/control ./cmd/control

## test: lint, then every module's tests (race detector on). The control's packages run one at a time
## (-p 1): their Docker tests create and remove networks, and Chromium in the browser test aborts page
## loads (net::ERR_NETWORK_CHANGED) when an interface appears or goes while it loads.
test: lint docs-check
	@set -e; for m in $(MODULES); do echo "== go test $$m"; p=; [ $$m = control ] && p="-p 1"; \
		(cd $$m && $(GO) test $(TESTFLAGS) $$p ./...); done

## test-short: the fast subset (no Docker, no browser)
test-short:
	@set -e; for m in $(MODULES); do (cd $$m && $(GO) test -short -count=1 ./...); done

## lint: gofmt must have nothing to say, go vet and golangci-lint (.golangci.yml: errorlint, staticcheck,
## revive's exported rule, bodyclose) must pass; `make tools` installs the pinned golangci-lint
lint: vet
	@out=$$(gofmt -l $(MODULES)); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	@have=$$($(GOLANGCI_LINT) version --short 2>/dev/null); if [ "v$$have" != "$(GOLANGCI_LINT_VERSION)" ]; then \
		echo "golangci-lint $(GOLANGCI_LINT_VERSION) is needed (found: $${have:-none} at $(GOLANGCI_LINT)): run 'make tools'"; exit 1; fi
	@set -e; for m in $(MODULES); do (cd $$m && $(GOLANGCI_LINT) run -c $(CURDIR)/.golangci.yml ./...); done

vet:
	@set -e; for m in $(MODULES); do (cd $$m && $(GO) vet ./...); done

fmt:
	gofmt -w $(MODULES)

## tools: install the pinned golangci-lint (from the Go module proxy) for make lint
tools:
	$(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION)

## docs: regenerate docs/configuration.md from pkg/config
docs:
	cd pkg && $(GO) run ./config/cmd/gendocs > ../docs/configuration.md

## docs-check: fail when docs/configuration.md is stale
docs-check:
	@cd pkg && $(GO) run ./config/cmd/gendocs | diff -u ../docs/configuration.md - >/dev/null || { echo "docs/configuration.md is stale: run 'make docs'"; exit 1; }

## bench: every benchmark: Go micro-benchmarks, the live comparison with k6 and wrk, the backfill run
## (figures printed, nothing asserted; see docs/performance.md)
bench: bench-go bench-live bench-backfill

bench-go:
	@set -e; for m in $(MODULES); do (cd $$m && $(GO) test -run '^$$' -bench . -benchmem -short ./...); done

## bench-live: loader vs k6 vs wrk, rate accuracy, memory (needs wrk and k6: see loader/bench/live.sh)
bench-live:
	bash loader/bench/live.sh

## bench-backfill: 100,000 visits into matomo-sink vs the sink's own ceiling, one core each
## (the sink on core 0, the loader on core 1), as in the live benchmark
bench-backfill:
	cd loader && $(GO) test -c -o ../bin/backfill.test ./internal/backfill/
	cd loader/internal/backfill && BACKFILL_BENCH_SINK_CPUS=0 taskset -c 1 ../../../bin/backfill.test -test.run '^$$' -test.bench Backfill100k -test.benchtime 1x -test.timeout 30m

## bench-matomo: the loader's backfill against a REAL Matomo, next to that Matomo's own ceiling for the
## same traffic (the loader's captured bulk bodies replayed at MATOMO_BENCH_PARALLEL), and an
## exactly-once check with Matomo's reports. Never part of make test. Needs MATOMO_BENCH_URL (loopback
## unless MATOMO_BENCH_ALLOW_REMOTE=1) and MATOMO_BENCH_TOKEN (a super user's); creates fresh sites.
## BENCH_MATOMO_FLAGS=-json prints a JSON summary. See docs/performance.md
bench-matomo: build
	cd loader && $(GO) run ./bench/matomo $(BENCH_MATOMO_FLAGS)

tidy:
	@set -e; for m in $(MODULES); do (cd $$m && $(GO) mod tidy); done

clean:
	rm -rf $(BIN) deploy/build

## presets: copy presets/.env.* and presets/scenario.*.yaml into pkg/presets (embedded by the programs)
presets:
	for n in light medium heavy extreme; do cp presets/.env.$$n pkg/presets/files/$$n.env; done
	cp presets/scenario.*.yaml pkg/presets/files/

## images: static binaries built here, then FROM-scratch images trafficinator/{loader,control,matomo-sink}:latest
## (no registry needed; see deploy/)
images:
	GO=$(GO) VERSION=$(VERSION) bash deploy/images.sh

## up: build the images, start the compose project (with the demo sink and loader unless COMPOSE_PROFILES= is set),
## wait for the control's /health, print its address and API key
up: images
	bash deploy/up.sh

## down: stop and remove the project's containers, network and the loaders its control started (volumes kept)
down:
	bash deploy/down.sh

## purge: down, and also remove the data volumes (configs, runs, API key, backfill state)
purge:
	PURGE=1 bash deploy/down.sh

## logs: follow the compose project's logs
logs:
	bash deploy/compose.sh logs -f --tail=100

## e2e: only the end-to-end test (images, compose with the demo profile, live run, backfill, restart, cleanup)
e2e:
	cd control && $(GO) test -count=1 -timeout 10m -run '^TestE2E$$' -v ./e2e/

.PHONY: images up down purge logs e2e

## screenshots: every tab of the web UI, light and dark, into docs/screenshots/ (real control, loader and sink)
screenshots:
	cd control && $(GO) test -count=1 -run 'TestBrowser$$|TestBrowserCompare$$' ./internal/webtest/ -args -screenshots $(CURDIR)/docs/screenshots

.PHONY: screenshots bench-go bench-live bench-backfill bench-matomo presets
