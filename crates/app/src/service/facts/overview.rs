//! Where data entry stands: for each unit and form group of a year, whether the form is not
//! entered (*chưa nhập*), a draft (*nháp*) or submitted (*đã nộp*), and whether it is overdue
//! (*quá hạn*: not submitted after the province's lock date). Shared by the facts overview page
//! (`/facts`) and the dashboards' completeness section; view scope checked here.

use std::collections::HashMap;

use binhyen_core::authz::{Denied, Scope};
use binhyen_core::catalogue::FormGroup;
use binhyen_core::standard::Registry;
use binhyen_core::units::{Atlas, UnitId, UnitKind};
use binhyen_store::facts as store;
use chrono::NaiveDate;

use super::{SUBMITTED, groups};
use crate::service::evaluation::map_date;
use crate::service::{Actor, Ctx, ServiceError};

/// How far one form is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Fill {
    /// Nothing saved (*chưa nhập*).
    Empty,
    /// Saved, not submitted (*nháp*).
    Draft,
    /// Submitted (*đã nộp*).
    Submitted,
}

impl Fill {
    /// The fill of a stored form's status (`None`: no form saved).
    pub fn of(status: Option<&str>) -> Fill {
        match status {
            None => Fill::Empty,
            Some(SUBMITTED) => Fill::Submitted,
            Some(_) => Fill::Draft,
        }
    }

    /// The stored status this fill stands for.
    pub fn status(self) -> Option<&'static str> {
        match self {
            Fill::Empty => None,
            Fill::Draft => Some(super::DRAFT),
            Fill::Submitted => Some(SUBMITTED),
        }
    }

    /// The fill named by [`Fill::as_str`] (anything else: not entered).
    pub fn parse(s: &str) -> Fill {
        match s {
            "submitted" => Fill::Submitted,
            "draft" => Fill::Draft,
            _ => Fill::Empty,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Fill::Empty => "empty",
            Fill::Draft => "draft",
            Fill::Submitted => "submitted",
        }
    }
}

/// One form of one unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FormFill {
    pub group: FormGroup,
    pub fill: Fill,
    /// Not submitted and the province's lock date has passed.
    pub overdue: bool,
}

/// One unit's forms for the year (only the groups its kind fills that year).
#[derive(Clone, Debug)]
pub struct UnitFill {
    pub unit: UnitId,
    pub kind: UnitKind,
    pub code: String,
    pub name: String,
    /// The lock date that applies to the unit (its province's), if one is set.
    pub lock: Option<NaiveDate>,
    pub forms: Vec<FormFill>,
}

impl UnitFill {
    pub fn form(&self, group: FormGroup) -> Option<&FormFill> {
        self.forms.iter().find(|f| f.group == group)
    }
}

/// Whether `actor` may see `scope` (one of their view scopes contains it).
pub fn may_view_scope(ctx: &Ctx<'_>, actor: &Actor, scope: Scope) -> Result<(), ServiceError> {
    if actor
        .grants
        .iter()
        .any(|g| g.view.contains(scope, ctx.units))
    {
        Ok(())
    } else {
        Err(ServiceError::Denied(Denied::OutsideTerritory))
    }
}

/// The forms of `units` for `year` as they stand today, in the order given, each named as it
/// stood on its map date of the year. The actor must see `scope`; units outside it are left
/// out.
pub async fn fill(
    ctx: &Ctx<'_>,
    actor: &Actor,
    atlas: &Atlas,
    reg: &Registry,
    scope: Scope,
    units: &[UnitId],
    year: i32,
) -> Result<Vec<UnitFill>, ServiceError> {
    may_view_scope(ctx, actor, scope)?;
    let ids: Vec<UnitId> = units
        .iter()
        .copied()
        .filter(|u| match scope {
            Scope::Country => true,
            Scope::Unit(s) => *u == s || atlas.within(s, *u),
        })
        .filter(|u| atlas.unit(*u).is_some())
        .collect();
    let rows = store::forms_of_units(ctx.store, &ids, year..=year).await?;
    let locks = store::locks(ctx.store, year).await?;
    let status: HashMap<(UnitId, &str), &str> = rows
        .iter()
        .map(|r| ((r.unit_id, r.form.as_str()), r.status.as_str()))
        .collect();
    let today = ctx.today();
    let cat = reg.catalogue();
    Ok(ids
        .iter()
        .filter_map(|&id| {
            let unit = atlas.unit(id)?;
            let v = atlas.version_at(id, map_date(atlas, Some(id), year))?;
            let lock = locks
                .iter()
                .find(|l| l.province_id == id || atlas.within(l.province_id, id))
                .map(|l| l.lock_date);
            let late = lock.is_some_and(|d| today > d);
            let forms = groups(cat, unit.kind, year)
                .into_iter()
                .map(|group| {
                    let fill = Fill::of(status.get(&(id, group.as_str())).copied());
                    FormFill {
                        group,
                        fill,
                        overdue: late && fill != Fill::Submitted,
                    }
                })
                .collect();
            Some(UnitFill {
                unit: id,
                kind: unit.kind,
                code: v.code.clone(),
                name: v.name.clone(),
                lock,
                forms,
            })
        })
        .collect())
}
