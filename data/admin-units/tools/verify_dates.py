#!/usr/bin/env python3
"""Cross-check the effective dates of the change table against dated GSO snapshots.

The GSO SOAP catalogue queried "as of" a date, as committed by daohoangson/dvhcvn (data/dvhcvn.json,
field data_date).  For every unit that differs between vn-units-2024-05.csv and vn-units-2024.csv we
find the first snapshot from which the unit is in its final state, and check
    previous snapshot date < effective_date <= first snapshot date.
Standard library only.  Usage: python3 verify_dates.py [SHARED_DIR] [CHANGES_CSV] [RAW_DIR]
(RAW_DIR default: ../raw next to this directory; the snapshot files are not shipped, see SNAPS)
"""
import csv
import hashlib
import json
import os
import re
import sys
import unicodedata
from collections import Counter, defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = sys.argv[1] if len(sys.argv) > 1 else '/work/shared/data/admin-units'
CH = sys.argv[2] if len(sys.argv) > 2 else os.path.join(HERE, 'vn-units-2024-25-changes.csv')
RAW = sys.argv[3] if len(sys.argv) > 3 else os.path.join(os.path.dirname(HERE), 'raw')
SNAPS = [  # (dvhcvn commit, file)
    ('e503f1375e06e9ad375fd3696d01df07ce7e4f69', 'dvhcvn-e503f13.json', 'ef33a265cc166aaa16794042c02422ecc4aa922f04802c1f839065da9d14c58f'),
    ('f3d30bdd6f7eb69ad35d3ab4e6f138bd0a6cb8ef', 'dvhcvn-f3d30bd.json', 'aa95d609abca852e2c137a080bed5b16c96fe7c908d6f40cbcbeb9aae1f5fe0d'),
    ('4426bca1996252d6556e968eb33c9546563eecb0', 'dvhcvn-4426bca.json', '03913cd717f259a6023185db91be06479196c83ec9a8e440596972f5307c4742'),
    ('87d3e0cce1f245216bbf00b0e5f2a07c99aa8aad', 'dvhcvn-87d3e0c.json', '43fa37c0d02dcd55d816403345bc31e549798eecc2ea46c41faee17872b749a6'),
    ('eaddcea82fc336d59e908989f04178c336a9db10', 'dvhcvn-eaddcea.json', '7f6f179385df4fea26f2fd9625bbc4b1a315c944765a7fe4a82095928fe3f63f'),
]
# obtain them with:  git clone https://github.com/daohoangson/dvhcvn && for c in <commits above>; do
#                     git -C dvhcvn show $c:data/dvhcvn.json > RAW/dvhcvn-${c:0:7}.json; done


def clean(s):
    s = unicodedata.normalize('NFC', s or '').replace('\u2019', "'").replace('\u02bc', "'").replace('\u2018', "'")
    return re.sub(r'\s+', ' ', s).strip()


def load_snap(path):
    d = json.load(open(path, encoding='utf-8'))
    dd, mm, yy = d['data_date'].split('/')
    out = {}
    for p in d['data']:
        for q in p.get('level2s') or []:
            out[('district', q['level2_id'])] = (clean(q['name']), q['type'], p['level1_id'])
            for r in q.get('level3s') or []:
                out[('commune', r['level3_id'])] = (clean(r['name']), r['type'], q['level2_id'])
    return '%s-%s-%s' % (yy, mm, dd), out


def main():
    load = lambda p: {(r['level'], r['code']): (r['name'], r['type'], r['parent_code'])
                      for r in csv.DictReader(open(p, encoding='utf-8')) if r['level'] != 'province'}
    A = load(os.path.join(SHARED, 'vn-units-2024-05.csv'))
    B = load(os.path.join(SHARED, 'vn-units-2024.csv'))
    snaps = []
    for commit, f, expect in SNAPS:
        p = os.path.join(RAW, f)
        h = hashlib.sha256(open(p, 'rb').read()).hexdigest()
        print('sha256', h, f, 'dvhcvn@' + commit[:7], '' if h == expect else '<-- WARNING: unexpected content')
        snaps.append(load_snap(p))
    rows = list(csv.DictReader(open(CH, encoding='utf-8')))
    date_of = {}
    for r in rows:
        if r['level'] == 'province':
            continue
        if r['kind'] in ('merge', 'split') and r['from_code'] != r['to_code']:
            date_of[(r['level'], r['from_code'])] = (r['effective_date'], r['legal_basis'])
        date_of.setdefault((r['level'], r['to_code']), (r['effective_date'], r['legal_basis']))
    ok, bad = Counter(), defaultdict(list)
    for k in sorted(set(A) | set(B)):
        a, b = A.get(k), B.get(k)
        if a == b:
            continue
        # GSO keeps raw spellings; compare names loosely (case, spacing) for the final state
        def same(s):
            if s is None or b is None:
                return s is None and b is None
            return s[0].lower() == b[0].lower() and s[1:] == b[1:]
        first = None
        for i, (d, S) in enumerate(snaps):
            if same(S.get(k)):
                if first is None:
                    first = i
            else:
                first = None
        eff, basis = date_of.get(k, (None, None))
        if first is None:
            bad['never in final state in GSO snapshots (data fix or GSO code glitch)'].append((k, eff, basis))
            continue
        lo = snaps[first - 1][0] if first > 0 else '0000'
        hi = snaps[first][0]
        if eff and lo < eff <= hi:
            ok[basis] += 1
        else:
            bad['effective date %s outside GSO interval (%s, %s]' % (eff, lo, hi)].append((k, eff, basis))
    print('consistent units:', sum(ok.values()))
    for why, lst in bad.items():
        print('%d units: %s' % (len(lst), why))
        for basis, n in Counter(x[2] for x in lst).most_common():
            print('    %-40s %d  e.g. %s' % (basis, n, ', '.join('%s:%s' % x[0] for x in lst if x[2] == basis)[:120]))


if __name__ == '__main__':
    main()
