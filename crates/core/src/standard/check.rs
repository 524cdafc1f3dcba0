//! The type checker: turns a parsed expression into its compiled form, resolving names to
//! catalogue fields, record fields, parameters and named values, and refusing what cannot be
//! evaluated (unknown facts, a date compared with a number, a percentage added to a count…).
//!
//! The compiled form [`C`] refers to everything by index, so evaluation does no name lookups.

use std::collections::{HashMap, HashSet};

use crate::catalogue::{Catalogue, FieldType, RecordSchema};
use crate::diag::{Arg, Diagnostic, Message, SourceFile, closest};
use crate::fact::FieldId;
use crate::units::UnitKind;

use super::expr::{self, BinOp, Expr, ExprKind};
use super::model::{Param, ParamType, StdIx};

/// An exact rational number; `d > 0`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Rat {
    pub n: i128,
    pub d: i128,
}

impl Rat {
    pub fn int(i: i64) -> Rat {
        Rat { n: i as i128, d: 1 }
    }

    pub fn new(n: i128, d: i128) -> Option<Rat> {
        if d == 0 {
            return None;
        }
        let (n, d) = if d < 0 { (-n, -d) } else { (n, d) };
        let g = gcd(n.unsigned_abs(), d.unsigned_abs()).max(1) as i128;
        Some(Rat { n: n / g, d: d / g })
    }

    pub fn cmp(self, o: Rat) -> Option<std::cmp::Ordering> {
        Some(self.n.checked_mul(o.d)?.cmp(&o.n.checked_mul(self.d)?))
    }
}

fn gcd(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// Where the allowed values of a choice come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ChoiceSrc {
    Fact(FieldId),
    Rec(FieldId, u16),
    Param(u16),
}

/// Static types.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ty {
    Int,
    /// A year (shown without thousands separators).
    Year,
    /// A share, shown as a percentage.
    Pct,
    /// An exact non-integer quantity (19 × 95 % = 18,05).
    Num,
    Bool,
    Date,
    Text,
    Choice(ChoiceSrc),
    Kind,
    Period,
    Doc,
    Judg,
    /// The records of a list fact.
    Records(FieldId),
    /// A string literal (becomes a choice or a unit kind when compared with one).
    Str,
}

impl Ty {
    fn numeric(self) -> bool {
        matches!(self, Ty::Int | Ty::Year | Ty::Pct | Ty::Num)
    }

