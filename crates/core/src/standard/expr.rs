//! The expression language of rules: lexer and parser, with byte spans into the file.
//!
//! ```text
//! expr    := or
//! or      := and ("or" and)*
//! and     := not ("and" not)*
//! not     := "not" not | cmp
//! cmp     := sum (("==" | "!=" | "<" | "<=" | ">" | ">=" | "in") sum)?
//! sum     := product (("+" | "-") product)*
//! product := unary (("*" | "/") unary)*
//! unary   := "-" unary | postfix
//! postfix := primary ("." NAME)*
//! primary := INT | PERCENT | STRING | "true" | "false" | NAME | NAME "(" args? ")"
//!          | "[" (expr ("," expr)*)? "]" | "(" expr ")"
//! args    := arg ("," arg)*        arg := expr ("where" expr)?
//! ```
//! `70%` and `2.5%` are exact percentages; there are no other decimals.

use std::ops::Range;

use crate::diag::Message;

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Name(String),
    Int(i64),
    Percent(i128, i128),
    Str(String),
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    Dot,
    Plus,
    Minus,
    Star,
    Slash,
    EqEq,
    NotEq,
    Lt,
    Le,
    Gt,
    Ge,
}

/// A parse error: byte offset in the file and what was expected.
pub type ParseError = (usize, Message);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    And,
    Or,
    In,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    /// Absolute byte range in the file.
    pub span: Range<usize>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    Int(i64),
    /// An exact fraction num/den (70% = 70/100).
    Percent(i128, i128),
    Str(String),
    Bool(bool),
    Name(String),
    Field(Box<Expr>, String),
    Neg(Box<Expr>),
    Not(Box<Expr>),
    Bin(BinOp, Box<Expr>, Box<Expr>),
    List(Vec<Expr>),
    Call(String, Vec<Expr>),
    /// `collection where condition`, only as the first argument of a call.
    Where(Box<Expr>, Box<Expr>),
}

struct Lexer<'a> {
    src: &'a str,
    pos: usize,
    base: usize,
}

fn lex(src: &str, base: usize) -> Result<Vec<(Tok, Range<usize>)>, ParseError> {
    let mut lx = Lexer { src, pos: 0, base };
    let mut out = vec![];
    while let Some(t) = lx.next()? {
        out.push(t);
    }
    Ok(out)
}

