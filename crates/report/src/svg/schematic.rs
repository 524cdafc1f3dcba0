//! Schematic boundaries for units that have no boundary file yet: a deterministic hexagon
//! tiling, one cell per unit, filled row by row in a serpentine so that the units of one
//! parent (the communes of a district) form one contiguous patch. The result is GeoJSON
//! that [`super::map::parse_boundaries`] reads like any other; every feature and the
//! collection say `"schematic": true` and carry the notice [`super::map::SCHEMATIC_CAPTION`].

use geojson::{Feature, FeatureCollection, Geometry, GeometryValue, JsonObject};
use serde_json::{Value, json};

use super::map::{SCHEMATIC_CAPTION, UnitRef};

/// A unit to place, with the parent it is grouped under.
#[derive(Clone, Debug, Default)]
pub struct SchematicUnit {
    pub code: String,
    pub name: String,
    pub parent_code: String,
    pub parent_name: String,
}

impl From<&SchematicUnit> for UnitRef {
    fn from(u: &SchematicUnit) -> UnitRef {
        UnitRef {
            code: u.code.clone(),
            name: u.name.clone(),
        }
    }
}

/// Hexagon cells around `centre` (longitude, latitude), `cell_deg` degrees of latitude
/// across, stored with the code under `code_property`. Units are grouped by parent in the
/// order parents first appear; within a parent the given order is kept.
pub fn schematic_boundaries(
    units: &[SchematicUnit],
    centre: (f64, f64),
    cell_deg: f64,
    code_property: &str,
) -> String {
    let mut parents: Vec<&str> = Vec::new();
    for u in units {
        if !parents.contains(&u.parent_code.as_str()) {
            parents.push(&u.parent_code);
        }
    }
    let mut ordered: Vec<&SchematicUnit> = units.iter().collect();
    ordered.sort_by_key(|u| parents.iter().position(|p| *p == u.parent_code));
    let n = ordered.len().max(1);
    // A roughly 4:3 landscape block of pointy-top hexagons.
    let cols = ((n as f64 * 4.0 / 3.0).sqrt().ceil() as usize).max(1);
    let rows = n.div_ceil(cols);
    let r = cell_deg / 2.0; // circumradius in degrees of latitude
    let k = centre.1.to_radians().cos().max(0.1); // keep cells regular after projection
    let dx = 3f64.sqrt() * r;
    let dy = 1.5 * r;
    let (w, h) = (dx * cols as f64, dy * rows as f64);
    let features = ordered
        .iter()
        .enumerate()
        .map(|(i, u)| {
            let row = i / cols;
            // Serpentine: even rows left to right, odd rows right to left and shifted half a cell.
            let odd = !row.is_multiple_of(2);
            let col = if odd { cols - 1 - i % cols } else { i % cols };
            let cx = col as f64 * dx + if odd { dx / 2.0 } else { 0.0 } - w / 2.0;
            let cy = h / 2.0 - row as f64 * dy;
            let ring: Vec<Vec<f64>> = (0..=6)
                .map(|j| {
                    let a = (60.0 * (j % 6) as f64 + 30.0).to_radians();
                    vec![
                        round6(centre.0 + (cx + r * a.cos()) / k),
                        round6(centre.1 + cy + r * a.sin()),
                    ]
                })
                .collect();
            let mut props = JsonObject::new();
            props.insert(code_property.to_owned(), Value::String(u.code.clone()));
            props.insert("name".into(), Value::String(u.name.clone()));
            props.insert("parent_code".into(), Value::String(u.parent_code.clone()));
            props.insert("parent_name".into(), Value::String(u.parent_name.clone()));
            props.insert("schematic".into(), Value::Bool(true));
            props.insert("note".into(), Value::String(SCHEMATIC_CAPTION.to_owned()));
            Feature {
                geometry: Some(Geometry::new(GeometryValue::Polygon {
                    coordinates: vec![ring.into_iter().map(Into::into).collect()],
                })),
                properties: Some(props),
                ..Feature::default()
            }
        })
        .collect();
    let mut members = JsonObject::new();
    members.insert("schematic".into(), json!(true));
    members.insert("note".into(), json!(SCHEMATIC_CAPTION));
    FeatureCollection {
        bbox: None,
        features,
        foreign_members: Some(members),
    }
    .to_string()
}

fn round6(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::svg::map::{dry_run, parse_boundaries};

    fn units(n: usize) -> Vec<SchematicUnit> {
        (0..n)
            .map(|i| SchematicUnit {
                code: format!("{:05}", 29_000 + i),
                name: format!("Xã số {i}"),
                parent_code: format!("{}", 840 + i % 3),
                parent_name: format!("Huyện {}", i % 3),
            })
            .collect()
    }

    #[test]
    fn one_cell_per_unit_readable_by_the_importer_and_deterministic() {
        let u = units(85);
        let json = schematic_boundaries(&u, (106.3, 9.9), 0.05, "ma_xa");
        assert_eq!(json, schematic_boundaries(&u, (106.3, 9.9), 0.05, "ma_xa"));
        let b = parse_boundaries(&json, "ma_xa").unwrap();
        assert!(b.schematic);
        assert_eq!(b.features.len(), 85);
        let refs: Vec<UnitRef> = u.iter().map(UnitRef::from).collect();
        let run = dry_run(&b, &refs);
        assert_eq!(run.matched.len(), 85);
        assert!(run.unmatched_features.is_empty() && run.units_without_feature.is_empty());
    }

    #[test]
    fn units_of_one_parent_are_neighbours() {
        // Consecutive cells of the serpentine share an edge: their centres are one cell apart.
        let u = units(30);
        let b =
            parse_boundaries(&schematic_boundaries(&u, (106.3, 9.9), 0.05, "ma"), "ma").unwrap();
        let centre = |i: usize| {
            let ring = &b.features[i].polygons[0][0];
            let n = (ring.len() - 1) as f64;
            ring[..ring.len() - 1]
                .iter()
                .fold([0.0, 0.0], |a, p| [a[0] + p[0] / n, a[1] + p[1] / n])
        };
        let k = 9.9f64.to_radians().cos();
        for i in 1..b.features.len() {
            let (a, c) = (centre(i - 1), centre(i));
            let d = (((a[0] - c[0]) * k).powi(2) + (a[1] - c[1]).powi(2)).sqrt();
            assert!(
                (d - 3f64.sqrt() * 0.025).abs() < 1e-4,
                "cells {} and {i} are {d} apart",
                i - 1
            );
        }
        // Grouped by parent: the parent codes come in three runs.
        let codes: Vec<String> = b.features.iter().map(|f| f.code.clone().unwrap()).collect();
        let parent_of = |c: &str| u.iter().find(|x| x.code == c).unwrap().parent_code.clone();
        let runs = codes
            .windows(2)
            .filter(|w| parent_of(&w[0]) != parent_of(&w[1]))
            .count()
            + 1;
        assert_eq!(runs, 3);
    }
}
