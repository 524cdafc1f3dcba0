//! The few pieces of XML writing the charts and maps share: escaping, compact numbers,
//! the accessible root element and the legend.

use std::fmt::Write;

use super::{FONT_FAMILY, LegendEntry};

/// Escapes text and attribute values (`& < > " '`).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 forbids.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

/// A coordinate with at most one decimal: 12.0 → "12", 3.14159 → "3.1".
pub(crate) fn num(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    let r = if r == 0.0 { 0.0 } else { r }; // no "-0"
    if r.fract() == 0.0 {
        format!("{}", r as i64)
    } else {
        format!("{r:.1}")
    }
}

/// A short stable id derived from the text, so that several images on one page keep
/// distinct `aria-labelledby` targets.
fn id_for(title: &str, desc: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in title.bytes().chain([0]).chain(desc.bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("svg{:x}", h & 0xff_ffff_ffff)
}

/// Opens the root element with its accessible name and description.
pub(crate) fn open(out: &mut String, width: f64, height: f64, title: &str, desc: &str) {
    let id = id_for(title, desc);
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"img\" \
         aria-labelledby=\"{id}-t {id}-d\" font-family=\"{FONT_FAMILY}\" font-size=\"12\">\
         <title id=\"{id}-t\">{}</title><desc id=\"{id}-d\">{}</desc>",
        escape(title),
        escape(desc),
        w = num(width),
        h = num(height),
    );
}

/// `<text>` at (x, y) with an anchor ("start", "middle", "end") and extra attributes.
pub(crate) fn text(out: &mut String, x: f64, y: f64, anchor: &str, extra: &str, content: &str) {
    let _ = write!(
        out,
        "<text x=\"{}\" y=\"{}\" text-anchor=\"{anchor}\"{extra}>{}</text>",
        num(x),
        num(y),
        escape(content)
    );
}

/// Rough width of a label in pixels at 12 px (for layout only; the viewer sets the text).
pub(crate) fn text_width(s: &str, size: f64) -> f64 {
    s.chars().count() as f64 * size * 0.55
}

/// Height of the legend for `entries` laid out in rows across `width`.
pub(crate) fn legend_height(entries: &[LegendEntry], width: f64) -> f64 {
    if entries.is_empty() {
        0.0
    } else {
        20.0 * legend_rows(entries, width).len() as f64
    }
}

fn legend_rows(entries: &[LegendEntry], width: f64) -> Vec<Vec<(f64, &LegendEntry)>> {
    let mut rows: Vec<Vec<(f64, &LegendEntry)>> = vec![Vec::new()];
    let mut x = 0.0;
    for e in entries {
        let w = 22.0 + text_width(&e.label, 12.0) + 16.0;
        if x > 0.0 && x + w > width {
            rows.push(Vec::new());
            x = 0.0;
        }
        rows.last_mut().expect("a row").push((x, e));
        x += w;
    }
    rows
}

/// The legend as a group starting at (x, y), wrapping within `width`.
pub(crate) fn legend(out: &mut String, entries: &[LegendEntry], x: f64, y: f64, width: f64) {
    if entries.is_empty() {
        return;
    }
    out.push_str("<g class=\"legend\">");
    for (r, row) in legend_rows(entries, width).iter().enumerate() {
        let cy = y + 20.0 * r as f64 + 10.0;
        for (dx, e) in row {
            let sx = x + dx;
            let color = escape(&e.color);
            if e.dashed {
                let _ = write!(
                    out,
                    "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{color}\" stroke-width=\"2\" stroke-dasharray=\"4 3\"/>",
                    num(sx),
                    num(cy),
                    num(sx + 16.0),
                    num(cy)
                );
            } else {
                let _ = write!(
                    out,
                    "<rect x=\"{}\" y=\"{}\" width=\"14\" height=\"14\" fill=\"{color}\" stroke=\"#666\" stroke-width=\"0.5\"/>",
                    num(sx),
                    num(cy - 7.0)
                );
            }
            text(out, sx + 22.0, cy + 4.0, "start", "", &e.label);
        }
    }
    out.push_str("</g>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_drops_forbidden_characters() {
        assert_eq!(
            escape("a < b & \"c\" 'd' >"),
            "a &lt; b &amp; &quot;c&quot; &apos;d&apos; &gt;"
        );
        assert_eq!(escape("Xã Long Đức\u{1}"), "Xã Long Đức");
    }

    #[test]
    fn compact_numbers() {
        assert_eq!(num(12.0), "12");
        assert_eq!(num(3.0625), "3.1");
        assert_eq!(num(-0.01), "0");
        assert_eq!(num(-2.25), "-2.3");
    }

    #[test]
    fn legend_wraps_rows() {
        let e: Vec<LegendEntry> = (0..6)
            .map(|i| LegendEntry::new(format!("Mục chú giải số {i}"), "#000"))
            .collect();
        assert_eq!(legend_height(&e, 2000.0), 20.0);
        assert!(legend_height(&e, 300.0) >= 60.0);
        assert_eq!(legend_height(&[], 300.0), 0.0);
    }
}
