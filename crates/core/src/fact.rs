//! Facts: what a unit reports for a year, and the evaluation input built from them.
//!
//! Fact values are JSON-compatible (they are stored as JSON per unit, year and form): integers,
//! booleans, dates, texts, choices from a list, documents, reviewer judgements and lists of
//! records whose schema the [catalogue](crate::catalogue) defines. Each value may carry its
//! provenance (who entered it, when) so that a trace can show it.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::NaiveDate;
use serde::Serialize;

use crate::units::{UnitId, UnitKind};

/// Index of a field in the [catalogue](crate::catalogue::Catalogue) (one per key, over all years).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct FieldId(pub u16);

/// A dated document: resolution, plan, registration pledge, minutes, report…
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Document {
    pub number: String,
    pub date: NaiveDate,
    pub issuer: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
}

/// A reviewer's yes/no decision on a judged item, always with a reason.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Judgement {
    pub value: bool,
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reviewer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<NaiveDate>,
}

/// One value of a fact or of a record field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// Explicitly "none" (`null` in JSON), allowed for documents: "no such document was issued".
    /// Different from a missing fact, which means "not entered".
    Absent,
    Int(i64),
    Bool(bool),
    Date(NaiveDate),
    Text(Box<str>),
    /// A choice: index into the field's list of values.
    Choice(u16),
    Document(Box<Document>),
    Judgement(Box<Judgement>),
    List(Vec<Record>),
}

/// One record of a list fact; fields in the order of the catalogue's record schema.
/// `None` means the field was not given (allowed only for optional fields).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    pub fields: Box<[Option<Value>]>,
}

/// Who entered a value and when (as given by the caller: an ISO date or date-time).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Provenance {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entered_by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entered_at: Option<String>,
}

impl Provenance {
    pub fn is_empty(&self) -> bool {
        self.entered_by.is_none() && self.entered_at.is_none()
    }
}

/// A fact value with its provenance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FactEntry {
    pub value: Value,
    pub provenance: Option<Arc<Provenance>>,
}

/// The facts of one unit for one year, keyed by catalogue field.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Facts {
    entries: Vec<(FieldId, FactEntry)>,
}

impl Facts {
    pub fn new() -> Facts {
        Facts::default()
    }

    /// Sets a fact, replacing any earlier value of the same field.
    pub fn set(&mut self, id: FieldId, entry: FactEntry) {
        match self.entries.binary_search_by_key(&id, |(k, _)| *k) {
            Ok(i) => self.entries[i].1 = entry,
            Err(i) => self.entries.insert(i, (id, entry)),
        }
    }

    /// Sets a value without provenance.
    pub fn set_value(&mut self, id: FieldId, value: Value) {
        self.set(
            id,
            FactEntry {
                value,
                provenance: None,
            },
        );
    }

    pub fn get(&self, id: FieldId) -> Option<&FactEntry> {
        self.entries
            .binary_search_by_key(&id, |(k, _)| *k)
            .ok()
            .map(|i| &self.entries[i].1)
    }

    pub fn remove(&mut self, id: FieldId) -> Option<FactEntry> {
        self.entries
            .binary_search_by_key(&id, |(k, _)| *k)
            .ok()
            .map(|i| self.entries.remove(i).1)
    }

    /// Moves every fact of `other` in, replacing values of the same fields (several stored
    /// forms of one unit and year make one `Facts`).
    pub fn absorb(&mut self, other: Facts) {
        if self.entries.is_empty() {
            self.entries = other.entries;
            return;
        }
        for (id, entry) in other.entries {
            self.set(id, entry);
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = (FieldId, &FactEntry)> {
        self.entries.iter().map(|(k, v)| (*k, v))
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// Who a unit is, as far as evaluation needs to know.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UnitRef {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<UnitId>,
    pub code: String,
    pub name: String,
    pub kind: UnitKind,
    /// Code of the province the unit belongs to; selects a province's own standards.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub province: Option<String>,
}

/// Everything the engine may read about one unit: its facts by year, its sub-units (recursively)
/// and, for comparisons with years before a merger, its predecessors.
///
/// `subunits == None` means "not supplied" (rules that need them give *chưa đủ dữ liệu*);
/// `Some(vec![])` means "the unit has no sub-units".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnitInput {
    pub unit: UnitRef,
    pub years: BTreeMap<i32, Facts>,
    pub subunits: Option<Vec<UnitInput>>,
    /// The units this one was formed from (a merger). A year for which this unit has no facts
    /// is read as the sum over its predecessors' facts for that year.
    pub predecessors: Vec<UnitInput>,
}

impl UnitInput {
    pub fn new(unit: UnitRef) -> UnitInput {
        UnitInput {
            unit,
            years: BTreeMap::new(),
            subunits: None,
            predecessors: vec![],
        }
    }

    pub fn facts(&self, year: i32) -> Option<&Facts> {
        self.years.get(&year)
    }

    /// The facts of `year`, created empty when absent.
    pub fn facts_mut(&mut self, year: i32) -> &mut Facts {
        self.years.entry(year).or_default()
    }

    /// Number of units in this tree (the unit and all its sub-units).
    pub fn tree_size(&self) -> usize {
        1 + self
            .subunits
            .iter()
            .flatten()
            .map(UnitInput::tree_size)
            .sum::<usize>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facts_are_kept_sorted_and_replaced() {
        let mut f = Facts::new();
        f.set_value(FieldId(5), Value::Int(1));
        f.set_value(FieldId(2), Value::Bool(true));
        f.set_value(FieldId(5), Value::Int(7));
        assert_eq!(f.len(), 2);
        assert_eq!(f.get(FieldId(5)).unwrap().value, Value::Int(7));
        assert_eq!(f.get(FieldId(2)).unwrap().value, Value::Bool(true));
        assert!(f.get(FieldId(3)).is_none());
        let keys: Vec<u16> = f.iter().map(|(k, _)| k.0).collect();
        assert_eq!(keys, vec![2, 5]);
        assert!(f.remove(FieldId(2)).is_some());
        assert_eq!(f.len(), 1);
    }
}
