//! The registry: every standard version, the fact catalogue and the legal sources, loaded and
//! checked together. Loading refuses, with `path:line:column`, syntax errors, unknown facts, type
//! errors, cycles between standards and versions that overlap in time; a [`RegistryHandle`] keeps
//! the last valid registry when a reload fails.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, OnceLock, RwLock};

use toml::Spanned;

use crate::catalogue::{self, Catalogue, FieldType, RECOGNITIONS, is_identifier, parse_kind};
use crate::diag::{Diagnostic, I18nText, Location, Message, SourceFile, closest};
use crate::fact::{UnitInput, UnitRef};
use crate::units::{UnitKind, Validity};

use super::check::{C, Checker, Env, RecognitionSchema, Template};
use super::eval::Session;
use super::file::{
    CitationDoc, FileDoc, ParamDoc, RuleDoc, StandardDoc, loc, parse_file, toml_date,
};
use super::model::{
    Citation, Confidence, DatedValue, Jurisdiction, LegalSource, Local, Param, ParamType,
    ParamValue, Purpose, Rule, RuleKind, StdIx, Version, Window,
};
use super::trace::Evaluation;

/// All standards, the catalogue and the legal sources.
#[derive(Debug)]
pub struct Registry {
    catalogue: Catalogue,
    sources: Vec<LegalSource>,
    ids: Vec<String>,
    id_ix: HashMap<String, StdIx>,
    versions: Vec<Version>,
    by_ix: Vec<Vec<usize>>,
    recognitions: Option<RecognitionSchema>,
    files: Vec<String>,
    build_id: u64,
}

/// Why a standard could not be evaluated for a unit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EvalError {
    UnknownStandard { id: String, hint: Option<String> },
    NotForKind { id: String, kind: UnitKind },
    NoVersion { id: String, year: i32 },
}

impl EvalError {
    pub fn message(&self) -> Message {
        match self {
            EvalError::UnknownStandard { id, hint } => Message::new("std.err.unknown_standard")
                .arg("name", id.as_str())
                .arg("hint", hint.clone().unwrap_or_default()),
            EvalError::NotForKind { id, kind } => Message::new("std.err.not_for_kind")
                .arg("name", id.as_str())
                .arg("kind", kind.as_str()),
            EvalError::NoVersion { id, year } => Message::new("std.err.no_version")
                .arg("name", id.as_str())
                .arg("year", year.to_string()),
        }
    }
}

/// A rule that reads a field, for the catalogue's help.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct RuleRef {
    pub standard: String,
    pub version: u32,
    pub jurisdiction: String,
    pub rule: String,
    pub title: I18nText,
}

