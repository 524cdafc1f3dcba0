//! Fact forms: optimistic saves (no lost updates), history of every value, bulk reads.

use binhyen_store::facts::{self, FieldChange, FormRow, FormWrite, SaveError};
use binhyen_store::{Store, db_test};
use chrono::{TimeZone, Utc};

fn write<'a>(data: &'a str, expected: i64, changes: &'a [FieldChange]) -> FormWrite<'a> {
    FormWrite {
        unit_id: 29001,
        year: 2024,
        form: "crime_social_evils",
        data,
        status: "draft",
        expected_version: expected,
        actor_id: Some(7),
        actor_name: "Trần Văn Ân",
        at: Utc.with_ymd_and_hms(2024, 11, 20, 3, 0, 0).unwrap(),
        reason: None,
        source: "web",
        changes,
    }
}

fn change(field: &str, old: Option<&str>, new: Option<&str>) -> FieldChange {
    FieldChange {
        field: field.to_owned(),
        old: old.map(str::to_owned),
        new: new.map(str::to_owned),
        note: None,
    }
}

async fn save(store: &Store, w: &FormWrite<'_>) -> Result<FormRow, SaveError> {
    let tx = store.begin().await.unwrap();
    let r = facts::save_form(&tx, w).await;
    if r.is_ok() {
        tx.commit().await.unwrap();
    }
    r
}

db_test!(second_writer_on_a_stale_version_is_refused, |store| {
    let c1 = [change("crimes_social_order", None, Some("3"))];
    let first = save(&store, &write(r#"{"crimes_social_order":3}"#, 0, &c1))
        .await
        .unwrap();
    assert_eq!(first.version, 1);
    // Two people read version 1; the first saves, the second is refused with the current row.
    let c2 = [change("crimes_social_order", Some("3"), Some("4"))];
    let second = save(&store, &write(r#"{"crimes_social_order":4}"#, 1, &c2))
        .await
        .unwrap();
    assert_eq!(second.version, 2);
    let c3 = [change("crimes_social_order", Some("3"), Some("5"))];
    match save(&store, &write(r#"{"crimes_social_order":5}"#, 1, &c3)).await {
        Err(SaveError::Conflict { current: Some(cur) }) => {
            assert_eq!(cur.version, 2);
            assert_eq!(cur.data, r#"{"crimes_social_order":4}"#);
            assert_eq!(cur.updated_by_name, "Trần Văn Ân");
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    // Creating a form that exists is a conflict too.
    assert!(matches!(
        save(&store, &write("{}", 0, &[])).await,
        Err(SaveError::Conflict { current: None })
    ));
    let stored = facts::form(&store, 29001, 2024, "crime_social_evils")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.data, r#"{"crimes_social_order":4}"#);
    // Only the two accepted saves are in the history, oldest first.
    let h = facts::history(&store, 29001, 2024).await.unwrap();
    assert_eq!(h.len(), 2);
    assert_eq!(h[0].change, c1[0]);
    assert_eq!(h[1].change, c2[0]);
    assert_eq!(h[1].actor_name, "Trần Văn Ân");
});

db_test!(bulk_insert_and_reads_by_units_and_years, |store| {
    let at = Utc.with_ymd_and_hms(2025, 1, 2, 0, 0, 0).unwrap();
    let rows: Vec<FormRow> = (0..1200)
        .flat_map(|u| {
            [2023, 2024].map(|year| FormRow {
                unit_id: 1000 + u,
                year,
                form: "registration".to_owned(),
                data: format!(r#"{{"households_resident":{u}}}"#),
                version: 1,
                status: "submitted".to_owned(),
                updated_by: None,
                updated_by_name: "generate".to_owned(),
                updated_at: at,
            })
        })
        .collect();
    let tx = store.begin().await.unwrap();
    facts::insert_forms(&tx, &rows).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        facts::forms_in_years(&store, 2024..=2024)
            .await
            .unwrap()
            .len(),
        1200
    );
    assert_eq!(
        facts::forms_in_years(&store, 2020..=2030)
            .await
            .unwrap()
            .len(),
        2400
    );
    let units: Vec<i64> = (1000..1700).collect();
    let some = facts::forms_of_units(&store, &units, 2023..=2023)
        .await
        .unwrap();
    assert_eq!(some.len(), 700);
    assert_eq!(some[5].unit_id, 1005);
    assert_eq!(some[5].data, r#"{"households_resident":5}"#);
    // Inserting an existing form again fails as a whole.
    let tx = store.begin().await.unwrap();
    assert!(facts::insert_forms(&tx, &rows[..2]).await.is_err());
    drop(tx);
    assert_eq!(
        facts::forms_in_years(&store, 2020..=2030)
            .await
            .unwrap()
            .len(),
        2400
    );
});

db_test!(locks_documents_and_notes, |store| {
    use binhyen_store::facts::{DocumentRow, LockRow};
    let at = Utc.with_ymd_and_hms(2024, 12, 1, 0, 0, 0).unwrap();
    let lock = LockRow {
        province_id: 80,
        year: 2024,
        lock_date: chrono::NaiveDate::from_ymd_opt(2025, 1, 15).unwrap(),
        reopened: false,
        reason: None,
        actor_name: "pv05".into(),
        at,
    };
    let tx = store.begin().await.unwrap();
    facts::set_lock(&tx, &lock).await.unwrap();
    let reopened = LockRow {
        reopened: true,
        reason: Some("Bổ sung số liệu".into()),
        ..lock.clone()
    };
    facts::set_lock(&tx, &reopened).await.unwrap();
    let content = b"%PDF-1.7 test".to_vec();
    let doc = DocumentRow {
        id: 0,
        unit_id: 29001,
        year: 2024,
        sha256: "ab".repeat(32),
        size: content.len() as i64,
        mime: "application/pdf".into(),
        file_name: "nghi-quyet.pdf".into(),
        doc_type: "party_resolution".into(),
        number: "12-NQ/ĐU".into(),
        date: chrono::NaiveDate::from_ymd_opt(2024, 2, 3).unwrap(),
        issuer: "Đảng ủy xã".into(),
        uploaded_by: Some(7),
        uploaded_by_name: "Ân".into(),
        uploaded_at: at,
    };
    let id = facts::insert_document(&tx, &doc, &content).await.unwrap();
    let c = [FieldChange {
        note: Some(r#"{"reclassified":{"from":"a","to":"b","count":1}}"#.into()),
        ..change("crimes_drugs", Some("1"), Some("2"))
    }];
    facts::save_form(&tx, &write(r#"{"crimes_drugs":2}"#, 0, &c))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(facts::locks(&store, 2024).await.unwrap(), vec![reopened]);
    assert!(facts::locks(&store, 2023).await.unwrap().is_empty());
    let listed = facts::documents(&store, 29001, 2024).await.unwrap();
    assert_eq!(listed, vec![DocumentRow { id, ..doc.clone() }]);
    let (row, bytes) = facts::document(&store, id).await.unwrap().unwrap();
    assert_eq!(row.sha256, doc.sha256);
    assert_eq!(bytes, content);
    assert!(facts::document(&store, id + 1).await.unwrap().is_none());
    let h = facts::history(&store, 29001, 2024).await.unwrap();
    assert_eq!(h[0].change.note, c[0].note);
});
