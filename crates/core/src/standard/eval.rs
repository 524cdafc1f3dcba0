//! Evaluation: three-valued (Kleene) logic over the compiled rules.
//!
//! A missing fact is *unknown*; unknown never turns into true or false by itself: `unknown and
//! false` is false (the rule fails whatever the missing value), `unknown and true` is unknown.
//! A rule whose condition is unknown gives *chưa đủ dữ liệu*.
//!
//! A [`Session`] evaluates standards for one year and remembers the verdicts it has computed,
//! so a district's 9.4 reuses the 19.2 verdicts of its communes.

use std::collections::HashMap;
use std::rc::Rc;

use chrono::NaiveDate;

use crate::fact::{Document, Facts, FieldId, Judgement, Record, UnitInput, Value};
use crate::units::UnitKind;

use super::check::{AggOp, ArOp, C, CmpOp, Coll, Part, Rat};
use super::model::{ParamValue, Rule, StdIx, Verdict, Version};
use super::registry::Registry;
use super::trace::{self, Evaluation, RuleResult};

/// A runtime value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum V<'a> {
    Unknown,
    /// Known to be "none" (no such document, an optional record field left empty).
    Absent,
    Int(i64),
    Rat(Rat),
    Bool(bool),
    Date(NaiveDate),
    Text(&'a str),
    Choice(u16),
    Kind(UnitKind),
    Period(NaiveDate, NaiveDate),
    Doc(&'a Document),
    Judg(&'a Judgement),
}

impl<'a> V<'a> {
    pub fn from_value(v: &'a Value) -> V<'a> {
        match v {
            Value::Absent => V::Absent,
            Value::Int(i) => V::Int(*i),
            Value::Bool(b) => V::Bool(*b),
            Value::Date(d) => V::Date(*d),
            Value::Text(t) => V::Text(t),
            Value::Choice(c) => V::Choice(*c),
            Value::Document(d) => V::Doc(d),
            Value::Judgement(j) => V::Judg(j),
            Value::List(_) => V::Unknown,
        }
    }

    fn as_bool(self) -> Option<bool> {
        match self {
            V::Bool(b) => Some(b),
            V::Absent => Some(false),
            _ => None,
        }
    }

    fn as_rat(self) -> Option<Rat> {
        match self {
            V::Int(i) => Some(Rat::int(i)),
            V::Rat(r) => Some(r),
            _ => None,
        }
    }
}

/// Where an expression is evaluated: a unit, a year (its facts) and maybe a record.
#[derive(Clone, Copy)]
pub(crate) struct Frame<'a> {
    pub unit: &'a UnitInput,
    pub year: i32,
    pub facts: Option<&'a Facts>,
    pub record: Option<&'a Record>,
}

impl<'a> Frame<'a> {
    pub fn new(unit: &'a UnitInput, year: i32) -> Frame<'a> {
        Frame {
            unit,
            year,
            facts: unit.facts(year),
            record: None,
        }
    }
}

/// What a rule read, for its trace (collected only when explaining).
#[derive(Default)]
pub(crate) struct Sink<'a> {
    pub facts: Vec<(&'a UnitInput, i32, FieldId)>,
    pub missing: Vec<Missing<'a>>,
    pub params: Vec<u16>,
    pub subs: Vec<(&'a UnitInput, StdIx, Verdict, Option<&'a Version>)>,
}

#[derive(Clone, Copy, PartialEq)]
pub(crate) enum Missing<'a> {
    Fact(&'a UnitInput, i32, FieldId),
    Subunits(&'a UnitInput),
    NotApplicable(&'a UnitInput, StdIx),
}

/// A cheap hasher for the session's small integer keys.
#[derive(Default)]
pub(crate) struct KeyHasher(u64);

impl std::hash::Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.write_u64(u64::from(*b));
        }
    }

    fn write_u64(&mut self, i: u64) {
        self.0 = (self.0.rotate_left(5) ^ i).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    fn write_u32(&mut self, i: u32) {
        self.write_u64(u64::from(i));
    }

    fn write_i32(&mut self, i: i32) {
        self.write_u64(i as u32 as u64);
    }

    fn write_usize(&mut self, i: usize) {
        self.write_u64(i as u64);
    }
}

type Fast<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<KeyHasher>>;

/// Parameter values of a version for a year, and which dated value each came from.
type Params<'a> = Rc<(Vec<V<'a>>, Vec<usize>)>;

/// Evaluates standards for one year, remembering verdicts already computed.
pub struct Session<'a> {
    pub(crate) reg: &'a Registry,
    pub(crate) year: i32,
    memo: Fast<(usize, StdIx, i32), Verdict>,
    params: Fast<(usize, i32), Params<'a>>,
    /// Reused buffers for rules' named values.
    pool: Vec<Vec<V<'a>>>,
    /// Explained evaluations of other (unit, standard) pairs that rules referred to.
    pub(crate) nested: Vec<((usize, StdIx), Evaluation)>,
}

impl<'a> Session<'a> {
    pub fn new(reg: &'a Registry, year: i32) -> Session<'a> {
        Session {
            reg,
            year,
            memo: Fast::default(),
            params: Fast::default(),
            pool: vec![],
            nested: vec![],
        }
    }

    /// The year evaluated.
    pub fn year(&self) -> i32 {
        self.year
    }

    /// Forgets remembered verdicts (after facts changed).
    pub fn clear(&mut self) {
        self.memo.clear();
        self.nested.clear();
    }

    /// The parameter values of `version` in force on the reference date of `year`.
    fn params_for(&mut self, version: &'a Version, year: i32) -> Params<'a> {
        let key = (version as *const Version as usize, year);
        if let Some(p) = self.params.get(&key) {
            return p.clone();
        }
        let date = version.reference_date(year);
        let mut values = Vec::with_capacity(version.params.len());
        let mut index = Vec::with_capacity(version.params.len());
        for p in &version.params {
            let (i, dv) = p
                .value_on(date)
                .expect("the first value of a parameter starts with its version");
            index.push(i);
            values.push(match dv.value {
                ParamValue::Int(i) => V::Int(i),
                ParamValue::Percent(n, d) => V::Rat(Rat::new(n, d).expect("checked when loaded")),
                ParamValue::Bool(b) => V::Bool(b),
                ParamValue::Choice(c) => V::Choice(c),
            });
        }
        let p = Rc::new((values, index));
        self.params.insert(key, p.clone());
        p
    }

    /// The verdicts of one version for a unit — the standard's and each rule's, in order —
    /// without explanations (the fast path: no text is built).
    pub fn judge(&mut self, unit: &'a UnitInput, version: &'a Version) -> (Verdict, Vec<Verdict>) {
        let mut rules = Vec::with_capacity(version.rules.len());
        let verdict = self.each_rule(unit, version, false, |_, _, v| rules.push(v));
        (verdict, rules)
    }

    /// Evaluates one version of a standard for a unit; `explain` adds sentences and the trace.
    pub fn run(&mut self, unit: &'a UnitInput, version: &'a Version, explain: bool) -> Evaluation {
        let mut results = Vec::with_capacity(version.rules.len());
        let verdict = self.each_rule(unit, version, explain, |rule, r, v| {
            results.push(r.unwrap_or_else(|| RuleResult::bare(rule, v)))
        });
        trace::evaluation(self, unit, version, verdict, results, explain)
    }

    /// Evaluates every rule, handing each one (with its explanation when asked) to `out`;
    /// returns the standard's verdict.
    fn each_rule(
        &mut self,
        unit: &'a UnitInput,
        version: &'a Version,
        explain: bool,
        mut out: impl FnMut(&'a Rule, Option<RuleResult>, Verdict),
    ) -> Verdict {
        let year = self.year;
        let params = self.params_for(version, year);
        let mut verdict = Verdict::Met;
        for rule in &version.rules {
            let mut locals = self.pool.pop().unwrap_or_default();
            locals.clear();
            let mut ev = Evaluator {
                session: self,
                version,
                params: &params.0,
                locals,
                sink: explain.then(Sink::default),
            };
            let frame = Frame::new(unit, year);
            let (v, _) = ev.rule(rule, frame);
            verdict = verdict.and(v);
            let r = if explain {
                Some(trace::explain_rule(
                    &mut ev, unit, rule, v, frame, &params.1,
                ))
            } else {
                None
            };
            let locals = std::mem::take(&mut ev.locals);
            self.pool.push(locals);
            out(rule, r, v);
        }
        verdict
    }

    /// The verdict of standard `ix` for `unit` in `year`, computed once.
    pub(crate) fn verdict(
        &mut self,
        unit: &'a UnitInput,
        ix: StdIx,
        year: i32,
        explain: bool,
    ) -> (Verdict, Option<&'a Version>) {
        let key = (unit as *const UnitInput as usize, ix, year);
        let version = self.reg.resolve_ix(ix, &unit.unit, year);
        if let Some(v) = self.memo.get(&key) {
            return (*v, version);
        }
        let Some(version) = version else {
            return (Verdict::Insufficient, None);
        };
        let saved = self.year;
        self.year = year;
        let v = if explain {
            let e = self.run(unit, version, true);
            let v = e.verdict;
            if !self.nested.iter().any(|(k, _)| *k == (key.0, ix)) {
                self.nested.push(((key.0, ix), e));
            }
            v
        } else {
            self.judge(unit, version).0
        };
        self.year = saved;
        self.memo.insert(key, v);
        (v, Some(version))
    }
}

/// Evaluates the expressions of one rule.
pub(crate) struct Evaluator<'s, 'a> {
    pub session: &'s mut Session<'a>,
    pub version: &'a Version,
    pub params: &'s [V<'a>],
    pub locals: Vec<V<'a>>,
    pub sink: Option<Sink<'a>>,
}

impl<'a> Evaluator<'_, 'a> {
    /// Evaluates a rule: named values first, then its condition.
    pub fn rule(&mut self, rule: &'a Rule, frame: Frame<'a>) -> (Verdict, V<'a>) {
        for l in &rule.locals {
            let v = self.eval(&l.expr, frame);
            self.locals.push(v);
        }
        let v = self.eval(&rule.body, frame);
        (Verdict::from_bool(v.as_bool()), v)
    }

    fn missing(&mut self, m: Missing<'a>) {
        if let Some(s) = &mut self.sink
            && !s.missing.contains(&m)
        {
            s.missing.push(m);
        }
    }

    fn fact(&mut self, f: Frame<'a>, id: FieldId) -> Option<&'a Value> {
        let entry = f.facts.and_then(|facts| facts.get(id));
        if let Some(s) = &mut self.sink {
            let k = (f.unit, f.year, id);
            if entry.is_some() {
                if !s
                    .facts
                    .iter()
                    .any(|x| std::ptr::eq(x.0, k.0) && x.1 == k.1 && x.2 == k.2)
                {
                    s.facts.push(k);
                }
            } else {
                self.missing(Missing::Fact(f.unit, f.year, id));
            }
        }
        entry.map(|e| &e.value)
    }

    pub fn eval(&mut self, c: &'a C, f: Frame<'a>) -> V<'a> {
        match c {
            C::Int(i) => V::Int(*i),
            C::Rat(r) => V::Rat(*r),
            C::Bool(b) => V::Bool(*b),
            C::Text(t) => V::Text(t),
            C::Choice(i) => V::Choice(*i),
            C::Kind(k) => V::Kind(*k),
            C::Param(i) => {
                if let Some(s) = &mut self.sink
                    && !s.params.contains(i)
                {
                    s.params.push(*i);
                }
                self.params[*i as usize]
            }
            C::Fact(id) => match self.fact(f, *id) {
                Some(v) => V::from_value(v),
                None => V::Unknown,
            },
            C::RecField(ix) => match f.record.and_then(|r| r.fields[*ix as usize].as_ref()) {
                Some(v) => V::from_value(v),
                None => V::Absent,
            },
            C::Local(i) => self.locals[*i as usize],
            C::Year => V::Int(f.year as i64),
            C::Window => {
                let (a, b) = self.version.window.dates(f.year);
                V::Period(a, b)
            }
            C::CalendarYear => period(f.year, 1, 12),
            C::Quarter(q) => {
                let m = (*q as u32 - 1) * 3 + 1;
                period(f.year, m, m + 2)
            }
            C::UnitKind => V::Kind(f.unit.unit.kind),
            C::Part(x, part) => match (self.eval(x, f), part) {
                (V::Doc(d), Part::DocDate) => V::Date(d.date),
                (V::Doc(d), Part::DocNumber) => V::Text(&d.number),
                (V::Doc(d), Part::DocIssuer) => V::Text(&d.issuer),
                (V::Judg(j), Part::JudgValue) => V::Bool(j.value),
                (V::Judg(j), Part::JudgReason) => V::Text(&j.reason),
                (V::Absent, _) => V::Absent,
                _ => V::Unknown,
            },
            C::Neg(x) => match self.eval(x, f) {
                V::Int(i) => i.checked_neg().map_or(V::Unknown, V::Int),
                V::Rat(r) => V::Rat(Rat { n: -r.n, d: r.d }),
                _ => V::Unknown,
            },
            C::Not(x) => match self.eval(x, f).as_bool() {
                Some(b) => V::Bool(!b),
                None => V::Unknown,
            },
            // Kleene logic; the right side is not read when the left one decides
            C::And(a, b) => match self.eval(a, f).as_bool() {
                Some(false) => V::Bool(false),
                a => match (a, self.eval(b, f).as_bool()) {
                    (_, Some(false)) => V::Bool(false),
                    (Some(true), Some(true)) => V::Bool(true),
                    _ => V::Unknown,
                },
            },
            C::Or(a, b) => match self.eval(a, f).as_bool() {
                Some(true) => V::Bool(true),
                a => match (a, self.eval(b, f).as_bool()) {
                    (_, Some(true)) => V::Bool(true),
                    (Some(false), Some(false)) => V::Bool(false),
                    _ => V::Unknown,
                },
            },
            C::Arith(op, a, b) => {
                let (a, b) = (self.eval(a, f), self.eval(b, f));
                arith(*op, a, b)
            }
            C::Cmp(op, a, b) => {
                let (a, b) = (self.eval(a, f), self.eval(b, f));
                compare(*op, a, b)
            }
            C::InPeriod(x, p) => match (self.eval(x, f), self.eval(p, f)) {
                (V::Date(d), V::Period(a, b)) => V::Bool(a <= d && d <= b),
                (V::Absent, _) => V::Bool(false),
                _ => V::Unknown,
            },
            C::InSet(x, set) => {
                let v = self.eval(x, f);
                match v {
                    V::Unknown => V::Unknown,
                    V::Absent => V::Bool(false),
                    v => V::Bool(
                        set.iter()
                            .any(|s| compare(CmpOp::Eq, v, self.eval(s, f)) == V::Bool(true)),
                    ),
                }
            }
            C::Agg {
                op,
                coll,
                cond,
                proj,
            } => self.aggregate(*op, *coll, cond.as_deref(), proj.as_deref(), f),
            C::Has(x) => match x.as_ref() {
                C::Fact(id) => match self.fact(f, *id) {
                    Some(Value::Absent) => V::Bool(false),
                    Some(_) => V::Bool(true),
                    None => V::Unknown,
                },
                C::RecField(ix) => {
                    V::Bool(f.record.is_some_and(|r| r.fields[*ix as usize].is_some()))
                }
                _ => V::Unknown,
            },
            C::InYear(y, body) => match self.eval(y, f) {
                V::Int(y) => self.in_year(f.unit, y as i32, body),
                _ => V::Unknown,
            },
            C::Contained {
                cur,
                prev,
                policy,
                strict,
            } => {
                let (c, p, pol) = (self.eval(cur, f), self.eval(prev, f), self.eval(policy, f));
                match (c, p, pol) {
                    (V::Int(c), V::Int(p), V::Choice(pol)) => V::Bool(if pol == *strict {
                        c < p || (c == 0 && p == 0)
                    } else {
                        c <= p
                    }),
                    _ => V::Unknown,
                }
            }
            C::MinCount(p, n) => match (self.eval(p, f), self.eval(n, f)) {
                (V::Rat(p), V::Int(n)) => {
                    // ceil(p·n) exactly: p = a/b, n ≥ 0
                    let num = p.n.checked_mul(n as i128);
                    match num {
                        Some(num) => {
                            let q = num.div_euclid(p.d) + i128::from(num.rem_euclid(p.d) != 0);
                            i64::try_from(q).map_or(V::Unknown, V::Int)
                        }
                        None => V::Unknown,
                    }
                }
                _ => V::Unknown,
            },
            C::Verdict(ix) => {
                let explain = self.sink.is_some();
                let (v, version) = self.session.verdict(f.unit, *ix, f.year, explain);
                if let Some(s) = &mut self.sink {
                    s.subs.push((f.unit, *ix, v, version));
                }
                if version.is_none() {
                    self.missing(Missing::NotApplicable(f.unit, *ix));
                }
                match v {
                    Verdict::Met => V::Bool(true),
                    Verdict::NotMet => V::Bool(false),
                    Verdict::Insufficient => V::Unknown,
                }
            }
            C::Recognised { id, ever } => self.recognised(f, id, *ever),
            C::Judged(id) => match self.fact(f, *id) {
                Some(Value::Judgement(j)) => V::Bool(j.value),
                _ => V::Unknown,
            },
        }
    }

    fn recognised(&mut self, f: Frame<'a>, id: &str, ever: bool) -> V<'a> {
        let Some(schema) = self.session.reg.recognition_schema() else {
            return V::Unknown;
        };
        let Some(Value::List(records)) = self.fact(f, schema.field) else {
            return V::Unknown;
        };
        let field = |r: &'a Record, ix: u16| r.fields[ix as usize].as_ref();
        let found = records.iter().any(|r| {
            let same =
                matches!(field(r, schema.standard), Some(Value::Text(t)) if t.as_ref() == id);
            let year = match field(r, schema.year) {
                Some(Value::Int(y)) => *y as i32,
                _ => return false,
            };
            let revoked = schema
                .revoked
                .is_some_and(|ix| matches!(field(r, ix), Some(Value::Bool(true))));
            same && if ever {
                year <= f.year && !revoked
            } else {
                year == f.year && !revoked
            }
        });
        V::Bool(found)
    }

    /// A figure of another year: the unit's own facts of that year, or else the sum over its
    /// predecessors (a merged unit), or else unknown.
    fn in_year(&mut self, unit: &'a UnitInput, y: i32, body: &'a C) -> V<'a> {
        if unit.facts(y).is_none() && !unit.predecessors.is_empty() {
            let mut total: Option<i64> = Some(0);
            for p in &unit.predecessors {
                match self.in_year(p, y, body) {
                    V::Int(i) => total = total.and_then(|t| t.checked_add(i)),
                    _ => total = None,
                }
            }
            return total.map_or(V::Unknown, V::Int);
        }
        self.eval(body, Frame::new(unit, y))
    }

    fn aggregate(
        &mut self,
        op: AggOp,
        coll: Coll,
        cond: Option<&'a C>,
        proj: Option<&'a C>,
        f: Frame<'a>,
    ) -> V<'a> {
        let mut acc = Acc::new(op);
        match coll {
            Coll::List(id) => self.records(id, f, &mut acc, cond, proj),
            Coll::Tree(id) => self.tree(id, f.unit, f.year, &mut acc, cond, proj),
            Coll::Subunits | Coll::Descendants => match &f.unit.subunits {
                None => {
                    self.missing(Missing::Subunits(f.unit));
                    acc.unknown = true;
                }
                Some(subs) => self.units(
                    subs,
                    coll == Coll::Descendants,
                    f.year,
                    &mut acc,
                    cond,
                    proj,
                ),
            },
        }
        acc.finish()
    }

    fn item(&mut self, acc: &mut Acc, cond: Option<&'a C>, proj: Option<&'a C>, f: Frame<'a>) {
        let pass = match cond {
            Some(c) => self.eval(c, f).as_bool(),
            None => Some(true),
        };
        match pass {
            Some(false) => {}
            None => {
                acc.unknown = true;
                // still evaluate the projection so the trace lists what it reads
                if let Some(p) = proj {
                    self.eval(p, f);
                }
            }
            Some(true) => {
                let v = proj.map(|p| self.eval(p, f));
                acc.add(v);
            }
        }
    }

    fn records(
        &mut self,
        id: FieldId,
        f: Frame<'a>,
        acc: &mut Acc,
        cond: Option<&'a C>,
        proj: Option<&'a C>,
    ) {
        match self.fact(f, id) {
            Some(Value::List(rs)) => {
                for r in rs {
                    let rf = Frame {
                        record: Some(r),
                        ..f
                    };
                    self.item(acc, cond, proj, rf);
                }
            }
            _ => acc.unknown = true,
        }
    }

    /// The records of the unit's own list (required: unknown when not reported) and of every
    /// sub-unit that reported the list (a sub-unit without it has its events recorded above).
    fn tree(
        &mut self,
        id: FieldId,
        unit: &'a UnitInput,
        year: i32,
        acc: &mut Acc,
        cond: Option<&'a C>,
        proj: Option<&'a C>,
    ) {
        self.records(id, Frame::new(unit, year), acc, cond, proj);
        self.subtree(id, unit, year, acc, cond, proj);
    }

    fn subtree(
        &mut self,
        id: FieldId,
        unit: &'a UnitInput,
        year: i32,
        acc: &mut Acc,
        cond: Option<&'a C>,
        proj: Option<&'a C>,
    ) {
        for s in unit.subunits.iter().flatten() {
            let f = Frame::new(s, year);
            if f.facts.is_some_and(|x| x.get(id).is_some()) {
                self.records(id, f, acc, cond, proj);
            }
            self.subtree(id, s, year, acc, cond, proj);
        }
    }

    fn units(
        &mut self,
        units: &'a [UnitInput],
        deep: bool,
        year: i32,
        acc: &mut Acc,
        cond: Option<&'a C>,
        proj: Option<&'a C>,
    ) {
        for u in units {
            self.item(acc, cond, proj, Frame::new(u, year));
            if deep && let Some(subs) = &u.subunits {
                self.units(subs, deep, year, acc, cond, proj);
            }
        }
    }
}

fn period<'a>(year: i32, m1: u32, m2: u32) -> V<'a> {
    let start = NaiveDate::from_ymd_opt(year, m1, 1).expect("valid month");
    let next = if m2 == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, m2 + 1, 1)
    }
    .expect("valid month");
    V::Period(start, next.pred_opt().expect("not the first day ever"))
}

