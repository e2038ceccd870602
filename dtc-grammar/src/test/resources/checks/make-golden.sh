#!/bin/sh
# Regenerates the expected stderr of every dtc check case with dtc 1.6.1:
#   cases/NAME.dts      the source; a first line "// flags: ..." gives dtc's -W/-E flags. NAME is
#                       CHECK (an input that fires the check), CHECK.clean (a near miss that does
#                       not) or CHECK.SHAPE (another input worth pinning down)
#   cases/NAME.stderr   all dtc prints on stderr for `dtc -I dts -O dtb -o out.dtb FLAGS - < NAME.dts`
#                       (read from stdin, so messages name the input "<stdin>" wherever the case lives)
# Usage: make-golden.sh [OUTDIR]   writes the .stderr files to OUTDIR (default: cases/ itself).
# CheckCasesTest compares gunyah-dt's messages with each NAME.stderr and, when dtc is installed,
# runs this script into a temp dir to check the committed files are still what dtc prints.
set -eu
dtc=${DTC:-dtc}
cases=$(cd "$(dirname "$0")/cases" && pwd)
out=${1:-$cases}
mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rm -f "$out"/*.stderr
for src in "$cases"/*.dts; do
	name=$(basename "$src" .dts)
	flags=$(sed -n '1s|^// flags: ||p' "$src")
	rc=0
	# shellcheck disable=SC2086 # flags are words
	(cd "$work" && "$dtc" -I dts -O dtb -o out.dtb $flags - <"$src" 2>"$out/$name.stderr" >/dev/null) || rc=$?
	# 0: clean or warnings; 2: check errors. Anything else (1: syntax error, bad flag) is a broken case.
	if [ "$rc" != 0 ] && [ "$rc" != 2 ]; then
		echo "make-golden.sh: dtc exited $rc on $src:" >&2
		cat "$out/$name.stderr" >&2
		exit 1
	fi
	rm -f "$work/out.dtb"
done
