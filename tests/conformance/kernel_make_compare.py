#!/usr/bin/env python3
"""Compare two kernel-make.sh runs: dt-schema 2022.08 ("ref") against gunyah-dt's drop-ins ("ours").

Hand-run helper (not CI). Usage:
  kernel_make_compare.py REF_DIR OURS_DIR OURS_JSON

REF_DIR and OURS_DIR are kernel-make.sh output folders (NAME.log per make, build/ the O= tree).
OURS_JSON is `gunyah-dt lint --format json` over OURS_DIR's example blobs with the cache that run's
dt-mk-schema wrote (what its dt-validate printed, with the constraint of each finding spelled out).

Each log's lines are sorted into:
  dtc      "FILE.example.dts:L.C-L.C: Warning (check): …" — compared as multisets without the position;
  doc      dt-doc-validate's "FILE.yaml: …" lines — compared as multisets (a $ref to a missing binding, worded
           differently by the two, as one finding);
  validate dt-validate's "FILE.dtb: NODE: message" lines (+ "\\tFrom schema:") — ref's lines go through
           dtv_compare.py against OURS_JSON: (node, property, constraint) triples, as the DTB agreement
           is measured; ours' own lines are counted per blob against OURS_JSON's schema findings;
  other    anything else that is not make's progress ("  DTEX …", "make[1]: …"): printed.
Paths are reduced to what follows "Documentation/devicetree/bindings/" (the two runs use different
build folders). The example blobs of both runs are compared byte for byte.

With --partial (after REF_DIR OURS_DIR OURS_JSON), makes that have not finished are compared too, on
the example blobs both logs have reached (`DTC_CHK` lines; both runs walk the tree in the same order):
dtc and dt-validate lines of other blobs are left out, dt-doc-validate's lines (printed before any
example is built) are compared whole. For a whole-tree run stopped before its end.
"""
import collections
import filecmp
import glob
import json
import os
import re
import subprocess
import sys
import tempfile

BIND = "Documentation/devicetree/bindings/"
PROGRESS = re.compile(r"^  [A-Z_]+ +\S|^make(\[\d+\])?: |^warning: python package 'yamllint'")
DTC = re.compile(r"^(\S+\.example\.dts)(:\S+)? (Warning|Error) \((\w+)\): (.*)$")
VALIDATE = re.compile(r"^(\S+\.dtb): (.*)$")
DOC = re.compile(r"^(\S+\.yaml)(:\d+:\d+)?: (.*)$")


def rel(path):
    i = path.find(BIND)
    return path[i + len(BIND):] if i >= 0 else path


# what each kind of line is reduced to: dtc's position is dropped (the two extractors lay the
# example source out differently; ours maps check-bindings' findings back to the binding file)
KINDS = (
    ("dtc", DTC, lambda m: f"{rel(m.group(1))} {m.group(3)} ({m.group(4)}): {m.group(5)}"),
    ("doc", DOC, lambda m: doc_key(rel(m.group(1)), m.group(2) or "", m.group(3))),
)

# One finding, two wordings: a $ref to a binding that is not there is dt-doc-validate's "Unable to find schema
# file matching $id: …/schemas/X" and check-bindings' "$ref '/schemas/X#': no binding 'X' …" (with line:column)
MISSING_REF = re.compile(r"Unable to find schema file matching \$id: http://devicetree\.org/schemas/(\S+)$"
                         r"|error: \$ref '/?schemas/([^'#]+)#?': no binding ")


def doc_key(file, pos, text):
    m = MISSING_REF.match(text)
    if m:
        return f"{file}: missing schema {m.group(1) or m.group(2)}"
    return f"{file}{pos}: {text}"


def sort_lines(log):
    out = {"dtc": [], "doc": [], "validate": collections.defaultdict(list), "other": [], "blobs": []}
    last = None
    for line in open(log, encoding="utf-8", errors="replace"):
        line = line.rstrip("\n")
        if line.startswith("  DTC_CHK "):
            out["blobs"].append(line.split()[1])
        if not line or PROGRESS.match(line):
            continue
        if line.startswith("\tFrom schema:") and last is not None:
            last.append(line)
            continue
        m = VALIDATE.match(line)
        if m:
            last = out["validate"][rel(m.group(1))]
            last.append(line)
            continue
        last = None
        for kind, rx, reduce in KINDS:
            m = rx.match(line)
            if m:
                out[kind].append(reduce(m))
                break
        else:
            out["other"].append(line)
    return out


def finished(out_dir, make):
    """Whether kernel-make.sh wrote this make's time to times.txt (GNU time creates its -o file at the start)."""
    path = os.path.join(out_dir, "times.txt")
    return os.path.exists(path) and any(re.match(re.escape(make) + r": [0-9]", line) for line in open(path))


def multiset_diff(name, a, b):
    ca, cb = collections.Counter(a), collections.Counter(b)
    only_a, only_b = ca - cb, cb - ca
    both = sum((ca & cb).values())
    for line in sorted(only_a.elements()):
        print(f"  ONLY-REF  {name}: {line}")
    for line in sorted(only_b.elements()):
        print(f"  ONLY-OURS {name}: {line}")
    print(f"  {name}: {both} lines on both sides, {sum(only_a.values())} only dt-schema, {sum(only_b.values())} only gunyah-dt")
    return not only_a and not only_b


