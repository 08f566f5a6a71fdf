#!/usr/bin/env bash
# Runs the handle store benchmark (bench/src/main/java/dev/quiver/bench/StoreBenchmark.java) and prints, per
# tensor size, put/get latency and spill/reload throughput in GB/s next to the disk's plain sequential speed.
#
#   bench/store-bench.sh                      # the full run (run it on a quiet machine: about 40 minutes)
#   bench/store-bench.sh -p size=1024 -wi 1 -i 1 -w 200ms -r 200ms   # a smoke run; any JMH options pass through
#
# Spill files and the plain files go to the JVM's temp directory; to measure another disk pass
#   -jvmArgsAppend -Djava.io.tmpdir=/path/on/that/disk
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q ${MVN_FLAGS:--o} -pl bench -am package -DskipTests
out=${QUIVER_BENCH_JSON:-bench/target/store-bench.json}
java -jar bench/target/quiver-benchmarks.jar 'dev\.quiver\.bench\.StoreBenchmark\.' -rf json -rff "$out" "$@"
python3 - "$out" <<'PY'
import json, sys
rows = {}
for r in json.load(open(sys.argv[1])):
    name = r["benchmark"].rsplit(".", 1)[1]
    size = int(r["params"]["size"])
    us = r["primaryMetric"]["score"]
    rows.setdefault(size, {})[name] = us
# Bytes each operation moves to or from disk (or copies); None: report latency only.
moved = {"putMovedThenDelete": None, "get": None, "putCopiedThenDelete": 1, "spillWrite": 1, "diskWriteFsync": 1,
         "diskWrite": 1, "reloadRead": 1, "diskRead": 1, "storeSpillAndReload": 2}
order = ["get", "putMovedThenDelete", "putCopiedThenDelete", "spillWrite", "diskWrite", "diskWriteFsync",
         "reloadRead", "diskRead", "storeSpillAndReload"]
print("%-22s" % "size" + "".join("%12s" % n[:11] for n in order))
for size in sorted(rows):
    cells = []
    for n in order:
        us = rows[size].get(n)
        if us is None:
            cells.append("%12s" % "-")
        elif moved[n] is None:
            cells.append("%10.2fus" % us)
        else:
            cells.append("%8.2fGB/s" % (moved[n] * size / (us * 1e-6) / 1e9))
    print("%-22s" % ("%d B" % size) + "".join(cells))
print("get and putMoved are latencies (no copy: flat across sizes); the rest are GB/s "
      "(storeSpillAndReload counts the spill and the reload)")
PY
