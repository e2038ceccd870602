#!/usr/bin/env bash
# HAND-RUN, NOT CI (needs dt-schema and the Linux 6.1 bindings; about a minute).
# Does gunyah-dt process bindings as dt-mk-schema 2022.08 does? Both process the installed
# dt-schema core plus Linux 6.1's Documentation/devicetree/bindings: dt-mk-schema -j writes its
# processed-schema.json (cached by dtv-common.sh), FixupsDump.java writes ours
# (Fixups.asDtMkSchema, i.e. before the networknt adaptations), and fixups_compare.py prints
# how many bindings come out identical and, for each other one, where they first differ.
# Usage: fixups-agreement.sh     Env: see dtv-common.sh.
set -euo pipefail
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/dtv-common.sh"
jar="$root/cli/target/gunyah-dt.jar"
"$gdt" --version >/dev/null # builds the jar when sources changed
dtschema="$(/usr/bin/python3 -c 'import dtschema, os; print(os.path.dirname(dtschema.__file__))')"
ours="$cache/fixups-ours.json"
java -cp "$jar" "$here/FixupsDump.java" "$dtschema" "$bindings" "$ours"
python3 "$here/fixups_compare.py" "$ours" "$schema"
