#!/usr/bin/env python3
"""vm-check against rm-oracle, file by file (run through rm-oracle-agreement.sh, which builds the oracle).

    rmo_agree.py --oracle BIN --gunyah-dt CMD --work DIR [--sets a,b,c,d] [--mutations N] [--seed S]
                 [--manifest-only]

Case sets: a = the Qualcomm VM devicetrees in tests/src/test/resources/qcom-vm (each alone, then
all in one run),
b = rm-oracle's own tests (files sharing a number, e.g. 04-pair-a/b, in one run), c = every
secondary vm/*.dtb `gunyah-dt build` writes for boards/qemu-virt and boards/soc-2cluster (a board's
secondaries in one run, in plan order), d = seeded single mutations (rmo_mutate.py) of every case
of a-c that the oracle accepts with or without --trusted. Every case runs with and without
--trusted. Both tools get the same DTBs (cpp + dtc for the Qualcomm sources, dtc for the rest).

Writes DIR/manifest.tsv (one line per case and mode: set, id, mode, oracle exit status, oracle
output file, description, then file, verdict, vmid for each file), then, unless --manifest-only,
runs `CMD vm-check [--trusted] FILE…` per case and prints the counts per set and every
disagreement with both outputs. A file agrees when both give the same verdict and VMID and the exit
statuses match; where the oracle aborts (an RM assert or crash: the real RM would die), vm-check
must refuse that file, and the files after it are not compared. Exit 0 all agree, 1 any
disagreement, 2 a setup step failed.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
QCOM = os.path.join(ROOT, 'tests/src/test/resources/qcom-vm')
BOARDS = ['boards/qemu-virt', 'boards/soc-2cluster']
MODES = ['untrusted', 'trusted']


def die(msg):
    print('rm-oracle-agreement: ' + msg, file=sys.stderr)
    sys.exit(2)


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def dtc(src, dst, cpp_includes=None):
    """src (DTS) -> dst (DTB) as the kernel builds it: cpp first when includes are given."""
    if cpp_includes is not None:
        pp = dst + '.pp'
        r = run(['cpp', '-nostdinc', '-undef', '-D__DTS__', '-x', 'assembler-with-cpp',
                 '-I', os.path.dirname(src)] + sum((['-I', i] for i in cpp_includes), []) + [src, '-o', pp])
        if r.returncode != 0:
            return r.stderr
        src = pp
    r = run(['dtc', '-q', '-I', 'dts', '-O', 'dtb', '-o', dst, src])
    return None if r.returncode == 0 else r.stderr


def verdicts(out, files):
    """{file: (verdict, vmid)} from the `FILE: accepted|refused|REJECTED … (vmid 0x..)` lines."""
    got = {}
    for line in out.splitlines():
        for f in files:
            if line.startswith(f + ': ') and f not in got:
                rest = line[len(f) + 2:]
                verdict = 'accepted' if rest.startswith('accepted') else (
                    'refused' if rest.startswith(('refused', 'REJECTED')) else 'unreadable')
                m = re.search(r'\(vmid (0x[0-9a-fA-F]+)\)', rest)
                got[f] = (verdict, m.group(1).lower() if m else '-')
    return {f: got.get(f, ('missing', '-')) for f in files}


class Case:
    def __init__(self, set_, cid, files, desc=''):
        self.set, self.id, self.files, self.desc = set_, cid, files, desc


def set_a(work):
    cases = []
    out = os.path.join(work, 'a')
    os.makedirs(out, exist_ok=True)
    for sub in sorted(os.listdir(QCOM)):
        d = os.path.join(QCOM, sub)
        if sub == 'include' or not os.path.isdir(d):
            continue
        for f in sorted(os.listdir(d)):
            if f.endswith('.dts'):
                dtb = os.path.join(out, f[:-4] + '.dtb')
                err = dtc(os.path.join(d, f), dtb, [os.path.join(QCOM, 'include')])
                if err:
                    die(f'{sub}/{f} does not compile with cpp + dtc:\n{err}')
                cases.append(Case('a', f'{sub}/{f}', [dtb]))
    # and all of them in one run, as VMs 0x80… of one owner: their peers (vm-name:qcom,trustedvm, …)
    # meet the VMs that carry those names
    cases.append(Case('a', 'together', [c.files[0] for c in cases]))
    return cases


def set_b(work, oracle_src):
    cases = []
    for kind in ('accept', 'reject'):
        d = os.path.join(oracle_src, 'tests', kind)
        out = os.path.join(work, 'b', kind)
        os.makedirs(out, exist_ok=True)
        groups = {}
        for f in sorted(os.listdir(d)):
            if f.endswith('.dts'):
                groups.setdefault(f.split('-')[0], []).append(f)
        for num, fs in sorted(groups.items()):
            dtbs = []
            for f in fs:
                dtb = os.path.join(out, f[:-4] + '.dtb')
                err = dtc(os.path.join(d, f), dtb)
                if err:
                    die(f'{kind}/{f} does not compile with dtc:\n{err}')
                dtbs.append(dtb)
            cases.append(Case('b', f'{kind}/' + '+'.join(f[:-4] for f in fs), dtbs))
    return cases


def set_c(work, gdt):
    cases = []
    for board in BOARDS:
        name = os.path.basename(board)
        out = os.path.join(work, 'c', name)
        shutil.rmtree(out, ignore_errors=True)
        r = run(gdt + ['build', os.path.join(ROOT, board), '-o', out])
        if not os.path.exists(os.path.join(out, 'plan.json')):
            die(f'gunyah-dt build {board} wrote no plan (exit {r.returncode}):\n{r.stdout}{r.stderr}')
        with open(os.path.join(out, 'plan.json')) as fh:
            plan = json.load(fh)
        dtbs = [os.path.join(out, 'vm', vm['name'] + '.dtb') for vm in plan['vms'] if not vm.get('primary')]
        missing = [f for f in dtbs if not os.path.exists(f)]
        if missing:
            die(f'gunyah-dt build {board} (exit {r.returncode}) did not write {missing}:\n{r.stdout}{r.stderr}')
        cases.append(Case('c', name, dtbs))
    return cases


def set_d(work, seeds, count, seed):
    """Mutations of the cases the oracle accepts (in either mode)."""
    out = os.path.join(work, 'd')
    shutil.rmtree(out, ignore_errors=True)
    src = os.path.join(out, 'seeds')
    os.makedirs(src)
    args = []
    for c in seeds:
        dts = []
        for f in c.files:
            name = f'{c.set}-{os.path.basename(os.path.dirname(f))}-{os.path.basename(f)[:-4]}.dts'
            dst = os.path.join(src, name)
            if not os.path.exists(dst):
                r = run(['dtc', '-q', '-I', 'dtb', '-O', 'dts', '-o', dst, f])
                if r.returncode != 0:
                    die(f'dtc cannot read back {f}:\n{r.stderr}')
            dts.append(dst)
        args.append(','.join(dts))
    mut = os.path.join(out, 'm')
    r = run([sys.executable, os.path.join(HERE, 'rmo_mutate.py'), '--seed', str(seed), '--count', str(count),
             '--out', mut] + args)
    if r.returncode != 0:
        die('rmo_mutate.py failed:\n' + r.stderr)
    print(r.stderr.strip().splitlines()[-1])
    cases, refused = [], 0
    with open(os.path.join(mut, 'cases.tsv')) as fh:
        for line in fh:
            cid, desc, *files = line.rstrip('\n').split('\t')
            dtbs = []
            for f in files:
                if dtc(f, f[:-4] + '.dtb'):
                    refused += 1
                    break
                dtbs.append(f[:-4] + '.dtb')
            else:
                cases.append(Case('d', cid, dtbs, desc))
    if refused:
        print(f'set d: {refused} mutation(s) dtc refuses to compile, not compared')
    return cases


def run_oracle(oracle, case, mode, work):
    r = run([oracle] + (['--trusted'] if mode == 'trusted' else []) + case.files)
    log = os.path.join(work, 'oracle-out', case.set, re.sub(r'[^\w.+-]', '_', case.id) + f'.{mode}.txt')
    os.makedirs(os.path.dirname(log), exist_ok=True)
    with open(log, 'w') as fh:
        fh.write(r.stdout + r.stderr)
    return r.returncode, log, verdicts(r.stdout + r.stderr, case.files)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--oracle', required=True)
    ap.add_argument('--oracle-src', required=True)
    ap.add_argument('--gunyah-dt', required=True, help='command (split on spaces)')
    ap.add_argument('--work', required=True)
    ap.add_argument('--sets', default='a,b,c,d')
    ap.add_argument('--mutations', type=int, default=300)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--manifest-only', action='store_true')
    a = ap.parse_args()
    gdt = a.gunyah_dt.split()
    sets = a.sets.split(',')
    os.makedirs(a.work, exist_ok=True)

    cases = []
    if 'a' in sets or 'd' in sets:
        cases += set_a(a.work)
    if 'b' in sets or 'd' in sets:
        cases += set_b(a.work, a.oracle_src)
    if 'c' in sets or 'd' in sets:
        cases += set_c(a.work, gdt)
    oracle = {}
    for c in cases:
        for mode in MODES:
            oracle[c.set, c.id, mode] = run_oracle(a.oracle, c, mode, a.work)
    if 'd' in sets:
        seeds = [c for c in cases if any(oracle[c.set, c.id, m][0] == 0 for m in MODES)]
        muts = set_d(a.work, seeds, a.mutations, a.seed)
        for c in muts:
            for mode in MODES:
                oracle[c.set, c.id, mode] = run_oracle(a.oracle, c, mode, a.work)
        cases += muts
    cases = [c for c in cases if c.set in sets]

    manifest = os.path.join(a.work, 'manifest.tsv')
    with open(manifest, 'w') as fh:
        for c in cases:
            for mode in MODES:
                rc, log, v = oracle[c.set, c.id, mode]
                fh.write('\t'.join([c.set, c.id, mode, str(rc), log, c.desc or '-']
                                   + sum(([f, v[f][0], v[f][1]] for f in c.files), [])) + '\n')
    print(f'manifest: {manifest} ({len(cases)} cases x 2 modes)')
    if a.manifest_only:
        return 0
    return compare(cases, oracle, gdt, sets)


def compare(cases, oracle, gdt, sets):
    stats = {s: dict(files=0, agree=0, disagree=0, aborted=0, accepted=0) for s in sets}
    bad = []
    for c in cases:
        for mode in MODES:
            rc, log, ov = oracle[c.set, c.id, mode]
            r = run(gdt + ['vm-check'] + (['--trusted'] if mode == 'trusted' else []) + c.files)
            gv = verdicts(r.stdout + r.stderr, c.files)
            st = stats[c.set]
            aborted = rc not in (0, 1)   # an RM assert or crash: the real RM would abort
            for f in c.files:
                st['files'] += 1
                if aborted and ov[f][0] not in ('accepted', 'refused'):
                    # the file the RM aborts on is not accepted; vm-check must refuse it. The RM is
                    # gone after that, so later files of the case have no verdict to compare.
                    st['aborted'] += 1
                    kind = 'aborted' if gv[f][0] == 'refused' else 'disagree'
                    st['disagree' if kind == 'disagree' else 'agree'] += 1
                    bad.append((kind, c, mode, f, rc, log, r, ov[f], gv[f]))
                    break
                st['accepted'] += ov[f][0] == 'accepted'
                if ov[f] == gv[f] and (aborted or r.returncode == rc):
                    st['agree'] += 1
                else:
                    st['disagree'] += 1
                    bad.append(('disagree', c, mode, f, rc, log, r, ov[f], gv[f]))
    names = dict(a='qcom VM DTs', b='oracle tests', c='emitted secondaries', d='mutations')
    for kind, c, mode, f, rc, log, r, o, g in bad:
        print(f'\n{kind.upper()} [{c.set}] {c.id} ({mode}) {os.path.basename(f)}'
              + (f' -- {c.desc}' if c.desc else ''))
        print(f'  files: {" ".join(c.files)}')
        print(f'  rm-oracle (exit {rc}): {o[0]} vmid {o[1]}')
        with open(log) as fh:
            print(''.join('    | ' + l for l in fh.readlines()[:40]), end='')
        print(f'  vm-check (exit {r.returncode}): {g[0]} vmid {g[1]}')
        print(''.join('    | ' + l + '\n' for l in (r.stdout + r.stderr).splitlines()[:40]), end='')
    print('\n== per set (file verdicts, with and without --trusted)')
    for s in sets:
        st = stats[s]
        print(f'{s} {names[s]:20s} files {st["files"]:4d}  agree {st["agree"]:4d}  disagree {st["disagree"]:3d}'
              f'  (oracle accepted {st["accepted"]}, aborted on {st["aborted"]})')
    total = sum(st['disagree'] for st in stats.values())
    print(f'== {"all agree" if total == 0 else f"{total} disagreement(s)"}')
    return 1 if total else 0


if __name__ == '__main__':
    sys.exit(main())
