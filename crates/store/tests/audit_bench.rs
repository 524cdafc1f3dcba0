//! Measurements of the audit chain (numbers, not timed assertions). Run with
//! `scripts/test.sh -p binhyen-store --test audit_bench -- --ignored --nocapture`.

use std::time::Instant;

use binhyen_store::audit::{self, AuditActor, NewEntry};
use binhyen_store::{Store, testing};
use chrono::Utc;

fn entry(i: u64) -> NewEntry {
    NewEntry {
        at: Utc::now(),
        actor: AuditActor {
            id: Some(7),
            label: "ca.longduc".into(),
        },
        action: "fact.save".into(),
        object_type: "fact".into(),
        object_id: i.to_string(),
        unit_id: Some(29001),
        dossier_id: Some(12),
        details: serde_json::json!({ "field": "số vụ phạm pháp hình sự", "old": 3, "new": 4 }),
    }
}

async fn measure(store: Store, label: &str) {
    const TXS: u64 = 1_000;
    const BULK: u64 = 20_000;
    let t = Instant::now();
    for i in 0..TXS {
        let mut tx = store.begin().await.unwrap();
        tx.append(entry(i)).await.unwrap();
        tx.commit().await.unwrap();
    }
    let per_tx = t.elapsed();
    let t = Instant::now();
    let mut tx = store.begin().await.unwrap();
    for i in 0..BULK {
        tx.append(entry(i)).await.unwrap();
    }
    tx.commit().await.unwrap();
    let bulk = t.elapsed();
    let t = Instant::now();
    let v = audit::verify(&store).await.unwrap();
    let verify = t.elapsed();
    assert!(v.intact());
    assert_eq!(v.checked, TXS + BULK);
    println!(
        "{label}: {TXS} changes of 1 entry: {:.0} changes/s ({:.2} ms each); \
         {BULK} entries in one change: {:.0} entries/s; verify {} entries: {:.0} entries/s ({:.2} s)",
        TXS as f64 / per_tx.as_secs_f64(),
        per_tx.as_secs_f64() * 1000.0 / TXS as f64,
        BULK as f64 / bulk.as_secs_f64(),
        v.checked,
        v.checked as f64 / verify.as_secs_f64(),
        verify.as_secs_f64(),
    );
}

#[tokio::test]
#[ignore = "measurement; run with --ignored --nocapture"]
async fn audit_throughput_sqlite() {
    measure(testing::sqlite().await.store, "SQLite").await;
}

#[tokio::test]
#[ignore = "measurement; run with --ignored --nocapture"]
async fn audit_throughput_postgres() {
    if let Some(db) = testing::postgres().await {
        measure(db.store.clone(), "PostgreSQL").await;
    }
}
