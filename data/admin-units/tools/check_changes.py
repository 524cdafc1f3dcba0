#!/usr/bin/env python3
"""Replay out/vn-units-2024-25-changes.csv on vn-units-2024-05.csv and compare with vn-units-2024.csv.

Standard library only.  Usage: python3 check_changes.py [SHARED_DIR] [CHANGES_CSV]

Replay semantics (per effective_date, in this order):
  1. split rows whose to_code does not exist yet create it: name=to_name, type=prefix of to_name,
     parent = parent of from_code (same level)
  2. reparent rows: parent := NEW from "parent=OLD->NEW" in note (OLD must match)
  3. retype rows: type := NEW from "type=OLD->NEW" (OLD must match); rename rows: name := to_name
     (from_name must match the current name)
  4. merge rows with from_code != to_code remove from_code; split rows remove from_code when the
     same date has no split/merge row from_code -> from_code (the unit does not continue)
Also checks: coverage requirements of the brief, names of from/to units, note confidence C/I, NFC.
"""
import csv
import os
import re
import sys
import unicodedata
from collections import Counter, defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = sys.argv[1] if len(sys.argv) > 1 else '/work/shared/data/admin-units'
CH = sys.argv[2] if len(sys.argv) > 2 else os.path.join(HERE, 'vn-units-2024-25-changes.csv')
TYPES = ['Thành phố Trung ương', 'Thành phố', 'Thị trấn', 'Thị xã', 'Tỉnh', 'Huyện', 'Quận', 'Phường', 'Xã']


def load(p):
    with open(p, encoding='utf-8', newline='') as f:
        return {(r['level'], r['code']): dict(name=r['name'], type=r['type'], parent=r['parent_code'])
                for r in csv.DictReader(f)}


def prefix_type(name, level):
    for t in TYPES:
        tt = t.replace(' Trung ương', '')
        if name.startswith(tt + ' '):
            if level == 'province' and tt == 'Thành phố':
                return 'Thành phố Trung ương'
            return t
    raise ValueError(name)


