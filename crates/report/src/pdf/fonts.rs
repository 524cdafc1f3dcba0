//! The fonts documents are set in: typst-assets' embedded fonts plus any the caller adds
//! (e.g. Debian's fonts-liberation2 or fonts-noto), loaded once and shared.
//!
//! The body family is the first of [`PREFERRED_FAMILIES`] whose regular, bold and italic faces
//! cover every Vietnamese letter; a family without Vietnamese (Liberation 1.x) is skipped
//! rather than mixed with fallback glyphs. Libertinus Serif Bold Italic lacks Ơ ơ Ư ư, so
//! bold italic text is set in the semibold italic face when the bold italic one falls short.

use std::io;
use std::path::Path;
use std::sync::Arc;

use typst::foundations::Bytes;
use typst::text::{Font, FontBook, FontStretch, FontStyle, FontVariant, FontWeight};
use typst::utils::LazyHash;

/// Every Vietnamese letter with a diacritic, upper and lower case: the Latin-1 vowels,
/// Ă ă Đ đ Ĩ ĩ Ũ ũ Ơ ơ Ư ư and the block U+1EA0–U+1EF9 (134 code points).
pub const VIETNAMESE_LETTERS: &str = "ÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝàáâãèéêìíòóôõùúýĂăĐđĨĩŨũƠơƯư\
ẠạẢảẤấẦầẨẩẪẫẬậẮắẰằẲẳẴẵẶặẸẹẺẻẼẽẾếỀềỂểỄễỆệỈỉỊịỌọỎỏỐốỒồỔổỖỗỘộỚớỜờỞởỠỡỢợỤụỦủỨứỪừỬửỮữỰựỲỳỴỵỶỷỸỹ";

/// Families tried for the body text, in order (Decree 30/2020/NĐ-CP asks for a Unicode font
/// like Times New Roman; Liberation Serif 2 is metric-compatible with it).
pub const PREFERRED_FAMILIES: [&str; 5] = [
    "Times New Roman",
    "Liberation Serif",
    "Noto Serif",
    "TeX Gyre Termes",
    "Libertinus Serif",
];

/// The loaded fonts and their book. Cheap to clone (an `Arc`); `Send + Sync`.
#[derive(Clone)]
pub struct FontSet(Arc<Inner>);

struct Inner {
    fonts: Vec<Font>,
    book: LazyHash<FontBook>,
    family: String,
    bold_italic_weight: u16,
}

impl FontSet {
    /// Only the fonts embedded in the binary (Libertinus Serif, New Computer Modern, DejaVu
    /// Sans Mono).
    pub fn embedded() -> Self {
        Self::with_extra(Vec::new())
    }

    /// The embedded fonts plus the given font files (TrueType, OpenType or collections).
    /// Files that are not fonts are ignored.
    pub fn with_extra(extra: Vec<Vec<u8>>) -> Self {
        let mut fonts: Vec<Font> = typst_assets::fonts()
            .flat_map(|data| Font::iter(Bytes::new(data)))
            .collect();
        for data in extra {
            fonts.extend(Font::iter(Bytes::new(data)));
        }
        let book = FontBook::from_fonts(&fonts);
        let family = PREFERRED_FAMILIES
            .iter()
            .find(|f| {
                covers(
                    &book,
                    f,
                    &[
                        (FontStyle::Normal, 400),
                        (FontStyle::Normal, 700),
                        (FontStyle::Italic, 400),
                    ],
                )
            })
            .copied()
            .unwrap_or("Libertinus Serif")
            .to_owned();
        let bold_italic_weight = [700, 600]
            .into_iter()
            .find(|w| covers(&book, &family, &[(FontStyle::Italic, *w)]))
            .unwrap_or(700);
        FontSet(Arc::new(Inner {
            fonts,
            book: LazyHash::new(book),
            family,
            bold_italic_weight,
        }))
    }

    /// The family the body text is set in.
    pub fn family(&self) -> &str {
        &self.0.family
    }

    /// The weight used for bold italic text: 700, or 600 when the bold italic face lacks
    /// Vietnamese letters (Libertinus Serif).
    pub fn bold_italic_weight(&self) -> u16 {
        self.0.bold_italic_weight
    }

    pub(crate) fn book(&self) -> &LazyHash<FontBook> {
        &self.0.book
    }

    pub(crate) fn font(&self, index: usize) -> Option<Font> {
        self.0.fonts.get(index).cloned()
    }
}

/// Whether `family` has faces for all `styles` (style, weight) that contain every Vietnamese
/// letter. `select` picks the nearest face, so a missing weight counts as its neighbour.
fn covers(book: &FontBook, family: &str, styles: &[(FontStyle, u16)]) -> bool {
    styles.iter().all(|(style, weight)| {
        let variant = FontVariant::new(
            *style,
            FontWeight::from_number(*weight),
            FontStretch::NORMAL,
        );
        book.select(&family.to_lowercase(), variant)
            .and_then(|i| book.info(i))
            .is_some_and(|info| {
                info.variant.style == *style
                    && VIETNAMESE_LETTERS
                        .chars()
                        .all(|c| info.coverage.contains(c as u32))
            })
    })
}

/// Reads every `.ttf`, `.otf`, `.ttc` and `.otc` file directly inside `dir` (for a
/// `--font-dir` option), sorted by name so the result does not depend on the file system.
pub fn read_font_dir(dir: &Path) -> io::Result<Vec<Vec<u8>>> {
    let mut paths: Vec<_> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension().and_then(|e| e.to_str()).is_some_and(|e| {
                matches!(
                    e.to_ascii_lowercase().as_str(),
                    "ttf" | "otf" | "ttc" | "otc"
                )
            })
        })
        .collect();
    paths.sort();
    paths.iter().map(std::fs::read).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_letter_list_has_134_code_points() {
        assert_eq!(VIETNAMESE_LETTERS.chars().count(), 134);
        let mut v: Vec<char> = VIETNAMESE_LETTERS.chars().collect();
        v.sort();
        v.dedup();
        assert_eq!(v.len(), 134);
    }

    #[test]
    fn embedded_fonts_use_libertinus_and_avoid_its_bold_italic() {
        let fonts = FontSet::embedded();
        assert_eq!(fonts.family(), "Libertinus Serif");
        // Libertinus Serif Bold Italic lacks Ơ ơ Ư ư; Semibold Italic has them.
        assert_eq!(fonts.bold_italic_weight(), 600);
    }

    #[test]
    fn a_font_without_vietnamese_is_not_chosen() {
        // Debian's fonts-liberation 1.x lacks Vietnamese; 2.x has it.
        let v1 = Path::new("/usr/share/fonts/truetype/liberation");
        if let Ok(files) = read_font_dir(v1) {
            let fonts = FontSet::with_extra(files);
            assert_ne!(fonts.family(), "Liberation Serif");
        }
        let v2 = Path::new("/usr/share/fonts/truetype/liberation2");
        if let Ok(files) = read_font_dir(v2) {
            let fonts = FontSet::with_extra(files);
            assert_eq!(fonts.family(), "Liberation Serif");
            assert_eq!(fonts.bold_italic_weight(), 700);
        }
    }
}
