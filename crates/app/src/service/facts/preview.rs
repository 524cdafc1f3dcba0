//! The verdict preview of a facts form: the verdicts a unit would get for a year if one of its
//! forms held the values being typed, without saving them.
//!
//! The unit's evaluation input is built from the database exactly as for stored verdicts
//! ([`evaluation::unit_input`]); the typed form (parsed by [`super::parse_form`]) replaces that
//! form's facts for the year, and the registry judges the result ([`Registry::evaluate_all`],
//! the path of `evaluate_unit`). Values the catalogue refuses are left out of the preview and
//! returned as problems. Read-only: nothing is written or audited.

use binhyen_core::catalogue::FormGroup;
use binhyen_core::standard::{Evaluation, Registry};
use binhyen_core::units::{Atlas, UnitId};
use serde_json::{Map, Value as JV};

use super::{FieldProblem, may_view, parse_form, unit_in_year};
use crate::service::evaluation::{self, EvaluationError};
use crate::service::{Actor, Ctx, ServiceError};

/// The verdicts with the typed values, and the typed values that could not be read.
#[derive(Debug)]
pub struct Preview {
    pub evaluations: Vec<Evaluation>,
    pub problems: Vec<FieldProblem>,
}

/// The verdicts of `unit` for `year` if form `group` held `values` (view scope, like the form).
#[allow(
    clippy::too_many_arguments,
    reason = "the unit, year and form, and the caller's context"
)]
pub async fn preview(
    ctx: &Ctx<'_>,
    atlas: &Atlas,
    reg: &Registry,
    actor: &Actor,
    unit: UnitId,
    year: i32,
    group: FormGroup,
    values: &Map<String, JV>,
) -> Result<Preview, ServiceError> {
    let u = unit_in_year(ctx, unit, year)?;
    may_view(ctx, actor, unit, year)?;
    // Fields the catalogue refuses are left out; the rest of the form still counts.
    let (facts, problems) = match parse_form(reg, u.kind, year, group, values) {
        Ok(f) => (f, vec![]),
        Err(problems) => {
            let mut good = values.clone();
            good.retain(|k, _| !problems.iter().any(|p| &p.field == k));
            let facts = parse_form(reg, u.kind, year, group, &good).unwrap_or_default();
            (facts, problems)
        }
    };
    let mut input = evaluation::unit_input(ctx.store, atlas, reg, unit, year)
        .await
        .map_err(|e| match e {
            EvaluationError::Service(e) => e,
            EvaluationError::UnknownUnit(_) => ServiceError::NotFound,
            EvaluationError::Standard(e) => ServiceError::Internal(format!("{e:?}")),
        })?;
    let cat = reg.catalogue();
    let stored = input.facts_mut(year);
    let in_group: Vec<_> = stored
        .iter()
        .map(|(id, _)| id)
        .filter(|id| {
            cat.version_for(&cat.by_id(*id).key, u.kind, year)
                .is_some_and(|v| v.group == group)
        })
        .collect();
    for id in in_group {
        stored.remove(id);
    }
    for (id, v) in facts.iter() {
        stored.set(id, v.clone());
    }
    Ok(Preview {
        evaluations: reg.evaluate_all(&input, year, true),
        problems,
    })
}
