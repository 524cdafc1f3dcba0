#!/usr/bin/env python3
"""Build vn-units-2024-25-changes.csv: dated lineage events between two GSO lists.

    vn-units-2024-05.csv  (list in force from 2024-05-01)   -> "A"
    vn-units-2024.csv     (list in force 2025-03-01..06-30)  -> "B"

Python 3 standard library only.  Usage:

    python3 build_changes.py [SHARED_DIR] [OUT_DIR]     (defaults: /work/shared/data/admin-units, this directory)
    python3 check_changes.py                            (replay check, must print EXACT MATCH)

Inputs (sha256 printed and checked below):
  SHARED_DIR/vn-units-2024-05.csv, SHARED_DIR/vn-units-2024.csv   (read-only project inputs)
  sources/resolutions.csv   resolution number, province(s), issue/effective date, official URLs
                            (dates: GSO/NSO registry danhmuchanhchinh NghiDinh list as mirrored in
                            bamboo-filing-cabinet/vietnam-admin-units data/raw/nghidinh.json; URLs and
                            issue dates: same repo, data/ward-legal-sources.json; see README-changes.md)
  sources/hcmc_1278.csv     NQ 1278/NQ-UBTVQH15 Điều 1 (HCMC): which ward went into which
  sources/namdinh_draft.csv NQ 1104/NQ-UBTVQH15 (Nam Định) pairs noted by the thanglequoc maintainer
                            (dataset-generation-scripts/draft.md @ 32437768)

Everything not covered by a source file is inferred from the two lists (GSO code continuity,
name transfer, name composition, code adjacency) and marked confidence I.

note column grammar:  "<C|I>; key=value; ...; free text"
  C  absorbing unit / fact read in a source (resolution transcription, dataset)
  I  inferred (see README-changes.md for the rules)
  parent=OLD->NEW          (reparent rows)
  type=OLD->NEW            (retype rows)
  partial                  (split rows: only part of the from unit goes to to_unit)
"""
import csv
import hashlib
import os
import re
import sys
import unicodedata
from collections import Counter, defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = sys.argv[1] if len(sys.argv) > 1 else '/work/shared/data/admin-units'
OUT = sys.argv[2] if len(sys.argv) > 2 else HERE

EXPECTED_SHA256 = {   # the inputs this table was built from (a different input only triggers a warning)
    'vn-units-2024-05.csv': '14a84e50ffe2c5bb988eb386f87d8906d361bfc4461bafbb3d86dfe8239441d1',
    'vn-units-2024.csv': 'eb93bfe358bdc9b2719909905e572a6b499679baba389e9f2981b5833f7dd4b8',
    'sources/resolutions.csv': '42842baf1b5bc64ad6a53beeb2c1ced8e8d0de3502e5f7638c6ee68872d50b4e',
    'sources/hcmc_1278.csv': '3ba3d508980156ff8d8c56b5d1c1de351e47c4848ce9e1fdc4f0b97941eae2ba',
    'sources/namdinh_draft.csv': '6520dff17266ca857b9f55d63b3a6cee16968d7fe9be96c42272da86cb84dee0',
}

FIELDS = ['effective_date', 'legal_basis', 'kind', 'level', 'from_code', 'to_code', 'from_name', 'to_name', 'note']
LEVEL_RANK = {'province': 0, 'district': 1, 'commune': 2}
KIND_RANK = {'split': 0, 'merge': 1, 'create': 2, 'reparent': 3, 'retype': 4, 'rename': 5, 'dissolve': 6}
NONE_BASIS = 'none'   # used for data corrections that are not legal events


def sha256(path):
    h = hashlib.sha256()
    with open(path, 'rb') as f:
        h.update(f.read())
    return h.hexdigest()


def load_units(path):
    with open(path, encoding='utf-8', newline='') as f:
        return {(r['level'], r['code']): r for r in csv.DictReader(f)}


# ---------------------------------------------------------------- names
TYPE_PREFIXES = ['Thành phố Trung ương', 'Thành phố', 'Thị trấn', 'Thị xã', 'Tỉnh', 'Huyện', 'Quận', 'Phường', 'Xã']
TONE_MARKS = {'\u0300', '\u0301', '\u0303', '\u0309', '\u0323'}


def body(u):
    """Name without its type prefix."""
    n = u['name']
    t = u['type'].replace(' Trung ương', '')
    return n[len(t) + 1:] if n.startswith(t + ' ') else n


