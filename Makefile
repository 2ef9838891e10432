# Drawbridge. `make run` starts the gateway in front of the demo game;
# `make test` runs every test, the headless-Chromium ones included.

GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
DIST    := www/dist
RUNARGS ?=

.PHONY: all build wasm gateway run deps test bench bench-bridge bench-client lint release clean

all: build

## build: the wasm client into www/dist, then bin/drawbridge with www embedded
build: wasm gateway

## wasm: the client and wasm_exec.js under content-hashed names, with brotli and gzip copies (www/build prints their sizes)
wasm:
	$(GO) run ./www/build -go "$(GO)" -o $(DIST)

gateway:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "-s -w -X main.version=$(VERSION)" -o bin/drawbridge ./gateway

## run: the gateway with its defaults: https://localhost:8443, redirects on :8080, demo game on 127.0.0.1:4000
run: build
	./bin/drawbridge serve $(RUNARGS)

## deps: install the Debian packages the tests drive that are missing (sudo when not root; the list is in .ci/deps), then the Go modules
deps:
	bash .ci/deps

## test: deps, lint, then every test with the race detector (the e2e tests build their own client and drive Chromium)
test: deps
	$(MAKE) --no-print-directory lint
	$(GO) test -race -count=1 -timeout 30m ./...

## bench: Go benchmarks of the hot paths
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

## bench-bridge: the load tool: players through the real gateway to an echo game (a few minutes; LOADARGS passes flags)
LOADARGS ?=
bench-bridge:
	$(GO) run ./e2e/load $(LOADARGS)

## bench-client: the web client against xterm.js in one headless Chromium: MB/s, frames/s and frame waits at 1280x800 and a phone's 390x844, first frame, keystroke to screen, memory, CJK ingest, idle CPU, download size, and a minimal Ebitengine page's floor (about three minutes; CLIENTBENCHARGS passes flags)
CLIENTBENCHARGS ?=
bench-client: wasm
	cd e2e/clientbench && npm ci --no-audit --no-fund --prefer-offline
	$(GO) run ./e2e/clientbench -go "$(GO)" $(CLIENTBENCHARGS)

## lint: go vet and staticcheck (the version go.mod pins as a tool), natively and under js/wasm, and gofmt
lint:
	$(GO) vet ./...
	GOOS=js GOARCH=wasm $(GO) vet ./wasmclient/... ./shared/... ./e2e/clientbench/minimal
	$(GO) tool staticcheck ./...
	@# go tool would build staticcheck itself for js/wasm: build it natively, then point it at the js build
	GOOS=js GOARCH=wasm $$($(GO) tool -n staticcheck) ./wasmclient/... ./shared/... ./e2e/clientbench/minimal
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

## release: static binaries for linux and darwin (amd64, arm64), tarballs, Debian packages and SHA256SUMS in dist/ (deploy/release/release.sh)
release: wasm
	VERSION="$(VERSION)" GO="$(GO)" bash deploy/release/release.sh

clean:
	rm -rf bin dist e2e/testoutput
	rm -f $(DIST)/client.* $(DIST)/wasm_exec.* $(DIST)/manifest.json $(DIST)/.build-*
