//! Sample view models shaped like the seeds (Trà Vinh, 2023): previews for the demo,
//! fixtures for tests and the input of the `render_samples` example and benchmark.

use chrono::NaiveDate;

use crate::pdf::Header;
use crate::pdf::Signature;
use crate::pdf::classification::{ClassificationLabels, ClassificationList, ClassificationRow};
use crate::pdf::decision::{
    AnnexLabels, Article, DecisionAnnex, RecognisedUnit, RecognitionDecision,
};
use crate::pdf::evaluation::{EvaluationLabels, EvaluationSheet, RuleLine};
use crate::pdf::yearly::{Section, YearlyReport};
use crate::pdf::{Align, Block, Column, Row, Table};
use crate::svg::LegendEntry;
use crate::svg::chart::{LineChart, NumberStyle, Series};
use crate::svg::map::{MapModel, MapUnit, NO_DATA_COLOR, UnitRef};
use crate::svg::schematic::SchematicUnit;

const DISTRICTS: [&str; 9] = [
    "Thành phố Trà Vinh",
    "Huyện Càng Long",
    "Huyện Cầu Kè",
    "Huyện Tiểu Cần",
    "Huyện Châu Thành",
    "Huyện Cầu Ngang",
    "Huyện Trà Cú",
    "Huyện Duyên Hải",
    "Thị xã Duyên Hải",
];

const COMMUNES: [&str; 12] = [
    "Xã Long Đức",
    "Xã An Trường",
    "Xã Phương Thạnh",
    "Xã Hòa Ân",
    "Xã Ngãi Hùng",
    "Xã Hưng Mỹ",
    "Xã Mỹ Long Bắc",
    "Xã Ngọc Biên",
    "Xã Đôn Xuân",
    "Xã Long Hữu",
    "Phường 1",
    "Thị trấn Tiểu Cần",
];

