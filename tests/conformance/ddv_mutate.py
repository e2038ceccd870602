#!/usr/bin/python3
"""Seeds binding mistakes into a copy of a binding tree, for doc-validate-agreement.sh.

Usage: ddv_mutate.py TREE EVERY > manifest.tsv
Every EVERY-th *.yaml of TREE (sorted) is rewritten in place with one mutation, chosen in turn from
MUTATIONS ('roundtrip' only re-dumps the file, a control for ruamel's formatting). Prints
"relative-path<TAB>mutation" per rewritten file. Runs under /usr/bin/python3 (ruamel.yaml, as
dt-schema uses).
"""
import os
import sys

import ruamel.yaml
from ruamel.yaml.comments import CommentedMap, CommentedSeq


def props(d):
    p = d.get('properties')
    if not isinstance(p, dict):
        p = CommentedMap()
        d['properties'] = p
    return p


def vendor(d, name, schema):
    s = CommentedMap(description='seeded')
    s.update(schema)
    props(d)[name] = s


def m_top_key(d):
    d['compatibles'] = 'acme,x'


def m_compatible_list(d):
    p = props(d)
    c = p.get('compatible', CommentedMap(const='acme,x'))
    p['compatible'] = CommentedSeq([c])


def m_untyped_vendor(d):
    vendor(d, 'acme,untyped', {})


def m_no_additional(d):
    d.pop('additionalProperties', None)
    d.pop('unevaluatedProperties', None)


def m_no_title(d):
    d.pop('title', None)


def m_http_ref(d):
    vendor(d, 'acme,ref', {'$ref': 'http://devicetree.org/schemas/types.yaml#/definitions/uint32'})


def m_scalar_array(d):
    vendor(d, 'acme,mixed', {'$ref': '/schemas/types.yaml#/definitions/uint32', 'maxItems': 1})


def m_oneof_consts(d):
    vendor(d, 'acme,mode', {'$ref': '/schemas/types.yaml#/definitions/string',
                            'oneOf': [CommentedMap(const='a'), CommentedMap(const='b')]})


def m_min_items_zero(d):
    vendor(d, 'acme,list', {'$ref': '/schemas/types.yaml#/definitions/uint32-array', 'minItems': 0})


def m_if_without_then(d):
    a = d.get('allOf')
    if not isinstance(a, list):
        a = CommentedSeq()
        d['allOf'] = a
    a.append(CommentedMap([('if', CommentedMap(properties=CommentedMap(compatible=CommentedMap(const='acme,x')))) ]))


def m_enum_duplicate(d):
    vendor(d, 'acme,dup', {'enum': ['a', 'a']})


def m_bad_property_name(d):
    props(d)['Bad Name'] = True


def m_bad_required(d):
    r = d.get('required')
    if not isinstance(r, list):
        r = CommentedSeq()
        d['required'] = r
    r.append('bad name')


def m_fixed_pattern(d):
    pp = d.get('patternProperties')
    if not isinstance(pp, dict):
        pp = CommentedMap()
        d['patternProperties'] = pp
    pp['^fixed-name$'] = CommentedMap(type='object')


def m_integer_type(d):
    props(d)['acme,int'] = CommentedMap(description='seeded', type='integer')


def m_maintainer_no_email(d):
    d['maintainers'] = CommentedSeq(['Nobody Atall'])


def m_bad_regex(d):
    vendor(d, 'acme,pat', {'$ref': '/schemas/types.yaml#/definitions/string', 'pattern': '^(unclosed'})


def m_long_title(d):
    d['title'] = 'T' * 101


def m_node_closed_empty(d):
    props(d)['child'] = CommentedMap([('type', 'object'), ('additionalProperties', False)])


def m_roundtrip(d):
    pass


MUTATIONS = [(f.__name__[2:], f) for f in (
    m_top_key, m_compatible_list, m_untyped_vendor, m_no_additional, m_no_title, m_http_ref, m_scalar_array,
    m_oneof_consts, m_min_items_zero, m_if_without_then, m_enum_duplicate, m_bad_property_name, m_bad_required,
    m_fixed_pattern, m_integer_type, m_maintainer_no_email, m_bad_regex, m_long_title, m_node_closed_empty,
    m_roundtrip)]


def main():
    tree, every = sys.argv[1], int(sys.argv[2])
    files = []
    for dirpath, _, names in os.walk(tree):
        files += [os.path.relpath(os.path.join(dirpath, n), tree) for n in names if n.endswith('.yaml')]
    files.sort()
    yaml = ruamel.yaml.YAML()
    yaml.width = 4096
    k = 0
    for i, rel in enumerate(files):
        if i % every:
            continue
        path = os.path.join(tree, rel)
        try:
            with open(path, encoding='utf-8') as f:
                d = yaml.load(f)
        except Exception:  # a file ruamel cannot read stays as it is
            continue
        if not isinstance(d, dict):
            continue
        name, fn = MUTATIONS[k % len(MUTATIONS)]
        k += 1
        fn(d)
        with open(path, 'w', encoding='utf-8') as f:
            yaml.dump(d, f)  # keeps the document's %YAML 1.2 directive
        print(rel + '\t' + name)


if __name__ == '__main__':
    main()