/// Accumulates count/sum/all/any.
struct Acc {
    op: AggOp,
    n: Option<i64>,
    truth: Option<bool>,
    unknown: bool,
}

impl Acc {
    fn new(op: AggOp) -> Acc {
        Acc {
            op,
            n: Some(0),
            truth: Some(op == AggOp::All),
            unknown: false,
        }
    }

    fn add(&mut self, v: Option<V>) {
        match self.op {
            AggOp::Count => self.n = self.n.and_then(|n| n.checked_add(1)),
            AggOp::Sum => match v {
                Some(V::Int(i)) => self.n = self.n.and_then(|n| n.checked_add(i)),
                _ => self.unknown = true,
            },
            AggOp::All | AggOp::Any => match v.and_then(|v| v.as_bool()) {
                Some(b) => {
                    if self.op == AggOp::All && !b {
                        self.truth = Some(false);
                    }
                    if self.op == AggOp::Any && b {
                        self.truth = Some(true);
                    }
                }
                None => self.unknown = true,
            },
        }
    }

    fn finish<'a>(self) -> V<'a> {
        match self.op {
            AggOp::Count | AggOp::Sum => match (self.unknown, self.n) {
                (false, Some(n)) => V::Int(n),
                _ => V::Unknown,
            },
            // a single false decides "all", a single true decides "any", even with unknowns
            AggOp::All => match (self.truth, self.unknown) {
                (Some(false), _) => V::Bool(false),
                (_, true) => V::Unknown,
                _ => V::Bool(true),
            },
            AggOp::Any => match (self.truth, self.unknown) {
                (Some(true), _) => V::Bool(true),
                (_, true) => V::Unknown,
                _ => V::Bool(false),
            },
        }
    }
}

