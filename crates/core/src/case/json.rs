//! A small JSON parser that keeps the byte span of every value and key, so that a case file's
//! problems can be reported at `path:line:column`. Strict RFC 8259: no comments, no trailing
//! commas; duplicate keys are refused.

use std::borrow::Cow;
use std::ops::Range;

use crate::diag::Message;

/// A JSON value with its span in the text; strings without escapes borrow from the text.
#[derive(Clone, Debug, PartialEq)]
pub struct Json<'a> {
    pub kind: JsonKind<'a>,
    pub span: Range<usize>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum JsonKind<'a> {
    Null,
    Bool(bool),
    /// The number as written (validated JSON number syntax).
    Number(&'a str),
    String(Cow<'a, str>),
    Array(Vec<Json<'a>>),
    /// Members in the order written: (key, key span, value).
    Object(Vec<(Cow<'a, str>, Range<usize>, Json<'a>)>),
}

impl<'a> Json<'a> {
    /// The member `key` of an object.
    pub fn get(&self, key: &str) -> Option<&Json<'a>> {
        match &self.kind {
            JsonKind::Object(m) => m.iter().find(|(k, _, _)| k == key).map(|(_, _, v)| v),
            _ => None,
        }
    }

    /// Locale key of this value's kind, for "expected …, found …" messages.
    pub fn kind_key(&self) -> &'static str {
        match self.kind {
            JsonKind::Null => "case.json.null",
            JsonKind::Bool(_) => "case.json.bool",
            JsonKind::Number(_) => "case.json.number",
            JsonKind::String(_) => "case.json.string",
            JsonKind::Array(_) => "case.json.array",
            JsonKind::Object(_) => "case.json.object",
        }
    }
}

/// A parse error: byte offset and message.
pub type JsonError = (usize, Message);

const MAX_DEPTH: usize = 128;

/// Parses a whole document.
pub fn parse(text: &str) -> Result<Json<'_>, JsonError> {
    let mut p = P {
        s: text.as_bytes(),
        text,
        i: 0,
        depth: 0,
    };
    p.ws();
    let v = p.value()?;
    p.ws();
    if p.i < p.s.len() {
        return Err((p.i, Message::new("case.json.trailing")));
    }
    Ok(v)
}

struct P<'a> {
    s: &'a [u8],
    text: &'a str,
    i: usize,
    depth: usize,
}

impl<'a> P<'a> {
    fn ws(&mut self) {
        while self.i < self.s.len() && matches!(self.s[self.i], b' ' | b'\t' | b'\n' | b'\r') {
            self.i += 1;
        }
    }

    fn err(&self, key: &'static str) -> JsonError {
        (self.i, Message::new(key))
    }

    fn found(&self) -> String {
        self.text[self.i..]
            .chars()
            .next()
            .map_or_else(|| "∅".to_owned(), |c| c.to_string())
    }

    fn expected(&self, what: &str) -> JsonError {
        (
            self.i,
            Message::new("case.json.expected")
                .arg("expected", what)
                .arg("found", self.found()),
        )
    }

