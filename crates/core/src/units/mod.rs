//! Units through time: the vocabulary shared by every part of the product.
//!
//! A [`Unit`] is an identity (its [`UnitId`]) with dated [`Version`]s (code, name, type, parent,
//! validity). A rename, type change or re-parenting closes a version and opens another under the
//! same identity; a merge or split creates new identities linked to the old ones by
//! [`LineageEvent`]s. A [`History`] is the plain data (what the store saves and loads); an
//! [`Atlas`] is the validated, indexed graph that answers questions "on a date".
//!
//! * `atlas` — the temporal graph and its queries (tree, ancestors, predecessors, successors,
//!   holders, `within`, search).
//! * `problem` — what can be wrong with unit data, with the file, line and column.
//! * `official` — the national lists (2024-05, the 2024–25 changes, the 2025 reform) as a history.
//! * `file` — residential areas and organisations from files users fill in.
//! * `merge` — an incoming dataset applied to the stored history, and the difference to save.

mod atlas;
pub mod file;
mod merge;
pub mod official;
mod problem;
mod search;

pub use atlas::{Atlas, Lineal, LinkView, TreeNode};
pub use merge::{Changes, Dataset, event_key, merge};
pub use problem::{Exclusion, Origin, Problem, ProblemKind, truncate};
pub use search::Hit;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Internal identity of a unit. A unit keeps its id across renames, type changes and
/// re-parenting; a merge or split creates new units linked to the old ones by lineage.
pub type UnitId = i64;

/// What kind of thing a unit is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    Province,
    /// District level (huyện, quận, thị xã, thành phố thuộc tỉnh); abolished on 01/07/2025.
    District,
    /// Commune level: xã, phường, thị trấn, đặc khu.
    Commune,
    /// Khu dân cư: thôn, ấp, bản, làng, tổ dân phố, khu phố…
    ResidentialArea,
    /// Cơ quan, doanh nghiệp, cơ sở giáo dục (Circular 124 art. 1 and 6–7).
    Organisation,
}

impl UnitKind {
    pub const ALL: [UnitKind; 5] = [
        UnitKind::Province,
        UnitKind::District,
        UnitKind::Commune,
        UnitKind::ResidentialArea,
        UnitKind::Organisation,
    ];

    /// Stable identifier used in files, URLs and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            UnitKind::Province => "province",
            UnitKind::District => "district",
            UnitKind::Commune => "commune",
            UnitKind::ResidentialArea => "residential_area",
            UnitKind::Organisation => "organisation",
        }
    }

    pub fn parse(s: &str) -> Option<UnitKind> {
        UnitKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Vietnamese name of the level.
    pub fn label_vi(self) -> &'static str {
        match self {
            UnitKind::Province => "Cấp tỉnh",
            UnitKind::District => "Cấp huyện",
            UnitKind::Commune => "Cấp xã",
            UnitKind::ResidentialArea => "Khu dân cư",
            UnitKind::Organisation => "Cơ quan, doanh nghiệp, cơ sở giáo dục",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            UnitKind::Province => "Province",
            UnitKind::District => "District",
            UnitKind::Commune => "Commune",
            UnitKind::ResidentialArea => "Residential area",
            UnitKind::Organisation => "Organisation",
        }
    }

    /// Whether a unit of this kind may sit under a unit of kind `parent`: districts under
    /// provinces; communes under districts (before 01/07/2025) or provinces; residential areas
    /// under communes; organisations under the commune, district or province that manages them.
    pub fn allows_parent(self, parent: UnitKind) -> bool {
        use UnitKind::*;
        matches!(
            (self, parent),
            (District, Province)
                | (Commune, District | Province)
                | (ResidentialArea, Commune)
                | (Organisation, Commune | District | Province)
        )
    }
}

/// How the map changes (sáp nhập, chia tách, đổi tên…).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// A unit comes into being without predecessors (thành lập).
    Create,
    /// A unit ends without successors (giải thể), e.g. every district on 01/07/2025.
    Dissolve,
    /// Same identity, new name (đổi tên).
    Rename,
    /// Same identity, new type, e.g. Xã → Phường (chuyển loại).
    Retype,
    /// Same identity, new parent (điều chỉnh đơn vị cấp trên).
    Reparent,
    /// Several units (wholly or in part) form a new one (sáp nhập, sắp xếp).
    Merge,
    /// One unit is divided (chia tách); every link is partial.
    Split,
}

impl EventKind {
    pub const ALL: [EventKind; 7] = [
        EventKind::Create,
        EventKind::Dissolve,
        EventKind::Rename,
        EventKind::Retype,
        EventKind::Reparent,
        EventKind::Merge,
        EventKind::Split,
    ];

    /// Stable identifier used in the database and in locale keys (`units.event.merge`).
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Create => "create",
            EventKind::Dissolve => "dissolve",
            EventKind::Rename => "rename",
            EventKind::Retype => "retype",
            EventKind::Reparent => "reparent",
            EventKind::Merge => "merge",
            EventKind::Split => "split",
        }
    }

    pub fn parse(s: &str) -> Option<EventKind> {
        EventKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Rename, type change and re-parenting keep the identity; the others link identities.
    pub fn keeps_identity(self) -> bool {
        matches!(
            self,
            EventKind::Rename | EventKind::Retype | EventKind::Reparent
        )
    }
}

