//! Memoised results: kept while the audit head stays, recomputed after any committed change,
//! computed once for concurrent callers, and nothing kept after a failure.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use binhyen_store::audit::{AuditActor, NewEntry};
use binhyen_store::{DbErr, Store, db_test};
use chrono::Utc;

async fn change(store: &Store, i: i64) {
    let mut tx = store.begin().await.unwrap();
    tx.append(NewEntry {
        at: Utc::now(),
        actor: AuditActor {
            id: Some(i),
            label: "cán.bộ".to_owned(),
        },
        action: "fact.save".to_owned(),
        object_type: "fact_form".to_owned(),
        object_id: i.to_string(),
        unit_id: None,
        dossier_id: None,
        details: serde_json::json!({}),
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

/// A value that counts how often it was computed.
async fn counted(store: &Store, key: &str, calls: &AtomicUsize) -> Arc<usize> {
    store
        .memoized(key, || async {
            Ok::<_, DbErr>(calls.fetch_add(1, Ordering::SeqCst) + 1)
        })
        .await
        .unwrap()
}

db_test!(kept_until_a_change_is_committed, |store| {
    let calls = AtomicUsize::new(0);
    assert_eq!(*counted(&store, "dashboard:84:2024", &calls).await, 1);
    assert_eq!(*counted(&store, "dashboard:84:2024", &calls).await, 1);
    assert_eq!(
        calls.load(Ordering::SeqCst),
        1,
        "same revision: not recomputed"
    );
    // Another key is its own value.
    assert_eq!(*counted(&store, "dashboard:86:2024", &calls).await, 2);
    assert_eq!(store.memo().len(), 2);

    // A transaction that is rolled back changes nothing.
    let tx = store.begin().await.unwrap();
    tx.rollback().await.unwrap();
    assert_eq!(*counted(&store, "dashboard:84:2024", &calls).await, 1);

    let before = store.revision().await.unwrap();
    change(&store, 1).await;
    let after = store.revision().await.unwrap();
    assert_eq!(after.seq, before.seq + 1);
    assert_ne!(after.hash, before.hash);
    assert_eq!(*counted(&store, "dashboard:84:2024", &calls).await, 3);
    assert_eq!(
        store.memo().len(),
        1,
        "values of the old revision are dropped"
    );

    // A commit without an audit entry (bookkeeping, test data) is forgotten in this process.
    let tx = store.begin().await.unwrap();
    tx.commit().await.unwrap();
    assert!(store.memo().is_empty());
    assert_eq!(*counted(&store, "dashboard:84:2024", &calls).await, 4);

    // A change made through another handle on the same database (another process) is seen too.
    let other = binhyen_store::testing::other_process(&store);
    change(&other, 2).await;
    assert_eq!(store.memo().len(), 1, "not told of the other's commit");
    assert_eq!(*counted(&store, "dashboard:84:2024", &calls).await, 5);
});

db_test!(concurrent_callers_share_one_computation, |store| {
    let calls = AtomicUsize::new(0);
    let slow = |store: Store, calls: &'static AtomicUsize| async move {
        store
            .memoized("national", || async {
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                Ok::<_, DbErr>(calls.fetch_add(1, Ordering::SeqCst))
            })
            .await
            .unwrap()
    };
    let calls: &'static AtomicUsize = Box::leak(Box::new(calls));
    let results = futures_join(
        (0..16)
            .map(|_| tokio::spawn(slow(store.clone(), calls)))
            .collect(),
    )
    .await;
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert!(results.iter().all(|v| **v == 0));
});

db_test!(a_failure_leaves_nothing_behind, |store| {
    let failed = store
        .memoized::<usize, DbErr, _, _>("k", || async {
            Err(DbErr::Custom("không đọc được".to_owned()))
        })
        .await;
    assert!(failed.is_err());
    assert!(store.memo().is_empty());
    let calls = AtomicUsize::new(0);
    assert_eq!(*counted(&store, "k", &calls).await, 1);
    // Two value types under one key name are two values.
    let text = store
        .memoized("k", || async { Ok::<_, DbErr>("văn bản".to_owned()) })
        .await
        .unwrap();
    assert_eq!(text.as_str(), "văn bản");
    assert_eq!(*counted(&store, "k", &calls).await, 1);
});

async fn futures_join<T>(handles: Vec<tokio::task::JoinHandle<T>>) -> Vec<T> {
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}
