//! Choropleth maps: boundaries imported from GeoJSON, matched to units by their official
//! code (a dry run says what matched and what did not), projected once (equirectangular,
//! x = lon·cos φ0), simplified (Douglas–Peucker, half a pixel) and scaled to a viewBox, then
//! drawn as one `<path data-code=…>` per unit coloured by a status or an indicator bucket.
//!
//! [`ProjectedMap`] holds the path strings; only the colours change per indicator, so callers
//! cache it per unit set.

use std::collections::{HashMap, HashSet};
use std::fmt::Write;

use geojson::{FeatureCollection, GeoJson, GeometryValue};

use super::LegendEntry;
use super::xml::{escape, legend, legend_height, num, open, text};

/// Printed under a map drawn on schematic boundaries (and stored in their properties).
pub const SCHEMATIC_CAPTION: &str = "Ranh giới sơ đồ minh họa, không phải ranh giới hành chính chính thức / schematic, not official boundaries";

/// A ring of (longitude, latitude) points; a polygon is an outer ring and its holes.
pub type Ring = Vec<[f64; 2]>;
pub type Polygon = Vec<Ring>;

/// Boundaries read from a GeoJSON FeatureCollection.
#[derive(Clone, Debug, Default)]
pub struct Boundaries {
    pub features: Vec<BoundaryFeature>,
    /// The features say they are schematic (`"schematic": true`), not official boundaries.
    pub schematic: bool,
}

#[derive(Clone, Debug, Default)]
pub struct BoundaryFeature {
    /// Position in the file (0-based), for the dry-run report.
    pub index: usize,
    /// The code property, as text (numbers are written without decimals).
    pub code: Option<String>,
    /// A `name`/`ten` property when present.
    pub name: Option<String>,
    /// Empty when the geometry is not a Polygon or MultiPolygon.
    pub polygons: Vec<Polygon>,
}

/// Why boundaries could not be read at all.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum GeoError {
    #[error(
        "Tệp ranh giới không phải GeoJSON hợp lệ: {0} / The boundary file is not valid GeoJSON"
    )]
    Parse(String),
    #[error(
        "Tệp ranh giới phải là một FeatureCollection / The boundary file must be a FeatureCollection"
    )]
    NotFeatureCollection,
}

/// Reads a FeatureCollection, taking each feature's code from the property `code_property`
/// (e.g. "ma_xa"). Features without a code or without an area stay in the result; the dry
/// run reports them.
pub fn parse_boundaries(geojson: &str, code_property: &str) -> Result<Boundaries, GeoError> {
    let parsed: GeoJson = geojson
        .parse()
        .map_err(|e: geojson::Error| GeoError::Parse(e.to_string()))?;
    let GeoJson::FeatureCollection(FeatureCollection {
        features,
        foreign_members,
        ..
    }) = parsed
    else {
        return Err(GeoError::NotFeatureCollection);
    };
    let mut schematic = foreign_members
        .as_ref()
        .and_then(|m| m.get("schematic"))
        .and_then(|v| v.as_bool())
        .unwrap_or(false);
    let features = features
        .into_iter()
        .enumerate()
        .map(|(index, f)| {
            let prop = |k: &str| f.properties.as_ref().and_then(|p| p.get(k));
            let as_text = |v: &serde_json::Value| match v {
                serde_json::Value::String(s) => Some(s.trim().to_owned()),
                serde_json::Value::Number(n) => {
                    Some(n.as_i64().map_or_else(|| n.to_string(), |i| i.to_string()))
                }
                _ => None,
            };
            schematic |= prop("schematic").and_then(|v| v.as_bool()).unwrap_or(false);
            let polygons = match f.geometry.map(|g| g.value) {
                Some(GeometryValue::Polygon { coordinates }) => vec![rings(coordinates)],
                Some(GeometryValue::MultiPolygon { coordinates }) => {
                    coordinates.into_iter().map(rings).collect()
                }
                _ => Vec::new(),
            };
            BoundaryFeature {
                index,
                code: prop(code_property)
                    .and_then(as_text)
                    .filter(|c| !c.is_empty()),
                name: ["name", "ten", "ten_xa", "NAME"]
                    .iter()
                    .find_map(|k| prop(k))
                    .and_then(as_text),
                polygons,
            }
        })
        .collect();
    Ok(Boundaries {
        features,
        schematic,
    })
}

