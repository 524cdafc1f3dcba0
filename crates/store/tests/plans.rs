//! Plans: saved with their targets, listed, and replaced as a whole when imported again.

use binhyen_store::plans::{self, PlanRow, TargetRow};
use binhyen_store::workflow::By;
use binhyen_store::{Store, db_test};
use chrono::{NaiveDate, TimeZone, Utc};

fn plan(title: &str) -> PlanRow {
    PlanRow {
        id: 0,
        number: "85/KH-UBND".into(),
        signed_on: NaiveDate::from_ymd_opt(2022, 12, 6).unwrap(),
        issuer: "Ủy ban nhân dân tỉnh Trà Vinh".into(),
        scope_unit_id: Some(84),
        title: title.into(),
        source_path: "plans/kh-85.toml".into(),
        source_text: "[plan]".into(),
        data: "{}".into(),
        imported_at: Utc.with_ymd_and_hms(2026, 11, 23, 2, 0, 0).unwrap(),
        by: By {
            id: None,
            name: "Nguyễn Thị Hà".into(),
        },
    }
}

fn target(key: &str, year: i32, position: i32) -> TargetRow {
    TargetRow {
        id: 0,
        plan_id: 0,
        position,
        key: key.into(),
        year,
        kind: "count".into(),
        data: format!(r#"{{"id":"{key}"}}"#),
    }
}

async fn save(store: &Store, p: &PlanRow, t: &[TargetRow]) -> (PlanRow, Option<PlanRow>) {
    let tx = store.begin().await.unwrap();
    let r = plans::save_plan(&tx, p, t).await.unwrap();
    tx.commit().await.unwrap();
    r
}

db_test!(plans_round_trip_and_reimport_replaces_targets, |store| {
    let (first, old) = save(
        &store,
        &plan("Kế hoạch nâng cao chất lượng"),
        &[target("2022-xa", 2022, 0), target("2023-xa-nc", 2023, 1)],
    )
    .await;
    assert!(old.is_none());
    assert_eq!(first.title, "Kế hoạch nâng cao chất lượng");
    let listed = plans::plans(&store).await.unwrap();
    assert_eq!(listed, vec![first.clone()]);
    let ts = plans::targets(&store, Some(&[first.id])).await.unwrap();
    assert_eq!(
        ts.iter().map(|t| t.key.as_str()).collect::<Vec<_>>(),
        ["2022-xa", "2023-xa-nc"]
    );
    assert_eq!(ts[1].year, 2023);

    // Same number and issuer: the same plan, its targets replaced.
    let (second, old) = save(
        &store,
        &plan("Kế hoạch (bản sửa)"),
        &[target("2025-xa-nc", 2025, 0)],
    )
    .await;
    assert_eq!(second.id, first.id);
    assert_eq!(old.unwrap().title, "Kế hoạch nâng cao chất lượng");
    let ts = plans::targets(&store, None).await.unwrap();
    assert_eq!(ts.len(), 1);
    assert_eq!(ts[0].key, "2025-xa-nc");
    assert_eq!(
        plans::plan(&store, first.id).await.unwrap().unwrap().title,
        "Kế hoạch (bản sửa)"
    );
    assert!(plans::plan(&store, first.id + 100).await.unwrap().is_none());
});
