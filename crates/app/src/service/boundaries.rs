//! Map boundaries: a GeoJSON file matched to the communes of a date by official code (a dry
//! run reports matched and unmatched units both ways, and changes nothing), imported all or
//! nothing with one audit entry; the demo's schematic cells (`svg::schematic`); and the
//! projected map of a set of units read back from the store.
//!
//! The communes of the date are the units a file is matched against; units without a
//! boundary are listed for the provinces the file touches (a one-province file does not list
//! the rest of the country).

use std::collections::{BTreeSet, HashMap};

use binhyen_core::text::{format_date, format_int};
use binhyen_core::units::{Atlas, UnitId, UnitKind};
use binhyen_report::svg::map::{self, Boundaries, DryRun, ProjectedMap, UnitRef};
use binhyen_report::svg::schematic::{SchematicUnit, schematic_boundaries};
use binhyen_store::Db;
use binhyen_store::boundaries::{self as store, BoundaryRow};
use chrono::NaiveDate;
use serde_json::{Value, json};

use super::{Actor, Audit, Ctx, ServiceError};
use crate::units::text;

/// The source label of the demo's generated cells (shown on every map drawn with them).
pub const SCHEMATIC_SOURCE: &str =
    "sơ đồ minh họa — không phải ranh giới thật / schematic — not a real boundary";

/// Why a boundary file cannot be read, with where.
#[derive(Debug, Clone, PartialEq)]
pub enum BoundaryError {
    /// Not JSON: the line and column of the first error.
    Syntax {
        file: String,
        line: usize,
        column: usize,
        reason: String,
    },
    /// JSON, but not a FeatureCollection.
    NotCollection { file: String },
    /// The feature at this position (1-based) is not a valid GeoJSON feature.
    Feature {
        file: String,
        index: usize,
        reason: String,
    },
}

impl BoundaryError {
    pub fn message(&self, lang: &str) -> String {
        match self {
            BoundaryError::Syntax {
                file,
                line,
                column,
                reason,
            } => text(
                lang,
                "map.import.syntax",
                &[
                    ("place", format!("{file}:{line}:{column}")),
                    ("reason", reason.clone()),
                ],
            ),
            BoundaryError::NotCollection { file } => {
                text(lang, "map.import.not_collection", &[("file", file.clone())])
            }
            BoundaryError::Feature {
                file,
                index,
                reason,
            } => text(
                lang,
                "map.import.bad_feature",
                &[
                    ("file", file.clone()),
                    ("index", index.to_string()),
                    ("reason", reason.clone()),
                ],
            ),
        }
    }
}

/// Reads a boundary file: JSON syntax first (line:column), then each feature (its position).
pub fn parse(file: &str, geojson: &str, code_property: &str) -> Result<Boundaries, BoundaryError> {
    let value: Value = serde_json::from_str(geojson).map_err(|e| BoundaryError::Syntax {
        file: file.to_owned(),
        line: e.line(),
        column: e.column(),
        reason: e.to_string(),
    })?;
    if value.get("type").and_then(Value::as_str) != Some("FeatureCollection")
        || !value.get("features").is_some_and(Value::is_array)
    {
        return Err(BoundaryError::NotCollection {
            file: file.to_owned(),
        });
    }
    map::parse_boundaries(geojson, code_property).map_err(|e| {
        // Name the first feature the GeoJSON reader refuses.
        let features = value["features"].as_array().cloned().unwrap_or_default();
        match map::first_bad_feature(&features) {
            Some((index, reason)) => BoundaryError::Feature {
                file: file.to_owned(),
                index,
                reason,
            },
            None => BoundaryError::Feature {
                file: file.to_owned(),
                index: 0,
                reason: e.to_string(),
            },
        }
    })
}