/// The first feature of a FeatureCollection's `features` that is not a valid GeoJSON Feature:
/// its position (1-based) and why.
pub fn first_bad_feature(features: &[serde_json::Value]) -> Option<(usize, String)> {
    features.iter().enumerate().find_map(|(i, f)| {
        f.to_string()
            .parse::<geojson::Feature>()
            .err()
            .map(|e| (i + 1, e.to_string()))
    })
}

fn rings(polygon: Vec<Vec<geojson::Position>>) -> Polygon {
    polygon
        .into_iter()
        .map(|ring| {
            ring.iter()
                .filter(|p| p.len() >= 2)
                .map(|p| [p[0], p[1]])
                .collect()
        })
        .collect()
}

/// A unit the map should show.
#[derive(Clone, Debug, Default)]
pub struct UnitRef {
    pub code: String,
    pub name: String,
}

/// Why a feature is not used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unmatched {
    /// The feature has no code property.
    NoCode,
    /// No unit has this code.
    UnknownCode,
    /// Another feature already has this code.
    DuplicateCode,
    /// The geometry is not a Polygon or MultiPolygon.
    NotAnArea,
}

impl Unmatched {
    pub fn label_vi(self) -> &'static str {
        match self {
            Unmatched::NoCode => "thiếu mã đơn vị",
            Unmatched::UnknownCode => "mã không thuộc danh sách đơn vị",
            Unmatched::DuplicateCode => "trùng mã với vùng khác",
            Unmatched::NotAnArea => "không phải vùng (Polygon/MultiPolygon)",
        }
    }
}

/// What an import would do, before anything is stored.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DryRun {
    /// Codes of units that got a boundary.
    pub matched: Vec<String>,
    /// (feature index, its code if any, why it is not used).
    pub unmatched_features: Vec<(usize, Option<String>, Unmatched)>,
    /// Codes of units without a boundary.
    pub units_without_feature: Vec<String>,
}

/// Codes match as text, ignoring surrounding spaces and, for all-digit codes, leading zeros
/// (a file may store commune 00001 as the number 1).
fn code_key(code: &str) -> String {
    let c = code.trim();
    if !c.is_empty() && c.bytes().all(|b| b.is_ascii_digit()) {
        let t = c.trim_start_matches('0');
        if t.is_empty() {
            "0".to_owned()
        } else {
            t.to_owned()
        }
    } else {
        c.to_owned()
    }
}

/// Whether two unit codes are the same code (see `code_key`).
pub fn same_code(a: &str, b: &str) -> bool {
    code_key(a) == code_key(b)
}

/// Matches features to units by code. A unit matched by an earlier feature makes the later
/// ones duplicates.
pub fn dry_run(boundaries: &Boundaries, units: &[UnitRef]) -> DryRun {
    let by_key: HashMap<String, &UnitRef> = units.iter().map(|u| (code_key(&u.code), u)).collect();
    let mut seen = HashSet::new();
    let mut out = DryRun::default();
    for f in &boundaries.features {
        let reason = match &f.code {
            _ if f.polygons.is_empty() => Some(Unmatched::NotAnArea),
            None => Some(Unmatched::NoCode),
            Some(code) => match by_key.get(&code_key(code)) {
                None => Some(Unmatched::UnknownCode),
                Some(u) if !seen.insert(code_key(&u.code)) => Some(Unmatched::DuplicateCode),
                Some(u) => {
                    out.matched.push(u.code.clone());
                    None
                }
            },
        };
        if let Some(r) = reason {
            out.unmatched_features.push((f.index, f.code.clone(), r));
        }
    }
    out.units_without_feature = units
        .iter()
        .filter(|u| !seen.contains(&code_key(&u.code)))
        .map(|u| u.code.clone())
        .collect();
    out
}

