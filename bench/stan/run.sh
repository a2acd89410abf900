#!/usr/bin/env bash
# make bench-stan: rstan and metabeta side by side, same data, same prior,
# 4 chains, 1000 warmup and 1000 draws, on this machine's cores. Prints wall
# time, the minimum bulk-ESS over the global parameters, ESS per second and
# the ratio to rstan. Models: sleepstudy with uncorrelated random effects
# (lmm.stan), sleepstudy with correlated ones under LKJ(1) (lmm_cor.stan; the
# correlation is a global parameter), and a simulated 50-group dataset.
# BENCH_ONLY="sleepstudy_cor" (names separated by spaces) runs a subset.
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! Rscript -e 'suppressPackageStartupMessages({library(rstan); library(posterior); library(lme4); library(jsonlite)})' >/dev/null 2>&1; then
  echo "installing R, rstan, posterior and lme4 (apt)..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq r-cran-rstan r-cran-posterior r-cran-lme4 r-cran-jsonlite >/dev/null
fi
go build -o bin/metabeta ./cmd/metabeta
out=${BENCH_OUT:-bench-out/stan}
mkdir -p "$out"
seed=${SEED:-1}

bin/metabeta simulate --seed 50 --datasets 1 --groups 50 --fixed 3 --random 2 --out "$out/sim" >/dev/null
sleepprior="--prior testdata/reference/sleepstudy.prior.json"

bench() { # name csv formula Q [prior flags]
  local name=$1 csv=$2 formula=$3 q=$4; shift 4
  bin/metabeta describe --json --data "$csv" --formula "$formula" "$@" > "$out/$name.describe.json"
  echo "== $name: rstan (4 chains x 1000/1000, compile excluded)"
  Rscript bench/stan/fit_rstan.R "$csv" "$formula" "$out/$name.describe.json" "$q" "$seed" "$out/$name.rstan.json"
  for target in collapsed joint; do
    echo "== $name: metabeta nuts --target $target"
    bin/metabeta fit --quiet --data "$csv" --formula "$formula" "$@" --method nuts --target "$target" \
      --chains 4 --warmup 1000 --draws 1000 --seed "$seed" --json "$out/$name.$target.json"
  done
}
only=${BENCH_ONLY:-sleepstudy sleepstudy_cor sim50}
run() { # name, then bench's arguments
  local name=$1
  case " $only " in *" $name "*) bench "$@"; ran+=("$name") ;; esac
}
ran=()
run sleepstudy testdata/datasets/sleepstudy.csv "Reaction ~ Days + (1 + Days || Subject)" 2 $sleepprior
run sleepstudy_cor testdata/datasets/sleepstudy.csv "Reaction ~ Days + (Days | Subject)" 2 \
  --prior testdata/reference/sleepstudy.cor.prior.json
run sim50 "$out/sim/000000.csv" "y ~ x1 + x2 + (1 + x1 || g)" 2
Rscript bench/stan/report.R "$out" "${ran[@]}"
