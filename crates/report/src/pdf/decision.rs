//! The recognition decision (quyết định công nhận) with its annex listing the units.
//! The annex reference line "(Kèm theo Quyết định số … ngày … của …)" is built from the
//! decision's own number and date so that the two can never disagree.

use binhyen_core::text::format_date;

use super::{Align, Annex, Block, Column, Document, Header, Row, Signature, Table};

/// View model of a recognition (or revocation) decision.
#[derive(Clone, Debug, Default)]
pub struct RecognitionDecision {
    /// Must carry the number ("125/QĐ-UBND") and date once issued.
    pub header: Header,
    /// "Về việc công nhận xã, phường, thị trấn đạt tiêu chuẩn “An toàn về an ninh, trật tự” năm 2023".
    pub title: String,
    /// "Chủ tịch Ủy ban nhân dân tỉnh Trà Vinh".
    pub authority: String,
    pub legal_bases: Vec<String>,
    /// "Theo đề nghị của Giám đốc Công an tỉnh tại Tờ trình số …", italic, after the bases.
    pub proposal: Option<String>,
    /// Articles in order; "Điều 1." … are numbered here.
    pub articles: Vec<Article>,
    pub annex: DecisionAnnex,
    pub recipients: Vec<String>,
    pub signature: Option<Signature>,
}

#[derive(Clone, Debug, Default)]
pub struct Article {
    pub heading: Option<String>,
    pub paragraphs: Vec<String>,
}

/// The annex: the list of recognised units.
#[derive(Clone, Debug, Default)]
pub struct DecisionAnnex {
    /// "Danh sách xã, phường, thị trấn đạt tiêu chuẩn …" (printed upper-case).
    pub title: String,
    /// Who issued the decision, for the reference line ("Chủ tịch Ủy ban nhân dân tỉnh Trà Vinh").
    pub issued_by: String,
    pub labels: AnnexLabels,
    pub units: Vec<RecognisedUnit>,
    pub landscape: bool,
}

#[derive(Clone, Debug, Default)]
pub struct AnnexLabels {
    pub seq: String,
    pub unit: String,
    pub parent: String,
    pub note: String,
}

#[derive(Clone, Debug, Default)]
pub struct RecognisedUnit {
    pub name: String,
    pub parent: String,
    pub note: String,
}

impl RecognitionDecision {
    /// "(Kèm theo Quyết định số 125/QĐ-UBND ngày 15/12/2023 của Chủ tịch …)".
    pub fn annex_reference(&self) -> String {
        let number = self.header.number.as_deref().unwrap_or("      ");
        let date = self
            .header
            .date
            .map(format_date)
            .unwrap_or_else(|| "    /    /      ".to_owned());
        format!(
            "(Kèm theo Quyết định số {number} ngày {date} của {})",
            self.annex.issued_by
        )
    }

    pub fn document(&self) -> Document {
        let mut body = Vec::new();
        if let Some(p) = &self.proposal {
            body.push(Block::Text {
                text: p.clone(),
                bold: false,
                italic: true,
                align: Align::Justify,
                indent: true,
            });
        }
        body.push(Block::centered_bold("QUYẾT ĐỊNH:"));
        body.extend(
            self.articles
                .iter()
                .enumerate()
                .map(|(i, a)| Block::Article {
                    number: i as u32 + 1,
                    heading: a.heading.clone(),
                    paragraphs: a.paragraphs.clone(),
                }),
        );
        let l = &self.annex.labels;
        let table = Table {
            columns: vec![
                Column::new(&l.seq, 0.6, Align::Center),
                Column::new(&l.unit, 3.0, Align::Left),
                Column::new(&l.parent, 3.0, Align::Left),
                Column::new(&l.note, 2.0, Align::Left),
            ],
            rows: self
                .annex
                .units
                .iter()
                .enumerate()
                .map(|(i, u)| {
                    Row::Cells(vec![
                        (i + 1).to_string(),
                        u.name.clone(),
                        u.parent.clone(),
                        u.note.clone(),
                    ])
                })
                .collect(),
            font_size: 13.0,
        };
        Document {
            authority: Some(self.authority.clone()),
            legal_bases: self.legal_bases.clone(),
            annexes: vec![Annex {
                heading: "Phụ lục".to_owned(),
                title: self.annex.title.clone(),
                reference: Some(self.annex_reference()),
                landscape: self.annex.landscape,
                body: vec![Block::Table(table)],
            }],
            ..Document::titled(
                &self.header,
                "Quyết định",
                &self.title,
                body,
                &self.recipients,
                self.signature.as_ref(),
            )
        }
    }
}
