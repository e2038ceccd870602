#!/usr/bin/env python3
"""Coverage lists of the real Gunyah sources (issue 11): facts (names, numbers, where) read from the
upstream hypervisor and Resource Manager trees, written as TSV files the model's CoverageTablesTest checks.

  gunyah_coverage.py extract HYP_TARBALL RM_TARBALL OUT_DIR   (re)write the five TSVs; a row's status is kept
                                                             from the existing file, a new row gets "TODO"
  gunyah_coverage.py markdown OUT_DIR                         the README tables, from the TSVs
  gunyah_coverage.py readme OUT_DIR README                    writes them into the README's coverage section

Each TSV: '#'-comment lines naming the upstream commit and files, a column header line, then one row per item.
The last column, status, is maintained by hand: "implemented", "unimplemented: why" or
"upstream-unimplemented: why" (the real code answers UNIMPLEMENTED too, so the model's UNIMPLEMENTED is faithful).
"""
import os
import re
import sys
import tarfile
import tempfile

HYP_COMMIT = "36ca3a2a0d89a46e9566474586dd94f12a04e3d5"
RM_COMMIT = "bf31a9ac9ec3beaf532bae1a796e3c35c691cd17"

LISTS = {
    "hypercalls.tsv": ("number", "name", "kind", "defined_in", "status"),
    "rpc-requests.tsv": ("id", "name", "upstream", "where", "status"),
    "notifications.tsv": ("id", "name", "sent_at", "status"),
    "vdevice-types.tsv": ("type", "parsed_at", "status"),
    "overlay.tsv": ("function", "kind", "name", "where", "status"),
}


def unpack(tarball, commit, into):
    """Extracts a `git archive` tarball after checking the commit its pax header names."""
    with tarfile.open(tarball) as t:
        got = t.pax_headers.get("comment", "")
        if got != commit:
            sys.exit(f"gunyah-coverage: {tarball} is commit {got or '(none)'}, expected {commit}")
        t.extractall(into)
    (top,) = [d for d in os.listdir(into)]
    return os.path.join(into, top)


def files(root, sub, suffixes):
    out = []
    for d, _, names in os.walk(os.path.join(root, sub)):
        for n in names:
            if n.endswith(suffixes):
                out.append(os.path.join(d, n))
    return sorted(out)


def rel(root, path):
    return os.path.relpath(path, root)


def hypercalls(hyp):
    """Every `define NAME hypercall { call_num N; | vendor_hyp_call; }` in hyp/**/*.hvc."""
    rows = []
    for f in files(hyp, "hyp", (".hvc",)):
        text = open(f).read()
        for m in re.finditer(r"define\s+(\w+)\s+hypercall\s*\{(.*?)\};", text, re.S):
            body = m.group(2)
            num = re.search(r"call_num\s+(0x[0-9a-fA-F]+|\d+)\s*;", body)
            kind = "native"
            cond = conditions(text[:m.start()])
            if cond:
                # an INTERFACE_X condition holds only when hyp/interfaces/x exists and is built
                missing = [c for c in re.findall(r"INTERFACE_(\w+)", cond)
                           if not os.path.isdir(os.path.join(hyp, "hyp/interfaces", c.lower()))]
                kind += f", only {cond}" + (" (no such interface in the tree)" if missing else "")
            if num:
                rows.append((f"0x{int(num.group(1), 0):02x}", m.group(1), kind, rel(hyp, f)))
            elif re.search(r"\bvendor_hyp_call\s*;", body):
                rows.append(("-", m.group(1), "vendor (no number in the open sources)", rel(hyp, f)))
            else:
                sys.exit(f"gunyah-coverage: {f}: {m.group(1)} has no call_num")
    return sorted(rows, key=lambda r: (r[2].startswith("vendor"), int(r[0], 16) if r[0] != "-" else 0, r[1]))


def conditions(before):
    """The #if conditions open at the end of `before` (nested ones joined with &&)."""
    stack = []
    for line in before.split("\n"):
        m = re.match(r"\s*#\s*(if|ifdef|ifndef|endif|else)\b\s*(.*)", line)
        if not m:
            continue
        if m.group(1) == "endif":
            stack.pop()
        elif m.group(1) == "else":
            stack[-1] = f"!({stack[-1]})"
        else:
            stack.append(m.group(2).strip() if m.group(1) == "if" else f"{m.group(1)} {m.group(2).strip()}")
    return " && ".join(stack)


