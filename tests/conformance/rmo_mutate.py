#!/usr/bin/env python3
"""Seeded single mutations of VM devicetrees, for rm-oracle-agreement.sh.

    rmo_mutate.py --seed S --count N --out DIR CASE…

Each CASE is a comma-separated list of DTS files (as `dtc -I dtb -O dts` prints them) that are
created together, in order (a multi-VM case such as a message-queue pair). Every mutation changes
one thing in one file of one case; the other files of the case stay as they are. The generator
lists every mutation it can make on every case, then picks N of them with random.Random(S), so the
same seed and inputs always give the same files (kinds taken in turn, so each kind is tried). It writes DIR/NNNN-<what>/<file>.dts for each
mutation and DIR/cases.tsv: one line per mutation, `id<TAB>description<TAB>file1<TAB>file2…`.

The mutations target what the Resource Manager reads (gunyah-model.md §9; its dtb_parser.c /
vm_config_parser.c): property deletion, cell values, node names and order, strings the parser
matches (affinity, enable-method, status, vdevice-type…), peer / peer-default, the root's first
child's #address-cells (the RM's cells-context quirk), psci position, vm-guid, image-name length,
qcom,label collisions, interrupt numbers, scheduling bounds, vm-attrs, memory ranges; and, in
cases of several VMs, peers that name the others by image-name / vm-uri / vm-guid (right, upper-cased,
wrong) and the VMs created in reverse order.
"""
import argparse
import copy
import os
import random
import re
import sys


class Node:
    def __init__(self, name, labels=()):
        self.name = name
        self.labels = list(labels)
        self.props = []      # [name, raw value text or None]
        self.children = []

    def child(self, name):
        return next((c for c in self.children if c.name == name), None)

    def prop(self, name):
        return next((p for p in self.props if p[0] == name), None)

    def walk(self, path='/'):
        """(path, node) for this node and every node below it, in order."""
        yield path, self
        for c in self.children:
            yield from c.walk(path.rstrip('/') + '/' + c.name)


def parse(text):
    """Parses the regular DTS that `dtc -O dts` prints (one property per line)."""
    head = []
    stack = []
    root = None
    for line in text.splitlines():
        s = line.strip()
        if not s or s.startswith('//'):
            continue
        if not stack and root is None and not s.startswith('/ {'):
            head.append(s)
            continue
        if s == '};':
            stack.pop()
            continue
        if s.endswith('{') and '=' not in s:
            words = s[:-1].split()
            labels = [w[:-1] for w in words[:-1]]
            node = Node('' if words[-1] == '/' else words[-1], labels)
            if stack:
                stack[-1].children.append(node)
            else:
                root = node
            stack.append(node)
            continue
        m = re.match(r'^((?:[\w.]+:\s*)*)([^=\s]+)(?:\s*=\s*(.*))?;$', s)
        if not m or not stack:
            raise ValueError('cannot read line: ' + line)
        stack[-1].props.append([m.group(2), m.group(3)])
    if root is None:
        raise ValueError('no root node')
    return head, root


def emit(head, root):
    out = [h for h in head]
    if not any(h.startswith('/dts-v1/') for h in head):
        out.insert(0, '/dts-v1/;')

    def node(n, depth):
        ind = '\t' * depth
        lab = ''.join(l + ': ' for l in n.labels)
        out.append(f'{ind}{lab}{n.name or "/"} {{')
        for p, v in n.props:
            out.append(f'{ind}\t{p};' if v is None else f'{ind}\t{p} = {v};')
        for c in n.children:
            node(c, depth + 1)
        out.append(f'{ind}}};')
    node(root, 0)
    return '\n'.join(out) + '\n'


def cells(raw):
    """The 32-bit cells of a `<…>` value, or None for anything else."""
    if raw is None:
        return None
    m = re.fullmatch(r'<([^<>"]*)>', raw.strip())
    if not m:
        return None
    try:
        return [int(t, 0) for t in m.group(1).split()]
    except ValueError:
        return None


