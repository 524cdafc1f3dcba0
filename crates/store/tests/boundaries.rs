//! Boundaries: an import replaces the codes it brings and keeps the others; a rolled-back
//! import leaves nothing.

use binhyen_store::boundaries::{self, BoundaryRow};
use binhyen_store::db_test;
use chrono::{TimeZone, Utc};

fn row(code: &str, source: &str) -> BoundaryRow {
    BoundaryRow {
        unit_code: code.to_owned(),
        name: format!("Xã {code}"),
        geometry: r#"{"type":"Polygon","coordinates":[[[106,9],[106.1,9],[106.1,9.1],[106,9]]]}"#
            .to_owned(),
        source: source.to_owned(),
        schematic: source == "schematic",
        imported_at: Utc.with_ymd_and_hms(2026, 11, 23, 3, 0, 0).unwrap(),
        actor_name: "console".to_owned(),
    }
}

db_test!(an_import_replaces_its_codes_and_keeps_the_others, |store| {
    let tx = store.begin().await.unwrap();
    boundaries::replace(&tx, &[row("29410", "schematic"), row("29413", "schematic")])
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(boundaries::count(&store).await.unwrap(), 2);

    let tx = store.begin().await.unwrap();
    boundaries::replace(&tx, &[row("29410", "ranh-gioi.geojson")])
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let all = boundaries::of_codes(&store, &["29410".into(), "29413".into(), "1".into()])
        .await
        .unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].source, "ranh-gioi.geojson");
    assert!(!all[0].schematic);
    assert_eq!(all[1].source, "schematic");

    // Dropped without commit: nothing changes.
    let tx = store.begin().await.unwrap();
    boundaries::replace(&tx, &[row("29416", "x")])
        .await
        .unwrap();
    drop(tx);
    assert_eq!(boundaries::count(&store).await.unwrap(), 2);
});