    fn name_key(self) -> &'static str {
        match self {
            Ty::Int => "std.type.int",
            Ty::Year => "std.type.year",
            Ty::Pct => "std.type.percent",
            Ty::Num => "std.type.number",
            Ty::Bool => "std.type.bool",
            Ty::Date => "std.type.date",
            Ty::Text | Ty::Str => "std.type.text",
            Ty::Choice(_) => "std.type.choice",
            Ty::Kind => "std.type.kind",
            Ty::Period => "std.type.period",
            Ty::Doc => "std.type.document",
            Ty::Judg => "std.type.judgement",
            Ty::Records(_) => "std.type.list",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ArOp {
    Add,
    Sub,
    Mul,
    Div,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AggOp {
    Count,
    Sum,
    All,
    Any,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Coll {
    /// The records of a list fact of the unit in scope.
    List(FieldId),
    /// The records of a list fact of the unit in scope and of all its sub-units.
    Tree(FieldId),
    Subunits,
    Descendants,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Part {
    DocDate,
    DocNumber,
    DocIssuer,
    JudgValue,
    JudgReason,
}

/// A compiled expression.
#[derive(Clone, Debug)]
pub(crate) enum C {
    Int(i64),
    Rat(Rat),
    Bool(bool),
    Text(Box<str>),
    Choice(u16),
    Kind(UnitKind),
    Param(u16),
    Fact(FieldId),
    RecField(u16),
    Local(u16),
    Year,
    Window,
    CalendarYear,
    Quarter(u8),
    UnitKind,
    Part(Box<C>, Part),
    Neg(Box<C>),
    Not(Box<C>),
    And(Box<C>, Box<C>),
    Or(Box<C>, Box<C>),
    Arith(ArOp, Box<C>, Box<C>),
    Cmp(CmpOp, Box<C>, Box<C>),
    InPeriod(Box<C>, Box<C>),
    InSet(Box<C>, Vec<C>),
    Agg {
        op: AggOp,
        coll: Coll,
        cond: Option<Box<C>>,
        proj: Option<Box<C>>,
    },
    Has(Box<C>),
    InYear(Box<C>, Box<C>),
    Contained {
        cur: Box<C>,
        prev: Box<C>,
        policy: Box<C>,
        strict: u16,
    },
    MinCount(Box<C>, Box<C>),
    Verdict(StdIx),
    Recognised {
        id: Box<str>,
        ever: bool,
    },
    /// The value of a reviewer's judgement (judged rules).
    Judged(FieldId),
}

/// A sentence with `{expression}` holes, in both languages.
#[derive(Clone, Debug)]
pub(crate) struct Template {
    pub vi: Vec<Piece>,
    pub en: Vec<Piece>,
}

#[derive(Clone, Debug)]
pub(crate) enum Piece {
    Lit(String),
    Hole(C, Ty),
}

/// Indexes of the fields of the `recognitions` records.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RecognitionSchema {
    pub field: FieldId,
    pub standard: u16,
    pub year: u16,
    pub revoked: Option<u16>,
}

/// What the checker needs to know about the world.
pub(crate) struct Env<'a> {
    pub file: &'a SourceFile,
    pub cat: &'a Catalogue,
    pub ids: &'a HashMap<String, StdIx>,
    pub recognition_ids: &'a HashSet<String>,
    pub recognitions: Option<RecognitionSchema>,
    pub params: &'a [Param],
    /// Unit kinds the standard applies to.
    pub kinds: &'a [UnitKind],
    /// First and last evaluation year of the standard version.
    pub years: (i32, Option<i32>),
}

#[derive(Clone, Copy)]
enum Scope<'s> {
    /// The evaluated unit (kinds known).
    Own,
    /// A sub-unit or descendant (any kind).
    Sub,
    Record {
        field: FieldId,
        schema: &'s RecordSchema,
        sub: bool,
    },
}

impl Scope<'_> {
    fn is_sub(&self) -> bool {
        match self {
            Scope::Own => false,
            Scope::Sub => true,
            Scope::Record { sub, .. } => *sub,
        }
    }

    fn unit(&self) -> Scope<'static> {
        if self.is_sub() {
            Scope::Sub
        } else {
            Scope::Own
        }
    }
}

/// Checks the expressions of one rule (its named values, body and sentences).
pub(crate) struct Checker<'a> {
    env: Env<'a>,
    pub locals: Vec<(String, Ty)>,
    /// Named values that failed to compile (their uses are not reported again).
    pub failed: Vec<String>,
    pub errors: Vec<Diagnostic>,
    pub fields_used: Vec<FieldId>,
    pub standards_used: Vec<StdIx>,
}

type R<T> = Result<T, ()>;