impl Registry {
    /// The built-in standards, catalogue and sources (embedded in the binary).
    pub fn builtin() -> &'static Registry {
        static REG: OnceLock<Registry> = OnceLock::new();
        REG.get_or_init(|| {
            Registry::load(&super::builtin::files()).unwrap_or_else(|e| {
                panic!(
                    "the built-in standards are invalid:\n{}",
                    crate::diag::render_all(&e, "en")
                )
            })
        })
    }

    /// The built-ins plus extra files (e.g. a province's directory), validated together.
    pub fn with_builtin(extra: &[SourceFile]) -> Result<Registry, Vec<Diagnostic>> {
        let mut files = super::builtin::files();
        files.extend_from_slice(extra);
        Registry::load(&files)
    }

    /// Loads and checks a set of files. All problems are reported, each with its place.
    pub fn load(files: &[SourceFile]) -> Result<Registry, Vec<Diagnostic>> {
        let mut errors = vec![];
        let mut parsed: Vec<(&SourceFile, FileDoc)> = vec![];
        for f in files {
            match parse_file(f) {
                Ok(d) => parsed.push((f, d)),
                Err(e) => errors.push(e),
            }
        }
        let docs: Vec<(&SourceFile, &FileDoc)> = parsed.iter().map(|(f, d)| (*f, d)).collect();
        let sources = load_sources(&docs, &mut errors);
        let (catalogue, cat_errors) = Catalogue::build_partial(&docs);
        errors.extend(cat_errors);
        let recognitions = recognition_schema(&catalogue, &docs, &mut errors);
        let mut headers = vec![];
        for (f, d) in &docs {
            match &d.standard {
                Some(s) => {
                    if let Some(h) = header(f, s, &sources, &mut errors) {
                        headers.push((*f, *d, h));
                    }
                }
                None => {
                    if let Some(r) = d.rules.first() {
                        errors.push(Diagnostic::at(
                            loc(f, r.span()),
                            Message::new("std.err.rules_without_standard"),
                        ));
                    } else if let Some(p) = d.parameters.first() {
                        errors.push(Diagnostic::at(
                            loc(f, p.span()),
                            Message::new("std.err.rules_without_standard"),
                        ));
                    }
                }
            }
        }
        let mut ids: Vec<String> = vec![];
        let mut id_ix: HashMap<String, StdIx> = HashMap::new();
        for (_, _, h) in &headers {
            if !id_ix.contains_key(&h.id) {
                id_ix.insert(h.id.clone(), StdIx(ids.len() as u32));
                ids.push(h.id.clone());
            }
        }
        check_overlaps(&headers, &mut errors);
        let recognition_ids: HashSet<String> = catalogue
            .recognition_kinds()
            .iter()
            .map(|k| k.id.clone())
            .collect();
        let world = World {
            catalogue: &catalogue,
            sources: &sources,
            ids: &id_ix,
            recognition_ids: &recognition_ids,
            recognitions,
        };
        let mut versions: Vec<Version> = vec![];
        // national versions and provincial standards that extend nothing
        for (f, d, h) in headers.iter().filter(|(_, _, h)| h.extends.is_none()) {
            if let Some(v) = world.version(f, d, h, None, &mut errors) {
                versions.push(v);
            }
        }
        // extensions, merged with each national version of their base they overlap
        let base_count = versions.len();
        for (f, d, h) in headers.iter().filter(|(_, _, h)| h.extends.is_some()) {
            let (base_id, base_span) = h.extends.clone().expect("filtered");
            let bases: Vec<&Version> = versions[..base_count]
                .iter()
                .filter(|v| v.id == base_id && v.jurisdiction == Jurisdiction::National)
                .collect();
            if bases.is_empty() {
                let hint = closest(&base_id, ids.iter().map(String::as_str))
                    .unwrap_or("")
                    .to_owned();
                errors.push(Diagnostic::at(
                    loc(f, base_span),
                    Message::new("std.err.unknown_base")
                        .arg("name", base_id)
                        .arg("hint", hint),
                ));
                continue;
            }
            let overlapping: Vec<Version> = bases
                .into_iter()
                .filter(|b| b.validity.overlaps(&h.validity))
                .cloned()
                .collect();
            if overlapping.is_empty() {
                errors.push(Diagnostic::at(
                    h.location.clone(),
                    Message::new("std.err.base_not_in_force").arg("name", base_id),
                ));
                continue;
            }
            for b in &overlapping {
                if let Some(v) = world.version(f, d, h, Some(b), &mut errors) {
                    versions.push(v);
                }
            }
        }
        check_cycles(&versions, &ids, &mut errors);
        if !errors.is_empty() {
            errors.sort_by(|a, b| a.location.cmp(&b.location));
            errors.dedup();
            return Err(errors);
        }
        let mut by_ix = vec![vec![]; ids.len()];
        for (i, v) in versions.iter().enumerate() {
            by_ix[v.ix.0 as usize].push(i);
        }
        for list in &mut by_ix {
            list.sort_by_key(|i| {
                (
                    versions[*i].jurisdiction.clone(),
                    versions[*i].validity.from,
                )
            });
        }
        Ok(Registry {
            catalogue,
            sources,
            ids,
            id_ix,
            versions,
            by_ix,
            recognitions,
            files: files.iter().map(|f| f.path.clone()).collect(),
            build_id: crate::build_id(),
        })
    }

    /// This registry's identity in the process (a reloaded registry has another): results
    /// memoised from its verdicts are keyed by it.
    pub fn build_id(&self) -> u64 {
        self.build_id
    }

    pub fn catalogue(&self) -> &Catalogue {
        &self.catalogue
    }

    pub fn sources(&self) -> &[LegalSource] {
        &self.sources
    }

    /// A legal source by document number.
    pub fn source(&self, number: &str) -> Option<&LegalSource> {
        self.sources.iter().find(|s| s.number == number)
    }

    /// The paths of the files loaded.
    pub fn files(&self) -> &[String] {
        &self.files
    }

    /// Every standard id, in load order.
    pub fn standard_ids(&self) -> &[String] {
        &self.ids
    }

    pub(crate) fn standard_id(&self, ix: StdIx) -> &str {
        &self.ids[ix.0 as usize]
    }

    pub(crate) fn recognition_schema(&self) -> Option<RecognitionSchema> {
        self.recognitions
    }

    /// Every version (a province's extension appears once per national version it is merged with).
    pub fn versions(&self) -> &[Version] {
        &self.versions
    }

    /// The versions of one standard id.
    pub fn versions_of(&self, id: &str) -> Vec<&Version> {
        self.id_ix
            .get(id)
            .map(|ix| {
                self.by_ix[ix.0 as usize]
                    .iter()
                    .map(|i| &self.versions[*i])
                    .collect()
            })
            .unwrap_or_default()
    }

    pub(crate) fn resolve_ix(&self, ix: StdIx, unit: &UnitRef, year: i32) -> Option<&Version> {
        let candidates = || {
            self.by_ix[ix.0 as usize]
                .iter()
                .map(|i| &self.versions[*i])
                .filter(|v| v.applies_to.contains(&unit.kind) && v.covers_year(year))
        };
        let provincial = unit.province.as_deref().and_then(|p| {
            candidates().find(|v| matches!(&v.jurisdiction, Jurisdiction::Province(c) if c == p))
        });
        provincial.or_else(|| candidates().find(|v| v.jurisdiction == Jurisdiction::National))
    }

    /// Whether standard `id` exists (else the error, with the closest known id as a hint).
    pub fn known(&self, id: &str) -> Result<(), EvalError> {
        self.ix_of(id).map(|_| ())
    }

    fn ix_of(&self, id: &str) -> Result<StdIx, EvalError> {
        self.id_ix
            .get(id)
            .copied()
            .ok_or_else(|| EvalError::UnknownStandard {
                id: id.to_owned(),
                hint: closest(id, self.ids.iter().map(String::as_str)).map(str::to_owned),
            })
    }

    /// The version of standard `id` that judges `unit` in `year`: the unit's province's own
    /// version when there is one, else the national one.
    pub fn resolve(&self, id: &str, unit: &UnitRef, year: i32) -> Result<&Version, EvalError> {
        let ix = &self.ix_of(id)?;
        if let Some(v) = self.resolve_ix(*ix, unit, year) {
            return Ok(v);
        }
        let for_kind = self.by_ix[ix.0 as usize]
            .iter()
            .any(|i| self.versions[*i].applies_to.contains(&unit.kind));
        if for_kind {
            Err(EvalError::NoVersion {
                id: id.to_owned(),
                year,
            })
        } else {
            Err(EvalError::NotForKind {
                id: id.to_owned(),
                kind: unit.kind,
            })
        }
    }

    /// The standards that judge a unit in a year.
    pub fn applicable(&self, unit: &UnitRef, year: i32) -> Vec<&Version> {
        (0..self.ids.len())
            .filter_map(|i| self.resolve_ix(StdIx(i as u32), unit, year))
            .collect()
    }

    /// Evaluates one standard for a unit; `explain` adds sentences, the trace and the
    /// explained evaluations of the other standards the rules relied on.
    pub fn evaluate(
        &self,
        input: &UnitInput,
        year: i32,
        id: &str,
        explain: bool,
    ) -> Result<Evaluation, EvalError> {
        let version = self.resolve(id, &input.unit, year)?;
        let mut session = Session::new(self, year);
        let mut e = session.run(input, version, explain);
        e.related = session.nested.drain(..).map(|(_, e)| e).collect();
        Ok(e)
    }

    /// Evaluates every applicable standard for a unit.
    pub fn evaluate_all(&self, input: &UnitInput, year: i32, explain: bool) -> Vec<Evaluation> {
        let mut session = Session::new(self, year);
        self.applicable(&input.unit, year)
            .into_iter()
            .map(|v| {
                let mut e = session.run(input, v, explain);
                e.related = session.nested.drain(..).map(|(_, e)| e).collect();
                e
            })
            .collect()
    }

    /// The rules that read a catalogue field (for the field's help).
    pub fn rules_using(&self, key: &str) -> Vec<RuleRef> {
        let Some(field) = self.catalogue.field(key) else {
            return vec![];
        };
        let mut out: Vec<RuleRef> = vec![];
        for v in &self.versions {
            for r in &v.rules {
                if r.fields_used.contains(&field.id) {
                    let rr = RuleRef {
                        standard: v.id.clone(),
                        version: v.version,
                        jurisdiction: v.jurisdiction.as_str().to_owned(),
                        rule: r.id.clone(),
                        title: r.title.clone(),
                    };
                    if !out.contains(&rr) {
                        out.push(rr);
                    }
                }
            }
        }
        out
    }

    /// A field's help for a unit kind and year, followed by the rules that use it.
    pub fn field_help(&self, key: &str, kind: UnitKind, year: i32, locale: &str) -> Option<String> {
        let v = self.catalogue.version_for(key, kind, year)?;
        let mut s = v.help.get(locale).to_owned();
        let used: Vec<String> = self
            .rules_using(key)
            .into_iter()
            .filter(|r| {
                self.versions_of(&r.standard).iter().any(|x| {
                    x.version == r.version && x.applies_to.contains(&kind) && x.covers_year(year)
                })
            })
            .map(|r| format!("{} {} ({})", r.standard, r.rule, r.title.get(locale)))
            .collect();
        if !used.is_empty() {
            s.push(' ');
            s.push_str(&crate::diag::tr(
                locale,
                "std.catalogue.used_by",
                &[("list", used.join("; "))],
            ));
        }
        Some(s)
    }
}

