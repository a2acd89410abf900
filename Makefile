# metabeta: NPE and NUTS for Bayesian linear mixed models.
# `make validate` runs the main job; `make test` runs the tests.

GO      ?= go
BIN     := bin/metabeta
OUT     ?= validate-out
BASE    ?= ed760e8
PKGS    := ./...

.PHONY: all build test test-short validate validate-quick gate gate-seeds train-default bench bench-stan bench-npe bench-scale fmt lint vet fuzz clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/metabeta

## test: the unit tests, including the seed corpora of the fuzz targets.
test:
	$(GO) test -count=1 $(PKGS)

## test-short: the fast tier.
test-short:
	$(GO) test -short -count=1 $(PKGS)

## validate: the main job on the embedded defaults.
validate: build
	./$(BIN) validate --out $(OUT)

validate-quick: build
	./$(BIN) validate --quick --out $(OUT)

## gate: compare $(OUT)/results.json with the baseline; fails on a significant regression.
gate: build
	./$(BIN) gate --baseline testdata/baseline.json --results $(OUT)/results.json

## gate-seeds: quick runs at SEEDS compared pairwise, both ways: runs that differ only in their seed must pass the gate.
SEEDS ?= 11 12 13
gate-seeds: build
	@set -e; for s in $(SEEDS); do ./$(BIN) validate --quick --quiet --seed $$s --out $(OUT)-seed$$s; done; \
	for a in $(SEEDS); do for b in $(SEEDS); do [ $$a = $$b ] && continue; \
		if ./$(BIN) gate --baseline $(OUT)-seed$$a/results.json --results $(OUT)-seed$$b/results.json > $(OUT)-seed$$b/gate-vs-$$a.txt 2>&1; \
		then echo "seed $$a → $$b: $$(tail -1 $(OUT)-seed$$b/gate-vs-$$a.txt)"; \
		else echo "seed $$a → $$b:"; tail -4 $(OUT)-seed$$b/gate-vs-$$a.txt; exit 1; fi; \
	done; done

## train-default: train the shipped NPE (resumable: rerun to continue from the checkpoint).
train-default: build
	./$(BIN) train --out testdata/models/default.mbw --resume

## bench: Go benchmarks of every hot path, with allocations.
bench:
	$(GO) test -run '^$$' -bench . -benchmem $(PKGS)

## bench-stan: rstan and metabeta NUTS side by side on sleepstudy with (1 + Days || Subject) and with
## (Days | Subject) (LKJ(1)), and on a simulated 50-group dataset: min bulk-ESS/s and its ratio to rstan's
## (installs R and rstan with apt when missing; BENCH_ONLY="sleepstudy_cor" runs one model).
bench-stan:
	bash bench/stan/run.sh

## bench-npe: npe inference (sleepstudy, and 64 simulated datasets batched) beside the issue-time model,
## the code and architecture of commit $(BASE) checked out from git history, in one run (ROUNDS, BENCHTIME).
bench-npe:
	BASE=$(BASE) bash bench/npe/run.sh

## bench-scale: a simulated 100 000-row, 1000-group design (d=4, q=2): NUTS (collapsed, 4 chains, 1000/1000),
## then npe-is and laplace-is, beyond the trained sizes, with k̂ deciding; compare their tables with NUTS's.
bench-scale: build
	./$(BIN) simulate --seed 100 --datasets 1 --groups 1000 --group-size 100 --fixed 4 --random 2 --max-rows 0 --out bench-out/scale >/dev/null
	formula=$$(sed -n 's/^ *"formula": "\(.*\)",$$/\1/p' bench-out/scale/000000.truth.json); \
	for m in nuts npe-is laplace-is; do ./$(BIN) fit --method $$m --data bench-out/scale/000000.csv --formula "$$formula" --seed 1 --json bench-out/scale/fit-$$m.json || exit 1; done

fmt:
	gofmt -w $$(git ls-files '*.go')

vet:
	$(GO) vet $(PKGS)

## lint: formatting, vet, and no global randomness anywhere (house rule 1).
lint: vet
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	@if git grep -nE '\brand\.(Float64|Float32|Int|IntN|Intn|Int64|Int64N|Int32|Int32N|Uint32|Uint64|NormFloat64|ExpFloat64|Perm|Shuffle|N)\(' -- '*.go'; then \
		echo "lint: package-level math/rand call: pass a *rand.Rand explicitly"; exit 1; fi

## fuzz: a short fuzzing run of each fuzz target.
fuzz:
	$(GO) test ./lmm/frame -run '^$$' -fuzz FuzzParseFormula -fuzztime 30s
	$(GO) test ./lmm/frame -run '^$$' -fuzz FuzzReadCSV -fuzztime 30s
	$(GO) test ./lmm -run '^$$' -fuzz FuzzPriorSpec -fuzztime 30s

clean:
	rm -rf bin $(OUT) $(OUT)-seed*