impl Lexer<'_> {
    fn peek(&self) -> Option<char> {
        self.src[self.pos..].chars().next()
    }

    fn err(&self, at: usize, key: &'static str) -> ParseError {
        (self.base + at, Message::new(key))
    }

    fn next(&mut self) -> Result<Option<(Tok, Range<usize>)>, ParseError> {
        while let Some(c) = self.peek() {
            if c.is_whitespace() {
                self.pos += c.len_utf8();
            } else if c == '#' {
                // comment to end of line
                while let Some(c) = self.peek() {
                    if c == '\n' {
                        break;
                    }
                    self.pos += c.len_utf8();
                }
            } else {
                break;
            }
        }
        let start = self.pos;
        let Some(c) = self.peek() else {
            return Ok(None);
        };
        let two = self.src[self.pos..].get(..2).unwrap_or("");
        let (tok, len) = match two {
            "==" => (Tok::EqEq, 2),
            "!=" => (Tok::NotEq, 2),
            "<=" => (Tok::Le, 2),
            ">=" => (Tok::Ge, 2),
            _ => match c {
                '(' => (Tok::LParen, 1),
                ')' => (Tok::RParen, 1),
                '[' => (Tok::LBracket, 1),
                ']' => (Tok::RBracket, 1),
                ',' => (Tok::Comma, 1),
                '.' => (Tok::Dot, 1),
                '+' => (Tok::Plus, 1),
                '-' => (Tok::Minus, 1),
                '*' => (Tok::Star, 1),
                '/' => (Tok::Slash, 1),
                '<' => (Tok::Lt, 1),
                '>' => (Tok::Gt, 1),
                '"' => return self.string(start).map(Some),
                c if c.is_ascii_digit() => return self.number(start).map(Some),
                c if c.is_ascii_alphabetic() || c == '_' => {
                    let len = self.src[start..]
                        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                        .unwrap_or(self.src.len() - start);
                    (Tok::Name(self.src[start..start + len].to_owned()), len)
                }
                '=' => return Err(self.err(start, "std.err.single_equals")),
                _ => {
                    return Err((
                        self.base + start,
                        Message::new("std.err.unexpected_char").arg("found", c.to_string()),
                    ));
                }
            },
        };
        self.pos += len;
        Ok(Some((tok, self.base + start..self.base + self.pos)))
    }

    fn string(&mut self, start: usize) -> Result<(Tok, Range<usize>), ParseError> {
        self.pos += 1;
        let mut s = String::new();
        loop {
            let Some(c) = self.peek() else {
                return Err(self.err(start, "std.err.unclosed_string"));
            };
            self.pos += c.len_utf8();
            match c {
                '"' => break,
                '\\' => {
                    let Some(e) = self.peek() else {
                        return Err(self.err(start, "std.err.unclosed_string"));
                    };
                    self.pos += e.len_utf8();
                    match e {
                        '"' | '\\' => s.push(e),
                        _ => {
                            return Err(self.err(self.pos - e.len_utf8() - 1, "std.err.bad_escape"));
                        }
                    }
                }
                '\n' => return Err(self.err(start, "std.err.unclosed_string")),
                c => s.push(c),
            }
        }
        Ok((Tok::Str(s), self.base + start..self.base + self.pos))
    }

    fn number(&mut self, start: usize) -> Result<(Tok, Range<usize>), ParseError> {
        let digits = |s: &str| s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
        let int_len = digits(&self.src[start..]);
        let mut end = start + int_len;
        let mut frac = "";
        if self.src[end..].starts_with('.')
            && self.src[end + 1..].starts_with(|c: char| c.is_ascii_digit())
        {
            let f = digits(&self.src[end + 1..]);
            frac = &self.src[end + 1..end + 1 + f];
            end += 1 + f;
        }
        let int_part = &self.src[start..start + int_len];
        let is_percent = self.src[end..].starts_with('%');
        if self.src[end..].starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
            return Err(self.err(start, "std.err.bad_number"));
        }
        let tok = if is_percent {
            end += 1;
            if frac.len() > 6 || int_part.len() > 12 {
                return Err(self.err(start, "std.err.bad_number"));
            }
            let den = 100 * 10i128.pow(frac.len() as u32);
            let num: i128 = format!("{int_part}{frac}")
                .parse()
                .map_err(|_| self.err(start, "std.err.bad_number"))?;
            Tok::Percent(num, den)
        } else if !frac.is_empty() {
            return Err(self.err(start, "std.err.decimal_needs_percent"));
        } else {
            Tok::Int(
                int_part
                    .parse()
                    .map_err(|_| self.err(start, "std.err.bad_number"))?,
            )
        };
        self.pos = end;
        Ok((tok, self.base + start..self.base + end))
    }
}

struct Parser {
    toks: Vec<(Tok, Range<usize>)>,
    i: usize,
    end: usize,
}

/// Parses an expression written in a file at byte offset `base`.
pub fn parse(src: &str, base: usize) -> Result<Expr, ParseError> {
    let toks = lex(src, base)?;
    let mut p = Parser {
        toks,
        i: 0,
        end: base + src.trim_end().len(),
    };
    if p.toks.is_empty() {
        return Err((base, Message::new("std.err.empty_expr")));
    }
    let e = p.expr()?;
    if let Some((t, span)) = p.toks.get(p.i) {
        return Err((
            span.start,
            Message::new("std.err.unexpected_token").arg("found", describe(t)),
        ));
    }
    Ok(e)
}