fn date(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

fn police_header(number: Option<&str>) -> Header {
    Header {
        parent_body: Some("Ủy ban nhân dân tỉnh Trà Vinh".into()),
        issuing_body: "Công an tỉnh Trà Vinh".into(),
        number: number.map(str::to_owned),
        place: "Trà Vinh".into(),
        date: date(2023, 12, 15),
    }
}

fn director_signature() -> Option<Signature> {
    Some(Signature {
        lines: vec!["KT. Giám đốc".into(), "Phó Giám đốc".into()],
        name: "Nguyễn Văn Hưởng".into(),
    })
}

/// An evaluation sheet of one commune against criterion 19.2.
pub fn evaluation_sheet() -> EvaluationSheet {
    let rule = |code: &str,
                title: &str,
                citation: &str,
                verdict: &str,
                explanation: &str,
                provisional: bool| RuleLine {
        code: code.into(),
        title: title.into(),
        citation: citation.into(),
        verdict: verdict.into(),
        explanation: explanation.into(),
        provisional,
    };
    EvaluationSheet {
        header: Header {
            parent_body: Some("Công an huyện Càng Long".into()),
            issuing_body: "Công an xã Long Đức".into(),
            number: Some("07/PĐG-CAX".into()),
            place: "Long Đức".into(),
            date: date(2023, 11, 20),
        },
        kind: "Phiếu đánh giá".into(),
        title: "Kết quả thực hiện tiêu chí an ninh, trật tự (19.2) năm 2023 của xã Long Đức".into(),
        intro: vec![
            "Thời gian tính số liệu: từ ngày 16/11/2022 đến ngày 15/11/2023. Số hộ gia đình: 2.431; \
             số hộ đăng ký đạt tiêu chuẩn “An toàn về an ninh, trật tự”: 2.318 (95,35\u{a0}%)."
                .into(),
        ],
        labels: EvaluationLabels {
            seq: "STT".into(),
            rule: "Nội dung".into(),
            verdict: "Kết quả".into(),
            explanation: "Giải thích".into(),
        },
        rules: vec![
            rule("19.2.1", "Không có hoạt động chống Đảng, chống chính quyền, phá hoại kinh tế; truyền đạo trái pháp luật; khiếu kiện đông người kéo dài",
                "Quyết định 318/QĐ-TTg, Phụ lục, chỉ tiêu 19.2", "Đạt", "Không ghi nhận sự việc nào trong thời gian tính số liệu.", false),
            rule("19.2.2", "Không có tụ điểm phức tạp về trật tự xã hội; kiềm chế, làm giảm tội phạm và tệ nạn xã hội so với năm trước",
                "Quyết định 318/QĐ-TTg, Phụ lục, chỉ tiêu 19.2", "Chưa đạt", "Tội phạm về trật tự xã hội: 9 vụ, năm trước 8 vụ (tăng 12,50 %); ngưỡng: không tăng.", false),
            rule("19.2.3", "Có mô hình tự quản, tự phòng về an ninh, trật tự hoạt động thường xuyên, hiệu quả",
                "Hướng dẫn 04/HD-BCA-V05 năm 2024, mục 2", "Chưa đủ dữ liệu", "Chưa có biên bản đánh giá hiệu quả mô hình “Camera an ninh” năm 2023.", true),
        ],
        conclusion: "Kết luận: xã Long Đức chưa đạt tiêu chí an ninh, trật tự năm 2023 (1/3 nội dung đạt).".into(),
        provisional_note: "Nội dung tạm thời, chưa đối chiếu văn bản gốc.".into(),
        recipients: vec!["Công an huyện Càng Long".into(), "Ủy ban nhân dân xã Long Đức".into(), "Lưu: hồ sơ".into()],
        signature: Some(Signature { lines: vec!["Trưởng Công an xã".into()], name: "Thạch Thị Sà Rươl".into() }),
    }
}

/// A classification list of `n` communes spread over the nine districts of Trà Vinh.
pub fn classification_list(n: usize) -> ClassificationList {
    let verdicts = ["Đạt", "Chưa đạt", "Chưa đủ dữ liệu"];
    let rows = (0..n)
        .map(|i| {
            let district = DISTRICTS[i * DISTRICTS.len() / n.max(1)];
            let computed = verdicts[(i * 7) % 11 % 3];
            ClassificationRow {
                group: Some(district.into()),
                code: format!("{:05}", 29_000 + i),
                name: format!("{} {}", COMMUNES[i % COMMUNES.len()], i / COMMUNES.len() + 1),
                computed: computed.into(),
                proposal: if computed == "Chưa đủ dữ liệu" { "Đạt".into() } else { computed.into() },
                explanation: match computed {
                    "Đạt" => "Đủ 6/6 nhóm điều kiện; tội phạm giảm 7,14 % so với năm trước.".into(),
                    "Chưa đạt" => "Xảy ra 01 vụ giết người (tội phạm nghiêm trọng), Công an xã đã giải trình.".into(),
                    _ => "Thiếu biên bản họp đánh giá mô hình; Công an huyện xác nhận bổ sung ngày 05/12/2023.".into(),
                },
                decision: String::new(),
            }
        })
        .collect();
    ClassificationList {
        header: police_header(Some("215/DS-CAT-PV05")),
        kind: "Danh sách".into(),
        title: "Phân loại xã, phường, thị trấn theo tiêu chí an ninh, trật tự năm 2023".into(),
        intro: vec![
            "Kèm theo Báo cáo số 214/BC-CAT-PV05 ngày 15/12/2023 của Công an tỉnh Trà Vinh.".into(),
        ],
        labels: ClassificationLabels {
            seq: "STT".into(),
            unit: "Đơn vị (mã)".into(),
            computed: "Kết quả tự động".into(),
            proposal: "Đề xuất".into(),
            explanation: "Giải thích".into(),
            decision: "Ban Chỉ đạo quyết định".into(),
        },
        rows,
        summary: vec![format!("Tổng số: {n} đơn vị.")],
        recipients: vec!["Ban Chỉ đạo tỉnh".into(), "Lưu: VT, PV05".into()],
        signature: director_signature(),
    }
}

/// A recognition decision with `n` units in its annex.
pub fn recognition_decision(n: usize) -> RecognitionDecision {
    let units = (0..n)
        .map(|i| RecognisedUnit {
            name: COMMUNES[i % COMMUNES.len()].into(),
            parent: DISTRICTS[i % DISTRICTS.len()].into(),
            note: String::new(),
        })
        .collect();
    RecognitionDecision {
        header: Header {
            parent_body: None,
            issuing_body: "Ủy ban nhân dân tỉnh Trà Vinh".into(),
            number: Some("2458/QĐ-UBND".into()),
            place: "Trà Vinh".into(),
            date: date(2023, 12, 28),
        },
        title: "Về việc công nhận xã, phường, thị trấn đạt tiêu chuẩn “An toàn về an ninh, trật tự” năm 2023".into(),
        authority: "Chủ tịch Ủy ban nhân dân tỉnh Trà Vinh".into(),
        legal_bases: vec![
            "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015".into(),
            "Căn cứ Thông tư số 124/2021/TT-BCA ngày 28 tháng 12 năm 2021 của Bộ trưởng Bộ Công an quy định về khu dân cư, xã, phường, thị trấn, cơ sở giáo dục, cơ quan, doanh nghiệp đạt tiêu chuẩn “An toàn về an ninh, trật tự”".into(),
        ],
        proposal: Some("Theo đề nghị của Giám đốc Công an tỉnh tại Tờ trình số 216/TTr-CAT-PV05 ngày 18 tháng 12 năm 2023.".into()),
        articles: vec![
            Article { heading: None, paragraphs: vec![format!("Công nhận {n} xã, phường, thị trấn đạt tiêu chuẩn “An toàn về an ninh, trật tự” năm 2023 (có danh sách kèm theo).")] },
            Article { heading: None, paragraphs: vec!["Quyết định này có hiệu lực kể từ ngày ký.".into()] },
            Article { heading: None, paragraphs: vec!["Chánh Văn phòng Ủy ban nhân dân tỉnh, Giám đốc Công an tỉnh, Chủ tịch Ủy ban nhân dân các huyện, thị xã, thành phố và các đơn vị có tên tại Điều 1 chịu trách nhiệm thi hành Quyết định này.".into()] },
        ],
        annex: DecisionAnnex {
            title: "Danh sách xã, phường, thị trấn đạt tiêu chuẩn “An toàn về an ninh, trật tự” năm 2023".into(),
            issued_by: "Chủ tịch Ủy ban nhân dân tỉnh Trà Vinh".into(),
            labels: AnnexLabels { seq: "STT".into(), unit: "Xã, phường, thị trấn".into(), parent: "Huyện, thị xã, thành phố".into(), note: "Ghi chú".into() },
            units,
            landscape: false,
        },
        recipients: vec!["Như Điều 3".into(), "Bộ Công an (V05)".into(), "Chủ tịch, các Phó Chủ tịch UBND tỉnh".into(), "Lưu: VT, NC".into()],
        signature: Some(Signature { lines: vec!["KT. Chủ tịch".into(), "Phó Chủ tịch".into()], name: "Lê Văn Hẳn".into() }),
    }
}

/// Advanced-criterion communes of Trà Vinh against the targets of plan KH 85/KH-UBND
/// (37 → 43 → 51 → 60 of 85 in 2022–2025), as a line chart.
pub fn plan_chart() -> LineChart {
    LineChart {
        title: "Số xã đạt tiêu chí an ninh, trật tự nâng cao so với chỉ tiêu kế hoạch".into(),
        desc:
            "Đường liền: số xã đạt; đường nét đứt: chỉ tiêu Kế hoạch số 85/KH-UBND, năm 2022–2025."
                .into(),
        labels: vec!["2022".into(), "2023".into(), "2024".into(), "2025".into()],
        series: vec![
            Series {
                name: "Thực hiện".into(),
                values: vec![Some(37.0), Some(45.0), None, None],
                ..Series::default()
            },
            Series {
                name: "Chỉ tiêu kế hoạch".into(),
                values: vec![Some(37.0), Some(43.0), Some(51.0), Some(60.0)],
                dashed: true,
                ..Series::default()
            },
        ],
        numbers: NumberStyle {
            decimals: 0,
            unit: String::new(),
        },
        width: 520.0,
        height: 260.0,
    }
}

/// The province's yearly report with a results table and [`plan_chart`].
pub fn yearly_report() -> YearlyReport {
    let chart_svg = plan_chart().render();
    let table = Table {
        columns: vec![
            Column::new("Năm", 1.0, Align::Center),
            Column::new("Chỉ tiêu kế hoạch", 2.0, Align::Right),
            Column::new("Thực hiện", 2.0, Align::Right),
            Column::new("Tỷ lệ", 1.5, Align::Right),
        ],
        rows: [(2022, 37, 37), (2023, 43, 45)]
            .iter()
            .map(|(y, t, a)| {
                Row::Cells(vec![
                    y.to_string(),
                    format!("{t}/85"),
                    format!("{a}/85"),
                    binhyen_core::text::format_percent(*a, 85),
                ])
            })
            .collect(),
        font_size: 12.0,
    };
    YearlyReport {
        header: police_header(Some("214/BC-CAT-PV05")),
        title: "Kết quả thực hiện tiêu chí an ninh, trật tự trong xây dựng nông thôn mới năm 2023".into(),
        intro: vec!["Thực hiện Kế hoạch số 85/KH-UBND của Ủy ban nhân dân tỉnh, Công an tỉnh báo cáo kết quả như sau:".into()],
        sections: vec![
            Section {
                heading: "I. KẾT QUẢ THỰC HIỆN".into(),
                body: vec![
                    Block::para("Năm 2023, 85/85 xã đạt tiêu chí an ninh, trật tự (100 %); 45/85 xã đạt tiêu chí nâng cao, vượt chỉ tiêu kế hoạch 02 xã."),
                    Block::Table(table),
                    Block::Image { svg: chart_svg, width_percent: 90, caption: Some("Biểu đồ: số xã đạt tiêu chí nâng cao so với chỉ tiêu kế hoạch".into()) },
                ],
            },
            Section {
                heading: "II. PHƯƠNG HƯỚNG, NHIỆM VỤ NĂM 2024".into(),
                body: vec![Block::para("Phấn đấu 51/85 xã đạt tiêu chí an ninh, trật tự nâng cao; 100 % huyện đạt chỉ tiêu 9.4.")],
            },
        ],
        recipients: vec!["Ủy ban nhân dân tỉnh".into(), "Cục V05 - Bộ Công an".into(), "Lưu: VT, PV05".into()],
        signature: director_signature(),
    }
}

/// `n` communes as schematic units, `per_parent` to a district, codes 29000, 29001…
pub fn schematic_units(n: usize, per_parent: usize) -> Vec<SchematicUnit> {
    (0..n)
        .map(|i| SchematicUnit {
            code: format!("{:05}", 29_000 + i),
            name: format!(
                "{} {}",
                COMMUNES[i % COMMUNES.len()],
                i / COMMUNES.len() + 1
            ),
            parent_code: format!("{}", 840 + i / per_parent.max(1)),
            parent_name: DISTRICTS[(i / per_parent.max(1)) % DISTRICTS.len()].to_owned(),
        })
        .collect()
}

/// A status map of `units`: met, not met, insufficient data in turn, every seventh unit
/// without data.
pub fn status_map(units: &[UnitRef]) -> MapModel {
    let statuses = ["Đạt", "Chưa đạt", "Chưa đủ dữ liệu"];
    MapModel {
        title: "Kết quả đánh giá tiêu chí an ninh, trật tự năm 2023".into(),
        desc: "Bản đồ các xã: đạt, chưa đạt, chưa đủ dữ liệu.".into(),
        units: units
            .iter()
            .enumerate()
            .map(|(i, u)| MapUnit {
                code: u.code.clone(),
                name: u.name.clone(),
                value_label: statuses[i % 3].into(),
                class: (i % 7 != 6).then_some(i % 3),
            })
            .collect(),
        legend: vec![
            LegendEntry::new(statuses[0], "#1a9850"),
            LegendEntry::new(statuses[1], "#d73027"),
            LegendEntry::new(statuses[2], "#fdae61"),
        ],
        no_data: LegendEntry::new("Không có dữ liệu / no data", NO_DATA_COLOR),
        caption: None,
    }
}