def cellstr(vals):
    return '<' + ' '.join(hex(v & 0xffffffff) for v in vals) + '>'


def vm_config(root):
    return root.child('qcom,vm-config') or root.child('gunyah-vm-config')


# ---- mutations: each is (description, function(root) -> None), applied to a deep copy ----

STRING_CHOICES = {
    'affinity': ['static', 'pinned', 'proxy', 'sticky', 'floating'],
    'enable-method': ['psci', 'spin-table', ''],
    'status': ['okay', 'disabled', 'ok', 'fail'],
    'vdevice-type': ['rm-rpc', 'doorbell', 'doorbell-source', 'message-queue', 'message-queue-pair',
                     'shm', 'shm-doorbell', 'virtio-mmio', 'iomem', 'vsmmu-v2', 'vrtc-pl031',
                     'minidump', 'watchdog'],
    'vm-type': ['aarch64-guest', 'aarch32-guest', 'x86'],
    'os-type': ['linux', 'none', 'windows'],
    'boot-config': ['fdt,unified', 'fdt', 'none'],
    'vm-attrs': ['crash-fatal', 'is-direct', 'context-dump', 'ensure-address-map', 'bogus-attr'],
    'peer': ['vm-name:HLOS', 'HLOS', 'vm-name:nobody', 'vm-guid:00000000-0000-0000-0000-000000000000',
             'vm-uri:vmuid/none', 'vm-name:'],
    'compatible': ['qcom,vm-1.0', 'arm,psci-1.0', 'arm,gic-v3', 'bogus'],
    'method': ['hvc', 'smc', 'svc'],
}

BAD_GUIDS = ['not-a-guid', '6e0a2f3c-1b2d-4e5f-8a9b-0c1d2e3f4a5', '6e0a2f3c1b2d4e5f8a9b0c1d2e3f4a5b',
             'zz0a2f3c-1b2d-4e5f-8a9b-0c1d2e3f4a5b', '6E0A2F3C-1B2D-4E5F-8A9B-0C1D2E3F4A5B']

CELL_PROPS_OF_INTEREST = {'interrupts', 'affinity-map', 'sched-priority', 'sched-timeslice', 'base-address',
                          'size-min', 'size-max', 'qcom,label', 'label', 'message-size', 'queue-depth',
                          'reg', '#address-cells', '#size-cells', 'base', 'vqs-num', 'gic-irq-ranges',
                          'iomemory-ranges', 'dma_base', 'cpu-idle-states', 'config', 'patch'}


def quote(s):
    return '"' + s.replace('\\', '\\\\').replace('"', '\\"') + '"'


