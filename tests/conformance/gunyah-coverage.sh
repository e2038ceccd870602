#!/usr/bin/env bash
# The model's coverage of the real Gunyah sources (issue 11): reads every hypercall (hyp/**/*.hvc), every RM RPC
# request id and where the RM handles it, every notification and where it is sent, every vdevice type the RM's
# config parser knows, and every overlay node/property the RM writes (vm_dt.c, dto_construct.c, vm_creation*.c,
# the QEMU vgic.c) from quic/gunyah-hypervisor 36ca3a2a and quic/gunyah-resource-manager bf31a9ac (commits checked
# from the tarballs' git-archive headers), and (re)writes hypervisor/src/test/resources/coverage/*.tsv. Names,
# numbers and file:line only — no upstream code. The status column is kept from the existing files (a new row
# gets "TODO", which CoverageTablesTest refuses until someone states what the model does); CoverageTablesTest
# checks every status against the model. Then writes the tables into hypervisor/README.md's section "Coverage
# against the real sources" (CoverageTablesTest checks their counts) and prints them.
#
# Hand-run (CI runs CoverageTablesTest on the committed TSVs; the upstream tarballs are not in the repository).
# Usage: tests/conformance/gunyah-coverage.sh [--markdown-only]   (--markdown-only: no extraction, README untouched)
# Env: GUNYAH_REAL_SRC (folder with gunyah-hypervisor-36ca3a2a.tar.xz and gunyah-resource-manager-bf31a9ac.tar.gz,
#   default ../shared/tools/gunyah-real/src beside the repository). Needs python3. Exit: 0 ok, 2 a source missing.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="$root/hypervisor/src/test/resources/coverage"
src="${GUNYAH_REAL_SRC:-$root/../shared/tools/gunyah-real/src}"
command -v python3 >/dev/null || { echo "gunyah-coverage: python3 not found" >&2; exit 2; }
if [ "${1:-}" != "--markdown-only" ]; then
  hyp="$src/gunyah-hypervisor-36ca3a2a.tar.xz"
  rm_tar="$src/gunyah-resource-manager-bf31a9ac.tar.gz"
  for f in "$hyp" "$rm_tar"; do
    [ -f "$f" ] || { echo "gunyah-coverage: $f not found (set GUNYAH_REAL_SRC)" >&2; exit 2; }
  done
  python3 "$here/gunyah_coverage.py" extract "$hyp" "$rm_tar" "$out" >&2
  if grep -l $'\tTODO$' "$out"/*.tsv >&2; then
    echo "gunyah-coverage: new rows above have status TODO: state what the model does, then run CoverageTablesTest" >&2
  fi
fi
if [ "${1:-}" != "--markdown-only" ]; then
  python3 "$here/gunyah_coverage.py" readme "$out" "$root/hypervisor/README.md"
fi
python3 "$here/gunyah_coverage.py" markdown "$out"
