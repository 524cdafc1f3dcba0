//! The unit evaluation sheet (phiếu đánh giá): one unit, one year, one standard — every rule
//! with its verdict and the sentence that explains it, rules whose wording is not yet
//! confirmed marked "(*)".

use super::{Align, Block, Column, Document, Header, Row, Signature, Table};

/// Mark printed after the code of a rule whose wording is provisional.
pub const PROVISIONAL_MARK: &str = "(*)";

/// View model of an evaluation sheet. Labels come translated from the caller.
#[derive(Clone, Debug, Default)]
pub struct EvaluationSheet {
    pub header: Header,
    /// "Phiếu đánh giá".
    pub kind: String,
    /// "Kết quả thực hiện tiêu chí an ninh, trật tự năm 2024 của xã Long Đức".
    pub title: String,
    /// Opening paragraphs (unit, standard, counting window…).
    pub intro: Vec<String>,
    pub labels: EvaluationLabels,
    pub rules: Vec<RuleLine>,
    /// The overall verdict sentence, printed in bold after the table.
    pub conclusion: String,
    /// What "(*)" means; printed only when some rule is provisional.
    pub provisional_note: String,
    pub recipients: Vec<String>,
    pub signature: Option<Signature>,
}

/// Column headings of the rules table.
#[derive(Clone, Debug, Default)]
pub struct EvaluationLabels {
    pub seq: String,
    pub rule: String,
    pub verdict: String,
    pub explanation: String,
}

/// One rule of the standard as evaluated for the unit.
#[derive(Clone, Debug, Default)]
pub struct RuleLine {
    /// Rule code ("19.2.1").
    pub code: String,
    /// Content of the rule.
    pub title: String,
    /// Its source ("Thông tư 124/2021/TT-BCA, Điều 5, khoản 1").
    pub citation: String,
    /// The verdict as users read it ("Đạt", "Chưa đạt", "Chưa đủ dữ liệu").
    pub verdict: String,
    /// Why (the trace as a sentence).
    pub explanation: String,
    /// The wording is not confirmed against the official text.
    pub provisional: bool,
}

impl EvaluationSheet {
    pub fn document(&self) -> Document {
        let rows = self
            .rules
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let mark = if r.provisional {
                    format!(" {PROVISIONAL_MARK}")
                } else {
                    String::new()
                };
                let rule = format!("{}{mark}. {}\n({})", r.code, r.title, r.citation);
                Row::Cells(vec![
                    (i + 1).to_string(),
                    rule,
                    r.verdict.clone(),
                    r.explanation.clone(),
                ])
            })
            .collect();
        let l = &self.labels;
        let table = Table {
            columns: vec![
                Column::new(&l.seq, 0.6, Align::Center),
                Column::new(&l.rule, 4.0, Align::Left),
                Column::new(&l.verdict, 1.4, Align::Center),
                Column::new(&l.explanation, 4.0, Align::Left),
            ],
            rows,
            font_size: 12.0,
        };
        let mut body: Vec<Block> = self.intro.iter().map(Block::para).collect();
        body.push(Block::Table(table));
        if self.rules.iter().any(|r| r.provisional) {
            body.push(Block::Note {
                text: format!("{PROVISIONAL_MARK} {}", self.provisional_note),
            });
        }
        body.push(Block::Text {
            text: self.conclusion.clone(),
            bold: true,
            italic: false,
            align: super::Align::Justify,
            indent: true,
        });
        Document::titled(
            &self.header,
            &self.kind,
            &self.title,
            body,
            &self.recipients,
            self.signature.as_ref(),
        )
    }
}
