#!/usr/bin/env python3
"""Compare gunyah-dt's dt-mk-schema processing with dt-mk-schema's own processed-schema.json.

Hand-run helper of fixups-agreement.sh. Usage: fixups_compare.py OURS.json DTMK.json [-v]
OURS.json: {id: processed} from FixupsDump.java; DTMK.json: dt-mk-schema -j output.

Left out of the comparison, as neither side validates with them: description (dt-mk-schema keeps
some), and the keys only dt-mk-schema's file adds: select (gunyah-dt indexes compatibles
instead), the top-level type: object, $filename. Prints the number of bindings equal on both
sides and, for each one that differs, the first JSON pointer where they part.
"""
import json
import sys

IGNORED_TOP = {"select", "type", "$filename"}


def strip(x):
    if isinstance(x, dict):
        return {k: strip(v) for k, v in x.items() if k != "description"}
    if isinstance(x, list):
        return [strip(v) for v in x]
    return x


def first_difference(a, b, path=""):
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a:
                return f"{path}/{k}: only dt-mk-schema has it: {json.dumps(b[k])[:160]}"
            if k not in b:
                return f"{path}/{k}: only gunyah-dt has it: {json.dumps(a[k])[:160]}"
            d = first_difference(a[k], b[k], f"{path}/{k}")
            if d:
                return d
        return None
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            d = first_difference(x, y, f"{path}/{i}")
            if d:
                return d
        return None
    if a == b and type(a) == type(b):
        return None
    return f"{path}: gunyah-dt {json.dumps(a)[:160]} vs dt-mk-schema {json.dumps(b)[:160]}"


def main():
    ours = json.load(open(sys.argv[1]))
    dtmk = json.load(open(sys.argv[2]))
    verbose = "-v" in sys.argv
    same = differ = 0
    only_ours = only_dtmk = 0
    for key in sorted(set(ours) | set(k.rstrip("#") for k in dtmk if k.startswith("http"))):
        o = ours.get(key)
        d = dtmk.get(key + "#", dtmk.get(key))
        if o is None:
            only_dtmk += 1
            print(f"ONLY-DTMK {key}")
            continue
        if d is None:
            only_ours += 1
            print(f"ONLY-OURS {key}")
            continue
        d = {k: v for k, v in d.items() if k not in IGNORED_TOP}
        o = {k: v for k, v in o.items() if k not in IGNORED_TOP}
        diff = first_difference(strip(o), strip(d))
        if diff is None:
            same += 1
        else:
            differ += 1
            print(f"DIFFER {key}: {diff}")
    print(f"bindings processed identically: {same} of {same + differ} both have; differ: {differ}; "
          f"only in dt-mk-schema's set: {only_dtmk}; only in ours: {only_ours}")
    return 0 if differ == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