def mutations(root):
    """Every single mutation this generator knows for one tree, as (tag, description, fn)."""
    found = []
    cfg = vm_config(root)
    scope = [(p, n) for p, n in root.walk()]
    cfg_paths = [(p, n) for p, n in scope if cfg is not None and (p == '/' + cfg.name or p.startswith('/' + cfg.name + '/'))]

    def add(tag, desc, fn):
        found.append((tag, desc, fn))

    # 1. delete each property under the VM config, and a few elsewhere that the RM reads
    for path, n in cfg_paths + [(p, n) for p, n in scope if p.startswith('/cpus') or p == '/psci' or p.endswith('/psci')]:
        for name, _ in n.props:
            add('del-prop', f'delete {path}:{name}', lambda r, path=path, name=name:
                at_r(r, path).props.remove(at_r(r, path).prop(name)))
    # 2. delete each node under the VM config (and the CPUs' nodes)
    for path, n in cfg_paths + [(p, n) for p, n in scope if p.startswith('/cpus/')]:
        if path.count('/') >= 2:
            parent, leaf = path.rsplit('/', 1)
            add('del-node', f'delete node {path}', lambda r, parent=parent, leaf=leaf:
                at_r(r, parent).children.remove(at_r(r, parent).child(leaf)))
    # 3. cell values
    for path, n in cfg_paths + [(p, n) for p, n in scope if p.startswith('/cpus')]:
        for name, raw in n.props:
            vals = cells(raw)
            if not vals or name not in CELL_PROPS_OF_INTEREST:
                continue
            for i, v in enumerate(vals[:6]):
                for nv in sorted({0, 1, v + 1, (v - 1) & 0xffffffff, 0xffffffff, v * 2 & 0xffffffff, 99, 100,
                                  100000, 100001, 1019, 1020, 0x80000000} - {v}):
                    add('cell', f'{path}:{name}[{i}] {hex(v)} -> {hex(nv)}',
                        lambda r, path=path, name=name, i=i, nv=nv: set_cell(at_r(r, path), name, i, nv))
            # one cell more, one cell fewer
            add('cells+1', f'{path}:{name} one cell more', lambda r, path=path, name=name:
                at_r(r, path).prop(name).__setitem__(1, cellstr(cells(at_r(r, path).prop(name)[1]) + [0])))
            if len(vals) > 1:
                add('cells-1', f'{path}:{name} one cell fewer', lambda r, path=path, name=name:
                    at_r(r, path).prop(name).__setitem__(1, cellstr(cells(at_r(r, path).prop(name)[1])[:-1])))
    # 4. strings the parser matches
    for path, n in scope:
        for name, raw in n.props:
            if name in STRING_CHOICES and raw is not None and raw.startswith('"'):
                for s in STRING_CHOICES[name]:
                    if quote(s) != raw:
                        add('string', f'{path}:{name} = {quote(s)}', lambda r, path=path, name=name, s=s:
                            at_r(r, path).prop(name).__setitem__(1, quote(s)))
    # 5. rename nodes under the VM config (and a unit address on them)
    for path, n in cfg_paths:
        if path.count('/') >= 2:
            for new in ([n.name + '@0', n.name + 'x'] if '@' not in n.name else [n.name.split('@')[0]]):
                add('rename', f'rename {path} -> {new}', lambda r, path=path, new=new: setattr(at_r(r, path), 'name', new))
    # 6. root memory node: unit address / rename
    mem = root.child('memory')
    if mem is not None:
        reg = cells(mem.prop('reg')[1]) if mem.prop('reg') else None
        addr = (reg[0] << 32 | reg[1]) if reg and len(reg) >= 2 else 0x80000000
        add('memory-unit', f'/memory -> /memory@{addr:x}', lambda r, addr=addr: setattr(r.child('memory'), 'name', f'memory@{addr:x}'))
        add('memory-extra', 'second root memory node /memory@0', lambda r: r.children.append(
            mk('memory@0', [['device_type', '"memory"'], ['reg', '<0x0 0x0 0x0 0x1000>']])))
    else:
        add('memory-add', 'add /memory', lambda r: r.children.insert(0, mk('memory', [['device_type', '"memory"'],
                                                                                          ['reg', '<0x0 0x80000000 0x0 0x1000000>']])))
    # 7. node order: swap each pair of adjacent root children and of adjacent vdevices
    for path, n in [('/', root)] + [(p, x) for p, x in cfg_paths if x.name == 'vdevices']:
        for i in range(len(n.children) - 1):
            a, b = n.children[i].name, n.children[i + 1].name
            add('swap', f'swap {path} children {a} <-> {b}', lambda r, path=path, i=i: swap(at_r(r, path).children, i))
    # 8. psci node after / before the VM config
    if root.child('psci') is not None and cfg is not None:
        add('psci-last', 'move /psci after the VM config', lambda r: move_last(r, 'psci'))
        add('psci-first', 'move /psci to the front', lambda r: move_first(r, 'psci'))
    elif cfg is not None:
        add('psci-add', 'add /psci before the VM config', lambda r: r.children.insert(0, mk('psci', [
            ['compatible', '"arm,psci-1.0"'], ['method', '"hvc"']])))
    # 9. #address-cells of the root's first child (the RM's cells context)
    if root.children:
        first = root.children[0].name
        for v in (None, 1, 2, 3):
            add('ctx-cells', f'/{first} #address-cells = {v}', lambda r, v=v: set_cells_prop(r.children[0], '#address-cells', v))
        for v in (None, 0, 1, 2):
            add('ctx-cells', f'/{first} #size-cells = {v}', lambda r, v=v: set_cells_prop(r.children[0], '#size-cells', v))
        add('ctx-first', 'empty /aaa-first node as root first child', lambda r: r.children.insert(0, mk('aaa-first', [])))
    if cfg is None:
        return found
    cp = '/' + cfg.name
    # 10. vm-guid, image-name, vm-attrs, trust-only properties
    for g in BAD_GUIDS:
        add('guid', f'vm-guid = {quote(g)}', lambda r, g=g: set_prop(vm_config(r), 'vm-guid', quote(g)))
    for length in (15, 16, 31, 32, 63, 64, 65, 200):
        add('image-name', f'image-name of {length} chars', lambda r, length=length:
            set_prop(vm_config(r), 'image-name', quote(('img-' + 'x' * length)[:length])))
    add('image-name', 'image-name empty', lambda r: set_prop(vm_config(r), 'image-name', '""'))
    for a in STRING_CHOICES['vm-attrs']:
        add('vm-attrs', f'vm-attrs = {quote(a)}', lambda r, a=a: set_prop(vm_config(r), 'vm-attrs', quote(a)))
    add('gic-irq-ranges', 'add gic-irq-ranges <0x40 0x40>', lambda r: set_prop(vm_config(r), 'gic-irq-ranges', '<0x40 0x40>'))
    add('iomemory-ranges', 'add iomemory-ranges', lambda r: set_prop(vm_config(r), 'iomemory-ranges',
                                                                      '<0x0 0x9000000 0x0 0x9000000 0x0 0x1000 0x0>'))
    # 11. vcpus scheduling bounds
    vc = cfg.child('vcpus')
    if vc is not None:
        for v in (99, 100, 2000, 100000, 100001):
            add('timeslice', f'sched-timeslice = {v}', lambda r, v=v: set_prop(vm_config(r).child('vcpus'), 'sched-timeslice', cellstr([v])))
        for v in (-33, -31, -1, 0, 1, 31):
            add('priority', f'sched-priority = {v}', lambda r, v=v: set_prop(vm_config(r).child('vcpus'), 'sched-priority', cellstr([v])))
    # 12. vdevices: peer / peer-default, labels, interrupts
    vds = cfg.child('vdevices')
    if vds is not None:
        vdp = cp + '/vdevices'
        for d in vds.children:
            dp = vdp + '/' + d.name
            if d.prop('peer-default') is not None:
                add('peer', f'{dp}: peer-default -> peer "vm-name:HLOS"', lambda r, dp=dp: replace_prop(at_r(r, dp), 'peer-default', 'peer', '"vm-name:HLOS"'))
                add('peer', f'{dp}: remove peer-default', lambda r, dp=dp: replace_prop(at_r(r, dp), 'peer-default', None, None))
                add('peer', f'{dp}: add peer "vm-name:HLOS" too', lambda r, dp=dp: set_prop(at_r(r, dp), 'peer', '"vm-name:HLOS"'))
            elif d.prop('peer') is not None:
                add('peer', f'{dp}: peer -> peer-default', lambda r, dp=dp: replace_prop(at_r(r, dp), 'peer', 'peer-default', None))
                add('peer', f'{dp}: add peer-default too', lambda r, dp=dp: set_prop(at_r(r, dp), 'peer-default', None))
            else:
                add('peer', f'{dp}: add peer-default', lambda r, dp=dp: set_prop(at_r(r, dp), 'peer-default', None))
                add('peer', f'{dp}: add peer "vm-name:HLOS"', lambda r, dp=dp: set_prop(at_r(r, dp), 'peer', '"vm-name:HLOS"'))
            if d.prop('interrupts') is None and d.prop('vdevice-type') and d.prop('vdevice-type')[1] in ('"doorbell"', '"message-queue"', '"message-queue-pair"', '"shm-doorbell"'):
                for spi in (40, 287, 288, 1019):
                    add('irq', f'{dp}: interrupts = <0 {spi} 1>', lambda r, dp=dp, spi=spi: set_prop(at_r(r, dp), 'interrupts', cellstr([0, spi, 1])))
        # qcom,label collisions between vdevices of the same type
        by_type = {}
        for d in vds.children:
            t = d.prop('vdevice-type')
            lab = d.prop('qcom,label') or d.prop('label')
            if t and lab:
                by_type.setdefault(t[1], []).append((d.name, lab[0], lab[1]))
        for t, ds in by_type.items():
            for (a, _, _), (b, bname, braw) in zip(ds, ds[1:]):
                add('label-dup', f'{vdp}/{a} takes {b}\'s {bname}', lambda r, a=a, bname=bname, braw=braw:
                    set_prop(vm_config(r).child('vdevices').child(a), bname, braw))
        # a second copy of each vdevice (same label, same name + "-dup")
        for d in vds.children:
            add('vdev-dup', f'duplicate vdevice {d.name}', lambda r, name=d.name: dup_child(vm_config(r).child('vdevices'), name))
    # 13. memory ranges
    m = cfg.child('memory')
    if m is not None:
        mp = cp + '/memory'
        add('memory', 'memory: base-address misaligned by 0x800', lambda r, mp=mp: bump_last(at_r(r, mp), 'base-address', 0x800))
        add('memory', 'memory: size-max smaller than size-min', lambda r, mp=mp: set_prop(at_r(r, mp), 'size-max', '<0x0 0x1000>'))
        add('memory', 'memory: is-direct', lambda r, mp=mp: set_prop(at_r(r, mp), 'is-direct', None))
    return found


