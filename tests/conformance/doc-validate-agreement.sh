#!/usr/bin/env bash
# HAND-RUN, NOT CI (about 4 minutes on 2 cores): agreement of
# `gunyah-dt check-bindings --dtschema auto` (binding documents against dt-schema's meta-schemas)
# with dt-doc-validate 2022.08, per file, over the Linux 6.1 bindings:
#   1. the tree as it is (2983 files: dt-doc-validate in one process over all of them);
#   2. a copy where every EVERY-th file (default 5) has one seeded mistake (ddv_mutate.py: unknown
#      top-level key, compatible as a list, untyped vendor property, … and a plain re-dump as control),
#      since the 6.1 tree itself is almost clean.
# ddv_compare.py prints, for each, the files flagged by both / only one / neither — once for
# meta-schema findings alone and once for any output — a table per mutation, and every disagreement.
# Usage: doc-validate-agreement.sh [EVERY]
# Env: LINUX_SRC (default /work/linux/linux-source-6.1), WORK (scratch, default a new temp dir).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
gdt="$root/gunyah-dt"
linux="${LINUX_SRC:-/work/linux/linux-source-6.1}"
bindings="$linux/Documentation/devicetree/bindings"
every="${1:-5}"
work="${WORK:-$(mktemp -d)}"
for tool in dt-doc-validate java; do
  command -v "$tool" >/dev/null || { echo "$tool not found (apt-get install dt-schema)" >&2; exit 2; }
done
[ -d "$bindings" ] || { echo "no $bindings (extract linux-source-6.1's Documentation/devicetree)" >&2; exit 2; }

# dt-doc-validate stops at the first bad file of a directory argument, so it gets every file by name
# (an @file argument list); it exits 0 even when it prints errors, so its output is what counts.
run_both() { # TREE NAME
  local tree="$1" name="$2"
  (cd "$tree" && find . -name '*.yaml' | sed 's|^\./||' | sort > "$work/$name.files")
  local t0=$SECONDS
  (cd "$tree" && dt-doc-validate -u "$tree" "@$work/$name.files" > "$work/$name.ddv" 2>&1) || true
  local t1=$SECONDS
  "$gdt" check-bindings --dtschema auto --no-examples --format json "$tree" > "$work/$name.json" \
      2> "$work/$name.err" || true
  local t2=$SECONDS
  echo "$name: dt-doc-validate $((t1 - t0)) s, gunyah-dt check-bindings $((t2 - t1)) s (wall, one process each)"
}

run_both "$bindings" plain
python3 "$here/ddv_compare.py" "linux-6.1" "$bindings" "$work/plain.ddv" "$work/plain.json" "$work/plain.files"

rm -rf "$work/mut"
cp -r "$bindings" "$work/mut"
/usr/bin/python3 "$here/ddv_mutate.py" "$work/mut" "$every" > "$work/manifest.tsv"
run_both "$work/mut" mut
python3 "$here/ddv_compare.py" "seeded (every ${every}th file)" "$work/mut" "$work/mut.ddv" "$work/mut.json" \
    "$work/mut.files" "$work/manifest.tsv"
echo "outputs in $work"