fn describe(t: &Tok) -> String {
    match t {
        Tok::Name(n) => n.clone(),
        Tok::Int(i) => i.to_string(),
        Tok::Percent(n, d) => format!("{}%", *n as f64 * 100.0 / *d as f64),
        Tok::Str(s) => format!("\"{s}\""),
        Tok::LParen => "(".into(),
        Tok::RParen => ")".into(),
        Tok::LBracket => "[".into(),
        Tok::RBracket => "]".into(),
        Tok::Comma => ",".into(),
        Tok::Dot => ".".into(),
        Tok::Plus => "+".into(),
        Tok::Minus => "-".into(),
        Tok::Star => "*".into(),
        Tok::Slash => "/".into(),
        Tok::EqEq => "==".into(),
        Tok::NotEq => "!=".into(),
        Tok::Lt => "<".into(),
        Tok::Le => "<=".into(),
        Tok::Gt => ">".into(),
        Tok::Ge => ">=".into(),
    }
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.i).map(|(t, _)| t)
    }

    fn peek_name(&self, name: &str) -> bool {
        matches!(self.peek(), Some(Tok::Name(n)) if n == name)
    }

    fn here(&self) -> usize {
        self.toks.get(self.i).map_or(self.end, |(_, s)| s.start)
    }

    fn prev_end(&self) -> usize {
        self.toks[self.i - 1].1.end
    }

    fn bump(&mut self) -> (Tok, Range<usize>) {
        let t = self.toks[self.i].clone();
        self.i += 1;
        t
    }

    fn expect(&mut self, tok: Tok) -> Result<(), ParseError> {
        if self.peek() == Some(&tok) {
            self.i += 1;
            Ok(())
        } else {
            Err(self.expected(&describe(&tok)))
        }
    }

    fn expected(&self, what: &str) -> ParseError {
        let found = self.peek().map(describe).unwrap_or_else(|| "∅".to_owned());
        (
            self.here(),
            Message::new("std.err.expected")
                .arg("expected", what)
                .arg("found", found),
        )
    }

    fn bin(op: BinOp, l: Expr, r: Expr) -> Expr {
        let span = l.span.start..r.span.end;
        Expr {
            kind: ExprKind::Bin(op, Box::new(l), Box::new(r)),
            span,
        }
    }

    fn expr(&mut self) -> Result<Expr, ParseError> {
        let mut l = self.and()?;
        while self.peek_name("or") {
            self.i += 1;
            let r = self.and()?;
            l = Self::bin(BinOp::Or, l, r);
        }
        Ok(l)
    }

    fn and(&mut self) -> Result<Expr, ParseError> {
        let mut l = self.not()?;
        while self.peek_name("and") {
            self.i += 1;
            let r = self.not()?;
            l = Self::bin(BinOp::And, l, r);
        }
        Ok(l)
    }

    fn not(&mut self) -> Result<Expr, ParseError> {
        if self.peek_name("not") {
            let start = self.here();
            self.i += 1;
            let e = self.not()?;
            let span = start..e.span.end;
            return Ok(Expr {
                kind: ExprKind::Not(Box::new(e)),
                span,
            });
        }
        self.cmp()
    }

    fn cmp(&mut self) -> Result<Expr, ParseError> {
        let l = self.sum()?;
        let op = match self.peek() {
            Some(Tok::EqEq) => BinOp::Eq,
            Some(Tok::NotEq) => BinOp::Ne,
            Some(Tok::Lt) => BinOp::Lt,
            Some(Tok::Le) => BinOp::Le,
            Some(Tok::Gt) => BinOp::Gt,
            Some(Tok::Ge) => BinOp::Ge,
            Some(Tok::Name(n)) if n == "in" => BinOp::In,
            _ => return Ok(l),
        };
        self.i += 1;
        let r = self.sum()?;
        if matches!(
            self.peek(),
            Some(Tok::EqEq | Tok::NotEq | Tok::Lt | Tok::Le | Tok::Gt | Tok::Ge)
        ) {
            return Err((self.here(), Message::new("std.err.chained_comparison")));
        }
        Ok(Self::bin(op, l, r))
    }

    fn sum(&mut self) -> Result<Expr, ParseError> {
        let mut l = self.product()?;
        loop {
            let op = match self.peek() {
                Some(Tok::Plus) => BinOp::Add,
                Some(Tok::Minus) => BinOp::Sub,
                _ => return Ok(l),
            };
            self.i += 1;
            let r = self.product()?;
            l = Self::bin(op, l, r);
        }
    }

    fn product(&mut self) -> Result<Expr, ParseError> {
        let mut l = self.unary()?;
        loop {
            let op = match self.peek() {
                Some(Tok::Star) => BinOp::Mul,
                Some(Tok::Slash) => BinOp::Div,
                _ => return Ok(l),
            };
            self.i += 1;
            let r = self.unary()?;
            l = Self::bin(op, l, r);
        }
    }

    fn unary(&mut self) -> Result<Expr, ParseError> {
        if self.peek() == Some(&Tok::Minus) {
            let start = self.here();
            self.i += 1;
            let e = self.unary()?;
            let span = start..e.span.end;
            return Ok(Expr {
                kind: ExprKind::Neg(Box::new(e)),
                span,
            });
        }
        let mut e = self.primary()?;
        while self.peek() == Some(&Tok::Dot) {
            self.i += 1;
            match self.peek() {
                Some(Tok::Name(n)) => {
                    let n = n.clone();
                    let (_, s) = self.bump();
                    let span = e.span.start..s.end;
                    e = Expr {
                        kind: ExprKind::Field(Box::new(e), n),
                        span,
                    };
                }
                _ => return Err(self.expected("NAME")),
            }
        }
        Ok(e)
    }

    fn primary(&mut self) -> Result<Expr, ParseError> {
        let Some(t) = self.peek().cloned() else {
            return Err(self.expected("…"));
        };
        let (_, span) = self.bump();
        let kind = match t {
            Tok::Int(i) => ExprKind::Int(i),
            Tok::Percent(n, d) => ExprKind::Percent(n, d),
            Tok::Str(s) => ExprKind::Str(s),
            Tok::Name(n) if n == "true" => ExprKind::Bool(true),
            Tok::Name(n) if n == "false" => ExprKind::Bool(false),
            Tok::Name(n) if is_keyword(&n) => {
                self.i -= 1;
                return Err(self.expected("…"));
            }
            Tok::Name(n) => {
                if self.peek() == Some(&Tok::LParen) {
                    self.i += 1;
                    let mut args = vec![];
                    if self.peek() != Some(&Tok::RParen) {
                        loop {
                            let mut a = self.expr()?;
                            if self.peek_name("where") {
                                self.i += 1;
                                let cond = self.expr()?;
                                let s = a.span.start..cond.span.end;
                                a = Expr {
                                    kind: ExprKind::Where(Box::new(a), Box::new(cond)),
                                    span: s,
                                };
                            }
                            args.push(a);
                            if self.peek() == Some(&Tok::Comma) {
                                self.i += 1;
                            } else {
                                break;
                            }
                        }
                    }
                    self.expect(Tok::RParen)?;
                    return Ok(Expr {
                        kind: ExprKind::Call(n, args),
                        span: span.start..self.prev_end(),
                    });
                }
                ExprKind::Name(n)
            }
            Tok::LBracket => {
                let mut items = vec![];
                if self.peek() != Some(&Tok::RBracket) {
                    loop {
                        items.push(self.expr()?);
                        if self.peek() == Some(&Tok::Comma) {
                            self.i += 1;
                        } else {
                            break;
                        }
                    }
                }
                self.expect(Tok::RBracket)?;
                return Ok(Expr {
                    kind: ExprKind::List(items),
                    span: span.start..self.prev_end(),
                });
            }
            Tok::LParen => {
                let e = self.expr()?;
                self.expect(Tok::RParen)?;
                return Ok(Expr {
                    kind: e.kind,
                    span: span.start..self.prev_end(),
                });
            }
            other => {
                self.i -= 1;
                let _ = other;
                return Err(self.expected("…"));
            }
        };
        Ok(Expr { kind, span })
    }
}