/// Holds the registry a running server uses; a failed reload keeps the last valid one.
pub struct RegistryHandle {
    current: RwLock<Arc<Registry>>,
}

impl RegistryHandle {
    pub fn new(reg: Registry) -> RegistryHandle {
        RegistryHandle {
            current: RwLock::new(Arc::new(reg)),
        }
    }

    pub fn get(&self) -> Arc<Registry> {
        self.current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Loads the built-ins plus `extra`; on success replaces the registry, on failure keeps
    /// the current one and returns the problems.
    pub fn reload(&self, extra: &[SourceFile]) -> Result<(), Vec<Diagnostic>> {
        let reg = Registry::with_builtin(extra)?;
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(reg);
        Ok(())
    }
}

fn load_sources(
    docs: &[(&SourceFile, &FileDoc)],
    errors: &mut Vec<Diagnostic>,
) -> Vec<LegalSource> {
    let mut out: Vec<LegalSource> = vec![];
    for (f, d) in docs {
        for s in &d.sources {
            let s = s.get_ref();
            if out.iter().any(|o| o.number == *s.number.get_ref()) {
                errors.push(Diagnostic::at(
                    loc(f, s.number.span()),
                    Message::new("std.err.duplicate").arg("name", s.number.get_ref().as_str()),
                ));
                continue;
            }
            let date = |d: &Option<Spanned<toml::value::Datetime>>,
                        errors: &mut Vec<Diagnostic>| {
                d.as_ref()
                    .and_then(|d| toml_date(f, d).map_err(|e| errors.push(e)).ok())
            };
            out.push(LegalSource {
                number: s.number.get_ref().clone(),
                title: s.title.clone(),
                issued: date(&s.issued, errors),
                effective: date(&s.effective, errors),
                url: s.url.clone(),
                note: s.note.clone(),
            });
        }
    }
    out
}

/// Finds the `recognitions` list and the indexes of its `standard`, `year` and `revoked` fields.
fn recognition_schema(
    cat: &Catalogue,
    docs: &[(&SourceFile, &FileDoc)],
    errors: &mut Vec<Diagnostic>,
) -> Option<RecognitionSchema> {
    let field = cat.field(RECOGNITIONS)?;
    let ok = match &field.ty {
        FieldType::List { record } => {
            let ix = |k: &str, t: FieldType| {
                record
                    .index(k)
                    .filter(|i| record.fields[*i].ty == t)
                    .map(|i| i as u16)
            };
            match (ix("standard", FieldType::Text), ix("year", FieldType::Int)) {
                (Some(standard), Some(year)) => Some(RecognitionSchema {
                    field: field.id,
                    standard,
                    year,
                    revoked: ix("revoked", FieldType::Bool),
                }),
                _ => None,
            }
        }
        _ => None,
    };
    if ok.is_none() {
        let location = field.versions[0].location.clone();
        let _ = docs;
        errors.push(Diagnostic::at(
            location,
            Message::new("std.err.recognitions_shape"),
        ));
    }
    ok
}

/// A standard's identity and frame, checked.
struct Header {
    id: String,
    version: u32,
    name: I18nText,
    applies_to: Vec<UnitKind>,
    jurisdiction: Jurisdiction,
    extends: Option<(String, std::ops::Range<usize>)>,
    validity: Validity,
    window: Window,
    purpose: Purpose,
    legal_basis: Vec<Citation>,
    note: Option<I18nText>,
    location: Location,
}

fn citation(
    f: &SourceFile,
    c: &CitationDoc,
    sources: &[LegalSource],
    errors: &mut Vec<Diagnostic>,
) -> Citation {
    let doc = c.document.get_ref();
    if !sources.iter().any(|s| s.number == *doc) {
        let hint = closest(doc, sources.iter().map(|s| s.number.as_str()))
            .unwrap_or("")
            .to_owned();
        errors.push(Diagnostic::at(
            loc(f, c.document.span()),
            Message::new("std.err.unknown_source")
                .arg("name", doc.as_str())
                .arg("hint", hint),
        ));
    }
    Citation {
        document: doc.clone(),
        article: c.article.as_ref().map(|a| a.text()),
        clause: c.clause.as_ref().map(|a| a.text()),
        point: c.point.clone(),
        section: c.section.clone(),
    }
}

fn header(
    f: &SourceFile,
    s: &Spanned<StandardDoc>,
    sources: &[LegalSource],
    errors: &mut Vec<Diagnostic>,
) -> Option<Header> {
    let before = errors.len();
    let d = s.get_ref();
    let location = loc(f, s.span());
    let id = d.id.get_ref().clone();
    if !is_standard_id(&id) {
        errors.push(Diagnostic::at(
            loc(f, d.id.span()),
            Message::new("std.err.bad_standard_id").arg("name", id.as_str()),
        ));
    }
    let mut applies_to = vec![];
    for k in d.applies_to.get_ref() {
        match parse_kind(f, k) {
            Ok(k) if !applies_to.contains(&k) => applies_to.push(k),
            Ok(_) => {}
            Err(e) => errors.push(e),
        }
    }
    if applies_to.is_empty() && errors.len() == before {
        errors.push(Diagnostic::at(
            loc(f, d.applies_to.span()),
            Message::new("std.err.empty_kinds"),
        ));
    }
    let jurisdiction = match d.jurisdiction.get_ref().as_str() {
        "national" => Jurisdiction::National,
        p if p.len() == 2 && p.chars().all(|c| c.is_ascii_digit()) => {
            Jurisdiction::Province(p.to_owned())
        }
        p => {
            errors.push(Diagnostic::at(
                loc(f, d.jurisdiction.span()),
                Message::new("std.err.bad_jurisdiction").arg("name", p),
            ));
            Jurisdiction::National
        }
    };
    if d.extends.is_some() && jurisdiction == Jurisdiction::National {
        errors.push(Diagnostic::at(
            loc(f, d.jurisdiction.span()),
            Message::new("std.err.extends_needs_province"),
        ));
    }
    let from = toml_date(f, &d.valid_from).map_err(|e| errors.push(e)).ok();
    let until = d
        .valid_until
        .as_ref()
        .and_then(|u| toml_date(f, u).map_err(|e| errors.push(e)).ok());
    let validity = match (from, until) {
        (Some(a), Some(b)) if b < a => {
            errors.push(Diagnostic::at(
                loc(
                    f,
                    d.valid_until
                        .as_ref()
                        .map_or(d.valid_from.span(), |u| u.span()),
                ),
                Message::new("std.err.validity_order"),
            ));
            None
        }
        (Some(a), b) => Some(Validity {
            from: a,
            to: b.and_then(|b| b.succ_opt()),
        }),
        _ => None,
    };
    let day = |s: &Spanned<String>, errors: &mut Vec<Diagnostic>| {
        Window::parse_day(s.get_ref()).or_else(|| {
            errors.push(Diagnostic::at(
                loc(f, s.span()),
                Message::new("std.err.bad_window_day").arg("found", s.get_ref().as_str()),
            ));
            None
        })
    };
    let w = d.window.get_ref();
    let window = match (day(&w.from, errors), day(&w.to, errors)) {
        (Some(a), Some(b)) => Some(Window { from: a, to: b }),
        _ => None,
    };
    let purpose = match &d.purpose {
        None => Purpose::Recognition,
        Some(p) => Purpose::parse(p.get_ref()).unwrap_or_else(|| {
            errors.push(Diagnostic::at(
                loc(f, p.span()),
                Message::new("std.err.bad_purpose").arg("name", p.get_ref().as_str()),
            ));
            Purpose::Recognition
        }),
    };
    let legal_basis: Vec<Citation> = d
        .legal_basis
        .iter()
        .map(|c| citation(f, c.get_ref(), sources, errors))
        .collect();
    if legal_basis.is_empty() {
        errors.push(Diagnostic::at(
            location.clone(),
            Message::new("std.err.no_legal_basis"),
        ));
    }
    if errors.len() != before {
        return None;
    }
    Some(Header {
        id,
        version: *d.version.get_ref(),
        name: d.name.clone(),
        applies_to,
        jurisdiction,
        extends: d.extends.as_ref().map(|e| (e.get_ref().clone(), e.span())),
        validity: validity?,
        window: window?,
        purpose,
        legal_basis,
        note: d.note.clone(),
        location,
    })
}

fn is_standard_id(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
}

/// Two versions of one standard (same id and jurisdiction) may not be in force on the same day,
/// nor share a version number.
fn check_overlaps(headers: &[(&SourceFile, &FileDoc, Header)], errors: &mut Vec<Diagnostic>) {
    for (i, (_, _, a)) in headers.iter().enumerate() {
        for (_, _, b) in &headers[..i] {
            if a.id != b.id || a.jurisdiction != b.jurisdiction {
                continue;
            }
            if a.validity.overlaps(&b.validity) {
                errors.push(Diagnostic::at(
                    a.location.clone(),
                    Message::new("std.err.versions_overlap")
                        .arg("name", a.id.as_str())
                        .arg("a", a.version.to_string())
                        .arg("b", b.version.to_string())
                        .arg("other", b.location.to_string()),
                ));
            } else if a.version == b.version {
                errors.push(Diagnostic::at(
                    a.location.clone(),
                    Message::new("std.err.duplicate_version")
                        .arg("name", a.id.as_str())
                        .arg("a", a.version.to_string())
                        .arg("other", b.location.to_string()),
                ));
            }
        }
    }
}

/// Refuses standards whose verdicts depend on each other in a loop.
fn check_cycles(versions: &[Version], ids: &[String], errors: &mut Vec<Diagnostic>) {
    let mut edges: Vec<Vec<(StdIx, Location)>> = vec![vec![]; ids.len()];
    for v in versions {
        for r in &v.rules {
            for s in &r.standards_used {
                if !edges[v.ix.0 as usize].iter().any(|(x, _)| x == s) {
                    edges[v.ix.0 as usize].push((*s, r.location.clone()));
                }
            }
        }
    }
    // 0 = not seen, 1 = on the stack, 2 = done
    let mut state = vec![0u8; ids.len()];
    let mut stack: Vec<usize> = vec![];
    fn visit(
        n: usize,
        edges: &[Vec<(StdIx, Location)>],
        state: &mut [u8],
        stack: &mut Vec<usize>,
        ids: &[String],
        errors: &mut Vec<Diagnostic>,
    ) {
        state[n] = 1;
        stack.push(n);
        for (m, at) in &edges[n] {
            let m = m.0 as usize;
            if state[m] == 1 {
                let start = stack.iter().position(|x| *x == m).unwrap_or(0);
                let mut path: Vec<&str> = stack[start..].iter().map(|i| ids[*i].as_str()).collect();
                path.push(&ids[m]);
                errors.push(Diagnostic::at(
                    at.clone(),
                    Message::new("std.err.cycle").arg("path", path.join(" → ")),
                ));
            } else if state[m] == 0 {
                visit(m, edges, state, stack, ids, errors);
            }
        }
        stack.pop();
        state[n] = 2;
    }
    for n in 0..ids.len() {
        if state[n] == 0 {
            visit(n, &edges, &mut state, &mut stack, ids, errors);
        }
    }
}

/// What every standard file is checked against.
struct World<'a> {
    catalogue: &'a Catalogue,
    sources: &'a [LegalSource],
    ids: &'a HashMap<String, StdIx>,
    recognition_ids: &'a HashSet<String>,
    recognitions: Option<RecognitionSchema>,
}

