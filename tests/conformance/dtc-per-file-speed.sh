#!/usr/bin/env bash
# One small DTS compiled N times (default 10), one process per call as `make dtbs` and
# `make dt_binding_check` call dtc: ./gunyah-dt dtc in a fresh JVM (GUNYAH_DT_RESIDENT=0), through
# the resident process (the launcher's default; the first call, which may start it, is made before
# timing), and /usr/bin/dtc 1.6.1; wall and CPU (user+sys of the children) of each, the ratios,
# the load average, and whether the three outputs are byte-identical.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
n="${1:-10}"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
cat >"$work/small.dts" <<'DTS'
/dts-v1/;
/ {
	#address-cells = <1>;
	#size-cells = <1>;
	model = "acme,small";
	intc: interrupt-controller@1000 {
		compatible = "acme,intc";
		reg = <0x1000 0x100>;
		interrupt-controller;
		#interrupt-cells = <1>;
		#address-cells = <0>;
	};
	uart@2000 {
		compatible = "acme,uart";
		reg = <0x2000 0x100>;
		interrupt-parent = <&intc>;
		interrupts = <5>;
	};
};
DTS
# run NAME CMD...: N calls; prints NAME, wall seconds and CPU seconds (user+sys of the calls, plus
# the resident process's own CPU over the run when $respid names it)
run() {
  local name="$1" t before=0 after=0; shift
  [ -n "${respid:-}" ] && before=$(awk '{print $14 + $15}' "/proc/$respid/stat")
  t=$( { TIMEFORMAT='%R %U %S'; time (for i in $(seq "$n"); do "$@" -O dtb -o "$work/$name.dtb" "$work/small.dts"; done) ; } 2>&1 )
  [ -n "${respid:-}" ] && after=$(awk '{print $14 + $15}' "/proc/$respid/stat")
  set -- $t
  echo "$name $1 $(echo "$2 + $3 + ($after - $before) / $(getconf CLK_TCK)" | bc -l)"
}
"$root/gunyah-dt" dtc -O dtb -o "$work/warm.dtb" "$work/small.dts" # builds the jar / starts the resident process
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
fresh=$(GUNYAH_DT_RESIDENT=0 run fresh "$root/gunyah-dt" dtc)
base="${GUNYAH_DT_RESIDENT_DIR:-${XDG_RUNTIME_DIR:-/tmp}/gunyah-dt-$EUID}"
rpid=$(cat "$(ls -t "$base"/*/pid | head -1)")
resident=$(respid=$rpid run resident "$root/gunyah-dt" dtc)
ref=$(run dtc /usr/bin/dtc)
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
for r in "$fresh" "$resident" "$ref"; do
  set -- $r; printf '%-9s %d calls: wall %.2f s, CPU %.2f s (%.0f ms wall per call)\n' "$1" "$n" "$2" "$3" "$(echo "$2 * 1000 / $n" | bc -l)"
done
set -- $fresh; fw=$2 fc=$3; set -- $resident; rw=$2 rc=$3
printf 'resident vs fresh: %.1fx wall, %.1fx CPU\n' "$(echo "$fw / $rw" | bc -l)" "$(echo "$fc / $rc" | bc -l)"
set -- $ref; printf 'dtc vs resident: dtc %.1fx faster in wall, %.1fx in CPU\n' "$(echo "$rw / $2" | bc -l)" "$(echo "$rc / $3" | bc -l)"
cmp "$work/fresh.dtb" "$work/resident.dtb" && cmp "$work/fresh.dtb" "$work/dtc.dtb" && echo "outputs byte-identical (fresh, resident, dtc)"
