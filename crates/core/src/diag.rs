//! Diagnostics for files people write by hand (standard files, the fact catalogue, case files):
//! where the problem is (`path:line:column`) and what is expected, Vietnamese first.
//!
//! A [`Diagnostic`] keeps a locale key and its arguments, so the same error can be shown in
//! Vietnamese or English; the texts live in `locales/standards.yml`.

use std::fmt;

use serde::Serialize;

/// A file given to a loader: its path (only used in messages) and its text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceFile {
    pub path: String,
    pub text: String,
}

impl SourceFile {
    pub fn new(path: impl Into<String>, text: impl Into<String>) -> SourceFile {
        SourceFile {
            path: path.into(),
            text: text.into(),
        }
    }

    /// The line and column (both 1-based; the column counts characters) of a byte offset.
    pub fn location(&self, offset: usize) -> Location {
        location_in(&self.path, &self.text, offset)
    }
}

/// Line and column of a byte offset in `text` (1-based; columns count characters).
pub fn location_in(path: &str, text: &str, offset: usize) -> Location {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = text[line_start..offset].chars().count() + 1;
    Location {
        path: path.to_owned(),
        line: line as u32,
        column: column as u32,
    }
}

/// A place in a file.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Location {
    pub path: String,
    pub line: u32,
    pub column: u32,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.path, self.line, self.column)
    }
}

/// An argument of a message: plain text, or a locale key translated when the message is shown
/// (type names, unit kinds…).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Arg {
    Text(String),
    Key(&'static str),
}

impl From<String> for Arg {
    fn from(s: String) -> Arg {
        Arg::Text(s)
    }
}

impl From<&str> for Arg {
    fn from(s: &str) -> Arg {
        Arg::Text(s.to_owned())
    }
}

/// A translatable message: a key of `locales/standards.yml` and named arguments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    pub key: &'static str,
    pub args: Vec<(&'static str, Arg)>,
}

impl Message {
    pub fn new(key: &'static str) -> Message {
        Message { key, args: vec![] }
    }

    pub fn arg(mut self, name: &'static str, value: impl Into<Arg>) -> Message {
        self.args.push((name, value.into()));
        self
    }

    /// The message in `locale` ("vi" or "en").
    pub fn render(&self, locale: &str) -> String {
        let args: Vec<(&str, String)> = self
            .args
            .iter()
            .map(|(n, a)| {
                let v = match a {
                    Arg::Text(s) => s.clone(),
                    Arg::Key(k) => tr(locale, k, &[]),
                };
                (*n, v)
            })
            .collect();
        tr(locale, self.key, &args)
    }
}

/// One problem found in a file, with its place when it has one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub location: Option<Location>,
    pub message: Message,
}

impl Diagnostic {
    pub fn at(location: Location, message: Message) -> Diagnostic {
        Diagnostic {
            location: Some(location),
            message,
        }
    }

    pub fn global(message: Message) -> Diagnostic {
        Diagnostic {
            location: None,
            message,
        }
    }

    /// `path:line:column: message` in `locale`.
    pub fn render(&self, locale: &str) -> String {
        match &self.location {
            Some(l) => format!("{l}: {}", self.message.render(locale)),
            None => self.message.render(locale),
        }
    }
}

/// Renders a list of diagnostics, one per line.
pub fn render_all(diags: &[Diagnostic], locale: &str) -> String {
    diags
        .iter()
        .map(|d| d.render(locale))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Translates `key` into `locale` and fills `%{name}` placeholders.
pub fn tr(locale: &str, key: &str, args: &[(&str, String)]) -> String {
    let text = rust_i18n::t!(key, locale = locale).into_owned();
    if args.is_empty() {
        return text;
    }
    let names: Vec<&str> = args.iter().map(|(n, _)| *n).collect();
    let values: Vec<String> = args.iter().map(|(_, v)| v.clone()).collect();
    rust_i18n::replace_patterns(&text, &names, &values)
}

/// A text in both product languages.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct I18nText {
    pub vi: String,
    pub en: String,
}

impl I18nText {
    pub fn new(vi: impl Into<String>, en: impl Into<String>) -> I18nText {
        I18nText {
            vi: vi.into(),
            en: en.into(),
        }
    }

    /// The text in `locale`; anything but "en" gives Vietnamese.
    pub fn get(&self, locale: &str) -> &str {
        if locale == "en" { &self.en } else { &self.vi }
    }

    /// Both languages from one locale key.
    pub fn from_key(key: &str, args: &[(&str, String)]) -> I18nText {
        I18nText {
            vi: tr("vi", key, args),
            en: tr("en", key, args),
        }
    }
}

/// The closest candidate to a misspelt name, for "did you mean …?" hints.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        let d = edit_distance(name, c);
        if d <= name.chars().count().max(3) / 3 + 1 && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_count_characters_not_bytes() {
        let f = SourceFile::new("a.toml", "id = \"xã\"\nđ = 1\n");
        assert_eq!(f.location(0).to_string(), "a.toml:1:1");
        let off = f.text.find("đ =").unwrap();
        assert_eq!(f.location(off).to_string(), "a.toml:2:1");
        let off = f.text.find("= 1").unwrap();
        assert_eq!(f.location(off).to_string(), "a.toml:2:3");
        // past the end is clamped
        assert_eq!(f.location(10_000).line, 3);
    }

    #[test]
    fn closest_suggests_a_near_name() {
        let names = ["households_resident", "households_registered", "models"];
        assert_eq!(
            closest("household_resident", names),
            Some("households_resident")
        );
        assert_eq!(closest("zzzzzz", names), None);
    }

    #[test]
    fn messages_render_in_both_languages() {
        let m = Message::new("std.err.unknown_fact").arg("name", "abc");
        let vi = m.render("vi");
        let en = m.render("en");
        assert!(vi.contains("abc") && en.contains("abc"));
        assert_ne!(vi, en);
        assert!(!vi.contains("%{"));
    }
}
