//! Charts: grouped or stacked bars, lines (targets dashed, with hollow markers) and a
//! table of sparklines. Each chart returns one `<svg>` string; every bar and marker has a
//! `<title>` tooltip with its value.

use std::fmt::Write;

use binhyen_core::text::format_decimal;

use super::xml::{escape, legend, legend_height, num, open, text, text_width};
use super::{LegendEntry, series_color};

/// A named series of values (one per category or year; `None` where there is no data).
#[derive(Clone, Debug, Default)]
pub struct Series {
    pub name: String,
    pub values: Vec<Option<f64>>,
    /// A CSS colour; the palette in turn when absent.
    pub color: Option<String>,
    /// A target or plan: drawn dashed with hollow markers (line charts).
    pub dashed: bool,
}

/// How the values are written: decimals and a unit after the number (" %", " vụ").
#[derive(Clone, Debug, Default)]
pub struct NumberStyle {
    pub decimals: u32,
    pub unit: String,
}

impl NumberStyle {
    pub fn format(&self, v: f64) -> String {
        format!("{}{}", format_decimal(v, self.decimals), self.unit)
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum BarLayout {
    #[default]
    Grouped,
    Stacked,
}

/// Bars per category, one per series (grouped) or piled up (stacked).
#[derive(Clone, Debug, Default)]
pub struct BarChart {
    /// Accessible name (`<title>`), also the tooltip of the whole image.
    pub title: String,
    /// Accessible description (`<desc>`): what the chart shows, in a sentence.
    pub desc: String,
    pub categories: Vec<String>,
    pub series: Vec<Series>,
    pub layout: BarLayout,
    pub numbers: NumberStyle,
    pub width: f64,
    pub height: f64,
}

/// Lines over labelled points (years), e.g. actual recognitions against the plan's targets.
#[derive(Clone, Debug, Default)]
pub struct LineChart {
    pub title: String,
    pub desc: String,
    /// X labels ("2022", "2023"…).
    pub labels: Vec<String>,
    pub series: Vec<Series>,
    pub numbers: NumberStyle,
    pub width: f64,
    pub height: f64,
}

/// A compact table: one row per item with its label, a sparkline and the last value.
#[derive(Clone, Debug, Default)]
pub struct Sparklines {
    pub title: String,
    pub desc: String,
    pub rows: Vec<SparkRow>,
    pub numbers: NumberStyle,
    pub width: f64,
}

#[derive(Clone, Debug, Default)]
pub struct SparkRow {
    pub label: String,
    pub values: Vec<Option<f64>>,
}

/// "Nice" axis ticks covering `lo..=hi`: steps of 1, 2, 2.5 or 5 times a power of ten.
pub fn nice_ticks(lo: f64, hi: f64, target: usize) -> Vec<f64> {
    let (lo, hi) = if hi > lo { (lo, hi) } else { (lo, lo + 1.0) };
    let raw = (hi - lo) / target.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    let start = (lo / step).floor() * step;
    let mut ticks = Vec::new();
    let mut i = 0;
    loop {
        let t = start + step * i as f64;
        ticks.push((t * 1e9).round() / 1e9);
        if t >= hi - step * 1e-9 || i > 1000 {
            break;
        }
        i += 1;
    }
    ticks
}

/// Plot area and value scale shared by bars and lines.
struct Frame {
    left: f64,
    right: f64,
    top: f64,
    bottom: f64,
    lo: f64,
    hi: f64,
}

impl Frame {
    fn y(&self, v: f64) -> f64 {
        self.bottom - (v - self.lo) / (self.hi - self.lo) * (self.bottom - self.top)
    }

    /// Grid lines and value labels on the left.
    fn axis(&self, out: &mut String, ticks: &[f64], numbers: &NumberStyle) {
        out.push_str("<g class=\"axis\" fill=\"#444\">");
        for t in ticks {
            let y = self.y(*t);
            let _ = write!(
                out,
                "<line x1=\"{}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\" stroke=\"#ddd\" stroke-width=\"1\"/>",
                num(self.left),
                num(self.right),
                y = num(y)
            );
            text(
                out,
                self.left - 6.0,
                y + 4.0,
                "end",
                "",
                &numbers.format(*t),
            );
        }
        let _ = write!(
            out,
            "<line x1=\"{l}\" y1=\"{b}\" x2=\"{r}\" y2=\"{b}\" stroke=\"#444\" stroke-width=\"1\"/></g>",
            l = num(self.left),
            r = num(self.right),
            b = num(self.bottom)
        );
    }
}

fn frame(
    width: f64,
    height: f64,
    lo: f64,
    hi: f64,
    numbers: &NumberStyle,
    below: f64,
) -> (Frame, Vec<f64>) {
    let ticks = nice_ticks(lo.min(0.0), hi.max(lo.min(0.0) + f64::EPSILON), 5);
    let widest = ticks
        .iter()
        .map(|t| text_width(&numbers.format(*t), 12.0))
        .fold(0.0, f64::max);
    let f = Frame {
        left: widest + 12.0,
        right: width - 10.0,
        top: 12.0,
        bottom: height - below,
        lo: ticks[0],
        hi: *ticks.last().expect("at least one tick"),
    };
    (f, ticks)
}

fn legend_entries(series: &[Series]) -> Vec<LegendEntry> {
    series
        .iter()
        .enumerate()
        .map(|(i, s)| LegendEntry {
            label: s.name.clone(),
            color: series_color(s.color.as_deref(), i),
            dashed: s.dashed,
        })
        .collect()
}

/// X labels under the plot, rotated when they do not fit their slot.
fn x_labels(out: &mut String, labels: &[String], xs: &[f64], slot: f64, y: f64) {
    let rotate = labels.iter().any(|l| text_width(l, 12.0) > slot - 4.0);
    out.push_str("<g class=\"x-labels\" fill=\"#222\">");
    for (l, x) in labels.iter().zip(xs) {
        if rotate {
            let extra = format!(" transform=\"rotate(-35 {} {})\"", num(*x), num(y));
            text(out, *x, y, "end", &extra, l);
        } else {
            text(out, *x, y, "middle", "", l);
        }
    }
    out.push_str("</g>");
}

/// Space under the plot for x labels (more when they are rotated).
fn x_label_space(labels: &[String], slot: f64) -> f64 {
    let longest = labels
        .iter()
        .map(|l| text_width(l, 12.0))
        .fold(0.0, f64::max);
    if longest > slot - 4.0 {
        24.0 + (longest * 0.6).min(120.0)
    } else {
        24.0
    }
}

impl BarChart {
    pub fn render(&self) -> String {
        let (w, h) = (self.width.max(200.0), self.height.max(120.0));
        let n = self.categories.len().max(1);
        let stacked = self.layout == BarLayout::Stacked;
        let (mut lo, mut hi) = (0.0f64, 0.0f64);
        for c in 0..n {
            let values = self
                .series
                .iter()
                .filter_map(|s| s.values.get(c).copied().flatten());
            if stacked {
                let (pos, neg): (Vec<f64>, Vec<f64>) = values.partition(|v| *v >= 0.0);
                hi = hi.max(pos.iter().sum());
                lo = lo.min(neg.iter().sum());
            } else {
                for v in values {
                    hi = hi.max(v);
                    lo = lo.min(v);
                }
            }
        }
        let entries = legend_entries(&self.series);
        let approx_slot = (w - 60.0) / n as f64;
        let below =
            x_label_space(&self.categories, approx_slot) + legend_height(&entries, w - 20.0) + 8.0;
        let (f, ticks) = frame(w, h, lo, hi, &self.numbers, below);
        let slot = (f.right - f.left) / n as f64;
        let mut out = String::new();
        open(&mut out, w, h, &self.title, &self.desc);
        f.axis(&mut out, &ticks, &self.numbers);
        let groups = if stacked { 1 } else { self.series.len().max(1) };
        let bar = (slot * 0.8 / groups as f64).max(1.0);
        out.push_str("<g class=\"bars\">");
        for (c, cat) in self.categories.iter().enumerate() {
            let x0 = f.left + slot * c as f64 + slot * 0.1;
            let (mut up, mut down) = (0.0, 0.0);
            for (i, s) in self.series.iter().enumerate() {
                let Some(v) = s.values.get(c).copied().flatten() else {
                    continue;
                };
                let (base, x) = if stacked {
                    let base = if v >= 0.0 { up } else { down };
                    if v >= 0.0 {
                        up += v
                    } else {
                        down += v
                    }
                    (base, x0)
                } else {
                    (0.0, x0 + bar * i as f64)
                };
                let (y1, y2) = (f.y(base), f.y(base + v));
                let _ = write!(
                    out,
                    "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"><title>{} — {}: {}</title></rect>",
                    num(x),
                    num(y1.min(y2)),
                    num(bar),
                    num((y1 - y2).abs()),
                    escape(&series_color(s.color.as_deref(), i)),
                    escape(cat),
                    escape(&s.name),
                    escape(&self.numbers.format(v))
                );
                if !stacked && bar >= 22.0 {
                    text(
                        &mut out,
                        x + bar / 2.0,
                        y2.min(y1) - 3.0,
                        "middle",
                        " font-size=\"10\" fill=\"#222\"",
                        &self.numbers.format(v),
                    );
                }
            }
        }
        out.push_str("</g>");
        let xs: Vec<f64> = (0..n).map(|c| f.left + slot * (c as f64 + 0.5)).collect();
        x_labels(&mut out, &self.categories, &xs, slot, f.bottom + 16.0);
        legend(
            &mut out,
            &entries,
            10.0,
            h - legend_height(&entries, w - 20.0) - 4.0,
            w - 20.0,
        );
        out.push_str("</svg>");
        out
    }
}

impl LineChart {
    pub fn render(&self) -> String {
        let (w, h) = (self.width.max(200.0), self.height.max(120.0));
        let n = self.labels.len().max(1);
        let all = self
            .series
            .iter()
            .flat_map(|s| s.values.iter().copied().flatten());
        let (lo, hi) = all.fold((0.0f64, 0.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
        let entries = legend_entries(&self.series);
        let approx_slot = (w - 60.0) / n as f64;
        let below =
            x_label_space(&self.labels, approx_slot) + legend_height(&entries, w - 20.0) + 8.0;
        let (f, ticks) = frame(w, h, lo, hi, &self.numbers, below);
        let slot = (f.right - f.left) / n as f64;
        let xs: Vec<f64> = (0..n).map(|i| f.left + slot * (i as f64 + 0.5)).collect();
        let mut out = String::new();
        open(&mut out, w, h, &self.title, &self.desc);
        f.axis(&mut out, &ticks, &self.numbers);
        for (i, s) in self.series.iter().enumerate() {
            let color = escape(&series_color(s.color.as_deref(), i));
            let points: Vec<Option<(f64, f64)>> = xs
                .iter()
                .zip(&s.values)
                .map(|(x, v)| v.map(|v| (*x, f.y(v))))
                .collect();
            let dash = if s.dashed {
                " stroke-dasharray=\"6 4\""
            } else {
                ""
            };
            let _ = write!(
                out,
                "<g class=\"series\"><path d=\"{}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\"{dash}/>",
                polyline(&points)
            );
            for ((label, p), v) in self.labels.iter().zip(&points).zip(&s.values) {
                let (Some((x, y)), Some(v)) = (p, v) else {
                    continue;
                };
                let fill = if s.dashed { "#fff" } else { &color };
                let _ = write!(
                    out,
                    "<circle cx=\"{}\" cy=\"{}\" r=\"4\" fill=\"{fill}\" stroke=\"{color}\" stroke-width=\"2\"><title>{} — {}: {}</title></circle>",
                    num(*x),
                    num(*y),
                    escape(&s.name),
                    escape(label),
                    escape(&self.numbers.format(*v))
                );
            }
            out.push_str("</g>");
        }
        x_labels(&mut out, &self.labels, &xs, slot, f.bottom + 16.0);
        legend(
            &mut out,
            &entries,
            10.0,
            h - legend_height(&entries, w - 20.0) - 4.0,
            w - 20.0,
        );
        out.push_str("</svg>");
        out
    }
}

/// Path data through the points, broken where a point is missing.
fn polyline(points: &[Option<(f64, f64)>]) -> String {
    let mut d = String::new();
    let mut pen_down = false;
    for p in points {
        match p {
            Some((x, y)) => {
                let _ = write!(
                    d,
                    "{}{} {}",
                    if pen_down { "L" } else { "M" },
                    num(*x),
                    num(*y)
                );
                pen_down = true;
            }
            None => pen_down = false,
        }
    }
    d
}

impl Sparklines {
    pub fn render(&self) -> String {
        const ROW: f64 = 24.0;
        const LINE_W: f64 = 120.0;
        let w = self.width.max(260.0);
        let h = ROW * self.rows.len() as f64 + 8.0;
        let mut out = String::new();
        open(&mut out, w, h, &self.title, &self.desc);
        let label_w = w - LINE_W - 90.0;
        for (r, row) in self.rows.iter().enumerate() {
            let y = 4.0 + ROW * r as f64;
            let _ = write!(out, "<g class=\"row\">");
            text(&mut out, 0.0, y + 16.0, "start", "", &row.label);
            let present: Vec<f64> = row.values.iter().copied().flatten().collect();
            let (lo, hi) = present
                .iter()
                .fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(*v), hi.max(*v)));
            let span = if hi > lo { hi - lo } else { 1.0 };
            let k = row.values.len().max(2) - 1;
            let points: Vec<Option<(f64, f64)>> = row
                .values
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    v.map(|v| {
                        (
                            label_w + LINE_W * i as f64 / k as f64,
                            y + ROW - 5.0 - (v - lo) / span * (ROW - 10.0),
                        )
                    })
                })
                .collect();
            let _ = write!(
                out,
                "<path d=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"1.5\"/>",
                polyline(&points),
                super::PALETTE[0]
            );
            if let Some((x, py)) = points.iter().rev().flatten().next() {
                let _ = write!(
                    out,
                    "<circle cx=\"{}\" cy=\"{}\" r=\"2.5\" fill=\"{}\"/>",
                    num(*x),
                    num(*py),
                    super::PALETTE[0]
                );
            }
            if let Some(last) = row.values.iter().rev().flatten().next() {
                text(
                    &mut out,
                    w,
                    y + 16.0,
                    "end",
                    " font-weight=\"bold\"",
                    &self.numbers.format(*last),
                );
            }
            out.push_str("</g>");
        }
        out.push_str("</svg>");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_cover_the_range() {
        assert_eq!(
            nice_ticks(0.0, 85.0, 5),
            vec![0.0, 20.0, 40.0, 60.0, 80.0, 100.0]
        );
        assert_eq!(nice_ticks(0.0, 1.0, 5), vec![0.0, 0.2, 0.4, 0.6, 0.8, 1.0]);
        assert_eq!(nice_ticks(0.0, 7.0, 5), vec![0.0, 2.0, 4.0, 6.0, 8.0]);
        let t = nice_ticks(-12.0, 30.0, 5);
        assert!(t[0] <= -12.0 && *t.last().unwrap() >= 30.0);
        assert_eq!(nice_ticks(5.0, 5.0, 5).len(), 6); // a flat series still gets an axis
    }

    #[test]
    fn polyline_breaks_at_missing_points() {
        let d = polyline(&[Some((0.0, 1.0)), Some((2.0, 3.0)), None, Some((4.0, 5.0))]);
        assert_eq!(d, "M0 1L2 3M4 5");
    }
}