impl<'a> Checker<'a> {
    pub fn new(env: Env<'a>) -> Checker<'a> {
        Checker {
            env,
            locals: vec![],
            failed: vec![],
            errors: vec![],
            fields_used: vec![],
            standards_used: vec![],
        }
    }

    fn err(&mut self, at: usize, message: Message) {
        self.errors
            .push(Diagnostic::at(self.env.file.location(at), message));
    }

    /// Parses and checks `src` (written at byte `base` of the file). On error, the diagnostics
    /// are in `self.errors`.
    pub fn compile(&mut self, src: &str, base: usize) -> Option<(C, Ty)> {
        match expr::parse(src, base) {
            Ok(e) => self.check(&e, Scope::Own).ok(),
            Err((at, m)) => {
                self.err(at, m);
                None
            }
        }
    }

    /// Compiles an expression that must be a condition.
    pub fn compile_bool(&mut self, src: &str, base: usize) -> Option<C> {
        let (c, ty) = self.compile(src, base)?;
        if ty != Ty::Bool {
            let at = base + (src.len() - src.trim_start().len());
            self.err(
                at,
                Message::new("std.err.rule_not_bool").arg("found", Arg::Key(ty.name_key())),
            );
            return None;
        }
        Some(c)
    }

    /// Parses a sentence with `{expression}` holes; `{{` and `}}` are literal braces.
    pub fn template(&mut self, text: &str, base: usize) -> Option<Vec<Piece>> {
        let mut pieces = vec![];
        let mut lit = String::new();
        let mut rest = text;
        let mut pos = 0usize;
        let mut ok = true;
        while let Some(c) = rest.chars().next() {
            if rest.starts_with("{{") || rest.starts_with("}}") {
                lit.push(c);
                rest = &rest[2..];
                pos += 2;
            } else if c == '{' {
                let Some(end) = rest.find('}') else {
                    self.err(base + pos, Message::new("std.err.unclosed_brace"));
                    return None;
                };
                if !lit.is_empty() {
                    pieces.push(Piece::Lit(std::mem::take(&mut lit)));
                }
                match self.compile(&rest[1..end], base + pos + 1) {
                    Some((c, ty)) => pieces.push(Piece::Hole(c, ty)),
                    None => ok = false,
                }
                rest = &rest[end + 1..];
                pos += end + 1;
            } else if c == '}' {
                self.err(base + pos, Message::new("std.err.unopened_brace"));
                return None;
            } else {
                lit.push(c);
                rest = &rest[c.len_utf8()..];
                pos += c.len_utf8();
            }
        }
        if !lit.is_empty() {
            pieces.push(Piece::Lit(lit));
        }
        ok.then_some(pieces)
    }

    fn use_field(&mut self, id: FieldId) {
        if !self.fields_used.contains(&id) {
            self.fields_used.push(id);
        }
    }

    /// Resolves a fact key in a unit scope, checking unit kinds and years.
    fn fact(&mut self, name: &str, at: usize, scope: Scope) -> R<(FieldId, Ty)> {
        let Some(field) = self.env.cat.field(name) else {
            let mut m = Message::new("std.err.unknown_name").arg("name", name);
            if let Some(s) = closest(
                name,
                self.env
                    .cat
                    .fields()
                    .iter()
                    .map(|f| f.key.as_str())
                    .chain(self.locals.iter().map(|(n, _)| n.as_str()))
                    .chain(BUILTINS.iter().copied()),
            ) {
                m = Message::new("std.err.unknown_name_hint")
                    .arg("name", name)
                    .arg("hint", s);
            }
            self.err(at, m);
            return Err(());
        };
        let (from, to) = self.env.years;
        let kinds = self.env.kinds;
        let usable = field.versions.iter().any(|v| {
            v.meets_years(from, to)
                && (scope.is_sub() || v.unit_kinds.iter().any(|k| kinds.contains(k)))
        });
        if !usable {
            let kinds = kinds
                .iter()
                .map(|k| k.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            let years = match to {
                Some(t) => format!("{from}–{t}"),
                None => format!("{from}–"),
            };
            self.err(
                at,
                Message::new("std.err.fact_not_available")
                    .arg("name", name)
                    .arg("kinds", kinds)
                    .arg("years", years),
            );
            return Err(());
        }
        let id = field.id;
        self.use_field(id);
        let ty = match &field.ty {
            FieldType::Int => Ty::Int,
            FieldType::Bool => Ty::Bool,
            FieldType::Date => Ty::Date,
            FieldType::Text => Ty::Text,
            FieldType::Choice { .. } => Ty::Choice(ChoiceSrc::Fact(id)),
            FieldType::Document => Ty::Doc,
            FieldType::Judgement => Ty::Judg,
            FieldType::List { .. } => Ty::Records(id),
        };
        Ok((id, ty))
    }

    fn choices_of(&self, src: ChoiceSrc) -> Vec<String> {
        let keys = |t: &FieldType| match t {
            FieldType::Choice { choices } => choices.iter().map(|c| c.key.clone()).collect(),
            _ => vec![],
        };
        match src {
            ChoiceSrc::Fact(id) => keys(&self.env.cat.by_id(id).ty),
            ChoiceSrc::Rec(id, ix) => match &self.env.cat.by_id(id).ty {
                FieldType::List { record } => keys(&record.fields[ix as usize].ty),
                _ => vec![],
            },
            ChoiceSrc::Param(ix) => match &self.env.params[ix as usize].ty {
                ParamType::Choice { choices } => choices.iter().map(|c| c.key.clone()).collect(),
                _ => vec![],
            },
        }
    }

    fn type_error(&mut self, at: usize, key: &'static str, a: Ty, b: Option<Ty>) {
        let mut m = Message::new(key).arg("a", Arg::Key(a.name_key()));
        if let Some(b) = b {
            m = m.arg("b", Arg::Key(b.name_key()));
        }
        self.err(at, m);
    }

    fn check(&mut self, e: &Expr, scope: Scope) -> R<(C, Ty)> {
        let at = e.span.start;
        match &e.kind {
            ExprKind::Int(i) => Ok((C::Int(*i), Ty::Int)),
            ExprKind::Percent(n, d) => Ok((
                C::Rat(Rat::new(*n, *d).expect("denominator is positive")),
                Ty::Pct,
            )),
            ExprKind::Str(s) => Ok((C::Text(s.as_str().into()), Ty::Str)),
            ExprKind::Bool(b) => Ok((C::Bool(*b), Ty::Bool)),
            ExprKind::Name(n) => self.name(n, at, scope),
            ExprKind::Field(base, f) => self.field(base, f, e, scope),
            ExprKind::Neg(x) => {
                let (c, t) = self.check(x, scope)?;
                if !t.numeric() {
                    self.type_error(at, "std.err.not_numeric", t, None);
                    return Err(());
                }
                Ok((C::Neg(Box::new(c)), t))
            }
            ExprKind::Not(x) => {
                let c = self.expect_bool(x, scope)?;
                Ok((C::Not(Box::new(c)), Ty::Bool))
            }
            ExprKind::Bin(op, l, r) => self.binary(*op, l, r, e, scope),
            ExprKind::List(_) => {
                self.err(at, Message::new("std.err.list_outside_in"));
                Err(())
            }
            ExprKind::Where(..) => {
                self.err(at, Message::new("std.err.where_outside_call"));
                Err(())
            }
            ExprKind::Call(name, args) => self.call(name, args, e, scope),
        }
    }

    fn expect_bool(&mut self, e: &Expr, scope: Scope) -> R<C> {
        let (c, t) = self.check(e, scope)?;
        if t != Ty::Bool {
            self.type_error(e.span.start, "std.err.expected_bool", t, None);
            return Err(());
        }
        Ok(c)
    }

    fn expect_int(&mut self, e: &Expr, scope: Scope) -> R<C> {
        let (c, t) = self.check(e, scope)?;
        if t != Ty::Int && t != Ty::Year {
            self.type_error(e.span.start, "std.err.expected_int", t, None);
            return Err(());
        }
        Ok(c)
    }

    fn name(&mut self, n: &str, at: usize, scope: Scope) -> R<(C, Ty)> {
        if let Scope::Record { field, schema, .. } = scope
            && let Some(ix) = schema.index(n)
        {
            let ty = match &schema.fields[ix].ty {
                FieldType::Int => Ty::Int,
                FieldType::Bool => Ty::Bool,
                FieldType::Date => Ty::Date,
                FieldType::Choice { .. } => Ty::Choice(ChoiceSrc::Rec(field, ix as u16)),
                _ => Ty::Text,
            };
            return Ok((C::RecField(ix as u16), ty));
        }
        if let Some(ix) = self.locals.iter().position(|(l, _)| l == n) {
            return Ok((C::Local(ix as u16), self.locals[ix].1));
        }
        if self.failed.iter().any(|f| f == n) {
            return Err(());
        }
        match n {
            "year" => return Ok((C::Year, Ty::Year)),
            "window" => return Ok((C::Window, Ty::Period)),
            "calendar_year" => return Ok((C::CalendarYear, Ty::Period)),
            "kind" => return Ok((C::UnitKind, Ty::Kind)),
            "subunits" | "descendants" => {
                self.err(
                    at,
                    Message::new("std.err.collection_outside_call").arg("name", n),
                );
                return Err(());
            }
            "param" => {
                self.err(at, Message::new("std.err.param_needs_name"));
                return Err(());
            }
            _ => {}
        }
        let (id, ty) = self.fact(n, at, scope.unit())?;
        if matches!(ty, Ty::Records(_)) {
            self.err(
                at,
                Message::new("std.err.collection_outside_call").arg("name", n),
            );
            return Err(());
        }
        Ok((C::Fact(id), ty))
    }

    fn field(&mut self, base: &Expr, f: &str, e: &Expr, scope: Scope) -> R<(C, Ty)> {
        if let ExprKind::Name(b) = &base.kind
            && b == "param"
        {
            return match self.env.params.iter().position(|p| p.key == f) {
                Some(ix) => {
                    let ty = match &self.env.params[ix].ty {
                        ParamType::Int => Ty::Int,
                        ParamType::Year => Ty::Year,
                        ParamType::Percent => Ty::Pct,
                        ParamType::Bool => Ty::Bool,
                        ParamType::Choice { .. } => Ty::Choice(ChoiceSrc::Param(ix as u16)),
                    };
                    Ok((C::Param(ix as u16), ty))
                }
                None => {
                    let mut m = Message::new("std.err.unknown_param").arg("name", f);
                    if let Some(h) = closest(f, self.env.params.iter().map(|p| p.key.as_str())) {
                        m = m.arg("hint", h);
                        m.key = "std.err.unknown_param_hint";
                    }
                    self.err(e.span.start, m);
                    Err(())
                }
            };
        }
        let (c, t) = self.check(base, scope)?;
        let (part, ty) = match (t, f) {
            (Ty::Doc, "date") => (Part::DocDate, Ty::Date),
            (Ty::Doc, "number") => (Part::DocNumber, Ty::Text),
            (Ty::Doc, "issuer") => (Part::DocIssuer, Ty::Text),
            (Ty::Judg, "value") => (Part::JudgValue, Ty::Bool),
            (Ty::Judg, "reason") => (Part::JudgReason, Ty::Text),
            _ => {
                self.err(
                    base.span.end,
                    Message::new("std.err.no_such_part")
                        .arg("name", f)
                        .arg("a", Arg::Key(t.name_key())),
                );
                return Err(());
            }
        };
        Ok((C::Part(Box::new(c), part), ty))
    }

    fn binary(&mut self, op: BinOp, l: &Expr, r: &Expr, e: &Expr, scope: Scope) -> R<(C, Ty)> {
        let at = e.span.start;
        match op {
            BinOp::And | BinOp::Or => {
                let a = self.expect_bool(l, scope);
                let b = self.expect_bool(r, scope);
                let (a, b) = (Box::new(a?), Box::new(b?));
                Ok((
                    if op == BinOp::And {
                        C::And(a, b)
                    } else {
                        C::Or(a, b)
                    },
                    Ty::Bool,
                ))
            }
            BinOp::In => self.in_op(l, r, scope),
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div => {
                let a = self.check(l, scope);
                let b = self.check(r, scope);
                let ((a, ta), (b, tb)) = (a?, b?);
                if !ta.numeric() || !tb.numeric() {
                    let bad = if ta.numeric() { r.span.start } else { at };
                    self.type_error(bad, "std.err.arith_types", ta, Some(tb));
                    return Err(());
                }
                let ty = match (op, ta, tb) {
                    (BinOp::Div, _, _) => Ty::Pct,
                    (BinOp::Add | BinOp::Sub, Ty::Year, Ty::Int)
                    | (BinOp::Add, Ty::Int, Ty::Year) => Ty::Year,
                    (_, Ty::Year | Ty::Int, Ty::Year | Ty::Int) => Ty::Int,
                    (BinOp::Add | BinOp::Sub, Ty::Pct, Ty::Pct) => Ty::Pct,
                    (BinOp::Mul, Ty::Pct, Ty::Pct) => Ty::Pct,
                    (BinOp::Add | BinOp::Sub, Ty::Int, Ty::Pct)
                    | (BinOp::Add | BinOp::Sub, Ty::Pct, Ty::Int) => {
                        self.type_error(at, "std.err.arith_types", ta, Some(tb));
                        return Err(());
                    }
                    _ => Ty::Num,
                };
                let aop = match op {
                    BinOp::Add => ArOp::Add,
                    BinOp::Sub => ArOp::Sub,
                    BinOp::Mul => ArOp::Mul,
                    _ => ArOp::Div,
                };
                Ok((C::Arith(aop, Box::new(a), Box::new(b)), ty))
            }
            _ => {
                let cop = match op {
                    BinOp::Eq => CmpOp::Eq,
                    BinOp::Ne => CmpOp::Ne,
                    BinOp::Lt => CmpOp::Lt,
                    BinOp::Le => CmpOp::Le,
                    BinOp::Gt => CmpOp::Gt,
                    _ => CmpOp::Ge,
                };
                let a = self.check(l, scope);
                let b = self.check(r, scope);
                let ((a, ta), (b, tb)) = (a?, b?);
                let ordered = matches!(cop, CmpOp::Lt | CmpOp::Le | CmpOp::Gt | CmpOp::Ge);
                let (a, b) = match (ta, tb) {
                    _ if ta.numeric() && tb.numeric() => (a, b),
                    (Ty::Date, Ty::Date) => (a, b),
                    (Ty::Str, Ty::Choice(_) | Ty::Kind) if !ordered => {
                        (self.literal_as(&a, tb, l.span.start)?, b)
                    }
                    (Ty::Choice(_) | Ty::Kind, Ty::Str) if !ordered => {
                        (a.clone(), self.literal_as(&b, ta, r.span.start)?)
                    }
                    (Ty::Text | Ty::Str, Ty::Text | Ty::Str) if !ordered => (a, b),
                    (Ty::Bool, Ty::Bool) if !ordered => (a, b),
                    (Ty::Choice(x), Ty::Choice(y)) if !ordered && x == y => (a, b),
                    _ => {
                        self.type_error(at, "std.err.compare_types", ta, Some(tb));
                        return Err(());
                    }
                };
                Ok((C::Cmp(cop, Box::new(a), Box::new(b)), Ty::Bool))
            }
        }
    }

    /// A string literal used where a choice or a unit kind is expected.
    fn literal_as(&mut self, c: &C, ty: Ty, at: usize) -> R<C> {
        let C::Text(s) = c else {
            self.err(at, Message::new("std.err.expected_literal"));
            return Err(());
        };
        match ty {
            Ty::Kind => match UnitKind::parse(s) {
                Some(k) => Ok(C::Kind(k)),
                None => {
                    self.err(
                        at,
                        Message::new("std.err.unknown_kind")
                            .arg("name", s.as_ref())
                            .arg("expected", UnitKind::ALL.map(UnitKind::as_str).join(", ")),
                    );
                    Err(())
                }
            },
            Ty::Choice(src) => {
                let keys = self.choices_of(src);
                match keys.iter().position(|k| k.as_str() == s.as_ref()) {
                    Some(i) => Ok(C::Choice(i as u16)),
                    None => {
                        self.err(
                            at,
                            Message::new("std.err.unknown_choice")
                                .arg("name", s.as_ref())
                                .arg("expected", keys.join(", ")),
                        );
                        Err(())
                    }
                }
            }
            _ => Ok(c.clone()),
        }
    }

    fn in_op(&mut self, l: &Expr, r: &Expr, scope: Scope) -> R<(C, Ty)> {
        let (a, ta) = self.check(l, scope)?;
        if let ExprKind::List(items) = &r.kind {
            if !matches!(ta, Ty::Choice(_) | Ty::Kind | Ty::Text) {
                self.type_error(l.span.start, "std.err.in_list_types", ta, None);
                return Err(());
            }
            let mut set = vec![];
            let mut failed = false;
            for it in items {
                let ExprKind::Str(s) = &it.kind else {
                    self.err(it.span.start, Message::new("std.err.expected_literal"));
                    failed = true;
                    continue;
                };
                match self.literal_as(&C::Text(s.as_str().into()), ta, it.span.start) {
                    Ok(c) => set.push(c),
                    Err(()) => failed = true,
                }
            }
            if failed {
                return Err(());
            }
            return Ok((C::InSet(Box::new(a), set), Ty::Bool));
        }
        let (b, tb) = self.check(r, scope)?;
        if ta != Ty::Date || tb != Ty::Period {
            self.type_error(l.span.start, "std.err.in_period_types", ta, Some(tb));
            return Err(());
        }
        Ok((C::InPeriod(Box::new(a), Box::new(b)), Ty::Bool))
    }

    fn arity(&mut self, e: &Expr, name: &str, args: &[Expr], n: usize) -> R<()> {
        if args.len() != n {
            self.err(
                e.span.start,
                Message::new("std.err.arity")
                    .arg("name", name)
                    .arg("expected", n.to_string())
                    .arg("found", args.len().to_string()),
            );
            return Err(());
        }
        Ok(())
    }

    fn string_arg(&mut self, a: &Expr) -> R<String> {
        match &a.kind {
            ExprKind::Str(s) => Ok(s.clone()),
            _ => {
                self.err(a.span.start, Message::new("std.err.expected_literal"));
                Err(())
            }
        }
    }

    fn standard_arg(&mut self, a: &Expr) -> R<StdIx> {
        let s = self.string_arg(a)?;
        match self.env.ids.get(&s) {
            Some(ix) => {
                if !self.standards_used.contains(ix) {
                    self.standards_used.push(*ix);
                }
                Ok(*ix)
            }
            None => {
                let hint = closest(&s, self.env.ids.keys().map(String::as_str))
                    .unwrap_or("")
                    .to_owned();
                self.err(
                    a.span.start,
                    Message::new("std.err.unknown_standard")
                        .arg("name", s)
                        .arg("hint", hint),
                );
                Err(())
            }
        }
    }

    fn call(&mut self, name: &str, args: &[Expr], e: &Expr, scope: Scope) -> R<(C, Ty)> {
        let at = e.span.start;
        match name {
            "count" | "sum" | "all" | "any" => {
                let (op, n) = match name {
                    "count" => (AggOp::Count, 1),
                    "sum" => (AggOp::Sum, 2),
                    "all" => (AggOp::All, 2),
                    _ => (AggOp::Any, 2),
                };
                self.arity(e, name, args, n)?;
                let (coll_expr, cond) = match &args[0].kind {
                    ExprKind::Where(c, w) => (c.as_ref(), Some(w.as_ref())),
                    _ => (&args[0], None),
                };
                let coll = self.collection(coll_expr, scope)?;
                let inner = self.inner_scope(coll, scope);
                let cond = match cond {
                    Some(w) => Some(Box::new(self.expect_bool(w, inner)?)),
                    None => None,
                };
                let proj = if n == 2 {
                    let c = match op {
                        AggOp::Sum => self.expect_int(&args[1], inner)?,
                        _ => self.expect_bool(&args[1], inner)?,
                    };
                    Some(Box::new(c))
                } else {
                    None
                };
                let ty = if matches!(op, AggOp::Count | AggOp::Sum) {
                    Ty::Int
                } else {
                    Ty::Bool
                };
                Ok((
                    C::Agg {
                        op,
                        coll,
                        cond,
                        proj,
                    },
                    ty,
                ))
            }
            "has" => {
                self.arity(e, name, args, 1)?;
                let a = &args[0];
                match &a.kind {
                    ExprKind::Name(n) => {
                        let (c, _) = match scope {
                            Scope::Record { schema, .. } if schema.index(n).is_some() => {
                                self.name(n, a.span.start, scope)?
                            }
                            _ => {
                                let (id, _) = self.fact(n, a.span.start, scope.unit())?;
                                (C::Fact(id), Ty::Bool)
                            }
                        };
                        Ok((C::Has(Box::new(c)), Ty::Bool))
                    }
                    _ => {
                        self.err(a.span.start, Message::new("std.err.has_needs_name"));
                        Err(())
                    }
                }
            }
            "previous" => {
                self.arity(e, name, args, 1)?;
                let body = self.expect_int(&args[0], scope.unit())?;
                Ok((
                    C::InYear(
                        Box::new(C::Arith(ArOp::Sub, Box::new(C::Year), Box::new(C::Int(1)))),
                        Box::new(body),
                    ),
                    Ty::Int,
                ))
            }
            "in_year" => {
                self.arity(e, name, args, 2)?;
                let y = self.expect_int(&args[0], scope);
                let body = self.expect_int(&args[1], scope.unit());
                Ok((C::InYear(Box::new(y?), Box::new(body?)), Ty::Int))
            }
            "contained" => {
                self.arity(e, name, args, 3)?;
                let cur = self.expect_int(&args[0], scope);
                let prev = self.expect_int(&args[1], scope);
                let (policy, pt) = self.check(&args[2], scope)?;
                let (cur, prev) = (cur?, prev?);
                let keys = match pt {
                    Ty::Choice(src) => self.choices_of(src),
                    _ => vec![],
                };
                let strict = keys.iter().position(|k| k == "strict");
                if strict.is_none() || !keys.iter().any(|k| k == "not_higher") {
                    self.err(args[2].span.start, Message::new("std.err.contained_policy"));
                    return Err(());
                }
                Ok((
                    C::Contained {
                        cur: Box::new(cur),
                        prev: Box::new(prev),
                        policy: Box::new(policy),
                        strict: strict.unwrap_or(0) as u16,
                    },
                    Ty::Bool,
                ))
            }
            "min_count" => {
                self.arity(e, name, args, 2)?;
                let (p, pt) = self.check(&args[0], scope)?;
                let n = self.expect_int(&args[1], scope)?;
                if pt != Ty::Pct {
                    self.type_error(args[0].span.start, "std.err.expected_percent", pt, None);
                    return Err(());
                }
                Ok((C::MinCount(Box::new(p), Box::new(n)), Ty::Int))
            }
            "verdict" => {
                self.arity(e, name, args, 1)?;
                let ix = self.standard_arg(&args[0])?;
                Ok((C::Verdict(ix), Ty::Bool))
            }
            "recognised" | "ever_recognised" => {
                self.arity(e, name, args, 1)?;
                let id = self.string_arg(&args[0])?;
                if !self.env.ids.contains_key(&id) && !self.env.recognition_ids.contains(&id) {
                    let hint = closest(
                        &id,
                        self.env
                            .ids
                            .keys()
                            .chain(self.env.recognition_ids.iter())
                            .map(String::as_str),
                    )
                    .unwrap_or("")
                    .to_owned();
                    self.err(
                        args[0].span.start,
                        Message::new("std.err.unknown_recognition")
                            .arg("name", id)
                            .arg("hint", hint),
                    );
                    return Err(());
                }
                let Some(schema) = self.env.recognitions else {
                    self.err(at, Message::new("std.err.no_recognitions_field"));
                    return Err(());
                };
                self.use_field(schema.field);
                Ok((
                    C::Recognised {
                        id: id.into(),
                        ever: name == "ever_recognised",
                    },
                    Ty::Bool,
                ))
            }
            "quarter" => {
                self.arity(e, name, args, 1)?;
                match args[0].kind {
                    ExprKind::Int(q @ 1..=4) => Ok((C::Quarter(q as u8), Ty::Period)),
                    _ => {
                        self.err(args[0].span.start, Message::new("std.err.quarter"));
                        Err(())
                    }
                }
            }
            "tree" => {
                self.err(
                    at,
                    Message::new("std.err.collection_outside_call").arg("name", "tree"),
                );
                Err(())
            }
            _ => {
                let hint = closest(name, FUNCTIONS.iter().copied()).unwrap_or("");
                self.err(
                    at,
                    Message::new("std.err.unknown_function")
                        .arg("name", name)
                        .arg("hint", hint),
                );
                Err(())
            }
        }
    }

    fn collection(&mut self, e: &Expr, scope: Scope) -> R<Coll> {
        match &e.kind {
            ExprKind::Name(n) if n == "subunits" => Ok(Coll::Subunits),
            ExprKind::Name(n) if n == "descendants" => Ok(Coll::Descendants),
            ExprKind::Name(n) => {
                let (id, ty) = self.fact(n, e.span.start, scope.unit())?;
                if !matches!(ty, Ty::Records(_)) {
                    self.err(
                        e.span.start,
                        Message::new("std.err.not_a_list").arg("name", n.as_str()),
                    );
                    return Err(());
                }
                Ok(Coll::List(id))
            }
            ExprKind::Call(f, args) if f == "tree" && args.len() == 1 => match &args[0].kind {
                ExprKind::Name(n) => {
                    let (id, ty) = self.fact(n, args[0].span.start, Scope::Sub)?;
                    if !matches!(ty, Ty::Records(_)) {
                        self.err(
                            args[0].span.start,
                            Message::new("std.err.not_a_list").arg("name", n.as_str()),
                        );
                        return Err(());
                    }
                    Ok(Coll::Tree(id))
                }
                _ => {
                    self.err(
                        args[0].span.start,
                        Message::new("std.err.not_a_list").arg("name", "?"),
                    );
                    Err(())
                }
            },
            _ => {
                self.err(e.span.start, Message::new("std.err.expected_collection"));
                Err(())
            }
        }
    }

    fn inner_scope(&self, coll: Coll, scope: Scope) -> Scope<'a> {
        match coll {
            Coll::Subunits | Coll::Descendants => Scope::Sub,
            Coll::List(id) | Coll::Tree(id) => {
                let schema = match &self.env.cat.by_id(id).ty {
                    FieldType::List { record } => record,
                    _ => unreachable!("collections are lists"),
                };
                Scope::Record {
                    field: id,
                    schema,
                    sub: scope.is_sub() || matches!(coll, Coll::Tree(_)),
                }
            }
        }
    }
}

/// Names the language defines (for "did you mean" hints and docs).
pub const BUILTINS: [&str; 6] = [
    "year",
    "window",
    "calendar_year",
    "kind",
    "subunits",
    "descendants",
];

/// Functions of the language.
pub const FUNCTIONS: [&str; 15] = [
    "count",
    "sum",
    "all",
    "any",
    "has",
    "previous",
    "in_year",
    "contained",
    "min_count",
    "verdict",
    "recognised",
    "ever_recognised",
    "quarter",
    "tree",
    "param",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rationals_are_exact() {
        let a = Rat::new(17, 25).unwrap();
        let b = Rat::new(70, 100).unwrap();
        assert_eq!(a.cmp(b), Some(std::cmp::Ordering::Less));
        let c = Rat::new(18, 25).unwrap();
        assert_eq!(c.cmp(b), Some(std::cmp::Ordering::Greater));
        assert_eq!(Rat::new(-2, -4).unwrap(), Rat { n: 1, d: 2 });
        assert!(Rat::new(1, 0).is_none());
    }
}