impl World<'_> {
    /// Compiles one file's version, merged with `base` when it extends one.
    fn version(
        &self,
        f: &SourceFile,
        d: &FileDoc,
        h: &Header,
        base: Option<&Version>,
        errors: &mut Vec<Diagnostic>,
    ) -> Option<Version> {
        let before = errors.len();
        let validity = match base {
            Some(b) => intersect(&h.validity, &b.validity),
            None => h.validity,
        };
        if let Some(b) = base {
            for k in &h.applies_to {
                if !b.applies_to.contains(k) {
                    errors.push(Diagnostic::at(
                        h.location.clone(),
                        Message::new("std.err.extension_kind")
                            .arg("kind", k.as_str())
                            .arg("name", b.id.as_str()),
                    ));
                }
            }
        }
        let params = self.params(
            f,
            &d.parameters,
            base.map(|b| b.params.as_slice()),
            &validity,
            errors,
        );
        let (first, last) = Version::judged_years(&validity, &h.window);
        let env = || Env {
            file: f,
            cat: self.catalogue,
            ids: self.ids,
            recognition_ids: self.recognition_ids,
            recognitions: self.recognitions,
            params: &params,
            kinds: &h.applies_to,
            years: (first, last),
        };
        let mut rules: Vec<Arc<Rule>> = base.map(|b| b.rules.clone()).unwrap_or_default();
        for r in &d.rules {
            let rid = r.get_ref().id.get_ref();
            if let Some(other) = rules.iter().find(|x| x.id == *rid) {
                errors.push(Diagnostic::at(
                    loc(f, r.get_ref().id.span()),
                    Message::new("std.err.duplicate_rule")
                        .arg("name", rid.as_str())
                        .arg("other", other.location.to_string()),
                ));
                continue;
            }
            if let Some(rule) = self.rule(f, r, env(), errors) {
                rules.push(Arc::new(rule));
            }
        }
        if rules.is_empty() && errors.len() == before {
            errors.push(Diagnostic::at(
                h.location.clone(),
                Message::new("std.err.no_rules"),
            ));
        }
        if errors.len() != before {
            return None;
        }
        Some(Version {
            id: h.id.clone(),
            ix: self.ids[&h.id],
            version: h.version,
            name: h.name.clone(),
            applies_to: h.applies_to.clone(),
            jurisdiction: h.jurisdiction.clone(),
            extends: base.map(|b| (b.id.clone(), b.version)),
            validity,
            window: h.window,
            years: (first, last),
            purpose: h.purpose,
            legal_basis: match base {
                Some(b) => b
                    .legal_basis
                    .iter()
                    .cloned()
                    .chain(h.legal_basis.iter().cloned())
                    .collect(),
                None => h.legal_basis.clone(),
            },
            note: h.note.clone(),
            params,
            rules,
            location: h.location.clone(),
        })
    }

    fn params(
        &self,
        f: &SourceFile,
        docs: &[Spanned<ParamDoc>],
        base: Option<&[Param]>,
        validity: &Validity,
        errors: &mut Vec<Diagnostic>,
    ) -> Vec<Param> {
        let mut params: Vec<Param> = base.map(<[Param]>::to_vec).unwrap_or_default();
        let base_len = params.len();
        for pd in docs {
            let p = pd.get_ref();
            let key = p.key.get_ref();
            let at = loc(f, p.key.span());
            if let Some(i) = params.iter().position(|x| x.key == *key) {
                if i >= base_len {
                    errors.push(Diagnostic::at(
                        at,
                        Message::new("std.err.duplicate").arg("name", key.as_str()),
                    ));
                    continue;
                }
                if !params[i].overridable {
                    errors.push(Diagnostic::at(
                        at,
                        Message::new("std.err.not_overridable").arg("name", key.as_str()),
                    ));
                    continue;
                }
                if let Some(t) = &p.ty
                    && param_type(f, t, &p.choices, errors).is_some_and(|t| t != params[i].ty)
                {
                    errors.push(Diagnostic::at(
                        loc(f, t.span()),
                        Message::new("std.err.override_type").arg("name", key.as_str()),
                    ));
                    continue;
                }
                let ty = params[i].ty.clone();
                let Some(values) = param_values(f, p, &ty, self.sources, errors) else {
                    continue;
                };
                // national values before the province's first date stay in force
                let first = values[0].from;
                let mut merged: Vec<DatedValue> = params[i]
                    .values
                    .iter()
                    .filter(|v| v.from < first)
                    .cloned()
                    .collect();
                merged.extend(values);
                params[i].values = merged;
                continue;
            }
            if !is_identifier(key) {
                errors.push(Diagnostic::at(
                    at,
                    Message::new("std.err.bad_identifier").arg("name", key.as_str()),
                ));
                continue;
            }
            let Some(t) = &p.ty else {
                errors.push(Diagnostic::at(
                    at,
                    Message::new("std.err.param_needs_type").arg("name", key.as_str()),
                ));
                continue;
            };
            let Some(label) = p.label.clone() else {
                errors.push(Diagnostic::at(
                    at,
                    Message::new("std.err.param_needs_label").arg("name", key.as_str()),
                ));
                continue;
            };
            let Some(ty) = param_type(f, t, &p.choices, errors) else {
                continue;
            };
            let Some(values) = param_values(f, p, &ty, self.sources, errors) else {
                continue;
            };
            if values[0].from > validity.from {
                errors.push(Diagnostic::at(
                    loc(f, pd.get_ref().values[0].get_ref().from.span()),
                    Message::new("std.err.param_starts_late").arg("name", key.as_str()),
                ));
                continue;
            }
            let confidence = confidence(f, p.confidence.as_ref(), p.note.is_some(), None, errors);
            params.push(Param {
                key: key.clone(),
                label,
                ty,
                values,
                overridable: p.overridable,
                confidence,
                note: p.note.clone(),
            });
        }
        params
    }

    fn rule(
        &self,
        f: &SourceFile,
        r: &Spanned<RuleDoc>,
        env: Env,
        errors: &mut Vec<Diagnostic>,
    ) -> Option<Rule> {
        let before = errors.len();
        let d = r.get_ref();
        let location = loc(f, r.span());
        let kinds = env.kinds.to_vec();
        let citation = citation(f, d.citation.get_ref(), self.sources, errors);
        let confidence = confidence(
            f,
            Some(&d.confidence),
            d.note.is_some(),
            d.evidence.as_ref(),
            errors,
        );
        let kind = match d.kind.get_ref().as_str() {
            "computed" => RuleKind::Computed,
            "judged" => RuleKind::Judged,
            "standard" => RuleKind::Standard,
            other => {
                errors.push(Diagnostic::at(
                    loc(f, d.kind.span()),
                    Message::new("std.err.bad_rule_kind").arg("name", other),
                ));
                return None;
            }
        };
        let mut ck = Checker::new(env);
        // named values, in the order written
        let mut values: Vec<&(Spanned<String>, Spanned<String>)> = vec![];
        let pairs: Vec<(Spanned<String>, Spanned<String>)> = d
            .values
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let mut sorted = pairs.iter().collect::<Vec<_>>();
        sorted.sort_by_key(|(k, _)| k.span().start);
        values.extend(sorted);
        let mut locals = vec![];
        for (name, src) in values {
            let n = name.get_ref();
            if !is_identifier(n)
                || self.catalogue.field(n).is_some()
                || super::check::BUILTINS.contains(&n.as_str())
            {
                ck.errors.push(Diagnostic::at(
                    loc(f, name.span()),
                    Message::new("std.err.bad_value_name").arg("name", n.as_str()),
                ));
                ck.failed.push(n.clone());
                continue;
            }
            let base = str_offset(f, src.span(), src.get_ref());
            match ck.compile(src.get_ref(), base) {
                Some((c, ty)) => {
                    ck.locals.push((n.clone(), ty));
                    locals.push(Local {
                        name: n.clone(),
                        source: src.get_ref().clone(),
                        expr: c,
                        ty,
                    });
                }
                None => ck.failed.push(n.clone()),
            }
        }
        let field_of = |s: &Spanned<String>| s.get_ref().clone();
        let (body, source) = match kind {
            RuleKind::Computed => {
                if d.judgement.is_some() || d.standard.is_some() {
                    ck.errors.push(Diagnostic::at(
                        location.clone(),
                        Message::new("std.err.computed_fields"),
                    ));
                }
                let Some(e) = &d.expr else {
                    errors.push(Diagnostic::at(location, Message::new("std.err.needs_expr")));
                    errors.append(&mut ck.errors);
                    return None;
                };
                let base = str_offset(f, e.span(), e.get_ref());
                (
                    ck.compile_bool(e.get_ref(), base),
                    e.get_ref().trim().to_owned(),
                )
            }
            RuleKind::Judged => {
                let (Some(j), None, None) = (&d.judgement, &d.expr, &d.standard) else {
                    errors.push(Diagnostic::at(
                        location,
                        Message::new("std.err.judged_fields"),
                    ));
                    return None;
                };
                let key = field_of(j);
                match self.catalogue.field(&key) {
                    Some(field) if field.ty == FieldType::Judgement => {
                        let usable = field
                            .versions
                            .iter()
                            .any(|v| v.unit_kinds.iter().any(|k| kinds.contains(k)));
                        if !usable {
                            ck.errors.push(Diagnostic::at(
                                loc(f, j.span()),
                                Message::new("std.err.fact_not_available")
                                    .arg("name", key.as_str())
                                    .arg(
                                        "kinds",
                                        kinds
                                            .iter()
                                            .map(|k| k.as_str())
                                            .collect::<Vec<_>>()
                                            .join(", "),
                                    )
                                    .arg("years", "*"),
                            ));
                        }
                        ck.fields_used.push(field.id);
                        (Some(C::Judged(field.id)), key)
                    }
                    _ => {
                        ck.errors.push(Diagnostic::at(
                            loc(f, j.span()),
                            Message::new("std.err.not_a_judgement").arg("name", key.as_str()),
                        ));
                        (None, key)
                    }
                }
            }
            RuleKind::Standard => {
                let (Some(s), None, None) = (&d.standard, &d.expr, &d.judgement) else {
                    errors.push(Diagnostic::at(
                        location,
                        Message::new("std.err.standard_fields"),
                    ));
                    return None;
                };
                let id = field_of(s);
                match self.ids.get(&id) {
                    Some(ix) => {
                        ck.standards_used.push(*ix);
                        (Some(C::Verdict(*ix)), id)
                    }
                    None => {
                        let hint = closest(&id, self.ids.keys().map(String::as_str))
                            .unwrap_or("")
                            .to_owned();
                        ck.errors.push(Diagnostic::at(
                            loc(f, s.span()),
                            Message::new("std.err.unknown_standard")
                                .arg("name", id.as_str())
                                .arg("hint", hint),
                        ));
                        (None, id)
                    }
                }
            }
        };
        let template =
            |t: &Option<Spanned<I18nText>>, ck: &mut Checker| -> Option<Option<Template>> {
                let Some(t) = t else { return Some(None) };
                let text = t.get_ref();
                let vi = ck.template(&text.vi, find_from(f, t.span().start, &text.vi));
                let en = ck.template(&text.en, find_from(f, t.span().start, &text.en));
                Some(Some(Template { vi: vi?, en: en? }))
            };
        let met = template(&d.met, &mut ck);
        let not_met = template(&d.not_met, &mut ck);
        let insufficient = template(&d.insufficient, &mut ck);
        if kind == RuleKind::Computed && (d.met.is_none() || d.not_met.is_none()) {
            ck.errors.push(Diagnostic::at(
                location.clone(),
                Message::new("std.err.needs_sentences"),
            ));
        }
        errors.append(&mut ck.errors);
        if errors.len() != before {
            return None;
        }
        Some(Rule {
            id: d.id.get_ref().clone(),
            title: d.title.clone(),
            citation,
            confidence,
            evidence: d.evidence.as_ref().map(|e| e.get_ref().clone()),
            note: d.note.clone(),
            kind,
            source,
            locals,
            body: body?,
            met: met?,
            not_met: not_met?,
            insufficient: insufficient?,
            fields_used: ck.fields_used,
            standards_used: ck.standards_used,
            location,
        })
    }
}

