//! Units through time: the vocabulary shared by every part of the product.

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
