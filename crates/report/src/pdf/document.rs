//! The generic administrative document of Decree 30/2020/NĐ-CP (Appendix I): the model the
//! four builders fill and the typst template (`official.typ`) lays out.
//!
//! What the Decree fixes is done here, once: upper-casing the bodies, the kind and the
//! signature lines; the place-and-date line ("Trà Vinh, ngày 05 tháng 3 năm 2024"); the
//! punctuation of legal bases (";" after each, "." after the last) and of recipients.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

/// National motto (Quốc hiệu) and slogan (Tiêu ngữ), Decree 30 Appendix I, Part I, II.1.
pub const NATIONAL_NAME: &str = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM";
pub const NATIONAL_SLOGAN: &str = "Độc lập - Tự do - Hạnh phúc";
/// Heading of the recipient block (Decree 30 Appendix I, Part I, II.9).
pub const RECIPIENTS_HEADING: &str = "Nơi nhận:";

/// One administrative document.
#[derive(Clone, Debug, Default)]
pub struct Document {
    /// Landscape pages for the body (annexes choose their own orientation).
    pub landscape: bool,
    pub header: Header,
    /// Kind of document ("Quyết định", "Báo cáo", "Danh sách"): printed upper-case, bold, centred.
    pub kind: String,
    /// Summary of the content (trích yếu), bold, centred, under the kind, with a short rule.
    pub title: Option<String>,
    /// Issuing authority printed under the title of a decision
    /// ("Chủ tịch Ủy ban nhân dân tỉnh Trà Vinh"), upper-case, bold.
    pub authority: Option<String>,
    /// Legal bases ("Căn cứ …"), italic, one per line.
    pub legal_bases: Vec<String>,
    pub body: Vec<Block>,
    /// Recipients, one per line ("Như Điều 3", "Lưu: VT, PV05").
    pub recipients: Vec<String>,
    pub signature: Option<Signature>,
    pub annexes: Vec<Annex>,
}

/// The header: issuing body (left) and national motto (right), number and date.
#[derive(Clone, Debug, Default)]
pub struct Header {
    /// Governing body (cơ quan chủ quản), e.g. "Ủy ban nhân dân tỉnh Trà Vinh"; may be absent.
    pub parent_body: Option<String>,
    /// Issuing body (cơ quan ban hành), e.g. "Công an tỉnh Trà Vinh".
    pub issuing_body: String,
    /// Number and symbol without the "Số:" prefix ("125/QĐ-UBND"); `None` prints "Số:      /…"
    /// left blank for the clerk.
    pub number: Option<String>,
    /// Place name (địa danh), e.g. "Trà Vinh".
    pub place: String,
    /// Date of issue; `None` leaves "ngày … tháng … năm …" blank for the signer.
    pub date: Option<NaiveDate>,
}

/// The signature block: authority lines ("TM. Ủy ban nhân dân", "Chủ tịch") and the name.
#[derive(Clone, Debug, Default)]
pub struct Signature {
    pub lines: Vec<String>,
    pub name: String,
}

/// An annex (phụ lục), starting on a new page, with its own page numbers.
#[derive(Clone, Debug, Default)]
pub struct Annex {
    /// "Phụ lục", "Phụ lục I"…
    pub heading: String,
    /// Upper-cased when printed.
    pub title: String,
    /// "(Kèm theo Quyết định số … ngày … của …)", italic.
    pub reference: Option<String>,
    pub landscape: bool,
    pub body: Vec<Block>,
}

/// Horizontal alignment of text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Align {
    #[default]
    Justify,
    Left,
    Center,
    Right,
}

/// A piece of the body.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Block {
    /// A paragraph; body paragraphs have a first-line indent.
    Text {
        text: String,
        bold: bool,
        italic: bool,
        align: Align,
        indent: bool,
    },
    /// A section heading ("I. KẾT QUẢ…"), bold, not indented.
    Heading {
        text: String,
    },
    /// "Điều 1." in bold followed by its heading (bold) or first paragraph, then the others.
    Article {
        number: u32,
        heading: Option<String>,
        paragraphs: Vec<String>,
    },
    Table(Table),
    /// An SVG image (a chart from `report::svg`), centred, with an optional italic caption.
    Image {
        svg: String,
        width_percent: u8,
        caption: Option<String>,
    },
    /// A small italic note (e.g. what the provisional mark "(*)" means).
    Note {
        text: String,
    },
}

impl Block {
    /// An ordinary body paragraph.
    pub fn para(text: impl Into<String>) -> Block {
        Block::Text {
            text: text.into(),
            bold: false,
            italic: false,
            align: Align::Justify,
            indent: true,
        }
    }