fn intersect(a: &Validity, b: &Validity) -> Validity {
    let from = a.from.max(b.from);
    let to = match (a.to, b.to) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, None) => x,
        (None, y) => y,
    };
    Validity { from, to }
}

/// The byte offset of a string value in the file (exact when the value is written without
/// escapes; otherwise the start of the value).
fn str_offset(f: &SourceFile, span: std::ops::Range<usize>, value: &str) -> usize {
    f.text
        .get(span.clone())
        .and_then(|raw| raw.find(value))
        .map_or(span.start, |i| span.start + i)
}

/// The offset of `value` at or after `start`.
fn find_from(f: &SourceFile, start: usize, value: &str) -> usize {
    f.text
        .get(start..)
        .and_then(|rest| rest.find(value))
        .map_or(start, |i| start + i)
}

fn confidence(
    f: &SourceFile,
    c: Option<&Spanned<String>>,
    has_note: bool,
    evidence: Option<&Spanned<String>>,
    errors: &mut Vec<Diagnostic>,
) -> Confidence {
    let conf = match c.map(|c| c.get_ref().as_str()) {
        None | Some("confirmed") => Confidence::Confirmed,
        Some("provisional") => Confidence::Provisional,
        Some(other) => {
            errors.push(Diagnostic::at(
                loc(f, c.map_or(0..0, |c| c.span())),
                Message::new("std.err.bad_confidence").arg("name", other),
            ));
            return Confidence::Provisional;
        }
    };
    if conf == Confidence::Provisional && !has_note {
        errors.push(Diagnostic::at(
            loc(f, c.map_or(0..0, |c| c.span())),
            Message::new("std.err.provisional_needs_note"),
        ));
    }
    if let Some(e) = evidence {
        match e.get_ref().as_str() {
            "C" | "C-para" => {}
            "I" | "?" => {
                if conf != Confidence::Provisional {
                    errors.push(Diagnostic::at(
                        loc(f, e.span()),
                        Message::new("std.err.inferred_must_be_provisional"),
                    ));
                }
            }
            other => errors.push(Diagnostic::at(
                loc(f, e.span()),
                Message::new("std.err.bad_evidence").arg("name", other),
            )),
        }
    }
    conf
}

