#!/bin/sh
# HAND-RUN, NOT CI (minutes to hours): issue 16 item 2 — the Linux 6.1 Makefiles' `dt_binding_check`
# (and, with TARGET=dtbs_check, `dtbs_check`) run once with dt-schema 2022.08 and the kernel's dtc
# ("ref") or with gunyah-dt's drop-ins in bin/ ("ours"), timed; kernel-make-compare.py compares two logs.
#
#   tests/conformance/kernel-make.sh ref|ours OUTDIR [SUBSET…]
#
# Each SUBSET is one `make … DT_SCHEMA_FILES=SUBSET` (the Makefile greps the binding paths for it, so a
# directory such as `sound/` is one); none = the whole tree (DT_SCHEMA_FILES unset). Writes
# OUTDIR/<n>.log (make's output, stdout and stderr) and OUTDIR/times.txt (wall/CPU per make, load
# average before and after). LINUX (default /tmp/linux-6.1) is the source tree; the build goes to
# OUTDIR/build (O=). JOBS (default 2) is make's -j; runs are niced.
set -eu
side=$1
out=$2
shift 2
LINUX=${LINUX:-/tmp/linux-6.1}
JOBS=${JOBS:-2}
TARGET=${TARGET:-dt_binding_check}
here=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$out/build"
out=$(cd "$out" && pwd)
case "$side" in
  ref) set -- "$@" ;;
  ours)
    b="$here/bin"
    # the jar, its class-data archive and a check that the drop-ins answer, before the clock starts
    "$b/dt-validate" -V >/dev/null ;;
  *) echo "usage: $0 ref|ours OUTDIR [SUBSET…]" >&2; exit 2 ;;
esac
run() {  # run NAME [DT_SCHEMA_FILES=…]
  name=$1
  shift
  echo "$name: load before $(cut -d' ' -f1-3 /proc/loadavg)" >>"$out/times.txt"
  if [ "$side" = ours ]; then
    set -- "$@" DTC="$b/dtc" DT_CHECKER="$b/dt-validate" DT_MK_SCHEMA="$b/dt-mk-schema" \
      DT_DOC_CHECKER="$b/dt-doc-validate" DT_EXTRACT_EX="$b/dt-extract-example"
  fi
  /usr/bin/time -o "$out/$name.time" -f "%e s wall, %U s user, %S s sys" \
    nice -n 10 make -C "$LINUX" O="$out/build" ARCH=arm64 -j"$JOBS" "$@" "$TARGET" >"$out/$name.log" 2>&1 || true
  echo "$name: $(cat "$out/$name.time" | tail -1); load after $(cut -d' ' -f1-3 /proc/loadavg)" >>"$out/times.txt"
}
: >"$out/times.txt"
if [ $# -eq 0 ]; then
  run all
else
  for s in "$@"; do
    run "$(echo "$s" | tr -c 'A-Za-z0-9,.\n-' '_')" DT_SCHEMA_FILES="$s"
  done
fi
cat "$out/times.txt"