    /// A bold centred line ("QUYẾT ĐỊNH:").
    pub fn centered_bold(text: impl Into<String>) -> Block {
        Block::Text {
            text: text.into(),
            bold: true,
            italic: false,
            align: Align::Center,
            indent: false,
        }
    }

    pub fn heading(text: impl Into<String>) -> Block {
        Block::Heading { text: text.into() }
    }
}

/// A table whose header row repeats on every page.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Table {
    pub columns: Vec<Column>,
    pub rows: Vec<Row>,
    /// Font size in points (Decree 30 sets the body at 13–14 pt; tables may be smaller).
    pub font_size: f32,
}

#[derive(Clone, Debug, Serialize)]
pub struct Column {
    pub heading: String,
    /// Relative width (fractions of the free width).
    pub width: f32,
    pub align: Align,
}

impl Column {
    pub fn new(heading: impl Into<String>, width: f32, align: Align) -> Column {
        Column {
            heading: heading.into(),
            width,
            align,
        }
    }
}

/// A table row: cells (a "\n" inside a cell breaks the line) or a bold group heading that
/// spans the whole width.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum Row {
    Cells(Vec<String>),
    Group(String),
}

/// "Trà Vinh, ngày 05 tháng 3 năm 2024": days below 10 and the months January and February
/// take a leading zero (Decree 30 Appendix I, Part I, II.4.b). Without a date the numbers are
/// left blank for the signer.
pub fn place_and_date(place: &str, date: Option<NaiveDate>) -> String {
    match date {
        Some(d) => {
            let month = if d.month() <= 2 {
                format!("{:02}", d.month())
            } else {
                d.month().to_string()
            };
            format!(
                "{place}, ngày {:02} tháng {month} năm {}",
                d.day(),
                d.year()
            )
        }
        None => format!("{place}, ngày      tháng      năm      "),
    }
}

/// Legal bases end with ";" and the last with "." (Decree 30 Appendix I, Part I, II.6).
pub fn punctuate_lines(lines: &[String]) -> Vec<String> {
    let n = lines.len();
    lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let l = l.trim().trim_end_matches([';', '.', ',']);
            format!("{l}{}", if i + 1 == n { '.' } else { ';' })
        })
        .collect()
}

/// Recipient lines: "- Như Điều 3;" … "- Lưu: VT, PV05." (Decree 30 Appendix I, Part I, II.9).
pub fn recipient_lines(recipients: &[String]) -> Vec<String> {
    punctuate_lines(recipients)
        .into_iter()
        .map(|l| format!("- {}", l.trim_start_matches(['-', ' '])))
        .collect()
}

/// What the template reads from `/data.json`.
#[derive(Serialize)]
pub(crate) struct Prepared<'a> {
    pub font: &'a str,
    pub bold_italic_weight: u16,
    pub landscape: bool,
    pub meta_title: String,
    pub parent_body: Option<String>,
    pub issuing_body: String,
    pub number: String,
    pub date_line: String,
    pub national_name: &'static str,
    pub national_slogan: &'static str,
    pub kind: String,
    pub title: Option<&'a str>,
    pub authority: Option<String>,
    pub legal_bases: Vec<String>,
    pub body: &'a [Block],
    pub recipients_heading: &'static str,
    pub recipients: Vec<String>,
    pub signature: Option<PreparedSignature<'a>>,
    pub annexes: Vec<PreparedAnnex<'a>>,
}

#[derive(Serialize)]
pub(crate) struct PreparedSignature<'a> {
    pub lines: Vec<String>,
    pub name: &'a str,
}

#[derive(Serialize)]
pub(crate) struct PreparedAnnex<'a> {
    pub heading: &'a str,
    pub title: String,
    pub reference: Option<&'a str>,
    pub landscape: bool,
    pub body: &'a [Block],
}

impl Document {
    /// A portrait document with a kind, a title, a body, recipients and a signature: the
    /// part every builder shares (each sets orientation, authority, bases, annexes itself).
    pub fn titled(
        header: &Header,
        kind: &str,
        title: &str,
        body: Vec<Block>,
        recipients: &[String],
        signature: Option<&Signature>,
    ) -> Document {
        Document {
            header: header.clone(),
            kind: kind.to_owned(),
            title: Some(title.to_owned()),
            body,
            recipients: recipients.to_vec(),
            signature: signature.cloned(),
            ..Document::default()
        }
    }

