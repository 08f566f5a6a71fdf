#!/usr/bin/env bash
# Paired runs of the math kernels against numpy (and TensorFlow): each KernelBenchmark group and its peer
# (bench/kernel_peers.py) run back to back in one window under `flock /tmp/quiver-bench.lock`, so no other
# benchmark on the machine runs meanwhile and both sides see the same load; bench/ratios.py prints
# peer time / Quiver time (above 1: Quiver is faster). bench/run kernels calls this.
#
#   bench/kernel-bench.sh                 # add, sum, matmul1024, matmul2048, then TensorFlow (a few minutes)
#   bench/kernel-bench.sh matmul2048      # one group: add, sum, matmul1024, matmul2048, tf
#
# Big outputs: glibc's malloc backs large allocations with transparent huge pages (as numpy's arrays get)
# only with GLIBC_TUNABLES=glibc.malloc.hugetlb=1; without it a fresh 64 MiB output pays ~16k page faults.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
py=${QUIVER_PYTHON:-$(scripts/python-env "$root/bench/.venv" "$root/bench/requirements.txt")}
export GLIBC_TUNABLES=${GLIBC_TUNABLES-glibc.malloc.hugetlb=1}
[ -f bench/target/quiver-benchmarks.jar ] || mvn -B -q -ntp -pl bench -am package -DskipTests
out=bench/target/results
mkdir -p "$out"

pair() { # group jmh-regex [jmh-args...]
  local group=$1 regex=$2
  shift 2
  flock /tmp/quiver-bench.lock bash -c '
    group=$1 regex=$2 out=$3 py=$4; shift 4
    echo "== $group: window $(date +%T), load $(cut -d" " -f1-3 /proc/loadavg)"
    java -Djmh.ignoreLock=true -jar bench/target/quiver-benchmarks.jar "$regex" -wi 3 -w 1 -i 8 -r 1 -f 1 "$@" \
      -rf json -rff "$out/kernels-$group.json" > "$out/kernels-$group.log" 2>&1
    if [ "$group" = tf ]; then
      "$py" bench/kernel_peers.py --repeat 20 --only sum --tf --tf-json "$out/kernels-$group-peer.json" > /dev/null
    else
      "$py" bench/kernel_peers.py --repeat 20 --only "$group" --json "$out/kernels-$group-peer.json" > /dev/null
    fi
    "$py" bench/ratios.py "$out/kernels-$group.json" "$out/kernels-$group-peer.json"
  ' _ "$group" "$regex" "$out" "$py" "$@"
}

for g in ${1:-add sum matmul1024 matmul2048 tf}; do
  case $g in
    add) pair add 'KernelBenchmark\.add16M' ;;
    sum) pair sum 'KernelBenchmark\.reduceSum16M' ;;
    matmul1024) pair matmul1024 'KernelBenchmark\.matMul' -p size=1024 ;;
    matmul2048) pair matmul2048 'KernelBenchmark\.matMul' -p size=2048 ;;
    tf) pair tf 'KernelBenchmark\.(add16MAllocating|reduceSum16M|matMul)' ;;
    *) echo "unknown group $g (add, sum, matmul1024, matmul2048, tf)" >&2; exit 2 ;;
  esac
done