/// Boundaries projected and scaled for drawing: one path per unit code.
#[derive(Clone, Debug, Default)]
pub struct ProjectedMap {
    pub width: f64,
    pub height: f64,
    /// (unit code as the units list writes it, path data), in the order of the units.
    pub paths: Vec<(String, String)>,
    pub schematic: bool,
}

impl ProjectedMap {
    /// Projects the features matched to `units` into a viewBox `width` wide (the height
    /// follows the shape), simplifying to half a pixel.
    pub fn new(boundaries: &Boundaries, units: &[UnitRef], width: f64) -> ProjectedMap {
        let by_key: HashMap<String, &BoundaryFeature> = boundaries
            .features
            .iter()
            .filter(|f| !f.polygons.is_empty())
            .filter_map(|f| f.code.as_ref().map(|c| (code_key(c), f)))
            .rev() // the first feature with a code wins, as in the dry run
            .collect();
        let chosen: Vec<(&UnitRef, &BoundaryFeature)> = units
            .iter()
            .filter_map(|u| by_key.get(&code_key(&u.code)).map(|f| (u, *f)))
            .collect();
        let points = || {
            chosen
                .iter()
                .flat_map(|(_, f)| f.polygons.iter().flatten().flatten())
        };
        let (mut lat_lo, mut lat_hi) = (f64::MAX, f64::MIN);
        for p in points() {
            lat_lo = lat_lo.min(p[1]);
            lat_hi = lat_hi.max(p[1]);
        }
        if lat_lo > lat_hi {
            return ProjectedMap {
                width,
                height: width / 2.0,
                paths: Vec::new(),
                schematic: boundaries.schematic,
            };
        }
        let k = ((lat_lo + lat_hi) / 2.0).to_radians().cos();
        let project = |p: &[f64; 2]| [p[0] * k, -p[1]];
        let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
        for p in points() {
            let [x, y] = project(p);
            (x0, x1, y0, y1) = (x0.min(x), x1.max(x), y0.min(y), y1.max(y));
        }
        const PAD: f64 = 4.0;
        let scale = (width - 2.0 * PAD) / (x1 - x0).max(1e-9);
        let height = ((y1 - y0) * scale + 2.0 * PAD).max(1.0);
        let to_px = |p: &[f64; 2]| {
            let [x, y] = project(p);
            [(x - x0) * scale + PAD, (y - y0) * scale + PAD]
        };
        let paths = chosen
            .iter()
            .map(|(u, f)| {
                let mut d = String::new();
                for polygon in &f.polygons {
                    for ring in polygon {
                        let px: Vec<[f64; 2]> = ring.iter().map(to_px).collect();
                        let simple = simplify(&px, 0.5);
                        let ring = if simple.len() >= 3 { simple } else { px };
                        for (i, p) in ring.iter().enumerate() {
                            let _ = write!(
                                d,
                                "{}{} {}",
                                if i == 0 { "M" } else { "L" },
                                num(p[0]),
                                num(p[1])
                            );
                        }
                        d.push('Z');
                    }
                }
                (u.code.clone(), d)
            })
            .collect();
        ProjectedMap {
            width,
            height,
            paths,
            schematic: boundaries.schematic,
        }
    }
}

/// Douglas–Peucker on a ring (the closing point may repeat the first): keeps the points
/// farther than `tolerance` from the simplified line. Returns the ring without the closing
/// point.
pub fn simplify(ring: &[[f64; 2]], tolerance: f64) -> Vec<[f64; 2]> {
    let mut pts: Vec<[f64; 2]> = ring.to_vec();
    if pts.len() > 1 && pts.first() == pts.last() {
        pts.pop();
    }
    if pts.len() < 4 {
        return pts;
    }
    // Split the ring at the point farthest from the first, then simplify both halves.
    let far = (1..pts.len())
        .max_by(|a, b| dist2(pts[0], pts[*a]).total_cmp(&dist2(pts[0], pts[*b])))
        .unwrap_or(1);
    let mut keep = vec![false; pts.len() + 1];
    keep[0] = true;
    keep[far] = true;
    let mut closed = pts.clone();
    closed.push(pts[0]);
    dp(&closed, 0, far, tolerance, &mut keep);
    dp(&closed, far, pts.len(), tolerance, &mut keep);
    pts.iter()
        .enumerate()
        .filter(|(i, _)| keep[*i])
        .map(|(_, p)| *p)
        .collect()
}