    fn value(&mut self) -> Result<Json<'a>, JsonError> {
        let start = self.i;
        let Some(&c) = self.s.get(self.i) else {
            return Err(self.err("case.json.eof"));
        };
        let kind = match c {
            b'{' => return self.object(),
            b'[' => return self.array(),
            b'"' => JsonKind::String(self.string()?),
            b't' => self.word("true", JsonKind::Bool(true))?,
            b'f' => self.word("false", JsonKind::Bool(false))?,
            b'n' => self.word("null", JsonKind::Null)?,
            b'-' | b'0'..=b'9' => JsonKind::Number(self.number()?),
            _ => return Err(self.expected("{ [ \" true false null 0-9")),
        };
        Ok(Json {
            kind,
            span: start..self.i,
        })
    }

    fn word(&mut self, w: &str, kind: JsonKind<'a>) -> Result<JsonKind<'a>, JsonError> {
        if self.s[self.i..].starts_with(w.as_bytes()) {
            self.i += w.len();
            Ok(kind)
        } else {
            Err(self.expected(w))
        }
    }

    fn number(&mut self) -> Result<&'a str, JsonError> {
        let start = self.i;
        let digits = |p: &mut Self| {
            let s = p.i;
            while p.i < p.s.len() && p.s[p.i].is_ascii_digit() {
                p.i += 1;
            }
            p.i > s
        };
        if self.s[self.i] == b'-' {
            self.i += 1;
        }
        if self.s.get(self.i) == Some(&b'0') {
            self.i += 1;
        } else if !digits(self) {
            return Err(self.err("case.json.bad_number"));
        }
        if self.s.get(self.i) == Some(&b'.') {
            self.i += 1;
            if !digits(self) {
                return Err(self.err("case.json.bad_number"));
            }
        }
        if matches!(self.s.get(self.i), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.s.get(self.i), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if !digits(self) {
                return Err(self.err("case.json.bad_number"));
            }
        }
        Ok(&self.text[start..self.i])
    }

    fn string(&mut self) -> Result<Cow<'a, str>, JsonError> {
        let start = self.i;
        self.i += 1;
        // fast path: no escape before the closing quote → borrow
        let body = self.i;
        while let Some(&c) = self.s.get(self.i) {
            match c {
                b'"' => {
                    self.i += 1;
                    return Ok(Cow::Borrowed(&self.text[body..self.i - 1]));
                }
                b'\\' | 0..=0x1f => break,
                _ => self.i += 1,
            }
        }
        let mut out = self.text[body..self.i].to_owned();
        loop {
            let Some(&c) = self.s.get(self.i) else {
                return Err((start, Message::new("case.json.unclosed_string")));
            };
            match c {
                b'"' => {
                    self.i += 1;
                    return Ok(Cow::Owned(out));
                }
                b'\\' => {
                    self.i += 1;
                    let Some(&e) = self.s.get(self.i) else {
                        return Err((start, Message::new("case.json.unclosed_string")));
                    };
                    self.i += 1;
                    match e {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let hi = self.hex4()?;
                            let ch = if (0xD800..0xDC00).contains(&hi) {
                                if !self.s[self.i..].starts_with(b"\\u") {
                                    return Err(self.err("case.json.bad_escape"));
                                }
                                self.i += 2;
                                let lo = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&lo) {
                                    return Err(self.err("case.json.bad_escape"));
                                }
                                char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
                            } else {
                                char::from_u32(hi)
                            };
                            match ch {
                                Some(ch) => out.push(ch),
                                None => return Err(self.err("case.json.bad_escape")),
                            }
                        }
                        _ => return Err((self.i - 2, Message::new("case.json.bad_escape"))),
                    }
                }
                0..=0x1f => return Err(self.err("case.json.control_char")),
                _ => {
                    // copy one UTF-8 character
                    let ch = self.text[self.i..].chars().next().expect("inside the text");
                    out.push(ch);
                    self.i += ch.len_utf8();
                }
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let h = self
            .text
            .get(self.i..self.i + 4)
            .filter(|h| h.chars().all(|c| c.is_ascii_hexdigit()))
            .ok_or_else(|| self.err("case.json.bad_escape"))?;
        self.i += 4;
        Ok(u32::from_str_radix(h, 16).expect("hex digits"))
    }

    fn enter(&mut self) -> Result<(), JsonError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.err("case.json.too_deep"));
        }
        Ok(())
    }

    fn array(&mut self) -> Result<Json<'a>, JsonError> {
        let start = self.i;
        self.enter()?;
        self.i += 1;
        let mut items = vec![];
        self.ws();
        if self.s.get(self.i) == Some(&b']') {
            self.i += 1;
        } else {
            loop {
                self.ws();
                items.push(self.value()?);
                self.ws();
                match self.s.get(self.i) {
                    Some(b',') => self.i += 1,
                    Some(b']') => {
                        self.i += 1;
                        break;
                    }
                    _ => return Err(self.expected(", ]")),
                }
            }
        }
        self.depth -= 1;
        Ok(Json {
            kind: JsonKind::Array(items),
            span: start..self.i,
        })
    }

    fn object(&mut self) -> Result<Json<'a>, JsonError> {
        let start = self.i;
        self.enter()?;
        self.i += 1;
        let mut members: Vec<(Cow<'a, str>, Range<usize>, Json<'a>)> = vec![];
        self.ws();
        if self.s.get(self.i) == Some(&b'}') {
            self.i += 1;
        } else {
            loop {
                self.ws();
                if self.s.get(self.i) != Some(&b'"') {
                    return Err(self.expected("\""));
                }
                let ks = self.i;
                let key = self.string()?;
                let kspan = ks..self.i;
                if members.iter().any(|(k, _, _)| *k == key) {
                    return Err((
                        ks,
                        Message::new("case.json.duplicate_key").arg("name", key.as_ref()),
                    ));
                }
                self.ws();
                if self.s.get(self.i) != Some(&b':') {
                    return Err(self.expected(":"));
                }
                self.i += 1;
                self.ws();
                let v = self.value()?;
                members.push((key, kspan, v));
                self.ws();
                match self.s.get(self.i) {
                    Some(b',') => self.i += 1,
                    Some(b'}') => {
                        self.i += 1;
                        break;
                    }
                    _ => return Err(self.expected(", }")),
                }
            }
        }
        self.depth -= 1;
        Ok(Json {
            kind: JsonKind::Object(members),
            span: start..self.i,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The same value as serde_json's, spans aside.
    fn same(a: &Json, b: &serde_json::Value) -> bool {
        match (&a.kind, b) {
            (JsonKind::Null, serde_json::Value::Null) => true,
            (JsonKind::Bool(x), serde_json::Value::Bool(y)) => x == y,
            (JsonKind::Number(x), serde_json::Value::Number(y)) => {
                x.parse::<f64>().ok() == y.as_f64()
            }
            (JsonKind::String(x), serde_json::Value::String(y)) => x.as_ref() == y.as_str(),
            (JsonKind::Array(x), serde_json::Value::Array(y)) => {
                x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
            }
            (JsonKind::Object(x), serde_json::Value::Object(y)) => {
                x.len() == y.len()
                    && x.iter()
                        .all(|(k, _, v)| y.get(k.as_ref()).is_some_and(|w| same(v, w)))
            }
            _ => false,
        }
    }

    #[test]
    fn spans_point_at_values_and_keys() {
        let t = r#"{ "a": [1, "xã"], "b": null }"#;
        let j = parse(t).unwrap();
        let JsonKind::Object(m) = &j.kind else {
            panic!()
        };
        assert_eq!(&t[m[0].1.clone()], "\"a\"");
        assert_eq!(&t[m[0].2.span.clone()], "[1, \"xã\"]");
        assert_eq!(&t[m[1].2.span.clone()], "null");
        assert_eq!(j.get("b").unwrap().kind, JsonKind::Null);
    }

    #[test]
    fn errors_are_placed() {
        let (at, m) = parse("{\"a\": 1,}").unwrap_err();
        assert_eq!((at, m.key), (8, "case.json.expected"));
        let (at, m) = parse("{\"a\": 1, \"a\": 2}").unwrap_err();
        assert_eq!((at, m.key), (9, "case.json.duplicate_key"));
        let (_, m) = parse("[01]").unwrap_err();
        assert_eq!(m.key, "case.json.expected");
        let (_, m) = parse("\"abc").unwrap_err();
        assert_eq!(m.key, "case.json.unclosed_string");
        let (_, m) = parse("1 2").unwrap_err();
        assert_eq!(m.key, "case.json.trailing");
        let deep = "[".repeat(1000);
        let (_, m) = parse(&deep).unwrap_err();
        assert_eq!(m.key, "case.json.too_deep");
        assert_eq!(
            parse(r#""\ud83d\ude00 \u0110""#).unwrap().kind,
            JsonKind::String("😀 Đ".into())
        );
    }

    fn arb_json() -> impl Strategy<Value = serde_json::Value> {
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::Bool),
            any::<i64>().prop_map(|i| serde_json::json!(i)),
            "\\PC{0,12}".prop_map(serde_json::Value::String),
        ];
        leaf.prop_recursive(4, 32, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::Array),
                proptest::collection::btree_map("[a-zđ_]{1,6}", inner, 0..6)
                    .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        // Whatever serde_json writes, we read back to the same value.
        #[test]
        fn reads_what_serde_json_writes(v in arb_json(), pretty in any::<bool>()) {
            let text = if pretty { serde_json::to_string_pretty(&v).unwrap() } else { v.to_string() };
            let j = parse(&text).unwrap();
            prop_assert!(same(&j, &v));
            prop_assert_eq!(j.span, 0..text.len());
        }

        // Arbitrary text never panics and errors stay inside the text.
        #[test]
        fn never_panics(s in "\\PC{0,60}") {
            if let Err((at, _)) = parse(&s) {
                prop_assert!(at <= s.len());
            }
        }

        // Agrees with serde_json on accepting or refusing mangled JSON.
        #[test]
        fn agrees_with_serde_json(v in arb_json(), cut in 0usize..200, junk in "[\\[\\]{}:,\"a0 ]{0,3}") {
            let text = v.to_string();
            let cut = cut.min(text.len());
            let mut mangled = text[..text.floor_char_boundary(cut)].to_owned();
            mangled.push_str(&junk);
            let ours = parse(&mangled).is_ok();
            let theirs = serde_json::from_str::<serde_json::Value>(&mangled).is_ok();
            prop_assert_eq!(ours, theirs, "{}", mangled);
        }
    }
}
