//! The classification list (danh sách phân loại): every unit of the review with the verdict
//! the rules computed, the reviewer's proposal, the explanation and the committee's decision,
//! grouped under their parent unit. Landscape: it is wide and may run to hundreds of rows.

use super::{Align, Block, Column, Document, Header, Row, Signature, Table};

/// View model of a classification list. Labels come translated from the caller.
#[derive(Clone, Debug, Default)]
pub struct ClassificationList {
    pub header: Header,
    /// "Danh sách".
    pub kind: String,
    /// "Phân loại xã, phường, thị trấn theo tiêu chí an ninh, trật tự năm 2023".
    pub title: String,
    pub intro: Vec<String>,
    pub labels: ClassificationLabels,
    /// Rows in print order; a change of `group` starts a group heading row.
    pub rows: Vec<ClassificationRow>,
    /// Closing paragraphs (totals per verdict…).
    pub summary: Vec<String>,
    pub recipients: Vec<String>,
    pub signature: Option<Signature>,
}

/// Column headings.
#[derive(Clone, Debug, Default)]
pub struct ClassificationLabels {
    pub seq: String,
    pub unit: String,
    pub computed: String,
    pub proposal: String,
    pub explanation: String,
    pub decision: String,
}

#[derive(Clone, Debug, Default)]
pub struct ClassificationRow {
    /// Parent unit (district, or province after 2025) used as a group heading.
    pub group: Option<String>,
    pub code: String,
    pub name: String,
    /// Verdict computed by the rules.
    pub computed: String,
    /// The reviewer's proposal.
    pub proposal: String,
    pub explanation: String,
    /// The committee's decision (blank until it decides).
    pub decision: String,
}

impl ClassificationList {
    pub fn document(&self) -> Document {
        let mut rows = Vec::with_capacity(self.rows.len() + 16);
        let mut group: Option<&str> = None;
        for (i, r) in self.rows.iter().enumerate() {
            if let Some(g) = r.group.as_deref()
                && group != Some(g)
            {
                rows.push(Row::Group(g.to_owned()));
                group = Some(g);
            }
            rows.push(Row::Cells(vec![
                (i + 1).to_string(),
                format!("{} ({})", r.name, r.code),
                r.computed.clone(),
                r.proposal.clone(),
                r.explanation.clone(),
                r.decision.clone(),
            ]));
        }
        let l = &self.labels;
        let table = Table {
            columns: vec![
                Column::new(&l.seq, 0.6, Align::Center),
                Column::new(&l.unit, 2.4, Align::Left),
                Column::new(&l.computed, 1.3, Align::Center),
                Column::new(&l.proposal, 1.3, Align::Center),
                Column::new(&l.explanation, 4.0, Align::Left),
                Column::new(&l.decision, 1.3, Align::Center),
            ],
            rows,
            font_size: 11.0,
        };
        let mut body: Vec<Block> = self.intro.iter().map(Block::para).collect();
        body.push(Block::Table(table));
        body.extend(self.summary.iter().map(Block::para));
        Document {
            landscape: true,
            ..Document::titled(
                &self.header,
                &self.kind,
                &self.title,
                body,
                &self.recipients,
                self.signature.as_ref(),
            )
        }
    }
}