def main():
    ref_dir, ours_dir, ours_json = sys.argv[1:4]
    partial = sys.argv[4:5] == ["--partial"]
    findings = json.load(open(ours_json))
    schema_by_blob = collections.Counter(os.path.basename(f["file"]) for f in findings if f["rule"] == "schema")
    ok = True
    ref = {"dtc": [], "doc": [], "validate": {}, "other": [], "blobs": []}
    ours = {"dtc": [], "doc": [], "validate": {}, "other": [], "blobs": []}
    for log in sorted(glob.glob(os.path.join(ref_dir, "*.log"))):
        name = os.path.basename(log)
        if not partial and not all(finished(d, name[:-4]) for d in (ref_dir, ours_dir)):
            print(f"{name}: not finished on both sides, skipped")
            continue
        print(f"{name}: compared")
        for side, d in ((ref, sort_lines(log)), (ours, sort_lines(os.path.join(ours_dir, name)))):
            side["dtc"] += d["dtc"]
            side["doc"] += d["doc"]
            side["blobs"] += [rel(b) for b in d["blobs"]]
            side["validate"].update(d["validate"])
            side["other"] += [f"{name}: {line}" for line in d["other"]]
    if partial:  # only the blobs both runs reached
        common = set(ref["blobs"]) & set(ours["blobs"])
        print(f"partial: {len(common)} example blobs reached by both runs "
              f"(dt-schema {len(ref['blobs'])}, gunyah-dt {len(ours['blobs'])})")
        for side in (ref, ours):
            side["blobs"] = [b for b in side["blobs"] if b in common]
            side["dtc"] = [d for d in side["dtc"] if d.split(" ")[0][:-1] + "b" in common]
            side["validate"] = {b: v for b, v in side["validate"].items() if rel(b) in common}
    print("dtc warnings and errors (the examples' dtc step):")
    ok &= multiset_diff("dtc", ref["dtc"], ours["dtc"])
    print("dt-doc-validate:")
    ok &= multiset_diff("doc", ref["doc"], ours["doc"])
    for who, side in (("dt-schema", ref), ("gunyah-dt", ours)):
        for line in side["other"]:
            print(f"  OTHER ({who}) {line}")

    # blobs: both runs' dtc on both runs' extracted examples, for the makes compared
    def built(d, names):
        return {k: p for k in names if os.path.exists(p := os.path.join(d, "build", BIND, k))}
    ref_blobs, our_blobs = built(ref_dir, ref["blobs"]), built(ours_dir, ours["blobs"])
    same = sum(1 for k in ref_blobs if k in our_blobs and filecmp.cmp(ref_blobs[k], our_blobs[k], shallow=False))
    print(f"example blobs: {len(ref_blobs)} built by the dt-schema run, {len(our_blobs)} by the gunyah-dt run, "
          f"{same} byte-identical")
    for k in sorted(set(ref_blobs) ^ set(our_blobs)):
        print(f"  built by one run only: {k}")
    names = collections.Counter(os.path.basename(k) for k in our_blobs)
    clash = [n for n, c in names.items() if c > 1]
    if clash:
        print(f"  blob names in two folders (compared by name, so mixed): {clash}")

    # ours' printed lines against the JSON of the same findings: one finding per line, no more, no less
    printed = collections.Counter()
    for blob, lines in ours["validate"].items():
        printed[os.path.basename(blob)] = sum(1 for line in lines if not line.startswith("\t"))
    mismatch = {b: (printed[b], schema_by_blob[b]) for b in set(printed) | set(schema_by_blob) if printed[b] != schema_by_blob[b]}
    print(f"gunyah-dt's dt-validate lines in its make log: {sum(printed.values())} in {len(printed)} blobs; "
          f"schema findings in OURS_JSON: {sum(schema_by_blob.values())}; blobs where they differ: {len(mismatch)}")
    for b, (p, j) in sorted(mismatch.items()):
        print(f"  {b}: {p} printed, {j} in the JSON")
    ok &= not mismatch

    # dt-schema's dt-validate lines against our findings, triple by triple
    with tempfile.TemporaryDirectory() as tmp:
        for blob, lines in ref["validate"].items():
            base = os.path.join(tmp, os.path.basename(blob)[:-4])
            with open(base + ".txt", "w") as f:
                f.write("".join("/" + line + "\n" if not line.startswith(("/", "\t")) else line + "\n" for line in lines))
            open(base + ".time", "w").close()
        blobs = sorted(set(os.path.basename(k) for k in our_blobs) | set(os.path.basename(k) for k in ref["validate"]))
        for b in blobs:  # a blob dt-validate printed nothing for is a comparison too (an empty one)
            base = os.path.join(tmp, b[:-4])
            if not os.path.exists(base + ".txt"):
                open(base + ".txt", "w").close()
                open(base + ".time", "w").close()
        here = os.path.dirname(os.path.abspath(__file__))
        print("dt-validate findings, (node, property, constraint) triples (dtv_compare.py):")
        r = subprocess.run([sys.executable, os.path.join(here, "dtv_compare.py"), ours_json, tmp] + blobs,
                           capture_output=True, text=True)
        print("\n".join("  " + line for line in r.stdout.splitlines()))
        ok &= r.returncode == 0
    print("SAME FINDINGS" if ok else "DIFFERENCES (above)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