def c_sources(rm):
    return files(rm, "src", (".c",)) + files(rm, "platform", (".c",))


def message_ids(rm):
    """#define NAME 0x5xxxxxxx in include/*_message.h and memparcel_msg.h; commented-out ones too."""
    out = []
    for f in files(rm, "include", (".h",)):
        for line in open(f):
            m = re.match(r"\s*(//\s*)?#define\s+(\w+)\s+(0x5[0-9a-fA-F]{7})U?\b", line)
            if m:
                out.append((int(m.group(3), 16), m.group(2), bool(m.group(1)), rel(rm, f)))
    return out


def case_sites(rm, name):
    """(file:line, handled?) of each `case NAME:`; handled = its arm does more than break and comments."""
    sites = []
    for f in c_sources(rm):
        lines = open(f).read().split("\n")
        for i, line in enumerate(lines):
            if re.search(r"\bcase\s+" + name + r"\s*:", line):
                body = []
                for nxt in lines[i + 1:]:
                    if re.match(r"\s*(case\s+\w+\s*:|default\s*:|\})", nxt):
                        if nxt.strip().startswith("case") and not any(body):
                            continue  # an empty arm falls through to the next one
                        break
                    body.append(re.sub(r"//.*", "", nxt).strip())
                code = [b for b in body if b and b != "break;"]
                tail = re.sub(r".*:\s*", "", line.split("//")[0]).strip()
                sites.append((f"{rel(rm, f)}:{i + 1}", bool(code) or tail not in ("", "{")))
    return sites


def rpc_requests(rm):
    rows = []
    for mid, name, commented, header in message_ids(rm):
        if (mid >> 16) & 0xFF == 0x10:  # 0x5110_xxxx / 0x5610_xxxx are notifications
            continue
        if commented:
            rows.append((f"0x{mid:08x}", name, "commented out", header))
            continue
        sites = case_sites(rm, name)
        handled = [s for s, h in sites if h]
        if handled:
            rows.append((f"0x{mid:08x}", name, "handled", " ".join(handled)))
        elif sites:
            rows.append((f"0x{mid:08x}", name, "defined, no handler", " ".join(s for s, _ in sites)))
        else:
            rows.append((f"0x{mid:08x}", name, "defined, no case", header))
    return sorted(rows)


def notifications(rm):
    rows = []
    for mid, name, commented, header in message_ids(rm):
        if (mid >> 16) & 0xFF != 0x10 or commented:
            continue
        sent = []
        for f in c_sources(rm):
            for i, line in enumerate(open(f)):
                if re.search(r"\b" + name + r"\b", line) and not re.search(r"\bLOG\w*\(|#define", line):
                    sent.append(f"{rel(rm, f)}:{i + 1}")
        rows.append((f"0x{mid:08x}", name, " ".join(sent) if sent else "never sent"))
    return sorted(rows)


def vdevice_types(rm):
    """The vdevice-type strings the RM's config parser listens for (its listener table)."""
    f = os.path.join(rm, "src/vm_config/vm_config_parser.c")
    lines = open(f).read().split("\n")
    rows = []
    for i, line in enumerate(lines):
        if '"vdevice-type"' in line and "string_prop_name" in line:
            m = re.search(r'expected_string\s*=\s*"([^"]+)"', lines[i + 1])
            if m:
                rows.append((m.group(1), f"{rel(rm, f)}:{i + 2}"))
    return rows


DTO_LIBRARY = "src/dt/dt_overlay.c"  # defines the dto_* writers; every other caller is listed


def overlay_files(rm):
    return [rel(rm, f) for f in c_sources(rm) if rel(rm, f) != DTO_LIBRARY
            and re.search(r"\bdto_(node_begin|property_add_\w+)\(", open(f).read())]


