#!/usr/bin/env bash
# Issue 4, acceptance 4: builds the JMH benchmarks (-Pbenchmarks, from this checkout's sources)
# and runs PartitionScaleBench at 1/8, 1/4, 1/2 and 1x of 256 CPUs / 4096 memory ranges /
# 988 SPIs / 2000 devices / 200 VMs, then prints a table: time per size and
# time / (n log n), normalised to the smallest size (1.00 everywhere = exactly n log n; falling =
# better). Extra arguments go to JMH (e.g. -wi 2 -i 3 for a quicker run).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/jmh-run.sh"
jmh_run "$work/partition-scale.json" PartitionScaleBench "$@"
python3 - "$work/partition-scale.json" <<'PY'
import json, math, sys
rows = {}
for r in json.load(open(sys.argv[1])):
    name = r["benchmark"].rsplit(".", 1)[1]
    d = int(r["params"]["divisor"])
    rows.setdefault(d, {})[name] = (r["primaryMetric"]["score"], float(r["primaryMetric"]["scoreError"]))  # "NaN" with one iteration
def n(d):  # ScaleBoard.Spec.n(): cpus + ranges + spis + devices + vms
    return 256 // d + 4096 // d + round(988 / d) + 2000 // d + 200 // d
ds = sorted(rows, reverse=True)
base = {k: rows[ds[0]][k][0] / (n(ds[0]) * math.log(n(ds[0]))) for k in ("plan", "emit") if k in rows[ds[0]]}
print("| size | CPUs | ranges | SPIs | devices | VMs | n | plan ms | plan / n log n | emit ms | emit / n log n |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for d in ds:
    cells = [f"1/{d}" if d > 1 else "1", 256 // d, 4096 // d, round(988 / d), 2000 // d, 200 // d, n(d)]
    for k in ("plan", "emit"):
        if k in rows[d]:
            s, e = rows[d][k]
            cells += [f"{s:.1f} ± {e:.1f}", f"{s / (n(d) * math.log(n(d))) / base[k]:.2f}"]
        else:
            cells += ["-", "-"]
    print("| " + " | ".join(str(c) for c in cells) + " |")
PY
