# provenant: the commands a developer and CI need. See README.md.
SHELL := /bin/bash
GO ?= go
export GOTOOLCHAIN := local
TOOLS ?= $(or $(PROVENANT_TOOLS),$(CURDIR)/.tools)
export PROVENANT_TOOLS := $(TOOLS)
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo devel)
LDFLAGS := -s -w -X github.com/provenant/provenant/internal/cli.version=$(VERSION)

.PHONY: all build test lint unit e2e demo bench tools clean fuzz

# The end-to-end matrix: each line is one set of real Sigstore services, in
# the -stack syntax of internal/e2e (internal/testing/stack.ParseArgs).
#   (a) Fulcio + CT log + Rekor v1   (b) Fulcio + CT + Rekor v2 + TSA   (c) Fulcio + TSA only
E2E_MODES := "--rekor v1 --ct --no-tsa" "--rekor v2 --ct --tsa --registry" "--rekor none --no-ct --tsa"

all: build

build: ## Build bin/provenant
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/provenant ./cmd/provenant

# What each target installs (scripts/install-tools.sh --help): demo the
# services, cosign and gh; unit cosign and gh; lint the linters; e2e the
# services, Rekor v1, cosign and gh; test all of them, up front, in one build.
tools: ## Install the pinned tools the tests need into .tools/bin
	bash scripts/install-tools.sh all

lint: ## gofmt, go vet, staticcheck, actionlint on the workflows, the examples and slsa-github-generator's documented callers
	bash scripts/install-tools.sh lint
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(TOOLS)/bin/staticcheck ./...
	$(TOOLS)/bin/actionlint .github/workflows/*.yml examples/*.yml
	ACTIONLINT=$(TOOLS)/bin/actionlint PROVENANT_REQUIRE_ACTIONLINT=1 $(GO) test -count=1 -run Actionlint ./internal/workflowtest

unit: ## Unit tests, race detector on, random order; -short leaves out the real services (cosign and gh still check in-process bundles)
	bash scripts/install-tools.sh verifiers
	PATH="$(TOOLS)/bin:$$PATH" $(GO) test -short -race -shuffle=on -count=1 ./...

# Each test binary starts the services itself, in a private network namespace
# it re-runs itself in (internal/testing/stack). STACK_REQUIRE=1 turns a
# missing tool into a failure instead of a skip.
e2e: build ## End-to-end tests against the real Sigstore services, verified by cosign and gh
	bash scripts/install-tools.sh stack rekor-v1 verifiers
	STACK_REQUIRE=1 $(GO) test -count=1 ./internal/testing/stack
	$(GO) test -c -o bin/e2e.test ./internal/e2e
	@rm -rf bin/e2e-logs && mkdir -p bin/e2e-logs && set -o pipefail && n=0 && \
	for mode in $(E2E_MODES); do \
		n=$$((n + 1)); echo "e2e: $$mode (log: bin/e2e-logs/mode$$n.log)"; \
		(cd internal/e2e && STACK_REQUIRE=1 PROVENANT_BIN=../../bin/provenant \
			../../bin/e2e.test -test.v -test.count=1 -stack "$$mode") 2>&1 | tee bin/e2e-logs/mode$$n.log || exit 1; \
	done && \
	awk 'FNR == 1 { modes++ } $$1 == "---" && $$2 == "SKIP:" && !seen[$$3, FILENAME]++ { skips[$$3]++ } \
		END { for (t in skips) if (skips[t] == modes) { print "e2e: " t " was skipped in every mode"; bad = 1 } exit bad }' \
		bin/e2e-logs/mode*.log || { echo "e2e: a test that no mode runs tests nothing: give it a mode in E2E_MODES, or drop it"; exit 1; }

# Go fuzz targets as "Target ./package"; `make fuzz` runs each for FUZZTIME.
# A crash is saved under the package's testdata/fuzz/<Target>/ and, once
# committed, runs as a regression test with every `go test`.
FUZZTIME ?= 10s
FUZZ_TARGETS := "FuzzParseChecksums ./internal/subject" "FuzzParseBase64Subjects ./internal/subject" \
	"FuzzParseSubjectLine ./internal/subject" "FuzzGlobMatch ./internal/subject" \
	"FuzzEventToProvenance ./internal/provenance" "FuzzParseBundle ./internal/intoto" \
	"FuzzReadBundles ./internal/verify" "FuzzText ./internal/redact"

# Go's fuzzer can end a run with "context deadline exceeded" when the time
# runs out while a worker is busy, without having found anything. A crash
# always leaves a new file under testdata/fuzz/, and fails at once; a
# failure that left none is run once more, and fails if it fails again.
fuzz: ## Run every fuzz target for FUZZTIME (default 10s)
	@for t in $(FUZZ_TARGETS); do set -- $$t; echo "fuzz: $$1 $$2"; \
		$(GO) test -run='^$$' -fuzz="^$$1\$$" -fuzztime=$(FUZZTIME) $$2 && continue; \
		if [ -n "$$(git status --porcelain -- $$2/testdata/fuzz)" ]; then echo "fuzz: $$1 found a crash:"; \
			git status --porcelain -- $$2/testdata/fuzz; exit 1; fi; \
		echo "fuzz: $$1 failed without a crash input; running it once more"; \
		$(GO) test -run='^$$' -fuzz="^$$1\$$" -fuzztime=$(FUZZTIME) $$2 || exit 1; done

test: tools ## Everything CI runs
	@$(MAKE) --no-print-directory lint unit e2e

demo: ## Run the main job locally on testdata artifacts with a fixture GitHub context
	bash scripts/demo.sh

bench: ## Benchmarks behind BENCHMARKS.md (BENCH_ARGS="--write hash build dryrun startup e2e")
	bash scripts/bench.sh $(BENCH_ARGS)

.PHONY: image
image: ## Assemble the action image without Docker and push it (REGISTRY, default a local one)
	bash scripts/image.sh

clean:
	rm -rf bin
