#!/usr/bin/env bash
# HAND-RUN, NOT CI (dt-validate takes 10+ s per DTB): issue 3 acceptance 3.
# Agreement of `gunyah-dt lint -m --dtschema auto` with `dt-validate -m` 2022.08 over N arm64 DTBs
# of Linux 6.1 (default 440, spread evenly over the corpus list; 220 and 110 are subsets), both with the 6.1 bindings.
#   1. dt-mk-schema builds processed-schema.json once (cached in $DTV_CACHE);
#   2. dt-validate -m runs on every DTB without a cached output, 2 in parallel
#      ($DTV_CACHE/out/NAME.txt; delete it to rerun) — start it early, it takes hours;
#   3. gunyah-dt lint runs once over all N in one process (always rerun);
#   4. dtv_compare.py reduces both to (node, property, failed constraint) triples and prints the
#      agreement count and every disagreement. DTBs whose dt-validate output is not cached yet
#      are skipped (pass DTV_SKIP_RUN=1 to compare only what is cached).
# Usage: dtvalidate-agreement.sh [N]     Env: see dtv-common.sh.
set -euo pipefail
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/dtv-common.sh"
n="${1:-440}"
mapfile -t dtbs < <(sample_dtbs "$n")
[ -n "${DTV_SKIP_RUN:-}" ] || dtv_run "${dtbs[@]}"
ours="$cache/ours-$n.json"
"$gdt" lint -m --dtschema auto --bindings "$bindings" --format json "${dtbs[@]}" > "$ours" 2> "$cache/ours-$n.err" || true
grep 'binding not used' "$cache/ours-$n.err" >&2 || true
python3 "$here/dtv_compare.py" "$ours" "$cache/out" "${dtbs[@]}"