def syl_key(s):
    """Tone-placement-insensitive key of one syllable ("Hòa" == "Hoà", "Thủy" == "Thuỷ")."""
    d = unicodedata.normalize('NFD', s.lower())
    tones = ''.join(sorted(c for c in d if c in TONE_MARKS))
    base = ''.join(c for c in d if c not in TONE_MARKS)
    base = unicodedata.normalize('NFC', base)
    if base.isdigit():
        base = str(int(base))          # "05" == "5"
    return base + tones


def keys(text):
    return [syl_key(t) for t in re.split(r"[\s\-–]+", text) if t]


def norm(text):
    return ' '.join(keys(text))


def fold(text):
    d = unicodedata.normalize('NFD', text.lower()).replace('đ', 'd')
    return ''.join(c for c in d if unicodedata.category(c) != 'Mn')


# ---------------------------------------------------------------- sources
def read_csv(path):
    with open(path, encoding='utf-8', newline='') as f:
        return list(csv.DictReader(f))


def main():
    pa = os.path.join(SHARED, 'vn-units-2024-05.csv')
    pb = os.path.join(SHARED, 'vn-units-2024.csv')
    for p in (pa, pb, os.path.join(HERE, 'sources/resolutions.csv'), os.path.join(HERE, 'sources/hcmc_1278.csv'),
              os.path.join(HERE, 'sources/namdinh_draft.csv')):
        h = sha256(p)
        name = os.path.relpath(p, HERE) if p.startswith(HERE) else os.path.basename(p)
        flag = '' if EXPECTED_SHA256.get(name) in (None, h) else '   <-- WARNING: differs from the input used for the published table'
        print('sha256', h, name + flag)
    A = load_units(pa)
    B = load_units(pb)
    res = read_csv(os.path.join(HERE, 'sources/resolutions.csv'))

    # province -> default resolution; special assignments
    prov_res = {}
    for r in res:
        for p in r['province_codes'].split():
            prov_res.setdefault(p, r)
    by_num = {r['legal_basis']: r for r in res}
    R = lambda n: by_num['Nghị quyết số %s' % n]
    # 77: 1256 by default; Phú Mỹ (754) and its two new wards by 1365.  46: 1314; province row by 175/2024/QH15.
    prov_res['77'] = R('1256/NQ-UBTVQH15')
    prov_res['46'] = R('1314/NQ-UBTVQH15')
    unit_res = {('district', '754'): R('1365/NQ-UBTVQH15'), ('commune', '26707'): R('1365/NQ-UBTVQH15'),
                ('commune', '26710'): R('1365/NQ-UBTVQH15'), ('province', '46'): R('175/2024/QH15')}

    def prov_of(level, code):
        u = A.get((level, code)) or B.get((level, code))
        return u['province_code']

    def resolution(level, code):
        if (level, code) in unit_res:
            return unit_res[(level, code)]
        return prov_res[prov_of(level, code)]

    rows = []

    def emit(kind, level, fc, tc, fname, tname, conf, note='', basis=None, date=None, rcode=None):
        r = {'effective_date': date, 'legal_basis': basis} if (date and basis) else resolution(level, rcode or tc or fc)
        rows.append(dict(effective_date=date or r['effective_date'], legal_basis=basis or r['legal_basis'], kind=kind,
                         level=level, from_code=fc, to_code=tc, from_name=fname, to_name=tname,
                         note='; '.join(x for x in (conf, note) if x)))

    # ------------------------------------------------------------ province level
    for k in sorted(set(A) | set(B)):
        if k[0] != 'province':
            continue
        a, b = A.get(k), B.get(k)
        assert a and b, k
        if a['type'] != b['type']:
            emit('retype', 'province', k[1], k[1], a['name'], b['name'], 'C', 'type=%s->%s' % (a['type'], b['type']))
        if a['name'] != b['name']:
            emit('rename', 'province', k[1], k[1], a['name'], b['name'], 'C')

    # ------------------------------------------------------------ district level
    dA = {k[1]: v for k, v in A.items() if k[0] == 'district'}
    dB = {k[1]: v for k, v in B.items() if k[0] == 'district'}
    cA = {k[1]: v for k, v in A.items() if k[0] == 'commune'}
    cB = {k[1]: v for k, v in B.items() if k[0] == 'commune'}

    # where did the communes of each old district go (B parent of its surviving communes)
    dest = defaultdict(Counter)
    for c, u in cA.items():
        if c in cB:
            dest[u['parent_code']][cB[c]['parent_code']] += 1
    gone_d = sorted(set(dA) - set(dB))
    new_d = sorted(set(dB) - set(dA))
    district_merge = {}
    for d in gone_d:
        tgt = dest[d].most_common(1)[0][0]
        district_merge[d] = tgt
    # a new district is created by splitting the old district that gave it most communes
    district_split = {}
    for d in new_d:
        src = Counter(cA[c]['parent_code'] for c, u in cB.items() if u['parent_code'] == d and c in cA)
        district_split[d] = src.most_common(1)[0][0]

    absorbers_d = defaultdict(list)
    for d, t in district_merge.items():
        absorbers_d[t].append(d)
    for t, srcs in sorted(absorbers_d.items()):
        for d in sorted(srcs):
            moved = ', '.join('%d communes -> %s' % (n, x) for x, n in sorted(dest[d].items()))
            emit('merge', 'district', d, t, dA[d]['name'], dB[t]['name'], 'C',
                 'district dissolved; its communes re-parented (%s)' % moved, rcode=t)
        emit('merge', 'district', t, t, dA[t]['name'], dB[t]['name'], 'C', 'absorbing district continues', rcode=t)
    for nd, src in sorted(district_split.items()):
        emit('split', 'district', src, nd, dA[src]['name'], dB[nd]['name'], 'C', 'partial; new district from part of %s' % src, rcode=nd)
        emit('split', 'district', src, src, dA[src]['name'], dB[src]['name'], 'C', 'partial; remainder keeps code %s' % src, rcode=nd)
    for d in sorted(set(dA) & set(dB)):
        a, b = dA[d], dB[d]
        if a['type'] != b['type']:
            emit('retype', 'district', d, d, a['name'], b['name'], 'C', 'type=%s->%s' % (a['type'], b['type']))
        if a['name'] != b['name']:
            pre = body(a) == body(b)
            emit('rename', 'district', d, d, a['name'], b['name'], 'C', 'prefix only (follows retype)' if pre else '')
        if a['parent_code'] != b['parent_code']:
            raise SystemExit('district changes province: %s' % d)

    # ------------------------------------------------------------ commune level
    gone = sorted(set(cA) - set(cB))
    new = sorted(set(cB) - set(cA))
    surv = sorted(set(cA) & set(cB))

    def succ(d):
        return d if d in dB else district_merge[d]

    # candidate absorbers per old district
    cand_by_d = defaultdict(set)
    for c in surv:
        cand_by_d[cA[c]['parent_code']].add(c)
        cand_by_d[('B', cB[c]['parent_code'])].add(c)

    assign = {}          # gone code -> list of (to_code, kind, conf, note)
    self_conf = {}       # absorber code -> (conf, note)

    # -- source 1: NQ 1278 (HCMC) transcription
    for r in read_csv(os.path.join(HERE, 'sources/hcmc_1278.csv')):
        d = r['district_code']
        olds = [c for c, u in cA.items() if u['parent_code'] == d and u['name'].startswith('Phường ')
                and syl_key(body(u)) == syl_key(r['old_ward'])]
        tgts = [c for c, u in cB.items() if u['parent_code'] == d and norm(u['name']) == norm(r['target_ward'])]
        assert len(olds) == 1 and len(tgts) == 1, (r, olds, tgts)
        o, t = olds[0], tgts[0]
        src = 'src=NQ 1278/NQ-UBTVQH15 %s (transcription, see README)' % r['clause']
        if r['partial'] and o == t:
            self_conf[t] = ('C', 'partial: part of its area went to another ward; ' + src)
        elif r['partial']:
            assign.setdefault(o, []).append((t, 'split', 'C', 'partial; ' + src))
        elif o == t:
            self_conf[t] = ('C', src)
        else:
            assign.setdefault(o, []).append((t, 'merge', 'C', src))
            self_conf.setdefault(t, ('C', src))
        # GSO kept the code of another input: the legal absorber's own code is retired into t
        for g in gone:
            if g not in assign and cA[g]['parent_code'] == d and norm(body(cA[g])) == norm(body(cB[t])) and g != o:
                assign[g] = [(t, 'merge', 'C', src + '; namesake ward of the merged unit, GSO kept code %s' % t)]
    # -- source 2: thanglequoc draft notes for NQ 1104 (Nam Định)
    for r in read_csv(os.path.join(HERE, 'sources/namdinh_draft.csv')):
        f, t = r['from_code'], r['to_code']
        src = 'src=thanglequoc draft.md@32437768 (%s)' % r['note'].replace('draft: ', '')
        if f == t:
            self_conf[t] = ('C', src)
        else:
            assert f in gone and t in cB, r
            assign[f] = [(t, 'merge', 'C', src)]

    # -- inference for the rest
    # pass 1: strong name links (a gone unit's name carried by, or composing, a renamed survivor's new name)
    def strong_link(x, c):
        a, b = cA[c], cB[c]
        if norm(body(a)) == norm(body(b)):
            return 0
        if norm(body(b)) == norm(body(x)):
            return 2
        newtok = {t for t in set(keys(body(b))) - set(keys(body(a))) if not t.isdigit()}
        return 1 if set(keys(body(x))) & newtok else 0
    explained = {c: set(keys(body(cA[c]))) for c in surv}
    for g in gone:
        if g in assign:
            continue
        d = cA[g]['parent_code']
        for c in set(cand_by_d[d]) | set(cand_by_d[('B', succ(d))]):
            if strong_link(cA[g], c):
                explained[c] |= set(keys(body(cA[g])))
    for g, lst in assign.items():
        for t, _, _, _ in lst:
            if t in explained:
                explained[t] |= set(keys(body(cA[g])))
    fresh = {c for c in surv if norm(body(cA[c])) != norm(body(cB[c])) and not set(keys(body(cB[c]))) <= explained[c]}

    # generic tokens: syllables shared by >= 35% of the commune names of an old district ("Hải" in Hải Hậu)
    tok_count = defaultdict(Counter)
    n_in_d = Counter()
    for c, u in cA.items():
        n_in_d[u['parent_code']] += 1
        for t in set(keys(body(u))):
            tok_count[u['parent_code']][t] += 1
    generic = {d: {t for t, n in cnt.items() if n >= max(3, 0.35 * n_in_d[d])} for d, cnt in tok_count.items()}
    gone_tok = defaultdict(Counter)
    for g in gone:
        for t in set(keys(body(cA[g]))):
            gone_tok[cA[g]['parent_code']][t] += 1

    infer_log = []
    for g in gone:
        if g in assign:
            continue
        x = cA[g]
        d = x['parent_code']
        cands = set(cand_by_d[d]) | set(cand_by_d[('B', succ(d))])
        if not cands:
            raise SystemExit('no candidate for %s' % g)
        order = sorted(set(c for c in cands if cA[c]['parent_code'] == d) | {gg for gg in gone if cA[gg]['parent_code'] == d})
        pos = {c: i for i, c in enumerate(order)}
        best = None
        for c in sorted(cands):
            a, b = cA[c], cB[c]
            renamed = norm(body(a)) != norm(body(b))
            s, why = 0, []
            if renamed and norm(body(b)) == norm(body(x)):
                s += 100; why.append('name transferred')
            if renamed:
                newtok = set(keys(body(b))) - set(keys(body(a)))
                ov = set(keys(body(x))) & newtok
                ov = {t for t in ov if not t.isdigit() and t not in generic.get(d, ())}
                if ov:
                    s += int(sum(30 / gone_tok[d][t] for t in ov)); why.append('name composed')
                if c in fresh:
                    s += 10; why.append('absorber got a new name not explained by linked units')
                else:
                    s += 2
            elif a['type'] != b['type']:
                s += 1
            if a['parent_code'] == d:
                s += 3
                dist = abs(pos[c] - pos[g])
                adj = max(0, 6 - 2 * (dist - 1))
                if adj:
                    s += adj; why.append('adjacent code' if dist == 1 else 'near code')
            # deterministic tie-break: same unit type, then nearest code, then the preceding code
            key = (s, cB[c]['type'] == x['type'], -abs(int(c) - int(g)), -int(c))
            if best is None or key > best[0]:
                best = (key, c, why)
        (score, _, _, _), c, why = best
        infer_log.append((g, c, score, why))
        assign[g] = [(c, 'merge', 'I', 'inferred: ' + ', '.join(why or ['same district']))]

    # absorbers
    absorbed_by = defaultdict(list)
    for g, lst in assign.items():
        for t, kind, conf, note in lst:
            absorbed_by[t].append((g, kind, conf))
    # -- commune merge / split rows
    for t in sorted(absorbed_by):
        for g, kind, conf in sorted(absorbed_by[t]):
            note = [n for tt, k, cf, n in assign[g] if tt == t][0]
            emit(kind, 'commune', g, t, cA[g]['name'], cB[t]['name'], conf, note, rcode=t)
        if t in cA:   # absorber survives with the same code -> self row
            if all(k == 'split' for _, k, _ in absorbed_by[t]) and t not in self_conf:
                continue   # only received part of another unit: boundary change, no self row needed
            conf, note = self_conf.get(t, (min(cf for _, _, cf in absorbed_by[t]), 'inferred: absorbing unit keeps its code'))
            emit('merge', 'commune', t, t, cA[t]['name'], cB[t]['name'], conf, note)
    # Gò Vấp Phường 13 (26872) lost part of its area to Phường 14 and continues as Phường 15: handled by
    # hcmc_1278.csv partial rows (26872 -> 26882 split, 26872 self via namesake rule)

    # -- new codes (no predecessor code): split off an adjacent-code unit of the same district
    for n in new:
        u = cB[n]
        same = sorted(c for c in surv if cB[c]['parent_code'] == u['parent_code'] and cA[c]['parent_code'] == u['parent_code'] and int(c) < int(n))
        src = same[-1]
        emit('split', 'commune', src, n, cA[src]['name'], u['name'], 'I',
             'partial; inferred: new code %s follows %s; new unit carved out of it' % (n, src), rcode=n)
        if not any(r['kind'] == 'split' and r['from_code'] == src and r['to_code'] == src for r in rows):
            emit('split', 'commune', src, src, cA[src]['name'], cB[src]['name'], 'I', 'partial; remainder keeps code %s' % src, rcode=n)

    # -- same-code changes
    spelling_fixes = {'00916', '04117', '04136', '07540', '31246'}   # thanglequoc v2.4.1 spelling fixes (GSO unchanged)
    for c in surv:
        a, b = cA[c], cB[c]
        if a['parent_code'] != b['parent_code']:
            emit('reparent', 'commune', c, c, a['name'], b['name'], 'C',
                 'parent=%s->%s (%s -> %s)' % (a['parent_code'], b['parent_code'], dA[a['parent_code']]['name'], dB[b['parent_code']]['name']))
        if a['type'] != b['type']:
            emit('retype', 'commune', c, c, a['name'], b['name'], 'C', 'type=%s->%s' % (a['type'], b['type']))
        if a['name'] != b['name']:
            if c in spelling_fixes:
                emit('rename', 'commune', c, c, a['name'], b['name'], 'C',
                     'data correction, not a legal act: spelling fixed by thanglequoc v2.4.1 (GSO list still has the old spelling); applied from the start of the period',
                     basis=NONE_BASIS, date='2024-05-01')
            elif body(a) == body(b):
                emit('rename', 'commune', c, c, a['name'], b['name'], 'C', 'prefix only (follows retype)')
            elif norm(body(a)) == norm(body(b)):
                emit('rename', 'commune', c, c, a['name'], b['name'], 'C',
                     'data: GSO name format normalisation (%s -> %s) recorded with this update; not a legal rename'
                     % (body(a), body(b)), basis=NONE_BASIS)
            else:
                extra = ''
                if fold(body(a)) == fold(body(b)):
                    extra = 'diacritic-only change (possibly a GSO spelling correction)'
                emit('rename', 'commune', c, c, a['name'], b['name'], 'C', extra)

    # ------------------------------------------------------------ write
    rows.sort(key=lambda r: (r['effective_date'], r['legal_basis'], LEVEL_RANK[r['level']], r['to_code'],
                             KIND_RANK[r['kind']], r['from_code']))
    os.makedirs(OUT, exist_ok=True)
    outp = os.path.join(OUT, 'vn-units-2024-25-changes.csv')
    with open(outp, 'w', encoding='utf-8', newline='') as f:
        w = csv.DictWriter(f, fieldnames=FIELDS, lineterminator='\n')
        w.writeheader()
        for r in rows:
            w.writerow({k: unicodedata.normalize('NFC', v) for k, v in r.items()})
    with open(os.path.join(OUT, 'inference-log.tsv'), 'w', encoding='utf-8') as f:
        f.write('gone_code\tgone_name\tabsorber_code\tabsorber_old_name\tabsorber_new_name\tscore\treasons\n')
        for g, c, s, why in infer_log:
            f.write('%s\t%s\t%s\t%s\t%s\t%d\t%s\n' % (g, cA[g]['name'], c, cA[c]['name'], cB[c]['name'], s, ', '.join(why)))
    print('rows', len(rows), Counter(r['kind'] for r in rows))
    print('by date', sorted(Counter(r['effective_date'] for r in rows).items()))
    print('conf', Counter(r['note'][:1] for r in rows))


if __name__ == '__main__':
    main()
