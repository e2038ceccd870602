#!/usr/bin/env python3
"""Compare dt-validate -m text output with gunyah-dt lint --format json findings.

Hand-run helper of dtvalidate-agreement.sh (not CI). Usage:
  dtv_compare.py OURS.json DTV_DIR DTB...
DTV_DIR holds NAME.txt (dt-validate's output for NAME.dtb).

Both sides are reduced to triples (node, property, failed constraint). dt-validate prints the
name of the node a binding matched followed by the path inside it ("thermal-zones: gpu0-thermal:
'trips' is a required property"), not the full path, so a dt-validate triple matches one of ours
when the property and constraint are equal and our full node path ends with its node chain.
oneOf and anyOf count as one constraint class (networknt and jsonschema pick differently).
"""
import json
import os
import re
import sys
from collections import defaultdict

CONSTRAINTS = [
    ("is a required property", "required"),
    ("Unevaluated properties are not allowed", "unevaluatedProperties"),
    ("Additional properties are not allowed", "additionalProperties"),
    ("not match any of the regexes", "additionalProperties"),
    ("is too long", "maxItems"),
    ("is too short", "minItems"),
    ("was expected", "const"),
    ("is not one of", "enum"),
    ("does not match '", "pattern"),
    ("is not of type", "type"),
    ("conditional failed", "oneOf"),
    ("is not valid under any of the given schemas", "oneOf"),
    ("is valid under each of", "oneOf"),
    ("More than one condition true in oneOf", "oneOf"),
    ("is greater than the maximum", "maximum"),
    ("is less than the minimum", "minimum"),
    ("greater than or equal to the maximum", "exclusiveMaximum"),
    ("less than or equal to the minimum", "exclusiveMinimum"),
    ("should not be valid under", "not"),
    ("is a dependency of", "dependentRequired"),
    ("Additional items are not allowed", "items"),
    ("non-unique elements", "uniqueItems"),
    ("is not a multiple of", "multipleOf"),
    ("does not contain items matching", "contains"),
    ("failed to match any schema with compatible", "unmatched-compatible"),
    ("False schema does not allow", "false"),
]
OUR_CLASS = {"anyOf": "oneOf", "additionalItems": "items", "minContains": "contains"}  # networknt names a failed contains minContains
# one "path:" group of dt-validate: the node name, then the error's instance path joined with ':'
# (child node names, a property, array indices: "rpm:rpm-requests", "reg:0:1")
LOCATION = re.compile(r"^[A-Za-z0-9,._+@#$/-]+(:[A-Za-z0-9,._+@#$/-]+)*$")
QUOTED = re.compile(r"'([^']*)'")


def constraint_of(msg):
    for text, c in CONSTRAINTS:
        if text in msg:
            return c
    return "other"


def dtv_triples(path):
    """(chain, property, constraint, text, repeat) from one dt-validate output file.

    repeat counts earlier lines with the same triple: dt-validate names a node by its name only,
    so two nodes of one name under different parents (cp0/cp1 mmc@780000) give the same triple
    twice, each a finding of its own (a repeat that matches none of ours is counted as a repeat)."""
    out = set()
    seen = defaultdict(int)
    # NAME.time is written when dt-validate has finished: a .txt without it may still be growing
    if not os.path.exists(path) or not os.path.exists(path[:-4] + ".time"):
        return None
    for line in open(path, encoding="utf-8", errors="replace"):
        if line.startswith("\t") or ": " not in line or not line.startswith("/"):
            continue
        rest = line.rstrip("\n").split(": ", 1)[1]  # drop "FILE.dtb" or "FILE.dtb:0:0"
        locs = []
        while True:
            head, sep, tail = rest.partition(": ")
            if sep and LOCATION.match(head) and not head.startswith("'"):
                locs.append(head)
                rest = tail
            else:
                break
        msg = rest
        # split "a:b" groups into path elements; array indices say nothing of node or property
        locs = [p for loc in locs for p in loc.split(":") if not p.isdigit()]
        c = constraint_of(msg)
        if c == "unmatched-compatible":
            key = (locs[0] if locs else "?", "compatible", c)
            out.add(key + (msg[:120], seen[key]))
            seen[key] += 1
            continue
        if c == "required":
            props = QUOTED.findall(msg)[:1]
            chain = locs
        elif c == "dependentRequired":  # "'a' is a dependency of 'b'": ours names b, the present one
            props = QUOTED.findall(msg)[1:2]
            chain = locs
        elif c in ("unevaluatedProperties", "additionalProperties"):
            if re.search(r"were unexpected\)|was unexpected\)", msg):
                props = QUOTED.findall(msg[msg.index("("):])
            else:
                props = QUOTED.findall(msg.split(" do")[0])
            chain = locs
        else:
            chain, props = (locs[:-1], [locs[-1]]) if locs else ([], [None])
        # a binding matched at the root prints "/" first: "/: opp-table: opp-1: …" is /opp-table/opp-1
        node = ("/" + "/".join(chain[1:]) if chain[0] == "/" else "/".join(chain)) if chain else "?"
        for p in props:
            out.add((node, p, c, msg[:120], seen[(node, p, c)]))
            seen[(node, p, c)] += 1
    return out


def ours_triples(findings):
    out = defaultdict(set)
    for f in findings:
        if f["rule"] not in ("schema", "unmatched-compatible"):
            continue
        c = "unmatched-compatible" if f["rule"] == "unmatched-compatible" else f.get("constraint") or "other"
        c = OUR_CLASS.get(c, c)
        out[os.path.basename(f["file"])].add((f["node"], f["property"], c, f["message"][:120]))
    return out