/// One state of a unit, valid over `validity`.
#[derive(Clone, Debug, PartialEq)]
pub struct Version {
    /// Official code (mã đơn vị hành chính) or the code given in a user file. Unique per date.
    pub code: String,
    /// Full name with its type prefix: "Xã Long Đức", "Ấp Phú Hòa".
    pub name: String,
    /// Type as written: "Tỉnh", "Huyện", "Xã", "Phường", "Thôn", "Doanh nghiệp"…
    pub unit_type: String,
    pub parent: Option<UnitId>,
    pub validity: Validity,
    /// Where this version was read (file, line), for error messages; not stored.
    pub origin: Option<Origin>,
}

/// An identity and its versions, oldest first, contiguous.
#[derive(Clone, Debug, PartialEq)]
pub struct Unit {
    pub id: UnitId,
    /// Natural key that survives re-imports: the code and start of the first version,
    /// `"00004@2024-05-01"` (codes are unique per date).
    pub key: String,
    pub kind: UnitKind,
    pub versions: Vec<Version>,
}

impl Unit {
    /// The natural key of an identity whose first version has `code` from `from`.
    pub fn key_for(code: &str, from: NaiveDate) -> String {
        format!("{code}@{from}")
    }

    /// From the start of the first version to the end of the last.
    pub fn lifetime(&self) -> Validity {
        Validity {
            from: self
                .versions
                .first()
                .map_or(NaiveDate::MIN, |v| v.validity.from),
            to: self.versions.last().and_then(|v| v.validity.to),
        }
    }

    pub fn version_at(&self, date: NaiveDate) -> Option<&Version> {
        self.versions.iter().find(|v| v.validity.contains(date))
    }

    pub fn first(&self) -> &Version {
        &self.versions[0]
    }

    pub fn last(&self) -> &Version {
        &self.versions[self.versions.len() - 1]
    }
}

/// One edge of a lineage event: `from` → `to`. `from` is empty for a creation, `to` for a
/// dissolution; both are the same unit for a rename, type change or re-parenting.
#[derive(Clone, Debug, PartialEq)]
pub struct LineageLink {
    pub from: Option<UnitId>,
    pub to: Option<UnitId>,
    /// Share of `from` that went to `to`, when known (0 < share ≤ 1).
    pub share: Option<f64>,
    /// Only part of `from` went to `to` (một phần), share unknown or given.
    pub partial: bool,
    /// The link was inferred, not read in a source (suy luận).
    pub inferred: bool,
    pub note: Option<String>,
}

/// A dated change of the map with its legal basis.
#[derive(Clone, Debug, PartialEq)]
pub struct LineageEvent {
    pub kind: EventKind,
    /// Effective date: the first day of the new state.
    pub date: NaiveDate,
    /// The instrument, as written ("Nghị quyết số 1687/NQ-UBTVQH15"); `None` for a data
    /// correction that is not a legal act, or when the file did not say.
    pub legal_basis: Option<String>,
    pub note: Option<String>,
    pub links: Vec<LineageLink>,
    pub origin: Option<Origin>,
}

/// Units and lineage as plain data: what the store saves and loads.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct History {
    pub units: Vec<Unit>,
    pub events: Vec<LineageEvent>,
}

/// A half-open validity interval `[from, to)`; `to == None` means still valid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Validity {
    pub from: NaiveDate,
    pub to: Option<NaiveDate>,
}

impl Validity {
    pub fn contains(&self, d: NaiveDate) -> bool {
        self.from <= d && self.to.is_none_or(|t| d < t)
    }

    pub fn overlaps(&self, other: &Validity) -> bool {
        let a_end_after_b_start = self.to.is_none_or(|t| other.from < t);
        let b_end_after_a_start = other.to.is_none_or(|t| self.from < t);
        a_end_after_b_start && b_end_after_a_start
    }

    /// The last day of validity, for display ("đến hết 30/06/2025").
    pub fn last_day(&self) -> Option<NaiveDate> {
        self.to.and_then(|t| t.pred_opt())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn validity_is_half_open() {
        let v = Validity {
            from: d(2024, 5, 1),
            to: Some(d(2025, 7, 1)),
        };
        assert!(v.contains(d(2024, 5, 1)));
        assert!(v.contains(d(2025, 6, 30)));
        assert!(!v.contains(d(2025, 7, 1)));
        assert_eq!(v.last_day(), Some(d(2025, 6, 30)));
        let after = Validity {
            from: d(2025, 7, 1),
            to: None,
        };
        assert!(!v.overlaps(&after));
        assert!(after.overlaps(&Validity {
            from: d(2025, 6, 1),
            to: Some(d(2025, 7, 2))
        }));
    }

    #[test]
    fn kinds_round_trip() {
        for k in UnitKind::ALL {
            assert_eq!(UnitKind::parse(k.as_str()), Some(k));
        }
    }
}