fn arith<'a>(op: ArOp, a: V<'a>, b: V<'a>) -> V<'a> {
    if let (V::Int(x), V::Int(y)) = (a, b) {
        let r = match op {
            ArOp::Add => x.checked_add(y),
            ArOp::Sub => x.checked_sub(y),
            ArOp::Mul => x.checked_mul(y),
            ArOp::Div => return Rat::new(x as i128, y as i128).map_or(V::Unknown, V::Rat),
        };
        return r.map_or(V::Unknown, V::Int);
    }
    let (Some(x), Some(y)) = (a.as_rat(), b.as_rat()) else {
        return V::Unknown;
    };
    let r = match op {
        ArOp::Add => {
            x.n.checked_mul(y.d)
                .zip(y.n.checked_mul(x.d))
                .and_then(|(p, q)| p.checked_add(q).zip(x.d.checked_mul(y.d)))
        }
        ArOp::Sub => {
            x.n.checked_mul(y.d)
                .zip(y.n.checked_mul(x.d))
                .and_then(|(p, q)| p.checked_sub(q).zip(x.d.checked_mul(y.d)))
        }
        ArOp::Mul => x.n.checked_mul(y.n).zip(x.d.checked_mul(y.d)),
        ArOp::Div => x.n.checked_mul(y.d).zip(x.d.checked_mul(y.n)),
    };
    r.and_then(|(n, d)| Rat::new(n, d))
        .map_or(V::Unknown, V::Rat)
}

