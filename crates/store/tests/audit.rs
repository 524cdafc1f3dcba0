//! The audit chain: appends in the change's transaction, verifies, and finds tampering.

use binhyen_store::audit::{self, AuditActor, NewEntry, Tamper};
use binhyen_store::testing::execute_raw;
use binhyen_store::{Store, db_test};
use chrono::{TimeZone, Utc};

fn entry(i: i64) -> NewEntry {
    NewEntry {
        at: Utc.with_ymd_and_hms(2025, 3, 1, 8, 0, 0).unwrap()
            + chrono::Duration::microseconds(1_234_567 * i),
        actor: AuditActor {
            id: Some(i),
            label: format!("người.dùng{i}"),
        },
        action: "test.step".to_owned(),
        object_type: "thing".to_owned(),
        object_id: i.to_string(),
        unit_id: Some(100 + i),
        dossier_id: (i % 2 == 0).then_some(i),
        details: serde_json::json!({ "i": i, "ghi_chú": "Xã Long Đức" }),
    }
}

/// Appends `n` entries, two per transaction.
async fn fill(store: &Store, n: i64) {
    let mut i = 1;
    while i <= n {
        let mut tx = store.begin().await.unwrap();
        for _ in 0..2 {
            if i <= n {
                tx.append(entry(i)).await.unwrap();
                i += 1;
            }
        }
        tx.commit().await.unwrap();
    }
}

db_test!(chain_verifies_when_intact, |store| {
    let empty = audit::verify(&store).await.unwrap();
    assert!(empty.intact());
    assert_eq!((empty.checked, empty.head_seq), (0, 0));
    fill(&store, 5).await;
    let v = audit::verify(&store).await.unwrap();
    assert_eq!(v.problem, None);
    assert_eq!((v.checked, v.head_seq), (5, 5));
    let listed = audit::list(&store, audit::Filter::latest(10))
        .await
        .unwrap();
    assert_eq!(listed.len(), 5);
    assert_eq!(listed[0].seq, 5);
    assert_eq!(listed[0].hash, v.head_hash);
    assert_eq!(listed[4].prev_hash, audit::GENESIS);
    assert_eq!(listed[1].prev_hash, listed[2].hash);
    // Timestamps and texts come back exactly as hashed.
    assert_eq!(listed[4].actor, "người.dùng1");
    assert_eq!(listed[4].at, entry(1).at);
    let by_unit = audit::list(
        &store,
        audit::Filter {
            unit_id: Some(103),
            limit: 10,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(by_unit.len(), 1);
    assert_eq!(by_unit[0].seq, 3);
});

db_test!(rolled_back_change_leaves_no_entry, |store| {
    fill(&store, 2).await;
    let mut tx = store.begin().await.unwrap();
    tx.append(entry(3)).await.unwrap();
    tx.rollback().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    tx.append(entry(4)).await.unwrap();
    drop(tx); // dropped without commit: rolled back too
    let v = audit::verify(&store).await.unwrap();
    assert!(v.intact(), "{v:?}");
    assert_eq!((v.checked, v.head_seq), (2, 2));
    fill(&store, 1).await;
    assert_eq!(audit::verify(&store).await.unwrap().head_seq, 3);
});

db_test!(verify_finds_an_edited_entry, |store| {
    fill(&store, 5).await;
    execute_raw(
        &store,
        r#"UPDATE audit_entry SET details = '{"i":3,"ghi_chú":"sửa"}' WHERE seq = 3"#,
    )
    .await
    .unwrap();
    let v = audit::verify(&store).await.unwrap();
    assert_eq!(v.problem, Some(Tamper::Edited { seq: 3 }));
    assert_eq!(v.checked, 2);
});

db_test!(verify_finds_an_edited_actor, |store| {
    fill(&store, 4).await;
    execute_raw(&store, "UPDATE audit_entry SET actor_id = 99 WHERE seq = 4")
        .await
        .unwrap();
    let v = audit::verify(&store).await.unwrap();
    assert_eq!(v.problem, Some(Tamper::Edited { seq: 4 }));
});

db_test!(verify_finds_a_deleted_entry, |store| {
    fill(&store, 5).await;
    execute_raw(&store, "DELETE FROM audit_entry WHERE seq = 2")
        .await
        .unwrap();
    let v = audit::verify(&store).await.unwrap();
    assert_eq!(v.problem, Some(Tamper::Missing { from: 2, to: 2 }));
});

db_test!(verify_finds_a_deleted_last_entry, |store| {
    fill(&store, 5).await;
    execute_raw(&store, "DELETE FROM audit_entry WHERE seq = 5")
        .await
        .unwrap();
    let v = audit::verify(&store).await.unwrap();
    assert_eq!(
        v.problem,
        Some(Tamper::HeadMismatch {
            last_seq: 4,
            head_seq: 5
        })
    );
});

db_test!(verify_finds_a_swapped_pair, |store| {
    fill(&store, 5).await;
    for sql in [
        "UPDATE audit_entry SET seq = -1 WHERE seq = 3",
        "UPDATE audit_entry SET seq = 3 WHERE seq = 4",
        "UPDATE audit_entry SET seq = 4 WHERE seq = -1",
    ] {
        execute_raw(&store, sql).await.unwrap();
    }
    let v = audit::verify(&store).await.unwrap();
    assert_eq!(
        v.problem,
        Some(Tamper::Reordered {
            seq: 3,
            found_at: 4
        })
    );
});

db_test!(verify_finds_a_deletion_hidden_by_renumbering, |store| {
    fill(&store, 4).await;
    for sql in [
        "DELETE FROM audit_entry WHERE seq = 2",
        "UPDATE audit_entry SET seq = 2 WHERE seq = 3",
        "UPDATE audit_entry SET seq = 3 WHERE seq = 4",
        "UPDATE audit_head SET seq = 3",
    ] {
        execute_raw(&store, sql).await.unwrap();
    }
    let v = audit::verify(&store).await.unwrap();
    assert_eq!(v.problem, Some(Tamper::Edited { seq: 2 }));
});

db_test!(concurrent_changes_append_one_chain, |store| {
    let mut tasks = Vec::new();
    for i in 1..=8 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut tx = store.begin().await.unwrap();
            tx.append(entry(i)).await.unwrap();
            tokio::task::yield_now().await;
            tx.append(entry(100 + i)).await.unwrap();
            tx.commit().await.unwrap();
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let v = audit::verify(&store).await.unwrap();
    assert!(v.intact(), "{v:?}");
    assert_eq!((v.checked, v.head_seq), (16, 16));
    // Each transaction's two entries are adjacent: appends were serialised.
    let all = audit::list(&store, audit::Filter::latest(100))
        .await
        .unwrap();
    for pair in all.chunks(2) {
        assert_eq!(pair[0].actor_id.unwrap() - 100, pair[1].actor_id.unwrap());
    }
});