def peer_mutations(trees, files, i):
    """In a case of several VMs: each peer of file i renamed to name another VM of the case by its
    image-name, vm-uri or vm-guid (vm_mgnt.c's vm_lookup_by_id), or by a wrong one of those."""
    found = []
    others = []
    for j, f in enumerate(files):
        cfg = vm_config(trees[f][1])
        if j != i and cfg is not None:
            for prop, kind in (('image-name', 'vm-name'), ('vm-uri', 'vm-uri'), ('vm-guid', 'vm-guid')):
                p = cfg.prop(prop)
                if p is not None and p[1] and p[1].startswith('"'):
                    name = p[1][1:-1].split('", "')[0]
                    others += [f'{kind}:{name}', f'{kind}:{name.upper()}', f'{kind}:{name}x']
    cfg = vm_config(trees[files[i]][1])
    vds = cfg.child('vdevices') if cfg is not None else None
    for d in (vds.children if vds is not None else []):
        if d.prop('peer') is not None:
            for o in (o for o in others if quote(o) != d.prop('peer')[1]):
                found.append(('peer-name', f'{d.name}: peer = "{o}"', lambda r, name=d.name, o=o:
                              set_prop(vm_config(r).child('vdevices').child(name), 'peer', quote(o))))
    return found


def at_r(root, path):
    for p, n in root.walk():
        if p == path:
            return n
    raise KeyError(path)


