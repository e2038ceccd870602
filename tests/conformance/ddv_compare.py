#!/usr/bin/env python3
"""Per-file agreement of `gunyah-dt check-bindings --dtschema` with dt-doc-validate 2022.08.

Usage: ddv_compare.py LABEL TREE DDV_OUTPUT OURS_JSON FILE_LIST [MANIFEST]
DDV_OUTPUT: dt-doc-validate's stdout+stderr, run from TREE over the relative paths in FILE_LIST.
OURS_JSON: `check-bindings --dtschema auto --no-examples --format json TREE`.
MANIFEST: "path<TAB>mutation" lines from ddv_mutate.py (files not in it count as 'unmodified').

Two comparisons per file: (1) schema: dt-doc-validate's meta-schema errors vs our rule meta-schema;
(2) any: any dt-doc-validate output (also $ref, $id, quotes) vs any finding of ours (also meta, $ref,
$id, yaml). Prints the four counts of each, a table per mutation, and every disagreeing file with
both sides' first messages.
"""
import collections
import json
import os
import re
import sys

PATH = re.compile(r'^(.*?\.yaml):')


def ddv_kind(text):
    if re.match(r'\d+:\d+: ', text):
        return 'yaml'  # ruamel's problem mark (schema errors carry no line: -n is not given)
    # 'Error in referenced schema' (a $ref'd binding fails its meta-schema) stays 'schema': ours reports it as meta-schema
    if 'Unable to find schema' in text or 'Unresolvable' in text or 'RefResolution' in text:
        return '$ref'
    if "$id: relative path" in text:
        return '$id'
    if 'quotes are not necessary' in text:
        return 'quotes'
    if 'error checking schema file' in text:
        return 'crash'
    return 'schema'


def read_ddv(path, tree):
    out = collections.defaultdict(list)
    last = None
    with open(path, encoding='utf-8', errors='replace') as f:
        for line in f:
            if line.startswith('\t') and last:
                continue
            m = PATH.match(line)
            if not m:
                continue
            p = m.group(1)
            rel = os.path.relpath(p, tree) if os.path.isabs(p) else os.path.normpath(p)
            msg = line[m.end():].strip()
            out[rel].append((ddv_kind(msg), msg))
            last = rel
    return out


def read_ours(path, tree):
    out = collections.defaultdict(list)
    with open(path, encoding='utf-8') as f:
        for x in json.load(f):
            p = x['file']
            rel = os.path.relpath(p, tree) if os.path.isabs(p) or p.startswith(tree) else os.path.normpath(p)
            if rel.startswith('..'):
                continue  # dt-schema's own core schemas, built-in bindings
            out[rel].append((x['rule'], '%s:%s %s' % (x['line'], x['column'], x['message'])))
    return out


def main():
    label, tree, ddv_path, ours_path, list_path = sys.argv[1:6]
    tree = os.path.abspath(tree)
    manifest = {}
    if len(sys.argv) > 6:
        with open(sys.argv[6]) as f:
            for line in f:
                p, m = line.rstrip('\n').split('\t')
                manifest[p] = m
    with open(list_path) as f:
        files = [os.path.normpath(l.strip()) for l in f if l.strip()]
    ddv = read_ddv(ddv_path, tree)
    ours = read_ours(ours_path, tree)
    stray = sorted(set(ddv) - set(files)) + sorted(set(ours) - set(files))
    for comparison in ('schema', 'any'):
        counts = collections.Counter()
        per = collections.defaultdict(collections.Counter)
        disagree = []
        same_count = 0
        for p in files:
            d = [m for k, m in ddv.get(p, []) if comparison == 'any' or k == 'schema']
            o = [m for k, m in ours.get(p, []) if comparison == 'any' or k == 'meta-schema']
            cell = ('both' if d and o else 'only dt-doc-validate' if d else 'only ours' if o else 'neither')
            counts[cell] += 1
            same_count += cell == 'both' and len(d) == len(o)
            per[manifest.get(p, 'unmodified')][cell] += 1
            if cell.startswith('only'):
                disagree.append((p, manifest.get(p, 'unmodified'), cell, d[:1], o[:2]))
        print('== %s, %s: %d files: both %d, only dt-doc-validate %d, only ours %d, neither %d (agree %d = %.1f %%)' % (
            label, comparison, len(files), counts['both'], counts['only dt-doc-validate'], counts['only ours'],
            counts['neither'], counts['both'] + counts['neither'],
            100.0 * (counts['both'] + counts['neither']) / max(1, len(files))))
        print('   of the files both flag, %d have as many dt-doc-validate errors as our findings' % same_count)
        if manifest:
            print('   %-20s %5s %5s %5s %5s' % ('mutation', 'both', 'ddv', 'ours', 'none'))
            for m in sorted(per):
                c = per[m]
                print('   %-20s %5d %5d %5d %5d' % (m, c['both'], c['only dt-doc-validate'], c['only ours'],
                                                    c['neither']))
        for p, m, cell, d, o in disagree:
            print('   %s [%s] %s' % (p, m, cell))
            for x in d:
                print('      dt-doc-validate: ' + x[:200])
            for x in o:
                print('      ours: ' + x[:200])
    if stray:
        print('files named by an output but not in the list: ' + ', '.join(stray[:10]))


if __name__ == '__main__':
    main()