/// The communes on `date` (under `scope`, or in the country), in tree order.
pub fn communes_on(atlas: &Atlas, date: NaiveDate, scope: Option<UnitId>) -> Vec<UnitId> {
    let mut out = Vec::new();
    let mut stack: Vec<UnitId> = match scope {
        Some(s) => vec![s],
        None => atlas.roots(date).into_iter().rev().collect(),
    };
    while let Some(u) = stack.pop() {
        match atlas.unit(u).map(|x| x.kind) {
            Some(UnitKind::Commune) => out.push(u),
            Some(UnitKind::Province | UnitKind::District) | None => {
                stack.extend(atlas.children(u, date).into_iter().rev());
            }
            Some(_) => {}
        }
    }
    out
}

fn unit_refs(atlas: &Atlas, ids: &[UnitId], date: NaiveDate) -> Vec<UnitRef> {
    ids.iter()
        .filter_map(|id| atlas.version_at(*id, date))
        .map(|v| UnitRef {
            code: v.code.clone(),
            name: v.name.clone(),
        })
        .collect()
}

/// What an import would do.
#[derive(Debug, Clone)]
pub struct ImportPlan {
    pub file: String,
    pub date: NaiveDate,
    pub run: DryRun,
    /// Units without a boundary elsewhere in the country (not listed).
    pub without_elsewhere: usize,
    /// Name of each matched or missing unit, by code.
    pub names: HashMap<String, String>,
    pub rows: Vec<BoundaryRow>,
    pub schematic: bool,
}

/// Matches `boundaries` against the communes of `date`; builds the rows to store, labelled with
/// `source`.
pub fn plan(
    atlas: &Atlas,
    file: &str,
    boundaries: &Boundaries,
    date: NaiveDate,
    source: &str,
    ctx: &Ctx<'_>,
    actor: &Actor,
) -> ImportPlan {
    let communes = communes_on(atlas, date, None);
    let refs = unit_refs(atlas, &communes, date);
    let mut run = map::dry_run(boundaries, &refs);
    let names: HashMap<String, String> = refs
        .iter()
        .map(|u| (u.code.clone(), u.name.clone()))
        .collect();
    // List missing units only in the provinces the file touches.
    let province_of = |code: &str| {
        atlas
            .find_code(code, date)
            .and_then(|id| atlas.ancestor_of_kind(id, date, UnitKind::Province))
    };
    let touched: BTreeSet<UnitId> = run.matched.iter().filter_map(|c| province_of(c)).collect();
    let (listed, elsewhere): (Vec<String>, Vec<String>) = run
        .units_without_feature
        .drain(..)
        .partition(|c| province_of(c).is_some_and(|p| touched.contains(&p)));
    run.units_without_feature = listed;
    let matched: BTreeSet<&str> = run.matched.iter().map(String::as_str).collect();
    let mut seen = BTreeSet::new();
    let rows = boundaries
        .features
        .iter()
        .filter_map(|f| {
            let code = f.code.as_deref()?;
            let unit = refs
                .iter()
                .find(|u| map::same_code(&u.code, code) && matched.contains(u.code.as_str()))?;
            if f.polygons.is_empty() || !seen.insert(unit.code.clone()) {
                return None;
            }
            Some(BoundaryRow {
                unit_code: unit.code.clone(),
                name: unit.name.clone(),
                geometry: geometry_json(&f.polygons),
                source: source.to_owned(),
                schematic: boundaries.schematic,
                imported_at: ctx.now,
                actor_name: actor.display_name.clone(),
            })
        })
        .collect();
    ImportPlan {
        file: file.to_owned(),
        date,
        run,
        without_elsewhere: elsewhere.len(),
        names,
        rows,
        schematic: boundaries.schematic,
    }
}

fn geometry_json(polygons: &[map::Polygon]) -> String {
    if polygons.len() == 1 {
        json!({ "type": "Polygon", "coordinates": polygons[0] }).to_string()
    } else {
        json!({ "type": "MultiPolygon", "coordinates": polygons }).to_string()
    }
}

