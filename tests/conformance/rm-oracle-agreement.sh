#!/usr/bin/env bash
# `gunyah-dt vm-check` against rm-oracle — the real Gunyah Resource Manager's VM_CONFIG_IMAGE +
# VM_INIT code built for the host (../shared/tools/rm-oracle) — file by file, with and without
# --trusted (issue 15, acceptance 2 and 6). Case sets (rmo_agree.py says more):
#   a  the real Qualcomm VM devicetrees in tests/src/test/resources/qcom-vm (PROVENANCE.md), each alone,
#      then all 15 in one run
#   b  the oracle's own tests (tests/{accept,reject}; 04-pair-a/b and 06-* in one run)
#   c  every secondary vm/*.dtb `gunyah-dt build` writes for boards/qemu-virt and boards/soc-2cluster
#      (a board's secondaries in one run, in plan order; the primary excluded)
#   d  seeded single mutations (rmo_mutate.py) of every case of a-c the oracle accepts
# Prints every disagreement (both tools' outputs) and the counts per set.
#
# Usage: tests/conformance/rm-oracle-agreement.sh [--sets a,b,c,d] [--mutations N] [--seed S]
#                                                 [--work DIR] [--manifest-only]
#   --manifest-only: prepare the cases and the oracle's verdicts (DIR/manifest.tsv) without running
#   vm-check (RmOracleAgreementTest runs vm-check itself, in-process).
# Env: GUNYAH_DT (command, default ./gunyah-dt at the repository root); RM_ORACLE_SRC (the oracle's
#   folder, default ../shared/tools/rm-oracle beside the repository); RM_ORACLE (a built binary:
#   skips the build). The oracle is built once into
#   ${XDG_CACHE_HOME:-~/.cache}/gunyah-dt/rm-oracle/<hash of its sources and the RM tarball>/.
# Needs: clang, libfdt-dev (the oracle), dtc, cpp, python3. Exit: 0 all agree, 1 any disagreement,
#   2 a tool or input is missing (the message names it).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
gdt="${GUNYAH_DT:-$root/gunyah-dt}"
src="${RM_ORACLE_SRC:-$root/../shared/tools/rm-oracle}"
work=""
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --work) work="$2"; shift 2 ;;
    --sets|--mutations|--seed) args+=("$1" "$2"); shift 2 ;;
    --manifest-only) args+=("$1"); shift ;;
    *) echo "usage: $0 [--sets a,b,c,d] [--mutations N] [--seed S] [--work DIR] [--manifest-only]" >&2; exit 2 ;;
  esac
done

for tool in dtc cpp python3; do
  command -v "$tool" >/dev/null || { echo "rm-oracle-agreement: $tool not found (apt-get install device-tree-compiler cpp python3)" >&2; exit 2; }
done

oracle_binary() {
  # the oracle, built once per version of its sources (build.sh, the C files, the RM tarball)
  if [ -n "${RM_ORACLE:-}" ]; then echo "$RM_ORACLE"; return; fi
  [ -f "$src/build.sh" ] || { echo "rm-oracle-agreement: no rm-oracle sources at $src (set RM_ORACLE_SRC)" >&2; return 2; }
  command -v clang >/dev/null && [ -f /usr/include/libfdt.h ] ||
    { echo "rm-oracle-agreement: clang or libfdt.h missing (apt-get install clang libfdt-dev)" >&2; return 2; }
  local tarball key cache
  tarball="$(cd "$src/.." && pwd)/gunyah-resource-manager-bf31a9ac.tar.gz"
  key=$(cat "$src"/build.sh "$src"/*.c "$src"/*.h "$tarball" | sha256sum | cut -c1-16)
  cache="${XDG_CACHE_HOME:-$HOME/.cache}/gunyah-dt/rm-oracle/$key"
  mkdir -p "$cache"
  (
    flock 9
    if [ ! -x "$cache/rm-oracle" ]; then
      echo "rm-oracle-agreement: building rm-oracle into $cache" >&2
      "$src/build.sh" "$cache" >&2 || { rm -f "$cache/rm-oracle"; exit 2; }
    fi
  ) 9>"$cache/.lock" || return 2
  echo "$cache/rm-oracle"
}

oracle="$(oracle_binary)" || exit 2
if [ -z "$work" ]; then
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
fi
echo "rm-oracle: $oracle"
python3 "$here/rmo_agree.py" --oracle "$oracle" --oracle-src "$src" --gunyah-dt "$gdt" --work "$work" "${args[@]}"
