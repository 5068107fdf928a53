# provenant: the commands a developer and CI need. See README.md.
SHELL := /bin/bash
GO ?= go
export GOTOOLCHAIN := local
TOOLS ?= $(CURDIR)/.tools
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo devel)
LDFLAGS := -s -w -X github.com/provenant/provenant/internal/cli.version=$(VERSION)

.PHONY: all build test lint unit e2e demo bench tools clean

all: build

build: ## Build bin/provenant
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/provenant ./cmd/provenant

tools: ## Install the pinned tools the tests need into .tools/bin
	bash scripts/install-tools.sh lint

lint: tools ## gofmt, go vet, staticcheck
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(TOOLS)/bin/staticcheck ./...

unit: ## Unit tests, race detector on, random order
	$(GO) test -race -shuffle=on -count=1 ./...

test: lint unit ## Everything CI runs

demo: ## Run the main job locally on testdata artifacts with a fixture GitHub context
	bash scripts/demo.sh

bench: ## Benchmarks behind BENCHMARKS.md
	bash scripts/bench.sh

clean:
	rm -rf bin
