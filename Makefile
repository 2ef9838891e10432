# Drawbridge. `make run` starts the gateway in front of the demo game;
# `make test` runs every test, the headless-Chromium ones included.

GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
GOROOT  := $(shell $(GO) env GOROOT)
DIST    := www/dist
RUNARGS ?=

.PHONY: all build wasm gateway run test bench bench-bridge lint clean

all: build

## build: the wasm client into www/dist, then bin/drawbridge with www embedded
build: wasm gateway

wasm:
	GOOS=js GOARCH=wasm $(GO) build -trimpath -ldflags "-s -w" -o $(DIST)/client.wasm ./wasmclient
	cp $(GOROOT)/lib/wasm/wasm_exec.js $(DIST)/wasm_exec.js
	gzip -9 -n -k -f $(DIST)/client.wasm
	@ls -l $(DIST)/client.wasm $(DIST)/client.wasm.gz | awk '{printf "%s %.1f MB\n", $$9, $$5/1048576}'

gateway:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "-s -w -X main.version=$(VERSION)" -o bin/drawbridge ./gateway

## run: the gateway with its defaults: https://localhost:8443, redirects on :8080, demo game on 127.0.0.1:4000
run: build
	./bin/drawbridge serve $(RUNARGS)

## test: vet, then every test with the race detector (the e2e tests build their own client and drive Chromium)
test:
	$(GO) vet ./...
	GOOS=js GOARCH=wasm $(GO) vet ./wasmclient/... ./shared/...
	$(GO) test -race -count=1 -timeout 15m ./...

## bench: Go benchmarks of the hot paths
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

## bench-bridge: the load tool: players through the real gateway to an echo game (a few minutes; LOADARGS passes flags)
LOADARGS ?=
bench-bridge:
	$(GO) run ./e2e/load $(LOADARGS)

## lint: go vet natively and under js/wasm, and gofmt
lint:
	$(GO) vet ./...
	GOOS=js GOARCH=wasm $(GO) vet ./wasmclient/... ./shared/...
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

clean:
	rm -rf bin $(DIST)/client.wasm $(DIST)/client.wasm.gz $(DIST)/wasm_exec.js e2e/testoutput