fn compare<'a>(op: CmpOp, a: V<'a>, b: V<'a>) -> V<'a> {
    use std::cmp::Ordering;
    let ord: Option<Ordering> = match (a, b) {
        (V::Unknown, _) | (_, V::Unknown) => return V::Unknown,
        (V::Absent, _) | (_, V::Absent) => return V::Bool(false),
        (V::Int(x), V::Int(y)) => Some(x.cmp(&y)),
        (V::Date(x), V::Date(y)) => Some(x.cmp(&y)),
        (V::Text(x), V::Text(y)) => Some(x.cmp(y)),
        (V::Choice(x), V::Choice(y)) => Some(x.cmp(&y)),
        (V::Kind(x), V::Kind(y)) => Some(x.cmp(&y)),
        (V::Bool(x), V::Bool(y)) => Some(x.cmp(&y)),
        (x, y) => match (x.as_rat(), y.as_rat()) {
            (Some(x), Some(y)) => x.cmp(y),
            _ => None,
        },
    };
    let Some(o) = ord else {
        return V::Unknown;
    };
    V::Bool(match op {
        CmpOp::Eq => o == Ordering::Equal,
        CmpOp::Ne => o != Ordering::Equal,
        CmpOp::Lt => o == Ordering::Less,
        CmpOp::Le => o != Ordering::Greater,
        CmpOp::Gt => o == Ordering::Greater,
        CmpOp::Ge => o != Ordering::Less,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic_is_exact() {
        let r = arith(ArOp::Mul, V::Int(19), V::Rat(Rat::new(95, 100).unwrap()));
        assert_eq!(r, V::Rat(Rat::new(1805, 100).unwrap()));
        assert_eq!(compare(CmpOp::Le, V::Int(18), r), V::Bool(true));
        assert_eq!(compare(CmpOp::Le, V::Int(19), r), V::Bool(false));
        assert_eq!(arith(ArOp::Div, V::Int(1), V::Int(0)), V::Unknown);
        assert_eq!(arith(ArOp::Add, V::Int(i64::MAX), V::Int(1)), V::Unknown);
        assert_eq!(compare(CmpOp::Eq, V::Unknown, V::Int(1)), V::Unknown);
        assert_eq!(compare(CmpOp::Lt, V::Absent, V::Int(1)), V::Bool(false));
    }

    #[test]
    fn quarters_and_calendar_year() {
        assert_eq!(
            period(2024, 1, 3),
            V::Period(
                NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
                NaiveDate::from_ymd_opt(2024, 3, 31).unwrap()
            )
        );
        assert_eq!(
            period(2024, 10, 12),
            V::Period(
                NaiveDate::from_ymd_opt(2024, 10, 1).unwrap(),
                NaiveDate::from_ymd_opt(2024, 12, 31).unwrap()
            )
        );
    }

    #[test]
    fn aggregates_are_three_valued() {
        let mut all = Acc::new(AggOp::All);
        all.unknown = true;
        all.add(Some(V::Bool(false)));
        assert_eq!(all.finish(), V::Bool(false));
        let mut any = Acc::new(AggOp::Any);
        any.unknown = true;
        assert_eq!(any.finish(), V::Unknown);
        let mut count = Acc::new(AggOp::Count);
        count.add(None);
        count.add(None);
        assert_eq!(count.finish(), V::Int(2));
    }
}
