//! Finding units by code and asking which unit lies inside which: the seam between auth and units.
//!
//! [`UnitDirectory`] is what the service layer needs from the units engineer's `Atlas`: resolve a
//! unit code on a date, describe a unit id, and answer [`Territory`] containment. The application
//! runs on the stored map ([`SharedAtlas`], loaded at start and replaced after imports); unit tests
//! use a small [`StaticDirectory`].

#[cfg(test)]
use std::collections::HashMap;

use binhyen_core::authz::{Scope, Territory};
use binhyen_core::units::{Atlas, UnitId, UnitKind};
use chrono::NaiveDate;

pub use crate::units::SharedAtlas;

/// The stored map, for commands that run once (the server keeps its own [`SharedAtlas`]).
pub async fn installed(store: &binhyen_store::Store) -> anyhow::Result<SharedAtlas> {
    let atlas = SharedAtlas::default();
    reload(store, &atlas).await?;
    Ok(atlas)
}

/// Replaces `atlas` with the stored map (an invalid stored map leaves it as it was, with a warning).
pub async fn reload(store: &binhyen_store::Store, atlas: &SharedAtlas) -> anyhow::Result<()> {
    match store.load_atlas().await {
        Ok(a) => atlas.set(a),
        Err(binhyen_store::units::ImportError::Invalid(p)) => {
            tracing::warn!(
                "stored units are invalid ({} problems); the map is empty",
                p.len()
            );
        }
        Err(binhyen_store::units::ImportError::Db(e)) => return Err(e.into()),
    }
    Ok(())
}

/// The code users type for the whole country.
pub const COUNTRY_CODE: &str = "VN";

/// What the auth screens show of a unit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnitRef {
    pub id: UnitId,
    pub code: String,
    pub name: String,
    pub kind: UnitKind,
}

/// Unit lookups for the service layer, implemented by the stored map ([`SharedAtlas`]).
pub trait UnitDirectory: Territory + Send + Sync {
    /// The unit carrying `code` on `on` (codes are unique per date, not forever).
    fn by_code(&self, code: &str, on: NaiveDate) -> Option<UnitRef>;
    /// The unit with this id (its latest version).
    fn by_id(&self, id: UnitId) -> Option<UnitRef>;
    /// The unit as it stood in `year` (its last version valid during the year), `None` when it
    /// did not exist that year.
    fn in_year(&self, id: UnitId, year: i32) -> Option<UnitRef> {
        let _ = year;
        self.by_id(id)
    }
}

/// An in-memory directory for unit tests: a list of units and their parents.
#[cfg(test)]
#[derive(Default)]
pub struct StaticDirectory {
    units: HashMap<UnitId, UnitRef>,
    by_code: HashMap<String, UnitId>,
    parent: HashMap<UnitId, UnitId>,
}

#[cfg(test)]
impl StaticDirectory {
    /// `(unit, parent)` pairs; parents must be in the list too (or `None` for provinces).
    pub fn new(units: impl IntoIterator<Item = (UnitRef, Option<UnitId>)>) -> StaticDirectory {
        let mut d = StaticDirectory::default();
        for (u, p) in units {
            if let Some(p) = p {
                d.parent.insert(u.id, p);
            }
            d.by_code.insert(u.code.clone(), u.id);
            d.units.insert(u.id, u);
        }
        d
    }
}

#[cfg(test)]
impl Territory for StaticDirectory {
    fn within(&self, scope: UnitId, unit: UnitId) -> bool {
        let mut cur = Some(unit);
        while let Some(u) = cur {
            if u == scope {
                return true;
            }
            cur = self.parent.get(&u).copied();
        }
        false
    }
}

#[cfg(test)]
impl UnitDirectory for StaticDirectory {
    fn by_code(&self, code: &str, _on: NaiveDate) -> Option<UnitRef> {
        self.by_code
            .get(code.trim())
            .and_then(|id| self.units.get(id))
            .cloned()
    }

    fn by_id(&self, id: UnitId) -> Option<UnitRef> {
        self.units.get(&id).cloned()
    }
}

fn unit_ref(atlas: &Atlas, id: UnitId, on: Option<NaiveDate>) -> Option<UnitRef> {
    let unit = atlas.unit(id)?;
    let v = match on {
        Some(d) => unit.version_at(d)?,
        None => unit.last(),
    };
    Some(UnitRef {
        id,
        code: v.code.clone(),
        name: v.name.clone(),
        kind: unit.kind,
    })
}

impl Territory for SharedAtlas {
    fn within(&self, scope: UnitId, unit: UnitId) -> bool {
        self.get().within(scope, unit)
    }
}

