#!/usr/bin/env bash
# Paired runs of the math kernels against numpy: each KernelBenchmark group and its numpy peer
# (bench/kernel_peers.py) run back to back inside one `flock /tmp/quiver-bench.lock` window, so no other
# benchmark on the machine runs meanwhile and the two sides see the same load. Prints Quiver's best and
# median 1-second iteration next to numpy's best and median call; quote ratios from one window only.
#
#   bench/kernel-bench.sh            # add, reduceSum, matMul 1024, matMul 2048 (about 2 minutes)
#   bench/kernel-bench.sh matmul2048 # one group: add, sum, matmul1024, matmul2048
#
# Big outputs: glibc's malloc asks for transparent huge pages (as numpy does for its arrays) only with
# GLIBC_TUNABLES=glibc.malloc.hugetlb=1; without it a fresh 64 MiB output pays ~16k page faults.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${QUIVER_PYTHON:-/work/main/.venv/bin/python}
export GLIBC_TUNABLES=${GLIBC_TUNABLES-glibc.malloc.hugetlb=1}
[ -f bench/target/quiver-benchmarks.jar ] || mvn -B -q ${MVN_FLAGS:--o} -pl bench -am package -DskipTests
json=$(mktemp)
trap 'rm -f "$json"' EXIT

pair() { # group jmh-regex jmh-args...
  local group=$1 regex=$2
  shift 2
  flock /tmp/quiver-bench.lock bash -s "$group" "$regex" "$json" "$PY" "$@" <<'SH'
group=$1 regex=$2 json=$3 py=$4
shift 4
echo "== $group: window $(date +%T), load $(cut -d' ' -f1-3 /proc/loadavg)"
java --add-opens=java.base/java.nio=ALL-UNNAMED --add-modules=jdk.incubator.vector -Djmh.ignoreLock=true \
  -jar bench/target/quiver-benchmarks.jar "$regex" -wi 3 -w 1 -i 8 -r 1 -f 1 "$@" -rf json -rff "$json" >/dev/null 2>&1
"$py" - "$json" <<'PY'
import json, statistics, sys
for r in json.load(open(sys.argv[1])):
    raw = [x for it in r["primaryMetric"]["rawData"] for x in it]
    size = r.get("params", {}).get("size", "")
    name = r["benchmark"].rsplit(".", 1)[1] + (f" {size}" if size else "")
    print(f"quiver {name:22s} best {min(raw):9.3f} ms  median {statistics.median(raw):9.3f} ms")
PY
"$py" bench/kernel_peers.py --repeat 20 --only "$group" | tail -n +2
SH
}

groups=${1:-add sum matmul1024 matmul2048}
for g in $groups; do
  case $g in
    add) pair add 'KernelBenchmark\.add16M' ;;
    sum) pair sum 'KernelBenchmark\.reduceSum16M' ;;
    matmul1024) pair matmul1024 'KernelBenchmark\.matMul' -p size=1024 ;;
    matmul2048) pair matmul2048 'KernelBenchmark\.matMul' -p size=2048 ;;
    *) echo "unknown group $g (add, sum, matmul1024, matmul2048)" >&2; exit 2 ;;
  esac
done
