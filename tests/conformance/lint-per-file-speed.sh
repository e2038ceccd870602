#!/usr/bin/env bash
# HAND-RUN, NOT CI (a few minutes): issue 16 item 1 — one process per DTB, as `make dtbs_check` runs
# the checker. For N small and N large arm64 DTBs of Linux 6.1 (the smallest and largest blobs of
# the corpus; N=3 by default), in the same run and one after the other (never both at once):
#   dt-validate -m -u BINDINGS -s processed-schema.json X.dtb     (dt-mk-schema's output, built once)
#   gunyah-dt lint -q -m --dtschema auto --bindings BINDINGS -p CACHE X.dtb   (the processed-binding
#       cache, built once before the timed runs, as processed-schema.json is)
# Prints wall and CPU (user+sys, children included) seconds of each, and the ratios per DTB and the
# median per size class. Target (issue 16): >= 10x on small and large DTBs.
# Usage: lint-per-file-speed.sh [N]    Env: see dtv-common.sh (LINUX_SRC, CORPUS, DTV_CACHE).
set -euo pipefail
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/dtv-common.sh"
n="${1:-3}"
gcache="$cache/gunyah-dt-bindings.cache"
mapfile -t all < <(all_dtbs)
mapfile -t small < <(ls -Sr "${all[@]}" | head -n "$n")
mapfile -t large < <(ls -S "${all[@]}" | head -n "$n")

# the launcher builds the jar and its class-data archive on first use: not timed
"$gdt" --version >/dev/null
start=$(date +%s.%N)
"$gdt" lint -q -m --dtschema auto --bindings "$bindings" -p "$gcache" "${small[0]}" >/dev/null 2>&1 || true
echo "gunyah-dt: processed-binding cache ready in $(echo "$(date +%s.%N) - $start" | bc) s, first run (built when missing or stale: $gcache)"

# timed CMD...: "wall cpu" seconds of one run (CPU of the process and its children)
timed() {
  local t
  t="$(mktemp)"
  /usr/bin/time -o "$t" -f "%e %U %S" "$@" >/dev/null 2>&1 || true
  awk 'END { printf "%s %.2f\n", $1, $2 + $3 }' "$t"
  rm -f "$t"
}

results="$(mktemp)"
for class in small large; do
  declare -n list="$class"
  for f in "${list[@]}"; do
    read -r dw dc < <(timed dt-validate -m -u "$bindings" -s "$schema" "$f")
    read -r gw gc < <(timed "$gdt" lint -q -m --dtschema auto --bindings "$bindings" -p "$gcache" "$f")
    echo "$class $(basename "$f") $(stat -c %s "$f") $dw $dc $gw $gc" >> "$results"
  done
done
python3 - "$results" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
print(f"{'class':6} {'dtb':45} {'bytes':>7} {'dtv wall':>8} {'dtv cpu':>8} {'gdt wall':>8} {'gdt cpu':>8} {'wall x':>7} {'cpu x':>6}")
for c, name, size, dw, dc, gw, gc in rows:
    dw, dc, gw, gc = map(float, (dw, dc, gw, gc))
    print(f"{c:6} {name:45} {size:>7} {dw:8.2f} {dc:8.2f} {gw:8.2f} {gc:8.2f} {dw / gw:7.1f} {dc / gc:6.1f}")
for c in ("small", "large"):
    r = [r for r in rows if r[0] == c]
    wall = statistics.median(float(x[3]) / float(x[5]) for x in r)
    cpu = statistics.median(float(x[4]) / float(x[6]) for x in r)
    print(f"ratio {c}: median {wall:.1f}x wall, {cpu:.1f}x CPU (target >= 10x)")
PY
rm -f "$results"
