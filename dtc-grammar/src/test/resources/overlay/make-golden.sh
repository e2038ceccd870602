#!/bin/sh
# Regenerates the committed golden blobs of every overlay case with dtc and fdtoverlay 1.6.1:
#   cases/NAME/base.dts, ov1.dts, ov2.dts, ...   the sources (a first line "// flags: ..." gives dtc flags)
#   cases/NAME/golden/base.dtb, ov1.dtbo, ...    dtc -O dtb of each
#   cases/NAME/golden/out.dtb                    fdtoverlay -i base.dtb -o out.dtb ov1.dtbo ...
#   cases/NAME/golden/error.txt                  fdtoverlay's stderr when it refuses (no out.dtb then)
# OverlayApplierCasesTest checks the blobs; when dtc is installed it also re-runs this
# procedure in a temp dir and checks the committed files are still what the tools produce.
set -eu
cd "$(dirname "$0")/cases"
flags() { sed -n '1s|^// flags: ||p' "$1"; }
for dir in */; do
	c=${dir%/}
	rm -rf "$c/golden"; mkdir -p "$c/golden"
	dtc -q -I dts -O dtb $(flags "$c/base.dts") -o "$c/golden/base.dtb" "$c/base.dts"
	ovs=""
	for ov in "$c"/ov*.dts; do
		n=$(basename "$ov" .dts)
		dtc -q -I dts -O dtb $(flags "$ov") -o "$c/golden/$n.dtbo" "$ov"
		ovs="$ovs $c/golden/$n.dtbo"
	done
	if ! fdtoverlay -i "$c/golden/base.dtb" -o "$c/golden/out.dtb" $ovs 2> "$c/golden/error.txt"; then
		rm -f "$c/golden/out.dtb"
	else
		rm -f "$c/golden/error.txt"
	fi
done
