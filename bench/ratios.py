#!/usr/bin/env python3
"""Prints Quiver's JMH figures beside a peer's, with the ratio peer/Quiver (above 1: Quiver is faster).

    python bench/ratios.py JMH_RESULT.json PEER.json

JMH_RESULT.json is JMH's `-rf json` output; a benchmark is named by its method and its parameters
("readHandle bytes=1024"). For sample-time benchmarks the median (p0.50) is used, otherwise the score.
PEER.json is {"peer": "...", "unit": "us" | "ms", "figures": {name: time per operation}} as the peer scripts
write it with --json. Only names present on both sides are compared.
"""
import json
import sys

UNIT_SECONDS = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}


def jmh_figures(path, unit):
    figures = {}
    for r in json.load(open(path)):
        name = r["benchmark"].rsplit(".", 1)[1]
        params = r.get("params") or {}
        key = " ".join([name] + [f"{k}={v}" for k, v in sorted(params.items())])
        metric = r["primaryMetric"]
        value = metric["scorePercentiles"]["50.0"] if r["mode"] == "sample" else metric["score"]
        jmh_unit = metric["scoreUnit"].split("/")[0]
        figures[key] = value * UNIT_SECONDS[jmh_unit] / UNIT_SECONDS[unit]
    return figures


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    peer = json.load(open(sys.argv[2]))
    unit = peer["unit"]
    ours = jmh_figures(sys.argv[1], unit)
    names = [n for n in peer["figures"] if n in ours]
    if not names:
        sys.exit(f"no benchmark of {sys.argv[1]} matches a figure of {sys.argv[2]}")
    width = max(len(n) for n in names)
    print(f"{'benchmark':{width}}  {'Quiver ' + unit:>14}  {peer['peer'] + ' ' + unit:>24}  {'peer/Quiver':>11}")
    for n in names:
        q, p = ours[n], peer["figures"][n]
        print(f"{n:{width}}  {q:14.3f}  {p:24.3f}  {p / q:10.2f}x")


if __name__ == "__main__":
    main()
