//! The verdict preview beside a facts form: the verdicts of the unit and year computed with the
//! values in the form, not saved (`service::facts::preview`). Rendered with the form page (works
//! without JavaScript) and by `POST /units/{id}/facts/{year}/preview?form=…`, which returns the
//! panel alone; `assets/app.js` posts the form there as the officer types and swaps the panel.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::Form;
use binhyen_core::catalogue::FormGroup;
use binhyen_core::units::UnitId;
use serde_json::{Map, Value as JV};

use super::auth::CurrentUser;
use super::evaluation::EvaluationOut;
use super::facts::{FormQuery, field_label, load, values_from_inputs};
use super::{AppState, Tr};
use crate::service::facts::preview;

/// The panel: the verdicts with the typed values, and what could not be read.
pub struct PreviewView {
    pub evaluations: Vec<EvaluationOut>,
    /// "Label: message" for each value left out of the preview.
    pub problems: Vec<String>,
    /// Why there are no verdicts (nothing applies, or the preview failed).
    pub note: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "facts/preview_fragment.html")]
pub struct PreviewFragment {
    pub tr: Tr,
    pub preview: PreviewView,
}

/// The preview of form `group` of `unit` for `year` holding `values`; `input_errors` are the
/// inputs the form could not read (a word in a number field), keyed by catalogue key.
pub async fn build(
    state: &AppState,
    user: &CurrentUser,
    unit: UnitId,
    year: i32,
    group: FormGroup,
    values: &Map<String, JV>,
    input_errors: &HashMap<String, String>,
) -> PreviewView {
    let tr = Tr { lang: user.lang };
    let lang = tr.code();
    let reg = state.registry.get();
    let atlas = state.atlas.get();
    let mut view = PreviewView {
        evaluations: vec![],
        problems: vec![],
        note: None,
    };
    let mut problems: Vec<(String, String)> = input_errors
        .iter()
        .map(|(k, m)| (k.clone(), m.clone()))
        .collect();
    match preview::preview(
        &state.ctx(),
        &atlas,
        &reg,
        &user.actor,
        unit,
        year,
        group,
        values,
    )
    .await
    {
        Ok(p) => {
            problems.extend(
                p.problems
                    .iter()
                    .map(|p| (p.field.clone(), p.message.render(lang))),
            );
            view.evaluations = p
                .evaluations
                .iter()
                .map(|e| EvaluationOut::new(e, lang, false))
                .collect();
            if view.evaluations.is_empty() {
                view.note = Some(tr.t("evaluation.page.nothing"));
            }
        }
        Err(e) => view.note = Some(e.message(lang)),
    }
    problems.sort();
    view.problems = problems
        .into_iter()
        .map(|(k, m)| {
            if k.is_empty() {
                m
            } else {
                format!("{}: {m}", field_label(state, &k, year, &tr))
            }
        })
        .collect();
    view
}

/// `POST /units/{id}/facts/{year}/preview?form=…`: the panel for the posted form (nothing saved).
pub async fn preview_post(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, year)): Path<(UnitId, i32)>,
    Query(q): Query<FormQuery>,
    Form(input): Form<HashMap<String, String>>,
) -> Response {
    let tr = Tr { lang: user.lang };
    let c = match load(&state, &user, id, year, q.form.as_deref()).await {
        Ok(c) => c,
        Err(e) => return user.fail(e).into_response(),
    };
    let (values, errors) = values_from_inputs(&state, c.unit.unit.kind, year, c.group, &input, &tr);
    PreviewFragment {
        tr,
        preview: build(&state, &user, id, year, c.group, &values, &errors).await,
    }
    .into_response()
}
