//! The province's yearly report (báo cáo): numbered sections of paragraphs, tables and
//! charts (SVG from `report::svg`, embedded as vector images).

use super::{Block, Document, Header, Signature};

/// View model of a yearly report.
#[derive(Clone, Debug, Default)]
pub struct YearlyReport {
    pub header: Header,
    /// "Kết quả thực hiện tiêu chí an ninh, trật tự trong xây dựng nông thôn mới năm 2024".
    pub title: String,
    pub intro: Vec<String>,
    pub sections: Vec<Section>,
    pub recipients: Vec<String>,
    pub signature: Option<Signature>,
}

/// A section: its heading as printed ("I. KẾT QUẢ THỰC HIỆN") and its content
/// (paragraphs, tables, `Block::Image` charts, sub-headings).
#[derive(Clone, Debug, Default)]
pub struct Section {
    pub heading: String,
    pub body: Vec<Block>,
}

impl YearlyReport {
    pub fn document(&self) -> Document {
        let mut body: Vec<Block> = self.intro.iter().map(Block::para).collect();
        for s in &self.sections {
            body.push(Block::heading(&s.heading));
            body.extend(s.body.iter().cloned());
        }
        Document::titled(
            &self.header,
            "Báo cáo",
            &self.title,
            body,
            &self.recipients,
            self.signature.as_ref(),
        )
    }
}