    pub(crate) fn prepare<'a>(&'a self, font: &'a str, bold_italic_weight: u16) -> Prepared<'a> {
        let kind = self.kind.to_uppercase();
        let meta_title = match &self.title {
            Some(t) => format!("{kind} {t}"),
            None => kind.clone(),
        };
        let number = match &self.header.number {
            Some(n) => format!("Số: {n}"),
            None => "Số:        /".to_owned(),
        };
        Prepared {
            font,
            bold_italic_weight,
            landscape: self.landscape,
            meta_title,
            parent_body: self.header.parent_body.as_deref().map(str::to_uppercase),
            issuing_body: self.header.issuing_body.to_uppercase(),
            number,
            date_line: place_and_date(&self.header.place, self.header.date),
            national_name: NATIONAL_NAME,
            national_slogan: NATIONAL_SLOGAN,
            kind,
            title: self.title.as_deref(),
            authority: self.authority.as_deref().map(str::to_uppercase),
            legal_bases: punctuate_lines(&self.legal_bases),
            body: &self.body,
            recipients_heading: RECIPIENTS_HEADING,
            recipients: recipient_lines(&self.recipients),
            signature: self.signature.as_ref().map(|s| PreparedSignature {
                lines: s.lines.iter().map(|l| l.to_uppercase()).collect(),
                name: &s.name,
            }),
            annexes: self
                .annexes
                .iter()
                .map(|a| PreparedAnnex {
                    heading: &a.heading,
                    title: a.title.to_uppercase(),
                    reference: a.reference.as_deref(),
                    landscape: a.landscape,
                    body: &a.body,
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, day)
    }

    #[test]
    fn date_line_follows_decree_30() {
        // Days below 10 and months 1 and 2 take a leading zero; other months do not.
        assert_eq!(
            place_and_date("Trà Vinh", d(2023, 12, 15)),
            "Trà Vinh, ngày 15 tháng 12 năm 2023"
        );
        assert_eq!(
            place_and_date("Trà Vinh", d(2024, 3, 5)),
            "Trà Vinh, ngày 05 tháng 3 năm 2024"
        );
        assert_eq!(
            place_and_date("Hải Phòng", d(2025, 1, 9)),
            "Hải Phòng, ngày 09 tháng 01 năm 2025"
        );
        assert_eq!(
            place_and_date("Yên Bái", d(2025, 2, 28)),
            "Yên Bái, ngày 28 tháng 02 năm 2025"
        );
        assert_eq!(
            place_and_date("Yên Bái", d(2025, 10, 1)),
            "Yên Bái, ngày 01 tháng 10 năm 2025"
        );
        assert!(place_and_date("Trà Vinh", None).starts_with("Trà Vinh, ngày "));
        assert!(place_and_date("Trà Vinh", None).contains(" tháng "));
    }

    #[test]
    fn legal_bases_and_recipients_are_punctuated() {
        let bases = vec![
            "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015".to_owned(),
            "Căn cứ Thông tư số 124/2021/TT-BCA;".to_owned(),
            "Căn cứ Quyết định số 318/QĐ-TTg.".to_owned(),
        ];
        let p = punctuate_lines(&bases);
        assert!(p[0].ends_with("2015;"));
        assert!(p[1].ends_with("TT-BCA;"));
        assert!(p[2].ends_with("QĐ-TTg."));
        assert!(!p[2].ends_with(".."));
        let r = recipient_lines(&["Như Điều 3".to_owned(), "- Lưu: VT, PV05".to_owned()]);
        assert_eq!(r, vec!["- Như Điều 3;", "- Lưu: VT, PV05."]);
    }

    #[test]
    fn prepared_document_upper_cases_what_the_decree_upper_cases() {
        let doc = Document {
            header: Header {
                parent_body: Some("Ủy ban nhân dân tỉnh Trà Vinh".into()),
                issuing_body: "Công an tỉnh Trà Vinh".into(),
                number: Some("12/QĐ-UBND".into()),
                place: "Trà Vinh".into(),
                date: d(2023, 12, 15),
            },
            kind: "Quyết định".into(),
            title: Some("Về việc công nhận xã đạt tiêu chuẩn".into()),
            authority: Some("Chủ tịch Ủy ban nhân dân tỉnh Trà Vinh".into()),
            signature: Some(Signature {
                lines: vec!["TM. Ủy ban nhân dân".into(), "Chủ tịch".into()],
                name: "Lê Văn Hẳn".into(),
            }),
            ..Document::default()
        };
        let p = doc.prepare("Libertinus Serif", 600);
        assert_eq!(
            p.parent_body.as_deref(),
            Some("ỦY BAN NHÂN DÂN TỈNH TRÀ VINH")
        );
        assert_eq!(p.issuing_body, "CÔNG AN TỈNH TRÀ VINH");
        assert_eq!(p.kind, "QUYẾT ĐỊNH");
        assert_eq!(p.number, "Số: 12/QĐ-UBND");
        assert_eq!(
            p.authority.as_deref(),
            Some("CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH TRÀ VINH")
        );
        let sig = p.signature.unwrap();
        assert_eq!(sig.lines, vec!["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]);
        assert_eq!(sig.name, "Lê Văn Hẳn");
    }
}
