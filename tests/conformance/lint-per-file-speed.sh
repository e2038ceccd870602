#!/usr/bin/env bash
# HAND-RUN, NOT CI (a few minutes): issue 16 item 1 — one process per DTB, as `make dtbs_check` runs
# the checker. For N small and N large arm64 DTBs of Linux 6.1 (the smallest and largest blobs of
# the corpus; N=3 by default), in the same run and one after the other (never two at once):
#   dt-validate -m -u BINDINGS -s processed-schema.json X.dtb     (dt-mk-schema's output, built once)
#   gunyah-dt lint -q -m --dtschema auto --bindings BINDINGS -p CACHE X.dtb   (the processed-binding
#       cache, built once before the timed runs, as processed-schema.json is), twice:
#     in-process: GUNYAH_DT_RESIDENT=0, a JVM per DTB;
#     resident:   the launcher's default, a C client per DTB and the resident JVM (started by the
#                 first call, which is timed and printed on its own line; then each DTB three
#                 times, the median wall and the median CPU reported: the steady per-file call).
#                 Its CPU is the client's plus what the resident process spent during the call
#                 (/proc/PID/stat), so no work is hidden in the process that stays up.
# Prints wall and CPU (user+sys, children included) seconds of each, whether the resident
# answer (stdout and exit status) is byte-identical to the in-process one, the ratios per DTB and
# the median per size class. Target (issue 16): >= 10x on small and large DTBs.
# Usage: lint-per-file-speed.sh [N]    Env: see dtv-common.sh (LINUX_SRC, CORPUS, DTV_CACHE).
set -euo pipefail
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/dtv-common.sh"
n="${1:-3}"
gcache="$cache/gunyah-dt-bindings.cache"
mapfile -t all < <(all_dtbs)
mapfile -t small < <(ls -Sr "${all[@]}" | head -n "$n")
mapfile -t large < <(ls -S "${all[@]}" | head -n "$n")

# the launcher builds the jar and its class-data archive on first use: not timed
GUNYAH_DT_RESIDENT=0 "$gdt" --version >/dev/null
start=$(date +%s.%N)
GUNYAH_DT_RESIDENT=0 "$gdt" lint -q -m --dtschema auto --bindings "$bindings" -p "$gcache" "${small[0]}" >/dev/null 2>&1 || true
echo "gunyah-dt: processed-binding cache ready in $(echo "$(date +%s.%N) - $start" | bc) s, first run (built when missing or stale: $gcache)"

# a resident directory of this run's own, so the first call below starts the resident process
export GUNYAH_DT_RESIDENT_DIR
GUNYAH_DT_RESIDENT_DIR="$(mktemp -d)"
chmod 700 "$GUNYAH_DT_RESIDENT_DIR"
resident_pid() { cat "$GUNYAH_DT_RESIDENT_DIR"/*/pid 2>/dev/null | head -n 1; }
resident_ticks() { # user+sys (with waited-for children) clock ticks of the resident process, 0 when none
  local pid
  pid="$(resident_pid)"
  if [ -n "$pid" ] && [ -r "/proc/$pid/stat" ]; then
    sed 's/.*) //' "/proc/$pid/stat" | awk '{ print $12 + $13 + $14 + $15 }'
  else
    echo 0
  fi
}
cleanup() {
  local pid
  pid="$(resident_pid)"
  [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  rm -rf "$GUNYAH_DT_RESIDENT_DIR"
}
trap cleanup EXIT
tick="$(getconf CLK_TCK)"

# timed OUT CMD...: "wall cpu" seconds of one run (CPU of the process and its children, plus the
# resident process's during the run); stdout and the exit status go to OUT
timed() {
  local t out=$1 before after
  shift
  t="$(mktemp)"
  before="$(resident_ticks)"
  /usr/bin/time -o "$t" -f "%e %U %S %x" "$@" >"$out" 2>/dev/null || true
  after="$(resident_ticks)"
  [ "$before" -le "$after" ] || before=0   # the resident process was started during this call
  grep -o '[0-9]*$' "$t" | tail -n 1 >>"$out"   # before the times: the caller reads them and goes on
  awk -v r="$((after - before))" -v hz="$tick" 'END { printf "%s %.2f\n", $1, $2 + $3 + r / hz }' "$t"
  rm -f "$t"
}

out="$(mktemp -d)"
read -r cw cc < <(timed "$out/cold" "$gdt" lint -q -m --dtschema auto --bindings "$bindings" -p "$gcache" "${small[0]}")
echo "gunyah-dt resident: first call (starts the resident process) ${cw} s wall, ${cc} s CPU on $(basename "${small[0]}")"

results="$(mktemp)"
for class in small large; do
  declare -n list="$class"
  for f in "${list[@]}"; do
    read -r dw dc < <(timed "$out/dtv" dt-validate -m -u "$bindings" -s "$schema" "$f")
    read -r pw pc < <(GUNYAH_DT_RESIDENT=0 timed "$out/inproc" "$gdt" lint -q -m --dtschema auto --bindings "$bindings" -p "$gcache" "$f")
    # a steady resident call: the median of three (each answer compared with the in-process one)
    same=yes
    for k in 1 2 3; do
      timed "$out/resident" "$gdt" lint -q -m --dtschema auto --bindings "$bindings" -p "$gcache" "$f"
      cmp -s "$out/inproc" "$out/resident" || same=no
    done > "$out/times"
    gw="$(cut -d' ' -f1 "$out/times" | sort -g | sed -n 2p)"
    gc="$(cut -d' ' -f2 "$out/times" | sort -g | sed -n 2p)"
    echo "$class $(basename "$f" .dtb) $(stat -c %s "$f") $dw $dc $pw $pc $gw $gc $same" >> "$results"
  done
done
echo "load average after the runs: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$results" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
print("wall / CPU seconds (resident: median of 3 calls); 'same': every resident answer (stdout + exit status) is byte-identical to the in-process one")
print(f"{'class':6} {'dtb':40} {'bytes':>7} {'dt-validate':>12} {'in-process':>12} {'resident':>12} {'same':>4} {'x in-proc':>10} {'x resident':>11}")
for c, name, size, dw, dc, pw, pc, gw, gc, same in rows:
    dw, dc, pw, pc, gw, gc = map(float, (dw, dc, pw, pc, gw, gc))
    print(f"{c:6} {name[:40]:40} {size:>7} {dw:5.2f} /{dc:5.2f} {pw:5.2f} /{pc:5.2f} {gw:5.2f} /{gc:5.2f} {same:>4} "
          f"{dw / pw:4.1f}/{dc / pc:4.1f} {dw / max(gw, 0.01):5.1f}/{dc / max(gc, 0.01):4.1f}")
for c in ("small", "large"):
    r = [r for r in rows if r[0] == c]
    for label, w, u in (("in-process", 5, 6), ("resident", 7, 8)):
        wall = statistics.median(float(x[3]) / max(float(x[w]), 0.01) for x in r)
        cpu = statistics.median(float(x[4]) / max(float(x[u]), 0.01) for x in r)
        print(f"ratio {c} {label}: median {wall:.1f}x wall, {cpu:.1f}x CPU (target >= 10x)")
print("resident answers identical to in-process:", sum(x[9] == "yes" for x in rows), "of", len(rows))
PY
rm -rf "$results" "$out"