fn param_type(
    f: &SourceFile,
    t: &Spanned<String>,
    choices: &[super::file::ChoiceDoc],
    errors: &mut Vec<Diagnostic>,
) -> Option<ParamType> {
    let ty = match t.get_ref().as_str() {
        "int" => ParamType::Int,
        "year" => ParamType::Year,
        "percent" => ParamType::Percent,
        "bool" => ParamType::Bool,
        "choice" => match catalogue::choices(f, t, choices) {
            Ok(c) => ParamType::Choice { choices: c },
            Err(e) => {
                errors.push(e);
                return None;
            }
        },
        other => {
            errors.push(Diagnostic::at(
                loc(f, t.span()),
                Message::new("std.err.unknown_type")
                    .arg("name", other)
                    .arg("expected", "int, year, percent, bool, choice"),
            ));
            return None;
        }
    };
    Some(ty)
}

fn param_values(
    f: &SourceFile,
    p: &ParamDoc,
    ty: &ParamType,
    sources: &[LegalSource],
    errors: &mut Vec<Diagnostic>,
) -> Option<Vec<DatedValue>> {
    let before = errors.len();
    let mut out: Vec<DatedValue> = vec![];
    if p.values.is_empty() {
        errors.push(Diagnostic::at(
            loc(f, p.key.span()),
            Message::new("std.err.no_values").arg("name", p.key.get_ref().as_str()),
        ));
        return None;
    }
    for v in &p.values {
        let v = v.get_ref();
        let Ok(from) = toml_date(f, &v.from).map_err(|e| errors.push(e)) else {
            continue;
        };
        let at = loc(f, v.value.span());
        let bad = |errors: &mut Vec<Diagnostic>, ty_key: &'static str| {
            errors.push(Diagnostic::at(
                at.clone(),
                Message::new("std.err.bad_param_value")
                    .arg("found", v.value.get_ref().to_string())
                    .arg("a", crate::diag::Arg::Key(ty_key)),
            ));
        };
        let value = match (ty, v.value.get_ref()) {
            (ParamType::Int, toml::Value::Integer(i)) => ParamValue::Int(*i),
            (ParamType::Year, toml::Value::Integer(i)) if (1900..=2200).contains(i) => {
                ParamValue::Int(*i)
            }
            (ParamType::Bool, toml::Value::Boolean(b)) => ParamValue::Bool(*b),
            (ParamType::Percent, toml::Value::Integer(i)) if *i >= 0 => {
                ParamValue::Percent(*i as i128, 100)
            }
            (ParamType::Percent, toml::Value::Float(x)) if *x >= 0.0 => {
                match percent_text(&x.to_string()) {
                    Some((n, d)) => ParamValue::Percent(n, d),
                    None => {
                        bad(errors, "std.type.percent");
                        continue;
                    }
                }
            }
            (ParamType::Percent, toml::Value::String(s)) => {
                match percent_text(s.trim().trim_end_matches('%').trim()) {
                    Some((n, d)) => ParamValue::Percent(n, d),
                    None => {
                        bad(errors, "std.type.percent");
                        continue;
                    }
                }
            }
            (ParamType::Choice { choices }, toml::Value::String(s)) => {
                match choices.iter().position(|c| c.key == *s) {
                    Some(i) => ParamValue::Choice(i as u16),
                    None => {
                        errors.push(Diagnostic::at(
                            at.clone(),
                            Message::new("std.err.unknown_choice")
                                .arg("name", s.as_str())
                                .arg(
                                    "expected",
                                    choices
                                        .iter()
                                        .map(|c| c.key.as_str())
                                        .collect::<Vec<_>>()
                                        .join(", "),
                                ),
                        ));
                        continue;
                    }
                }
            }
            (t, _) => {
                let key = match t {
                    ParamType::Int => "std.type.int",
                    ParamType::Year => "std.type.year",
                    ParamType::Percent => "std.type.percent",
                    ParamType::Bool => "std.type.bool",
                    ParamType::Choice { .. } => "std.type.choice",
                };
                bad(errors, key);
                continue;
            }
        };
        if out.iter().any(|o| o.from == from) {
            errors.push(Diagnostic::at(
                loc(f, v.from.span()),
                Message::new("std.err.duplicate").arg("name", from.to_string()),
            ));
            continue;
        }
        out.push(DatedValue {
            from,
            value,
            citation: v
                .citation
                .as_ref()
                .map(|c| citation(f, c.get_ref(), sources, errors)),
            file: f.path.clone(),
        });
    }
    out.sort_by_key(|v| v.from);
    (errors.len() == before && !out.is_empty()).then_some(out)
}

/// "70" → 70/100, "2.5" → 25/1000.
fn percent_text(s: &str) -> Option<(i128, i128)> {
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    let frac = frac.trim_end_matches('0');
    if int.is_empty()
        || !int.chars().all(|c| c.is_ascii_digit())
        || !frac.chars().all(|c| c.is_ascii_digit())
        || frac.len() > 6
        || int.len() > 12
    {
        return None;
    }
    let n: i128 = format!("{int}{frac}").parse().ok()?;
    Some((n, 100 * 10i128.pow(frac.len() as u32)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_texts_are_exact() {
        assert_eq!(percent_text("70"), Some((70, 100)));
        assert_eq!(percent_text("2.5"), Some((25, 1000)));
        assert_eq!(percent_text("28.570"), Some((2857, 10000)));
        assert_eq!(percent_text("a"), None);
        assert_eq!(percent_text(""), None);
    }
}