def matches(d, o):
    chain, prop, c = d[:3]
    node, oprop, oc, _ = o
    if c != oc:
        return False
    if prop != oprop:
        # a node-level failure (oneOf, false schema) on a child node: dt-validate prints the child's
        # name where a property would be
        return oprop is None and prop is not None and node.endswith("/" + prop)

    if c == "unmatched-compatible" or chain.startswith("/"):
        return node == chain
    # python-jsonschema 4.10 sometimes prints an unevaluatedProperties error of a node under the
    # path of one of its child nodes ("pcie@1f0000000: ethernet@0,0: Unevaluated properties are
    # not allowed ('bus-range', …)" lists pcie's own properties): accept the parent's path too
    if c == "unevaluatedProperties" and "/" in chain:
        parent = chain.rsplit("/", 1)[0]
        if ("/" + node.lstrip("/")).endswith("/" + parent):
            return True
    return ("/" + node.lstrip("/")).endswith("/" + chain) or node.endswith("/" + chain.split("/")[-1])


# Known causes of disagreements, first match wins: (side, constraint, property regex, message
# regex, cause). Empty since gunyah-dt reproduces dt-mk-schema's processing and dt-validate's DTB
# decoding (bindings/README.md); the four causes listed here before (dt-validate's decoding of
# properties its type table lacks, row shapes) were fixed on our side rather than explained.
CAUSES = []


FOLLOWS = ("unevaluated-follows: a property that is unevaluated on one side only, on a node where that side has "
           "another disagreement (the failed subschema's properties count as unevaluated, as python-jsonschema 4.10 "
           "decides; e.g. a row-shape minItems failing snps,dwmac.yaml inside an allOf)")


SAME_NAME = ("dtv-print: dt-validate names a node by its name only, so two nodes of one name (cp0/cp1 "
             "mmc@780000) are one of its triples; ours has both, one matched")


def cause_of(side, triple, other_nodes=frozenset(), matched_names=frozenset()):
    node, prop, c, msg = triple[:4]
    if c == "unevaluatedProperties" and node in other_nodes:
        return FOLLOWS
    if side == "ours" and (node.rsplit("/", 1)[-1], prop, c) in matched_names:
        return SAME_NAME
    for s, con, prop_re, msg_re, cause in CAUSES:
        if s == side and con == c and re.search(prop_re, prop or "") and re.search(msg_re, msg or ""):
            return cause
    return "not yet explained"


def main():
    ours_file, dtv_dir, dtbs = sys.argv[1], sys.argv[2], sys.argv[3:]
    ours = ours_triples(json.load(open(ours_file)))
    agree = only_dtv = only_ours = duplicates = 0
    causes = defaultdict(int)
    files = 0
    for dtb in dtbs:
        name = os.path.basename(dtb)
        d = dtv_triples(os.path.join(dtv_dir, name[:-4] + ".txt"))
        if d is None:
            continue
        files += 1
        o = set(ours.get(name, set()))
        dkeys = {t[:3] + t[4:]: t for t in d}
        okeys = {t[:3]: t for t in o}
        used = {}
        missed_dtv = []
        for k, t in sorted(dkeys.items(), key=lambda kv: (-len(kv[0][0]), str(kv))):
            hit = next((ok for ok in okeys if ok not in used and matches(t, okeys[ok])), None)
            if hit is None:
                # dt-validate reports one node once per binding that reaches it, under different chains
                # ("geniqup@8c0000: i2c@880000: …" from the parent's binding, "i2c@880000: …" from its own):
                # one (node, property, constraint) triple, counted once
                twin = next((ok for ok, d in used.items() if matches(t, okeys[ok])
                             and (d == k[0] or d.endswith("/" + k[0]) or k[0].endswith("/" + d))), None)
                if twin is not None:
                    duplicates += 1
                else:
                    missed_dtv.append((k, t))
            else:
                used[hit] = k[0]
                agree += 1
        missed_ours = [ok for ok in sorted(okeys, key=str) if ok not in used]
        dtv_nodes = {k[0] for k, _ in missed_dtv if k[2] != "unevaluatedProperties"}
        our_nodes = {ok[0] for ok in missed_ours if ok[2] != "unevaluatedProperties"}
        for k, t in missed_dtv:
            only_dtv += 1
            cause = cause_of("dtv", t, dtv_nodes)
            causes[cause] += 1
            print(f"ONLY-DTV  {name}: {k[0]}: {k[1]}: {k[2]}: {t[3]}  [{cause.split(':')[0]}]")
        names = {(u[0].rsplit("/", 1)[-1], u[1], u[2]) for u in used}
        for ok in missed_ours:
            only_ours += 1
            cause = cause_of("ours", okeys[ok], our_nodes, names)
            causes[cause] += 1
            print(f"ONLY-OURS {name}: {ok[0]}: {ok[1]}: {ok[2]}: {okeys[ok][3]}  [{cause.split(':')[0]}]")
    total = agree + only_dtv + only_ours
    print("disagreements by cause:")
    for cause, n in sorted(causes.items(), key=lambda x: -x[1]):
        print(f"  {n:5d}  {cause}")
    print(f"files compared: {files}")
    print(f"dt-validate repeats of one triple under another binding's chain (counted once): {duplicates}")
    print(f"agreement: {agree} of {total} distinct (node, property, constraint) triples; "
          f"only dt-validate: {only_dtv}; only gunyah-dt: {only_ours}")
    return 0 if only_dtv == 0 and only_ours == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