fn dp(pts: &[[f64; 2]], a: usize, b: usize, tolerance: f64, keep: &mut [bool]) {
    if b <= a + 1 {
        return;
    }
    let (mut worst, mut at) = (0.0, a);
    for i in a + 1..b {
        let d = segment_distance(pts[i], pts[a], pts[b]);
        if d > worst {
            (worst, at) = (d, i);
        }
    }
    if worst > tolerance {
        keep[at] = true;
        dp(pts, a, at, tolerance, keep);
        dp(pts, at, b, tolerance, keep);
    }
}

fn dist2(a: [f64; 2], b: [f64; 2]) -> f64 {
    (a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)
}

fn segment_distance(p: [f64; 2], a: [f64; 2], b: [f64; 2]) -> f64 {
    let len2 = dist2(a, b);
    if len2 == 0.0 {
        return dist2(p, a).sqrt();
    }
    let t =
        (((p[0] - a[0]) * (b[0] - a[0]) + (p[1] - a[1]) * (b[1] - a[1])) / len2).clamp(0.0, 1.0);
    dist2(p, [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])]).sqrt()
}

/// What one unit shows on the map.
#[derive(Clone, Debug, Default)]
pub struct MapUnit {
    pub code: String,
    pub name: String,
    /// The value as users read it ("Đạt", "95,35 %"), shown in the tooltip.
    pub value_label: String,
    /// Index into the legend; `None` is "no data".
    pub class: Option<usize>,
}

/// A map to draw over a [`ProjectedMap`].
#[derive(Clone, Debug, Default)]
pub struct MapModel {
    pub title: String,
    pub desc: String,
    pub units: Vec<MapUnit>,
    /// One entry per class (a status category or an indicator bucket).
    pub legend: Vec<LegendEntry>,
    /// The "không có dữ liệu / no data" entry.
    pub no_data: LegendEntry,
    /// A caption under the map (source, year); the schematic notice is added by itself.
    pub caption: Option<String>,
}

/// Draws the map. Units of the projected map missing from the model are drawn in the
/// no-data colour with their code as tooltip.
pub fn render_map(map: &ProjectedMap, model: &MapModel) -> String {
    let w = map.width;
    let mut legend_entries = model.legend.clone();
    legend_entries.push(model.no_data.clone());
    let mut captions: Vec<&str> = model.caption.iter().map(String::as_str).collect();
    if map.schematic {
        captions.push(SCHEMATIC_CAPTION);
    }
    let legend_h = legend_height(&legend_entries, w - 8.0);
    let h = map.height + legend_h + 18.0 * captions.len() as f64 + 8.0;
    let by_code: HashMap<String, &MapUnit> =
        model.units.iter().map(|u| (code_key(&u.code), u)).collect();
    let mut out = String::new();
    let desc = if map.schematic {
        format!("{} {SCHEMATIC_CAPTION}", model.desc)
    } else {
        model.desc.clone()
    };
    open(&mut out, w, h, &model.title, &desc);
    out.push_str(
        "<g class=\"units\" stroke=\"#fff\" stroke-width=\"0.6\" stroke-linejoin=\"round\">",
    );
    for (code, d) in &map.paths {
        let unit = by_code.get(&code_key(code));
        let class = unit
            .and_then(|u| u.class)
            .filter(|c| *c < model.legend.len());
        let color = class.map_or(&model.no_data.color, |c| &model.legend[c].color);
        let tip = match unit {
            Some(u) if class.is_some() => format!("{}: {}", u.name, u.value_label),
            Some(u) => format!("{}: {}", u.name, model.no_data.label),
            None => format!("{code}: {}", model.no_data.label),
        };
        let _ = write!(
            out,
            "<path d=\"{d}\" data-code=\"{}\" class=\"{}\" fill=\"{}\"><title>{}</title></path>",
            escape(code),
            class.map_or_else(|| "no-data".to_owned(), |c| format!("c{c}")),
            escape(color),
            escape(&tip)
        );
    }
    out.push_str("</g>");
    legend(&mut out, &legend_entries, 4.0, map.height + 4.0, w - 8.0);
    for (i, c) in captions.iter().enumerate() {
        let y = map.height + legend_h + 18.0 * (i as f64 + 1.0);
        text(
            &mut out,
            4.0,
            y,
            "start",
            " font-size=\"11\" font-style=\"italic\" fill=\"#444\"",
            c,
        );
    }
    out.push_str("</svg>");
    out
}

