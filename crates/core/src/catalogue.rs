//! The fact catalogue: every field a unit can report, per unit kind and year.
//!
//! Loaded from data files (`standards/catalogue/*.toml`, `[[fields]]` tables). A field is
//! **versioned by year range**: the same key may appear several times with disjoint years (a new
//! year's form changes a label or adds a unit kind), always with the same type, so values of old
//! years stay valid without any migration. Forms, storage, Excel import and consistency checks are
//! built on this API; the rules that use a field are computed from the standards
//! ([`crate::standard::Registry::rules_using`]).

use std::collections::HashMap;

use serde::Serialize;

use crate::diag::{Diagnostic, I18nText, Location, Message, SourceFile, closest};
use crate::fact::FieldId;
use crate::standard::file::{ChoiceDoc, FileDoc, loc};
use crate::units::UnitKind;

/// The key of the list of recognitions a unit holds (read by `recognised(…)`).
pub const RECOGNITIONS: &str = "recognitions";

/// The form a field is entered on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FormGroup {
    /// Đăng ký: households, registration pledge, recognitions of sub-units.
    Registration,
    /// Vụ việc về an ninh, trật tự (Circular 124 art. 4.3), mass complaints, hotspots.
    SecurityEvents,
    /// Tội phạm và tệ nạn xã hội.
    CrimeSocialEvils,
    /// Tai nạn giao thông, cháy nổ.
    TrafficFire,
    /// Mô hình và phong trào toàn dân bảo vệ an ninh Tổ quốc.
    ModelsMovement,
    /// Văn bản: resolutions, plans, minutes, reports.
    Documents,
    /// Đánh giá: items a reviewer judges yes/no with a reason.
    Assessments,
}

impl FormGroup {
    pub const ALL: [FormGroup; 7] = [
        FormGroup::Registration,
        FormGroup::SecurityEvents,
        FormGroup::CrimeSocialEvils,
        FormGroup::TrafficFire,
        FormGroup::ModelsMovement,
        FormGroup::Documents,
        FormGroup::Assessments,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FormGroup::Registration => "registration",
            FormGroup::SecurityEvents => "security_events",
            FormGroup::CrimeSocialEvils => "crime_social_evils",
            FormGroup::TrafficFire => "traffic_fire",
            FormGroup::ModelsMovement => "models_movement",
            FormGroup::Documents => "documents",
            FormGroup::Assessments => "assessments",
        }
    }

    pub fn parse(s: &str) -> Option<FormGroup> {
        FormGroup::ALL.into_iter().find(|g| g.as_str() == s)
    }

    /// The group's title in `locale`.
    pub fn label(self, locale: &str) -> String {
        crate::diag::tr(locale, &format!("std.group.{}", self.as_str()), &[])
    }
}

/// One allowed value of a choice field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Choice {
    pub key: String,
    pub label: I18nText,
}

/// The type of a field or of a record field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FieldType {
    /// A non-negative whole number (a count).
    Int,
    Bool,
    Date,
    Text,
    Choice {
        choices: Vec<Choice>,
    },
    /// {number, date, issuer, file?}; `null` means "no such document".
    Document,
    /// A reviewer's {value, reason, reviewer?, date?}.
    Judgement,
    /// A list of records.
    List {
        record: RecordSchema,
    },
}

impl FieldType {
    /// Locale key of the type's name ("số nguyên", "ngày"…).
    pub fn name_key(&self) -> &'static str {
        match self {
            FieldType::Int => "std.type.int",
            FieldType::Bool => "std.type.bool",
            FieldType::Date => "std.type.date",
            FieldType::Text => "std.type.text",
            FieldType::Choice { .. } => "std.type.choice",
            FieldType::Document => "std.type.document",
            FieldType::Judgement => "std.type.judgement",
            FieldType::List { .. } => "std.type.list",
        }
    }

    /// Index of a choice by key.
    pub fn choice_index(&self, key: &str) -> Option<u16> {
        match self {
            FieldType::Choice { choices } => {
                choices.iter().position(|c| c.key == key).map(|i| i as u16)
            }
            _ => None,
        }
    }
}

/// The fields of each record of a list field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RecordSchema {
    pub fields: Vec<RecordField>,
}