fn is_keyword(n: &str) -> bool {
    matches!(n, "and" | "or" | "not" | "in" | "where")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn p(s: &str) -> Expr {
        parse(s, 0).unwrap_or_else(|e| panic!("{s}: {e:?}"))
    }

    #[test]
    fn precedence_and_spans() {
        let e = p("a + b * 2 >= 70% and not c");
        let ExprKind::Bin(BinOp::And, l, r) = &e.kind else {
            panic!("{e:?}")
        };
        assert!(matches!(r.kind, ExprKind::Not(_)));
        let ExprKind::Bin(BinOp::Ge, sum, pct) = &l.kind else {
            panic!()
        };
        assert_eq!(pct.kind, ExprKind::Percent(70, 100));
        assert_eq!(sum.span, 0..9);
        let ExprKind::Bin(BinOp::Add, _, prod) = &sum.kind else {
            panic!()
        };
        assert!(matches!(prod.kind, ExprKind::Bin(BinOp::Mul, _, _)));
    }

    #[test]
    fn calls_with_where_and_lists() {
        let e = p(
            r#"count(tree(security_events) where category in ["a", "đ"] and date in window) == 0"#,
        );
        let ExprKind::Bin(BinOp::Eq, call, _) = &e.kind else {
            panic!()
        };
        let ExprKind::Call(name, args) = &call.kind else {
            panic!()
        };
        assert_eq!(name, "count");
        assert_eq!(args.len(), 1);
        assert!(matches!(args[0].kind, ExprKind::Where(_, _)));
        assert_eq!(p("2.5%").kind, ExprKind::Percent(25, 1000));
        assert_eq!(p("party_resolution.date").span, 0..21);
        assert_eq!(p("(a)").span, 0..3);
    }

    #[test]
    fn errors_point_at_the_offending_place() {
        let (at, m) = parse("a = 1", 100).unwrap_err();
        assert_eq!(at, 102);
        assert_eq!(m.key, "std.err.single_equals");
        let (at, m) = parse("count(x", 10).unwrap_err();
        assert_eq!(at, 17);
        assert_eq!(m.key, "std.err.expected");
        let (at, _) = parse("a b", 0).unwrap_err();
        assert_eq!(at, 2);
        let (_, m) = parse("1.5 > a", 0).unwrap_err();
        assert_eq!(m.key, "std.err.decimal_needs_percent");
        let (_, m) = parse("\"abc", 0).unwrap_err();
        assert_eq!(m.key, "std.err.unclosed_string");
        let (_, m) = parse("a < b < c", 0).unwrap_err();
        assert_eq!(m.key, "std.err.chained_comparison");
        let (_, m) = parse("   ", 0).unwrap_err();
        assert_eq!(m.key, "std.err.empty_expr");
        assert!(parse("a and", 0).is_err());
        assert!(parse("f(a where)", 0).is_err());
    }

    proptest! {
        // The parser never panics, and errors always point inside (or at the end of) the text.
        #[test]
        fn parser_never_panics(s in "\\PC{0,40}") {
            if let Err((at, _)) = parse(&s, 7) {
                prop_assert!(at >= 7 && at <= 7 + s.len());
            }
        }

        // Printing a generated arithmetic/comparison expression and parsing it gives a tree
        // whose spans cover the whole text.
        #[test]
        fn generated_expressions_parse(
            names in proptest::collection::vec("[a-z][a-z_]{0,6}", 1..6),
            ops in proptest::collection::vec(prop_oneof![Just("+"), Just("-"), Just("*"), Just("and"), Just("or"), Just(">="), Just("==")], 0..5),
        ) {
            let names: Vec<String> = names.into_iter().map(|n| if is_keyword(&n) || n == "true" || n == "false" { format!("{n}_x") } else { n }).collect();
            let mut s = names[0].clone();
            for (i, op) in ops.iter().enumerate() {
                let n = &names[(i + 1) % names.len()];
                s = format!("({s}) {op} {n}");
            }
            let e = parse(&s, 0).unwrap();
            prop_assert_eq!(e.span, 0..s.len());
        }
    }
}
