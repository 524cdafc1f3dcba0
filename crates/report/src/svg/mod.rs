//! Server-rendered SVG: charts ([`chart`]) and choropleth maps ([`map`]) with real `<text>`
//! (printable, searchable, Vietnamese), `role="img"` with `<title>` and `<desc>`, and numbers
//! written the Vietnamese way (1.234,5). No JavaScript and no fonts are needed to show them;
//! the PDF engine embeds the same strings.

pub mod chart;
pub mod map;
pub mod schematic;
mod xml;

pub use xml::escape;

/// Font stack of chart text; the PDF engine falls back to the document font for names it
/// does not have.
pub const FONT_FAMILY: &str = "Noto Sans, DejaVu Sans, Liberation Sans, Arial, sans-serif";

/// Series colours (Okabe–Ito, distinguishable with colour-blindness).
pub const PALETTE: [&str; 7] = [
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#999933",
];

/// Colour of a series without its own: the palette in turn.
pub(crate) fn series_color(explicit: Option<&str>, index: usize) -> String {
    explicit.map_or_else(|| PALETTE[index % PALETTE.len()].to_owned(), str::to_owned)
}

/// One legend entry: a colour and its label.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LegendEntry {
    pub label: String,
    pub color: String,
    /// Drawn as a dashed line (a target) rather than a filled box.
    pub dashed: bool,
}

impl LegendEntry {
    pub fn new(label: impl Into<String>, color: impl Into<String>) -> LegendEntry {
        LegendEntry {
            label: label.into(),
            color: color.into(),
            dashed: false,
        }
    }
}
