#!/usr/bin/env bash
# boards/qemu-virt's primary VM on the real Gunyah stack against the model (issue 15, item 7):
#   1. builds the real hypervisor + RM (../shared/tools/gunyah-real/build.sh; cached in WORK_DIR);
#   2. `gunyah-dt build boards/qemu-virt`;
#   3. boots vm/hlos.dtb as the HLOS on the real stack (gunyah-real/run.sh, no extra kernel arguments):
#      Linux must boot and find the /hypervisor node the real RM wrote;
#   4. `gunyah-dt boot --capids plain` on the same config (the model numbering CapIDs as the real
#      debug build does: slot values from 0);
#   5. compares the two /hypervisor nodes property by property with `gunyah-dt diff` (every difference
#      printed, one line each).
#
# Usage: tests/conformance/real-stack.sh
# Env:   WORK_DIR     gunyah-real's build cache (default ${XDG_CACHE_HOME:-$HOME/.cache}/gunyah-real)
#        GUNYAH_REAL  unused here; .ci/run calls this script only when it is 1
#        GUNYAH_REAL_DIR  where gunyah-real is (default ../shared/tools/gunyah-real beside the repository)
#        OUT          where the board and the runs go (default a temporary folder, kept on failure)
#        GUNYAH_DT    the command to run (default ./gunyah-dt at the repository root)
# Exit:  0 the HLOS booted and both /hypervisor nodes are equal; 1 no boot, or a difference;
#        2 a tool or gunyah-real is missing, or the real stack did not build.
# Time (2 cores): gunyah-real's build ~2 min the first time (0 s cached), the real boot ~1-3 min
# (TCG, 4 vCPUs; longer on a loaded machine), gunyah-dt build + boot under a minute.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
gdt="${GUNYAH_DT:-$root/gunyah-dt}"
real="${GUNYAH_REAL_DIR:-$root/../shared/tools/gunyah-real}"
work="${WORK_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/gunyah-real}"
say() { echo "real-stack: $*"; }

[ -x "$real/build.sh" ] && [ -x "$real/run.sh" ] ||
  { echo "real-stack: no gunyah-real at $real (set GUNYAH_REAL_DIR)" >&2; exit 2; }
if [ -n "${OUT:-}" ]; then
  out="$OUT"; mkdir -p "$out"
else
  out="$(mktemp -d)"
  trap 'if [ "${ok:-0}" = 1 ]; then rm -rf "$out"; else echo "real-stack: files kept in $out" >&2; fi' EXIT
fi
out="$(cd "$out" && pwd)"
t0=$(date +%s)

say "building the real hypervisor + RM into $work (cached after the first time)"
if ! "$real/build.sh" "$work" >"$out/gunyah-real-build.log" 2>&1; then
  tail -20 "$out/gunyah-real-build.log" >&2
  echo "real-stack: gunyah-real build.sh failed (log: $out/gunyah-real-build.log)" >&2; exit 2
fi
t1=$(date +%s)

say "gunyah-dt build boards/qemu-virt -o $out/config"
"$gdt" build "$root/boards/qemu-virt" -o "$out/config" >"$out/build.log" 2>&1 ||
  { cat "$out/build.log" >&2; echo "real-stack: gunyah-dt build failed" >&2; exit 1; }
t2=$(date +%s)

say "booting vm/hlos.dtb on the real stack (no extra kernel arguments)"
env -u EXTRA_APPEND RUN_DIR="$out/real" "$real/run.sh" --dtb "$out/config/vm/hlos.dtb" "$work" >"$out/run.log" 2>&1
rc=$?
t3=$(date +%s)
cat "$out/run.log"
if [ $rc -ne 0 ] || [ ! -s "$out/real/hypervisor-node.dts" ]; then
  echo "real-stack: the HLOS did not boot with a /hypervisor node on the real stack (run.sh exit $rc)" >&2; exit 1
fi

say "gunyah-dt boot --capids plain (the model, CapIDs numbered as the real debug build numbers them)"
"$gdt" boot "$out/config" --capids plain >"$out/boot.log" 2>&1 ||
  { tail -20 "$out/boot.log" >&2; echo "real-stack: gunyah-dt boot failed" >&2; exit 1; }
t4=$(date +%s)
# the model's /hypervisor alone, in a tree shaped like the real one's (run.sh's hypervisor-node.dts)
{ echo "/dts-v1/;"; echo "/ {"
  "$gdt" inspect --path /hypervisor "$out/config/vm/hlos.guest.dtb" || exit 2
  echo "};"; } >"$out/model-hypervisor-node.dts"

echo
echo "== /hypervisor, property by property (real: $out/real/hypervisor-node.dts; model: $out/model-hypervisor-node.dts)"
# both as blobs, so each property is compared as the bytes the kernel reads
for side in real model; do
  src="$out/model-hypervisor-node.dts"; [ $side = real ] && src="$out/real/hypervisor-node.dts"
  "$gdt" dtc -q -I dts -O dtb -o "$out/$side-hypervisor.dtb" "$src" &&
    "$gdt" inspect --format json "$out/$side-hypervisor.dtb" >"$out/$side.json" || exit 2
done
python3 - "$out/real.json" "$out/model.json" <<'PY'
import json, sys
def props(path):
    out = {}
    def walk(n):
        for p in n["properties"]:
            out[n["path"] + ":" + p["name"]] = p.get("value")
        for c in n["children"]:
            walk(c)
    walk(json.load(open(path)))
    return out
real, model = props(sys.argv[1]), props(sys.argv[2])
show = lambda v: "(absent)" if v is ... else "(empty)" if v is None else json.dumps(v)
for k in list(real) + [k for k in model if k not in real]:
    r, m = real.get(k, ...), model.get(k, ...)
    print(f"{'same' if r == m else 'DIFF'}  {k} = {show(r)}" + ("" if r == m else f"  | model: {show(m)}"))
print(f"{sum(real.get(k, ...) == v for k, v in model.items())} of {len(set(real) | set(model))} properties the same")
PY
echo "== gunyah-dt diff REAL MODEL (- only in the real RM's, + only in the model's, ~ different; nothing: the same)"
"$gdt" diff "$out/real-hypervisor.dtb" "$out/model-hypervisor.dtb"
drc=$?
echo "== times: gunyah-real build $((t1 - t0)) s, gunyah-dt build $((t2 - t1)) s, real boot $((t3 - t2)) s, model boot $((t4 - t3)) s"
case $drc in
  0) say "SAME: the real RM's /hypervisor for boards/qemu-virt's primary equals the model's, property by property"
     ok=1; exit 0;;
  1) say "DIFFERENT: the lines above are every difference"; exit 1;;
  *) echo "real-stack: gunyah-dt diff could not compare (exit $drc)" >&2; exit 2;;
esac