def overlay(rm):
    """Every node and property the RM writes into an overlay: dto_node_begin / dto_property_add_* /
    dto_property_ref_* / dto_modify_begin_by_path / dto_construct_begin_path calls, by function. A name that is
    not a string literal is shown as (expr)."""
    rows = []
    for p in overlay_files(rm):
        f = os.path.join(rm, p)
        func = "?"
        lines = open(f).read().split("\n")
        text = "\n".join(lines)
        starts = [0]
        for line in lines:
            starts.append(starts[-1] + len(line) + 1)
        funcs = [(m.start(), m.group(1)) for m in re.finditer(r"^(\w+)\(", text, re.M)]
        for m in re.finditer(r"\b(dto_node_begin|dto_property_(?:add|ref)_\w+|dto_modify_begin_by_path|"
                             r"dto_construct_begin_path)\(\s*\w+\s*,\s*(\"[^\"]*\"|[^,)]*)", text):
            call, arg = m.group(1), m.group(2).strip()
            line_no = next(i for i, s in enumerate(starts) if s > m.start())
            if text.rfind("//", starts[line_no - 1], m.start()) >= 0:
                continue  # commented out
            func = max(((s, n) for s, n in funcs if s < m.start()), default=(0, "?"))[1]
            if call.startswith("dto_property_add_phandle"):
                kind, name = "property", "\"phandle\""
            elif call.startswith("dto_property"):
                kind, name = "property", arg
            elif call == "dto_node_begin":
                kind, name = "node", arg
            else:
                kind, name = "path", arg
            lit = re.fullmatch(r'"([^"]*)"', name)
            name = lit.group(1) if lit else f"({name})"
            rows.append((func, kind, name, f"{p}:{line_no}"))
    merged = {}  # one row per (function, kind, name), every line it is written at
    for func, kind, name, where in rows:
        merged.setdefault((func, kind, name), []).append(where)
    return [k + (" ".join(w),) for k, w in merged.items()]


def write(out_dir, fname, rows, header_lines):
    path = os.path.join(out_dir, fname)
    cols = LISTS[fname]
    old = {}
    if os.path.exists(path):
        for r in read(path)[1]:
            old[key(fname, r)] = r[-1]
    with open(path, "w") as o:
        for h in header_lines:
            o.write(f"# {h}\n")
        o.write("\t".join(cols) + "\n")
        for r in rows:
            o.write("\t".join(r + (old.get(key(fname, r), "TODO"),)) + "\n")
    return len(rows)


def key(fname, row):
    if fname == "overlay.tsv":
        return (row[0], row[1], row[2])  # function, kind, name (lines move)
    return row[0], row[1]


def read(path):
    comments, rows = [], []
    header = None
    for line in open(path):
        line = line.rstrip("\n")
        if line.startswith("#"):
            comments.append(line)
        elif header is None:
            header = line.split("\t")
        elif line:
            rows.append(tuple(line.split("\t")))
    return comments, rows