def mk(name, props):
    n = Node(name)
    n.props = [list(p) for p in props]
    return n


def set_prop(node, name, raw):
    p = node.prop(name)
    if p is None:
        node.props.append([name, raw])
    else:
        p[1] = raw


def replace_prop(node, old, new, raw):
    i = next(i for i, p in enumerate(node.props) if p[0] == old)
    if new is None:
        del node.props[i]
    else:
        node.props[i] = [new, raw]


def set_cell(node, name, i, v):
    p = node.prop(name)
    vals = cells(p[1])
    vals[i] = v
    p[1] = cellstr(vals)


def bump_last(node, name, delta):
    p = node.prop(name)
    vals = cells(p[1]) if p else None
    if vals:
        vals[-1] = (vals[-1] + delta) & 0xffffffff
        p[1] = cellstr(vals)


def set_cells_prop(node, name, v):
    if v is None:
        node.props = [p for p in node.props if p[0] != name]
    else:
        set_prop(node, name, cellstr([v]))


def swap(lst, i):
    lst[i], lst[i + 1] = lst[i + 1], lst[i]


def move_last(root, name):
    n = root.child(name)
    root.children.remove(n)
    root.children.append(n)


def move_first(root, name):
    n = root.child(name)
    root.children.remove(n)
    root.children.insert(0, n)


