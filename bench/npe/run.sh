#!/usr/bin/env bash
# make bench-npe: npe inference speed beside the model of an earlier commit,
# measured in one run on this machine. Issue 10 asks for the speed of the
# shipped architecture against "today's model" of the day it was filed,
# measured in the same run because machines of one kind differ by up to 1.7×.
# That model is the code and architecture at BASE (default ed760e8, the last
# commit before the whitened flow; its own BenchmarkSampleSleepstudy and
# BenchmarkSampleBatch ran 5.0–5.7 ms and 209–238 datasets/s the day the issue
# was filed).
#
# The script checks BASE out into a temporary git worktree, builds both test
# binaries, and runs them alternately ROUNDS times (default 3; BENCHTIME per
# benchmark, default 2s) with GOMAXPROCS=2. It prints the median of each
# benchmark and each current variant's ratio to BASE: its time ÷ current time
# for sleepstudy (1000 draws with random effects), its datasets/s ÷ BASE's for
# the batch (64 datasets, 100 draws each). BASE's batch is over its own
# simulator's first 64 datasets of seed 3, a design mix of about the same size
# (42k rows in 3.5k groups then, 48k in 3.8k now).
#
# The current benchmarks also run the BASE architecture ("marginal") on
# today's code, so the same table separates what the architecture gained from
# what faster shared code gained.
set -euo pipefail
cd "$(dirname "$0")/../.."
base=${BASE:-ed760e8}
rounds=${ROUNDS:-3}
benchtime=${BENCHTIME:-2s}
if ! git cat-file -e "$base^{commit}" 2>/dev/null; then
  echo "bench-npe: commit $base is not in this clone's history (a shallow clone?); run git fetch --unshallow" >&2
  exit 1
fi
tmp=$(mktemp -d)
trap 'git worktree remove --force "$tmp/base" >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
git worktree add --detach "$tmp/base" "$base" >/dev/null 2>&1
(cd "$tmp/base/npe/estimator" && go test -c -o "$tmp/base.test" .)
(cd npe/estimator && go test -c -o "$tmp/head.test" .)
pattern='^BenchmarkSample(Sleepstudy|Batch)$'
for r in $(seq "$rounds"); do
  echo "round $r of $rounds" >&2
  (cd "$tmp/base/npe/estimator" && "$tmp/base.test" -test.run '^$' -test.bench "$pattern" -test.cpu 2 -test.benchtime "$benchtime") |
    awk '/^Benchmark/ {print "base", $0}' >> "$tmp/raw"
  (cd npe/estimator && "$tmp/head.test" -test.run '^$' -test.bench "$pattern" -test.cpu 2 -test.benchtime "$benchtime") |
    awk '/^Benchmark/ {print "head", $0}' >> "$tmp/raw"
done
awk -v base="$base" '
function median(key,   n, i, j, t, a) {
  n = split(vals[key], a, " ")
  for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
  return n % 2 ? a[(n+1)/2] : (a[n/2] + a[n/2+1]) / 2
}
{
  name = $2; sub(/-[0-9]+$/, "", name); sub(/^BenchmarkSample/, "", name)
  split(name, parts, "/"); kind = parts[1]; variant = (name ~ /\//) ? substr(name, length(kind) + 2) : "default"
  key = $1 " " kind " " variant
  if (kind == "Sleepstudy") v = $4 / 1e6
  else for (i = 1; i <= NF; i++) if ($(i+1) == "datasets/s") v = $i
  if (!(key in vals)) order[++n] = key
  vals[key] = vals[key] " " v; rounds[key]++
}
END {
  for (i = 1; i <= n; i++) { split(order[i], k, " "); if (k[1] == "base") ref[k[2]] = median(order[i]) }
  printf "%-5s %-10s %-40s %12s %8s\n", "code", "benchmark", "variant", "median", "vs " base
  for (i = 1; i <= n; i++) {
    split(order[i], k, " "); m = median(order[i])
    unit = k[2] == "Sleepstudy" ? "ms" : "datasets/s"
    ratio = k[2] == "Sleepstudy" ? ref[k[2]] / m : m / ref[k[2]]
    printf "%-5s %-10s %-40s %8.2f %-3s %7.2f×\n", k[1], k[2], k[3], m, (unit == "ms" ? "ms" : "/s"), ratio
  }
}' "$tmp/raw"
