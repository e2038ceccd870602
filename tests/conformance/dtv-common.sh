# Shared by dtvalidate-agreement.sh and lint-speed.sh (sourced, not run).
# Hand-run: these runs take minutes to hours on 2 cores; they are not part of CI.
#
# Env: LINUX_SRC (extracted linux-source-6.1, default /work/linux/linux-source-6.1; its
# Documentation/devicetree/bindings is extracted from /usr/src/linux-source-6.1.tar.xz when
# missing), CORPUS (default /work/corpus: list.txt of arm64 .dts, ref/NAME.dtb built by dtc
# 1.6.1), DTV_CACHE (default $CORPUS/dtv: processed-schema.json and dt-validate outputs).
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
gdt="$root/gunyah-dt"
linux="${LINUX_SRC:-/work/linux/linux-source-6.1}"
corpus="${CORPUS:-/work/corpus}"
cache="${DTV_CACHE:-$corpus/dtv}"
bindings="$linux/Documentation/devicetree/bindings"
schema="$cache/processed-schema.json"

for tool in dt-validate dt-mk-schema java python3; do
  command -v "$tool" >/dev/null || { echo "$tool not found (apt-get install dt-schema)" >&2; exit 2; }
done
mkdir -p "$cache/out"

if [ ! -d "$bindings" ]; then
  echo "extracting Documentation/devicetree from /usr/src/linux-source-6.1.tar.xz…" >&2
  tar -C "$(dirname "$linux")" -xJf /usr/src/linux-source-6.1.tar.xz linux-source-6.1/Documentation/devicetree
fi

# The corpus list: made from the tree's arm64 sources when missing (all_dtbs builds the DTBs); without
# it the scripts would time whatever an empty list leaves them (ls of the working directory).
if [ ! -s "$corpus/list.txt" ]; then
  if [ -d "$linux/arch/arm64/boot/dts" ]; then
    mkdir -p "$corpus/ref"
    (cd "$linux" && find arch/arm64/boot/dts -name '*.dts' | LC_ALL=C sort) > "$corpus/list.txt"
    echo "corpus list: $corpus/list.txt ($(wc -l < "$corpus/list.txt") arm64 sources of $linux)" >&2
  else
    echo "no corpus: $corpus/list.txt is missing and $linux has no arch/arm64/boot/dts (set CORPUS or LINUX_SRC)" >&2
    exit 2
  fi
fi

# processed-schema.json once, as the kernel's Documentation/devicetree/bindings/Makefile does.
if [ ! -s "$schema" ]; then
  echo "dt-mk-schema over $bindings (about a minute)…" >&2
  list="$(mktemp)"
  find "$bindings" \( -name '*.yaml' ! -name 'processed-schema*' \) > "$list"
  dt-mk-schema -j "@$list" > "$schema.tmp" && mv "$schema.tmp" "$schema"
  rm -f "$list"
fi

# all_dtbs: every DTB of the corpus list, building the missing ones with gunyah-dt dtc.
all_dtbs() {
  local missing=() name
  while read -r src; do
    name="${src#arch/arm64/boot/dts/}"; name="${name//\//__}"; name="${name%.dts}"
    [ -s "$corpus/ref/$name.dtb" ] || missing+=("$src")
    echo "$corpus/ref/$name.dtb"
  done < "$corpus/list.txt"
  if [ ${#missing[@]} -gt 0 ]; then
    echo "building ${#missing[@]} missing DTBs with gunyah-dt dtc…" >&2
    for src in "${missing[@]}"; do
      name="${src#arch/arm64/boot/dts/}"; name="${name//\//__}"; name="${name%.dts}"
      (cd "$linux" && "$gdt" dtc -q -I dts -O dtb -i "$(dirname "$src")" -i scripts/dtc/include-prefixes \
        -o "$corpus/ref/$name.dtb" "$src") >&2 || true
    done
  fi
}

# sample_dtbs N: N DTBs spread evenly over the corpus list (always the same ones for one N).
sample_dtbs() {
  all_dtbs | awk -v n="$1" '{ a[NR] = $0 } END { for (i = 0; i < n && i < NR; i++) print a[int(i * NR / n) + 1] }'
}

# dtv_run DTB...: dt-validate -m on each DTB without a cached output, 2 in parallel; outputs
# go to $cache/out/NAME.txt (stdout+stderr) and NAME.time (seconds, one process per DTB).
dtv_run() {
  printf '%s\n' "$@" | xargs -r -P2 -I{} bash -c '
    f="$1"; out="$2/out/$(basename "$f" .dtb)"
    [ -s "$out.time" ] && exit 0
    start=$(date +%s.%N)
    dt-validate -m -u "$3" -s "$4" "$f" > "$out.txt" 2>&1 || true
    end=$(date +%s.%N)
    echo "$end - $start" | bc > "$out.time"' _ {} "$cache" "$bindings" "$schema"
}