impl UnitDirectory for SharedAtlas {
    /// A day before the stored map begins (the official lists start on 01/05/2024) reads the
    /// first map, as evaluations of earlier years do (`service::evaluation::map_date`).
    fn by_code(&self, code: &str, on: NaiveDate) -> Option<UnitRef> {
        let atlas = self.get();
        let code = code.trim();
        // The horizon is a scan of every unit: only asked for on a miss.
        let (id, on) = match atlas.find_code(code, on) {
            Some(id) => (id, on),
            None => {
                let first = atlas.horizon().filter(|h| on < *h)?;
                (atlas.find_code(code, first)?, first)
            }
        };
        unit_ref(&atlas, id, Some(on))
    }

    fn by_id(&self, id: UnitId) -> Option<UnitRef> {
        unit_ref(&self.get(), id, None)
    }

    fn in_year(&self, id: UnitId, year: i32) -> Option<UnitRef> {
        let atlas = self.get();
        let unit = atlas.unit(id)?;
        let first = NaiveDate::from_ymd_opt(year, 1, 1)?;
        let last = NaiveDate::from_ymd_opt(year, 12, 31)?;
        let v = unit
            .versions
            .iter()
            .rev()
            .find(|v| v.validity.from <= last && v.validity.to.is_none_or(|to| to > first))?;
        Some(UnitRef {
            id,
            code: v.code.clone(),
            name: v.name.clone(),
            kind: unit.kind,
        })
    }
}

/// How a scope reads on screen: "Xã Long Đức (29001)", or "Toàn quốc (VN)".
pub fn describe(units: &dyn UnitDirectory, scope: Scope, country_label: &str) -> String {
    match scope {
        Scope::Country => format!("{country_label} ({COUNTRY_CODE})"),
        Scope::Unit(id) => match units.by_id(id) {
            Some(u) => format!("{} ({})", u.name, u.code),
            None => format!("#{id}"),
        },
    }
}

/// The code to put back into a form for a scope.
pub fn code_of(units: &dyn UnitDirectory, scope: Scope) -> String {
    match scope {
        Scope::Country => COUNTRY_CODE.to_owned(),
        Scope::Unit(id) => units
            .by_id(id)
            .map(|u| u.code)
            .unwrap_or_else(|| format!("#{id}")),
    }
}

#[cfg(test)]
pub mod fixture {
    //! A small province for tests: Vĩnh Long (86) ⊃ Xã Long Đức (29001) ⊃ Ấp 1 (2900101);
    //! Vĩnh Long ⊃ Phường 1 (29002); Cần Thơ (92) ⊃ Phường Ninh Kiều (31001);
    //! Trà Vinh (84, before 2025) ⊃ Huyện Càng Long (842).
    use super::*;

    pub const VINH_LONG: UnitId = 86;
    pub const LONG_DUC: UnitId = 29001;
    pub const AP_1: UnitId = 2900101;
    pub const PHUONG_1: UnitId = 29002;
    pub const CAN_THO: UnitId = 92;
    pub const NINH_KIEU: UnitId = 31001;
    pub const TRA_VINH: UnitId = 84;
    pub const CANG_LONG: UnitId = 842;

    fn u(id: UnitId, code: &str, name: &str, kind: UnitKind) -> UnitRef {
        UnitRef {
            id,
            code: code.to_owned(),
            name: name.to_owned(),
            kind,
        }
    }

    pub fn directory() -> StaticDirectory {
        use UnitKind::*;
        StaticDirectory::new([
            (u(VINH_LONG, "86", "Tỉnh Vĩnh Long", Province), None),
            (
                u(LONG_DUC, "29001", "Xã Long Đức", Commune),
                Some(VINH_LONG),
            ),
            (u(AP_1, "2900101", "Ấp 1", ResidentialArea), Some(LONG_DUC)),
            (u(PHUONG_1, "29002", "Phường 1", Commune), Some(VINH_LONG)),
            (u(CAN_THO, "92", "Thành phố Cần Thơ", Province), None),
            (
                u(NINH_KIEU, "31001", "Phường Ninh Kiều", Commune),
                Some(CAN_THO),
            ),
            (u(TRA_VINH, "84", "Tỉnh Trà Vinh", Province), None),
            (
                u(CANG_LONG, "842", "Huyện Càng Long", District),
                Some(TRA_VINH),
            ),
        ])
    }

    #[test]
    fn static_directory_answers_containment_and_codes() {
        let d = directory();
        assert!(d.within(VINH_LONG, AP_1));
        assert!(d.within(LONG_DUC, LONG_DUC));
        assert!(!d.within(LONG_DUC, PHUONG_1));
        assert!(!d.within(CAN_THO, LONG_DUC));
        let on = NaiveDate::from_ymd_opt(2025, 7, 1).unwrap();
        assert_eq!(d.by_code(" 29001 ", on).unwrap().id, LONG_DUC);
        assert_eq!(d.by_code("99999", on), None);
        assert_eq!(
            describe(&d, Scope::Unit(LONG_DUC), "Toàn quốc"),
            "Xã Long Đức (29001)"
        );
        assert_eq!(describe(&d, Scope::Country, "Toàn quốc"), "Toàn quốc (VN)");
        assert_eq!(code_of(&d, Scope::Unit(AP_1)), "2900101");
    }
}