impl RecordSchema {
    pub fn index(&self, key: &str) -> Option<usize> {
        self.fields.iter().position(|f| f.key == key)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RecordField {
    pub key: String,
    #[serde(flatten)]
    pub ty: FieldType,
    pub required: bool,
    pub label: I18nText,
}

/// A field: one key, one type, one or more year-range versions.
#[derive(Clone, Debug, Serialize)]
pub struct Field {
    pub id: FieldId,
    pub key: String,
    #[serde(flatten)]
    pub ty: FieldType,
    pub versions: Vec<FieldVersion>,
}

/// What a field looks like for a range of years.
#[derive(Clone, Debug, Serialize)]
pub struct FieldVersion {
    pub unit_kinds: Vec<UnitKind>,
    /// First year (inclusive); `None` = since ever.
    pub from_year: Option<i32>,
    /// Last year (inclusive); `None` = still in use.
    pub to_year: Option<i32>,
    pub group: FormGroup,
    pub label: I18nText,
    pub help: I18nText,
    #[serde(skip)]
    pub location: Location,
}

impl FieldVersion {
    pub fn covers_year(&self, year: i32) -> bool {
        self.from_year.is_none_or(|f| f <= year) && self.to_year.is_none_or(|t| year <= t)
    }

    /// Whether the year ranges of two versions share a year.
    fn overlaps(&self, other: &FieldVersion) -> bool {
        let a_from = self.from_year.unwrap_or(i32::MIN);
        let a_to = self.to_year.unwrap_or(i32::MAX);
        let b_from = other.from_year.unwrap_or(i32::MIN);
        let b_to = other.to_year.unwrap_or(i32::MAX);
        a_from <= b_to && b_from <= a_to
    }

    /// Whether this version is used by some year of `[from, to]` (inclusive, `None` = open).
    pub fn meets_years(&self, from: i32, to: Option<i32>) -> bool {
        let a_from = self.from_year.unwrap_or(i32::MIN);
        let a_to = self.to_year.unwrap_or(i32::MAX);
        a_from <= to.unwrap_or(i32::MAX) && from <= a_to
    }
}

/// A kind of recognition recorded by the system that no standard here evaluates.
#[derive(Clone, Debug, Serialize)]
pub struct RecognitionKind {
    pub id: String,
    pub label: I18nText,
}

/// All fields, indexed by key.
#[derive(Clone, Debug, Default)]
pub struct Catalogue {
    fields: Vec<Field>,
    by_key: HashMap<String, FieldId>,
    recognition_kinds: Vec<RecognitionKind>,
}

impl Catalogue {
    /// Builds the catalogue from parsed files; every problem is reported with its place.
    pub fn build(docs: &[(&SourceFile, &FileDoc)]) -> Result<Catalogue, Vec<Diagnostic>> {
        let (cat, errors) = Catalogue::build_partial(docs);
        if errors.is_empty() {
            Ok(cat)
        } else {
            Err(errors)
        }
    }

    /// Builds what it can (the fields without problems) and returns the problems too, so that
    /// one bad field does not make every rule that uses another field fail.
    pub(crate) fn build_partial(docs: &[(&SourceFile, &FileDoc)]) -> (Catalogue, Vec<Diagnostic>) {
        let mut cat = Catalogue::default();
        let mut errors = vec![];
        for (file, doc) in docs {
            for f in &doc.fields {
                if let Err(e) = cat.add_field(file, f.get_ref()) {
                    errors.push(e);
                }
            }
            for k in &doc.recognition_kinds {
                let k = k.get_ref();
                if cat
                    .recognition_kinds
                    .iter()
                    .any(|r| r.id == *k.id.get_ref())
                {
                    errors.push(Diagnostic::at(
                        loc(file, k.id.span()),
                        Message::new("std.err.duplicate").arg("name", k.id.get_ref().as_str()),
                    ));
                    continue;
                }
                cat.recognition_kinds.push(RecognitionKind {
                    id: k.id.get_ref().clone(),
                    label: k.label.clone(),
                });
            }
        }
        (cat, errors)
    }

    fn add_field(
        &mut self,
        file: &SourceFile,
        f: &crate::standard::file::FieldDoc,
    ) -> Result<(), Diagnostic> {
        let key = f.key.get_ref();
        if !is_identifier(key) {
            return Err(Diagnostic::at(
                loc(file, f.key.span()),
                Message::new("std.err.bad_identifier").arg("name", key.as_str()),
            ));
        }
        let ty = field_type(file, &f.ty, &f.choices, Some(&f.record))?;
        let mut unit_kinds = vec![];
        for k in f.unit_kinds.get_ref() {
            unit_kinds.push(parse_kind(file, k)?);
        }
        if unit_kinds.is_empty() {
            return Err(Diagnostic::at(
                loc(file, f.unit_kinds.span()),
                Message::new("std.err.empty_kinds"),
            ));
        }
        let group = FormGroup::parse(f.group.get_ref()).ok_or_else(|| {
            Diagnostic::at(
                loc(file, f.group.span()),
                Message::new("std.err.unknown_group")
                    .arg("name", f.group.get_ref().as_str())
                    .arg("expected", FormGroup::ALL.map(FormGroup::as_str).join(", ")),
            )
        })?;
        let version = FieldVersion {
            unit_kinds,
            from_year: f.from_year.as_ref().map(|y| *y.get_ref()),
            to_year: f.to_year.as_ref().map(|y| *y.get_ref()),
            group,
            label: f.label.clone(),
            help: f.help.clone(),
            location: loc(file, f.key.span()),
        };
        if let (Some(a), Some(b)) = (version.from_year, version.to_year)
            && a > b
        {
            return Err(Diagnostic::at(
                version.location.clone(),
                Message::new("std.err.year_range")
                    .arg("from", a.to_string())
                    .arg("to", b.to_string()),
            ));
        }
        match self.by_key.get(key) {
            Some(id) => {
                let field = &mut self.fields[id.0 as usize];
                if field.ty != ty {
                    return Err(Diagnostic::at(
                        loc(file, f.ty.span()),
                        Message::new("std.err.field_type_changed")
                            .arg("name", key.as_str())
                            .arg("other", field.versions[0].location.to_string()),
                    ));
                }
                if let Some(v) = field.versions.iter().find(|v| v.overlaps(&version)) {
                    return Err(Diagnostic::at(
                        version.location.clone(),
                        Message::new("std.err.field_years_overlap")
                            .arg("name", key.as_str())
                            .arg("other", v.location.to_string()),
                    ));
                }
                field.versions.push(version);
                field.versions.sort_by_key(|v| v.from_year);
            }
            None => {
                let id = FieldId(self.fields.len() as u16);
                self.by_key.insert(key.clone(), id);
                self.fields.push(Field {
                    id,
                    key: key.clone(),
                    ty,
                    versions: vec![version],
                });
            }
        }
        Ok(())
    }

    /// Every field, in the order the files declare them.
    pub fn fields(&self) -> &[Field] {
        &self.fields
    }

    pub fn field(&self, key: &str) -> Option<&Field> {
        self.by_key.get(key).map(|id| &self.fields[id.0 as usize])
    }

    pub fn by_id(&self, id: FieldId) -> &Field {
        &self.fields[id.0 as usize]
    }

    /// The version of a field that a unit of `kind` uses in `year`, if any.
    pub fn version_for(&self, key: &str, kind: UnitKind, year: i32) -> Option<&FieldVersion> {
        self.field(key)?
            .versions
            .iter()
            .find(|v| v.covers_year(year) && v.unit_kinds.contains(&kind))
    }

    /// The fields a unit of `kind` reports in `year`, grouped by form, in declaration order.
    pub fn form(&self, kind: UnitKind, year: i32) -> Vec<(&Field, &FieldVersion)> {
        let mut out: Vec<(&Field, &FieldVersion)> = self
            .fields
            .iter()
            .filter_map(|f| {
                f.versions
                    .iter()
                    .find(|v| v.covers_year(year) && v.unit_kinds.contains(&kind))
                    .map(|v| (f, v))
            })
            .collect();
        out.sort_by_key(|(f, v)| (v.group, f.id));
        out
    }

    /// The label of a field as shown in a given year (the latest version when none covers it).
    pub fn label(&self, id: FieldId, year: i32) -> &I18nText {
        let f = self.by_id(id);
        f.versions
            .iter()
            .find(|v| v.covers_year(year))
            .unwrap_or_else(|| f.versions.last().expect("a field has a version"))
            .label
            .as_ref()
    }

    pub fn recognition_kinds(&self) -> &[RecognitionKind] {
        &self.recognition_kinds
    }

    /// A near key, for "did you mean …?".
    pub fn suggest(&self, key: &str) -> Option<&str> {
        closest(key, self.fields.iter().map(|f| f.key.as_str()))
    }
}

impl AsRef<I18nText> for I18nText {
    fn as_ref(&self) -> &I18nText {
        self
    }
}

/// Lower-case ASCII letters, digits and underscores, starting with a letter.
pub fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Parses a unit kind name from a file.
pub fn parse_kind(file: &SourceFile, k: &toml::Spanned<String>) -> Result<UnitKind, Diagnostic> {
    UnitKind::parse(k.get_ref()).ok_or_else(|| {
        Diagnostic::at(
            loc(file, k.span()),
            Message::new("std.err.unknown_kind")
                .arg("name", k.get_ref().as_str())
                .arg("expected", UnitKind::ALL.map(UnitKind::as_str).join(", ")),
        )
    })
}

/// Builds a choice list, refusing duplicates and empty lists.
pub fn choices(
    file: &SourceFile,
    at: &toml::Spanned<String>,
    docs: &[ChoiceDoc],
) -> Result<Vec<Choice>, Diagnostic> {
    if docs.is_empty() {
        return Err(Diagnostic::at(
            loc(file, at.span()),
            Message::new("std.err.no_choices"),
        ));
    }
    let mut out: Vec<Choice> = vec![];
    for c in docs {
        if out.iter().any(|o| o.key == *c.key.get_ref()) {
            return Err(Diagnostic::at(
                loc(file, c.key.span()),
                Message::new("std.err.duplicate").arg("name", c.key.get_ref().as_str()),
            ));
        }
        out.push(Choice {
            key: c.key.get_ref().clone(),
            label: c.label.clone(),
        });
    }
    Ok(out)
}

fn field_type(
    file: &SourceFile,
    ty: &toml::Spanned<String>,
    choice_docs: &[ChoiceDoc],
    record: Option<&[toml::Spanned<crate::standard::file::RecordFieldDoc>]>,
) -> Result<FieldType, Diagnostic> {
    let err = |key: &'static str| Diagnostic::at(loc(file, ty.span()), Message::new(key));
    let t = match ty.get_ref().as_str() {
        "int" => FieldType::Int,
        "bool" => FieldType::Bool,
        "date" => FieldType::Date,
        "text" => FieldType::Text,
        "choice" => FieldType::Choice {
            choices: choices(file, ty, choice_docs)?,
        },
        "document" if record.is_some() => FieldType::Document,
        "judgement" if record.is_some() => FieldType::Judgement,
        "list" if record.is_some() => {
            let docs = record.unwrap_or_default();
            if docs.is_empty() {
                return Err(err("std.err.empty_record"));
            }
            let mut fields: Vec<RecordField> = vec![];
            for d in docs {
                let d = d.get_ref();
                if !is_identifier(d.key.get_ref()) {
                    return Err(Diagnostic::at(
                        loc(file, d.key.span()),
                        Message::new("std.err.bad_identifier")
                            .arg("name", d.key.get_ref().as_str()),
                    ));
                }
                if fields.iter().any(|f| f.key == *d.key.get_ref()) {
                    return Err(Diagnostic::at(
                        loc(file, d.key.span()),
                        Message::new("std.err.duplicate").arg("name", d.key.get_ref().as_str()),
                    ));
                }
                fields.push(RecordField {
                    key: d.key.get_ref().clone(),
                    ty: field_type(file, &d.ty, &d.choices, None)?,
                    required: d.required,
                    label: d.label.clone(),
                });
            }
            FieldType::List {
                record: RecordSchema { fields },
            }
        }
        other => {
            let expected = if record.is_some() {
                "int, bool, date, text, choice, document, judgement, list"
            } else {
                "int, bool, date, text, choice"
            };
            return Err(Diagnostic::at(
                loc(file, ty.span()),
                Message::new("std.err.unknown_type")
                    .arg("name", other)
                    .arg("expected", expected),
            ));
        }
    };
    if !matches!(t, FieldType::Choice { .. }) && !choice_docs.is_empty() {
        return Err(err("std.err.choices_without_choice"));
    }
    if !matches!(t, FieldType::List { .. }) && record.is_some_and(|r| !r.is_empty()) {
        return Err(err("std.err.record_without_list"));
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standard::file::parse_file;

    fn build(text: &str) -> Result<Catalogue, Vec<Diagnostic>> {
        let f = SourceFile::new("c.toml", text);
        let doc = parse_file(&f).map_err(|d| vec![d])?;
        Catalogue::build(&[(&f, &doc)])
    }

    const TWO_VERSIONS: &str = r#"
[[fields]]
key = "households_resident"
type = "int"
unit_kinds = ["residential_area"]
to_year = 2021
group = "registration"
label = { vi = "Số hộ", en = "Households" }
help = { vi = "h", en = "h" }

[[fields]]
key = "households_resident"
type = "int"
unit_kinds = ["residential_area", "commune"]
from_year = 2022
group = "registration"
label = { vi = "Số hộ gia đình đang cư trú", en = "Resident households" }
help = { vi = "h", en = "h" }

[[fields]]
key = "security_events"
type = "list"
unit_kinds = ["commune"]
group = "security_events"
label = { vi = "Vụ việc", en = "Events" }
help = { vi = "h", en = "h" }
[[fields.record]]
key = "date"
type = "date"
required = true
label = { vi = "Ngày", en = "Date" }
[[fields.record]]
key = "category"
type = "choice"
required = true
label = { vi = "Loại", en = "Category" }
choices = [{ key = "a", label = { vi = "a", en = "a" } }, { key = "đ", label = { vi = "đ", en = "đ" } }]
"#;

    #[test]
    fn versions_by_year_range() {
        let c = build(TWO_VERSIONS).unwrap();
        assert_eq!(c.fields().len(), 2);
        let v = c
            .version_for("households_resident", UnitKind::Commune, 2024)
            .unwrap();
        assert_eq!(v.label.vi, "Số hộ gia đình đang cư trú");
        assert!(
            c.version_for("households_resident", UnitKind::Commune, 2020)
                .is_none()
        );
        assert_eq!(
            c.version_for("households_resident", UnitKind::ResidentialArea, 2020)
                .unwrap()
                .label
                .vi,
            "Số hộ"
        );
        let form = c.form(UnitKind::Commune, 2024);
        assert_eq!(form.len(), 2);
        assert_eq!(form[0].1.group, FormGroup::Registration);
        let ev = c.field("security_events").unwrap();
        let FieldType::List { record } = &ev.ty else {
            panic!()
        };
        assert_eq!(record.index("category"), Some(1));
        assert_eq!(record.fields[1].ty.choice_index("đ"), Some(1));
    }

    #[test]
    fn overlapping_years_and_type_changes_are_refused() {
        let text = TWO_VERSIONS.replace("from_year = 2022", "from_year = 2021");
        let e = build(&text).unwrap_err();
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].location.as_ref().unwrap().line, 12);
        assert!(e[0].render("vi").contains("households_resident"));
        let text = TWO_VERSIONS.replacen(
            "type = \"int\"\nunit_kinds = [\"residential_area\", \"commune\"]",
            "type = \"bool\"\nunit_kinds = [\"commune\"]",
            1,
        );
        let e = build(&text).unwrap_err();
        assert!(e[0].render("en").contains("type"), "{}", e[0].render("en"));
    }

    #[test]
    fn bad_names_are_placed() {
        let text = TWO_VERSIONS.replace("group = \"security_events\"", "group = \"events\"");
        let e = build(&text).unwrap_err();
        assert!(e[0].render("vi").contains("events"));
        let text = TWO_VERSIONS.replace("[\"commune\"]", "[\"village\"]");
        let e = build(&text).unwrap_err();
        assert!(e[0].render("vi").contains("village"));
        let text = TWO_VERSIONS.replace("type = \"list\"", "type = \"table\"");
        let e = build(&text).unwrap_err();
        assert!(e[0].render("vi").contains("table"));
    }
}