def extract(hyp_tar, rm_tar, out_dir):
    os.makedirs(out_dir, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        hyp = unpack(hyp_tar, HYP_COMMIT, os.path.join(tmp, "hyp"))
        rm = unpack(rm_tar, RM_COMMIT, os.path.join(tmp, "rm"))
        hyp_src = f"upstream: quic/gunyah-hypervisor {HYP_COMMIT}"
        rm_src = f"upstream: quic/gunyah-resource-manager {RM_COMMIT}"
        gen = "written by tests/conformance/gunyah-coverage.sh; status column kept by hand, checked by CoverageTablesTest"
        n = write(out_dir, "hypercalls.tsv", hypercalls(hyp),
                  [hyp_src, "files: hyp/**/*.hvc (define NAME hypercall { call_num N; } or vendor_hyp_call: no number)", gen])
        print(f"hypercalls: {n}")
        n = write(out_dir, "rpc-requests.tsv", rpc_requests(rm),
                  [rm_src, "files: include/*.h (#define NAME 0x5.00....), src/**/*.c and platform/**/*.c (case NAME:)", gen])
        print(f"rpc requests: {n}")
        n = write(out_dir, "notifications.tsv", notifications(rm),
                  [rm_src, "files: include/*.h (#define NAME 0x5.10....), src/**/*.c (where the id is sent)", gen])
        print(f"notifications: {n}")
        n = write(out_dir, "vdevice-types.tsv", vdevice_types(rm),
                  [rm_src, "file: src/vm_config/vm_config_parser.c (the listener table's vdevice-type strings)", gen])
        print(f"vdevice types: {n}")
        n = write(out_dir, "overlay.tsv", overlay(rm),
                  [rm_src, "files: " + " ".join(overlay_files(rm)) + " (dto_node_begin, dto_property_*, dto_modify_begin_by_path, dto_construct_begin_path)", gen])
        print(f"overlay nodes/properties: {n}")


TITLES = {
    "hypercalls.tsv": "hypercalls",
    "rpc-requests.tsv": "RM RPC requests",
    "notifications.tsv": "RM notifications",
    "vdevice-types.tsv": "vdevice types",
    "overlay.tsv": "overlay nodes and properties the RM writes",
}


def label(fname, r):
    """How a row is named in the README: the call or message name, the vdevice type, or "property (function)"."""
    if fname in ("hypercalls.tsv", "rpc-requests.tsv", "notifications.tsv"):
        return r[1]
    return r[0] if fname == "vdevice-types.tsv" else f"{r[2]} ({r[0]})"


def markdown(out_dir):
    """The README tables: per list, implemented / total with what is faithfully UNIMPLEMENTED apart, then every
    missing item grouped by its why."""
    print("| list (file under hypervisor/src/test/resources/coverage) | in the sources | of which the open"
          " upstream build does nothing either: answers UNIMPLEMENTED, refuses or builds nothing (the model too) | **implemented / the rest** | not yet |")
    print("|---|---|---|---|---|")
    details = []
    for fname in LISTS:
        _, rows = read(os.path.join(out_dir, fname))
        parts = [(TITLES[fname], rows)]
        if fname == "hypercalls.tsv":
            parts = [("hypercalls with a number (native)", [r for r in rows if r[2].startswith("native")]),
                     ("vendor hypercalls (no number in the open sources)", [r for r in rows if r[2].startswith("vendor")])]
        for title, part in parts:
            impl = [r for r in part if r[-1] == "implemented"]
            same = [r for r in part if r[-1].startswith("upstream-unimplemented")]
            missing = [r for r in part if r not in impl and r not in same]
            extra = ""
            if fname == "overlay.tsv":
                computed = [r for r in part if r[2].startswith("(")]
                extra = f" ({len(computed)} with a computed name, judged by hand)"
            print(f"| {title} (`{fname}`){extra} | {len(part)} | "
                  + (f"{len(same)}: " + ", ".join(f"`{label(fname, r)}`" for r in same) if same else "0")
                  + f" | **{len(impl)} / {len(part) - len(same)}** | {len(missing)} |")
        details.append((fname, rows))
    for heading, status in (("Not yet", "unimplemented"), ("Not done by the open upstream build either",
                                                            "upstream-unimplemented")):
        for fname, rows in details:
            chosen = [r for r in rows if r[-1].startswith(status + ":")]
            if not chosen:
                continue
            print(f"\n{heading} — {TITLES[fname]}:\n")
            groups = {}
            for r in chosen:
                groups.setdefault(r[-1].split(":", 1)[1].strip(), []).append(label(fname, r))
            for why, labels in groups.items():
                print(f"- {why}: " + ", ".join(f"`{x}`" for x in labels))


def readme(out_dir, path):
    """Replaces the tables in the README's "Coverage against the real sources" section (from its table's first
    line up to the next heading) with markdown(out_dir)."""
    import contextlib
    import io
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        markdown(out_dir)
    text = open(path).read()
    head = text.index("## Coverage against the real sources")
    start = text.index("| list (file under", head)
    end = text.index("\n## ", start)
    open(path, "w").write(text[:start] + buf.getvalue().rstrip("\n") + "\n" + text[end:])


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "extract":
        extract(*sys.argv[2:])
    elif len(sys.argv) == 3 and sys.argv[1] == "markdown":
        markdown(sys.argv[2])
    elif len(sys.argv) == 4 and sys.argv[1] == "readme":
        readme(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