/// Sequential colours for indicator buckets (light to dark green).
pub const SEQUENTIAL: [&str; 5] = ["#edf8e9", "#bae4b3", "#74c476", "#31a354", "#006d2c"];
/// Colour of "no data".
pub const NO_DATA_COLOR: &str = "#d9d9d9";

/// Thresholds splitting `values` into `n` buckets of (about) equal counts: the values at
/// ranks k·len/n. Fewer when values repeat.
pub fn quantile_thresholds(values: &[f64], n: usize) -> Vec<f64> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    v.sort_by(f64::total_cmp);
    let mut t: Vec<f64> = (1..n.max(1))
        .filter_map(|k| v.get(k * v.len() / n))
        .copied()
        .collect();
    t.dedup();
    if let (Some(first), Some(min)) = (t.first(), v.first())
        && first <= min
    {
        t.remove(0);
    }
    t
}

/// The bucket of `value`: the number of thresholds at or below it (0 ..= thresholds.len()).
pub fn bucket(value: f64, thresholds: &[f64]) -> usize {
    thresholds.iter().filter(|t| value >= **t).count()
}

/// Legend labels for threshold buckets: "< 5", "5 – < 10", "≥ 10" with the numbers written
/// by `format`.
pub fn bucket_labels(thresholds: &[f64], format: impl Fn(f64) -> String) -> Vec<String> {
    let n = thresholds.len();
    (0..=n)
        .map(|i| match i {
            _ if n == 0 => "—".to_owned(),
            0 => format!("< {}", format(thresholds[0])),
            i if i == n => format!("≥ {}", format(thresholds[n - 1])),
            i => format!(
                "{} – < {}",
                format(thresholds[i - 1]),
                format(thresholds[i])
            ),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simplification_keeps_corners_and_drops_collinear_points() {
        let square: Vec<[f64; 2]> = vec![
            [0.0, 0.0],
            [5.0, 0.0],
            [10.0, 0.0],
            [10.0, 5.0],
            [10.0, 10.0],
            [5.0, 10.1],
            [0.0, 10.0],
            [0.0, 0.0],
        ];
        let s = simplify(&square, 0.5);
        assert_eq!(s, vec![[0.0, 0.0], [10.0, 0.0], [10.0, 10.0], [0.0, 10.0]]);
        // Nothing is dropped with a tolerance below every deviation.
        assert_eq!(simplify(&square, 0.05).len(), 5);
    }

    #[test]
    fn quantiles_and_buckets() {
        let v: Vec<f64> = (1..=10).map(f64::from).collect();
        let t = quantile_thresholds(&v, 5);
        assert_eq!(t, vec![3.0, 5.0, 7.0, 9.0]);
        assert_eq!(bucket(1.0, &t), 0);
        assert_eq!(bucket(3.0, &t), 1);
        assert_eq!(bucket(10.0, &t), 4);
        assert_eq!(quantile_thresholds(&[2.0, 2.0, 2.0], 4), Vec::<f64>::new());
        let labels = bucket_labels(&[5.0, 10.0], |x| binhyen_core::text::format_decimal(x, 1));
        assert_eq!(labels, vec!["< 5,0", "5,0 – < 10,0", "≥ 10,0"]);
    }

    #[test]
    fn codes_match_with_or_without_leading_zeros() {
        assert_eq!(code_key("00001"), code_key("1"));
        assert_eq!(code_key(" 29011 "), "29011");
        assert_ne!(code_key("A01"), code_key("A1"));
        assert_eq!(code_key("000"), "0");
    }
}