/// The dry-run report, in `lang`: counts, then every unmatched feature and missing unit.
pub fn report(lang: &str, p: &ImportPlan) -> Vec<String> {
    let mut out = vec![text(
        lang,
        "map.import.summary",
        &[
            ("file", p.file.clone()),
            ("date", format_date(p.date)),
            ("matched", format_int(p.run.matched.len() as i64)),
            (
                "unmatched",
                format_int(p.run.unmatched_features.len() as i64),
            ),
            (
                "missing",
                format_int(p.run.units_without_feature.len() as i64),
            ),
        ],
    )];
    for (index, code, why) in &p.run.unmatched_features {
        out.push(text(
            lang,
            "map.import.unmatched_feature",
            &[
                ("index", (index + 1).to_string()),
                ("code", code.clone().unwrap_or_else(|| "—".to_owned())),
                ("reason", text(lang, &format!("map.unmatched.{why:?}"), &[])),
            ],
        ));
    }
    for code in &p.run.units_without_feature {
        out.push(text(
            lang,
            "map.import.missing_unit",
            &[
                ("code", code.clone()),
                ("name", p.names.get(code).cloned().unwrap_or_default()),
            ],
        ));
    }
    if p.without_elsewhere > 0 {
        out.push(text(
            lang,
            "map.import.elsewhere",
            &[("count", format_int(p.without_elsewhere as i64))],
        ));
    }
    out
}

/// Stores the plan's boundaries in one audited transaction (all or nothing). Console and
/// administrators only.
pub async fn import(ctx: &Ctx<'_>, actor: &Actor, p: &ImportPlan) -> Result<usize, ServiceError> {
    if !actor.can_manage_users() {
        return Err(ServiceError::Denied(
            binhyen_core::authz::Denied::NoCapability,
        ));
    }
    let change = super::open(ctx, actor.audit_actor()).await?;
    store::replace(change.tx(), &p.rows).await?;
    change
        .commit(
            Audit::new("boundaries.import", "boundary", "*").details(json!({
                "file": p.file, "date": p.date, "units": p.rows.len(),
                "unmatched_features": p.run.unmatched_features.len(),
                "schematic": p.schematic,
            })),
        )
        .await?;
    Ok(p.rows.len())
}

/// Schematic hexagon cells for the communes of `scope` on `date`, grouped by district (as
/// GeoJSON, code property `ma`), centred on `centre`.
pub fn schematic(atlas: &Atlas, scope: UnitId, date: NaiveDate, centre: (f64, f64)) -> String {
    let units: Vec<SchematicUnit> = communes_on(atlas, date, Some(scope))
        .into_iter()
        .filter_map(|id| {
            let v = atlas.version_at(id, date)?;
            let parent = v.parent.and_then(|p| atlas.version_at(p, date));
            Some(SchematicUnit {
                code: v.code.clone(),
                name: v.name.clone(),
                parent_code: parent.map(|p| p.code.clone()).unwrap_or_default(),
                parent_name: parent.map(|p| p.name.clone()).unwrap_or_default(),
            })
        })
        .collect();
    schematic_boundaries(&units, centre, 0.045, "ma")
}

/// The stored boundaries of `units`, projected `width` wide, with the distinct source labels.
pub async fn projected(
    db: &impl Db,
    units: &[UnitRef],
    width: f64,
) -> Result<(ProjectedMap, Vec<String>), ServiceError> {
    let codes: Vec<String> = units.iter().map(|u| u.code.clone()).collect();
    let rows = store::of_codes(db, &codes).await?;
    let mut sources: Vec<String> = Vec::new();
    let mut features = Vec::with_capacity(rows.len());
    let mut schematic = false;
    for r in &rows {
        if !sources.contains(&r.source) {
            sources.push(r.source.clone());
        }
        schematic |= r.schematic;
        let geometry: Value = serde_json::from_str(&r.geometry).unwrap_or(Value::Null);
        features.push(json!({
            "type": "Feature", "geometry": geometry,
            "properties": { "code": r.unit_code, "schematic": r.schematic },
        }));
    }
    let collection = json!({ "type": "FeatureCollection", "features": features }).to_string();
    let mut boundaries = map::parse_boundaries(&collection, "code")
        .map_err(|e| ServiceError::Internal(e.to_string()))?;
    boundaries.schematic = schematic;
    Ok((ProjectedMap::new(&boundaries, units, width), sources))
}
