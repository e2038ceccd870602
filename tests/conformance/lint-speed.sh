#!/usr/bin/env bash
# HAND-RUN, NOT CI (minutes): issue 3 acceptance 4.
# dt-validate -m 2022.08, one process per DTB as the kernel's dtbs_check runs it, on 20 arm64 DTBs
# (median seconds per DTB; outputs shared with dtvalidate-agreement.sh's cache, so a DTB already
# run there is not rerun — delete $DTV_CACHE/out to measure afresh), against gunyah-dt lint -m over
# all 766 arm64 DTBs in one process with the same bindings (wall seconds / 766, loading and
# compiling the 3000 bindings included). Prints both per-DTB times and the ratio (target >= 100).
# Usage: lint-speed.sh      Env: see dtv-common.sh; GUNYAH_DT_JAVA_OPTS as for ./gunyah-dt.
set -euo pipefail
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/dtv-common.sh"
mapfile -t sample < <(sample_dtbs 20)
dtv_run "${sample[@]}"
dtv_median=$(for f in "${sample[@]}"; do cat "$cache/out/$(basename "$f" .dtb).time"; done | sort -g |
  awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }')
mapfile -t all < <(all_dtbs)
start=$(date +%s.%N)
"$gdt" lint -m --dtschema auto --bindings "$bindings" --format json "${all[@]}" > "$cache/speed-ours.json" 2>/dev/null || true
end=$(date +%s.%N)
ours_total=$(echo "$end - $start" | bc)
python3 - "$dtv_median" "$ours_total" "${#all[@]}" <<'PY'
import sys
dtv, total, n = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
per = total / n
print(f"dt-validate -m: median {dtv:.2f} s per DTB (20 DTBs, one process each)")
print(f"gunyah-dt lint -m: {total:.1f} s for {n} DTBs in one process = {per * 1000:.1f} ms per DTB")
print(f"ratio: {dtv / per:.0f}x (target >= 100x)")
PY