def main():
    A = load(os.path.join(SHARED, 'vn-units-2024-05.csv'))
    B = load(os.path.join(SHARED, 'vn-units-2024.csv'))
    raw = open(CH, 'rb').read()
    errors = []
    if b'\r' in raw:
        errors.append('CR line ends present')
    text = raw.decode('utf-8')
    if unicodedata.normalize('NFC', text) != text:
        errors.append('file is not NFC')
    rows = list(csv.DictReader(text.splitlines()))
    state = {k: dict(v) for k, v in A.items()}
    by_date = defaultdict(list)
    for r in rows:
        if not re.fullmatch(r'\d{4}-\d{2}-\d{2}', r['effective_date']):
            errors.append('bad date %r' % r)
        if r['note'][:1] not in ('C', 'I'):
            errors.append('note without confidence: %r' % r)
        by_date[r['effective_date']].append(r)

    def key(r, which):
        return (r['level'], r[which])

    for d in sorted(by_date):
        rs = by_date[d]
        # 1. creations
        for r in rs:
            if r['kind'] in ('split', 'create') and key(r, 'to_code') not in state:
                parent = state[key(r, 'from_code')]['parent'] if r['kind'] == 'split' else ''
                state[key(r, 'to_code')] = dict(name=r['to_name'], type=prefix_type(r['to_name'], r['level']), parent=parent)
        # 2./3. same-code changes
        for r in rs:
            k = key(r, 'from_code')
            if r['kind'] in ('reparent', 'retype', 'rename'):
                if r['from_code'] != r['to_code']:
                    errors.append('same-code kind with two codes: %r' % r)
                    continue
                u = state.get(k)
                if u is None:
                    errors.append('unit missing for %r' % r)
                    continue
                if r['kind'] == 'reparent':
                    m = re.search(r'parent=(\w+)->(\w+)', r['note'])
                    if not m or m.group(1) != u['parent']:
                        errors.append('reparent mismatch %r (current %s)' % (r, u['parent']))
                    else:
                        u['parent'] = m.group(2)
                elif r['kind'] == 'retype':
                    m = re.search(r'type=(.+?)->(.+?)(;|$)', r['note'])
                    if not m or m.group(1) != u['type']:
                        errors.append('retype mismatch %r (current %s)' % (r, u['type']))
                    else:
                        u['type'] = m.group(2)
                else:
                    if r['from_name'] != u['name']:
                        errors.append('rename from_name mismatch %r (current %s)' % (r, u['name']))
                    u['name'] = r['to_name']
        # 4. removals
        cont = {key(r, 'from_code') for r in rs if r['kind'] in ('merge', 'split') and r['from_code'] == r['to_code']}
        remove = set()
        for r in rs:
            if r['kind'] == 'merge' and r['from_code'] != r['to_code']:
                remove.add(key(r, 'from_code'))
            if r['kind'] == 'split' and r['from_code'] != r['to_code'] and key(r, 'from_code') not in cont:
                remove.add(key(r, 'from_code'))
            if r['kind'] == 'dissolve':
                remove.add(key(r, 'from_code'))
        for r in rs:
            if r['kind'] in ('merge', 'split'):
                if key(r, 'from_code') not in state:
                    errors.append('from unit missing %r' % r)
                if key(r, 'to_code') not in state:
                    errors.append('to unit missing %r' % r)
                elif state[key(r, 'to_code')]['name'] != r['to_name']:
                    errors.append('to_name differs from state %r (state %s)' % (r, state[key(r, 'to_code')]['name']))
                if key(r, 'to_code') in remove:
                    errors.append('to unit removed on the same date %r' % r)
        for k in remove:
            state.pop(k, None)

    # compare
    diff = []
    for lvl in ('province', 'district', 'commune'):
        s = {k: v for k, v in state.items() if k[0] == lvl}
        b = {k: v for k, v in B.items() if k[0] == lvl}
        for k in sorted(set(s) | set(b)):
            if s.get(k) != b.get(k):
                diff.append((k, s.get(k), b.get(k)))

    # coverage requirements
    gone = {k for k in A if k not in B and k[0] != 'province'}
    from_ok = {key(r, 'from_code') for r in rows if r['kind'] in ('merge', 'split') and key(r, 'to_code') in B}
    miss_gone = sorted(gone - from_ok)
    need = defaultdict(set)
    for k in A:
        if k in B:
            a, b = A[k], B[k]
            if a['name'] != b['name']:
                need['rename'].add(k)
            if a['type'] != b['type']:
                need['retype'].add(k)
            if a['parent'] != b['parent']:
                need['reparent'].add(k)
    have = defaultdict(set)
    for r in rows:
        have[r['kind']].add(key(r, 'from_code'))
    miss_same = {kind: sorted(need[kind] - have[kind]) for kind in need}
    new = {k for k in B if k not in A}
    miss_new = sorted(new - {key(r, 'to_code') for r in rows if r['kind'] in ('split', 'create', 'merge')})

    print('rows:', len(rows))
    print('kinds:', dict(Counter(r['kind'] for r in rows)))
    print('levels:', dict(Counter(r['level'] for r in rows)))
    print('by date:', dict(sorted(Counter(r['effective_date'] for r in rows).items())))
    print('confidence:', dict(Counter(r['note'][:1] for r in rows)))
    print('gone codes (district+commune):', len(gone), 'not covered:', miss_gone)
    print('same-code requirements:', {k: (len(need[k]), 'missing %d' % len(v)) for k, v in miss_same.items()})
    print('new codes:', len(new), 'not covered:', miss_new)
    print('replay errors:', len(errors))
    for e in errors[:30]:
        print('  ', e)
    print('residual differences vs vn-units-2024.csv:', len(diff))
    for x in diff[:30]:
        print('  ', x)
    ok = not errors and not diff and not miss_gone and not miss_new and not any(miss_same.values())
    print('RESULT:', 'EXACT MATCH' if ok else 'MISMATCH')
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