def dup_child(parent, name):
    c = copy.deepcopy(parent.child(name))
    c.name = c.name.split('@')[0] + '-dup'
    c.labels = []
    parent.children.append(c)


def stratified(pool, count, rng):
    """Up to count mutations, spread evenly over the kinds (tags): cell changes alone outnumber
    the rest ten to one, so a plain sample would be mostly those."""
    groups = {}
    for m in pool:
        groups.setdefault(m[2], []).append(m)
    for tag in sorted(groups):
        rng.shuffle(groups[tag])
    picked = []
    while len(picked) < count and any(groups.values()):
        for tag in sorted(groups):
            if groups[tag] and len(picked) < count:
                picked.append(groups[tag].pop())
    rng.shuffle(picked)
    return picked


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--count', type=int, default=300)
    ap.add_argument('--out', required=True)
    ap.add_argument('cases', nargs='+', help='comma-separated DTS files created together, in order')
    a = ap.parse_args()

    pool = []   # (case files, index of the mutated file, tag, description, fn)
    trees = {}
    for case in a.cases:
        files = case.split(',')
        for f in files:
            if f not in trees:
                with open(f) as fh:
                    trees[f] = parse(fh.read())
        for i, f in enumerate(files):
            for tag, desc, fn in mutations(trees[f][1]) + peer_mutations(trees, files, i):
                pool.append((files, i, tag, desc, fn))
        if len(files) > 1:
            # the same VMs created in the other order (a peer named before it exists)
            pool.append((files[::-1], None, 'vm-order', 'VMs created in reverse order', None))
    picked = stratified(pool, a.count, random.Random(a.seed))
    os.makedirs(a.out, exist_ok=True)
    rows = []
    made = 0
    for files, i, tag, desc, fn in picked:
        if fn is not None:
            head, root = trees[files[i]]
            root = copy.deepcopy(root)
            try:
                fn(root)
            except (KeyError, ValueError, StopIteration, AttributeError, TypeError) as e:
                print(f'rmo_mutate: skipped "{desc}" on {files[i]}: {e!r}', file=sys.stderr)
                continue
        made += 1
        mid = f'{made:04d}-{tag}'
        d = os.path.join(a.out, mid)
        os.makedirs(d)
        out = []
        for j, f in enumerate(files):
            base = os.path.basename(f)
            dst = os.path.join(d, base)
            with open(dst, 'w') as fh:
                fh.write(emit(head, root) if j == i else emit(*trees[f]))
            out.append(dst)
        what = os.path.basename(files[i]) if i is not None else ','.join(os.path.basename(f) for f in files)
        rows.append('\t'.join([mid, f'{what}: {desc}'] + out))
    with open(os.path.join(a.out, 'cases.tsv'), 'w') as fh:
        fh.write('\n'.join(rows) + '\n')
    print(f'rmo_mutate: {made} mutations of {len(pool)} possible (seed {a.seed})', file=sys.stderr)


if __name__ == '__main__':
    main()
