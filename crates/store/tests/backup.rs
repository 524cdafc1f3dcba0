//! SQLite backup and restore give back exactly the same data.

use binhyen_core::authz::{Grant, Role, Scope};
use binhyen_store::audit::{self, AuditActor, NewEntry};
use binhyen_store::testing::{self, sqlite_contents};
use binhyen_store::{DatabaseUrl, Store, auth, backup::BackupError};
use chrono::Utc;

#[tokio::test]
async fn sqlite_backup_then_restore_gives_back_the_same_data() {
    let t = testing::sqlite().await;
    let store = t.store.clone();
    let now = Utc::now();
    let mut tx = store.begin().await.unwrap();
    let u = auth::create_user(&tx, "ca.xa", "Lê Văn C", "$argon2id$h", now)
        .await
        .unwrap();
    auth::add_grant(
        &tx,
        u.id,
        &Grant::new(Role::CommunePolice, Scope::Unit(29001)),
        now,
    )
    .await
    .unwrap();
    tx.append(NewEntry {
        at: now,
        actor: AuditActor {
            id: None,
            label: "cli".into(),
        },
        action: "user.create".into(),
        object_type: "user".into(),
        object_id: u.id.to_string(),
        unit_id: Some(29001),
        dossier_id: None,
        details: serde_json::json!({"login": "ca.xa"}),
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let before = sqlite_contents(&store).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sao-luu").join("binhyen.sqlite");
    store.backup_sqlite(&out).await.unwrap();
    // The server keeps writing after the copy: the copy is the snapshot taken before.
    let tx = store.begin().await.unwrap();
    auth::set_active(&tx, u.id, false, now).await.unwrap();
    tx.commit().await.unwrap();
    assert_ne!(sqlite_contents(&store).await.unwrap(), before);
    assert!(matches!(
        store.backup_sqlite(&out).await,
        Err(BackupError::Exists(_))
    ));

    // Restore: copy the file where a database lives and open it.
    let restored_path = dir.path().join("restored.sqlite");
    std::fs::copy(&out, &restored_path).unwrap();
    let restored = Store::connect(&DatabaseUrl::sqlite_file(&restored_path))
        .await
        .unwrap();
    let after = sqlite_contents(&restored).await.unwrap();
    assert_eq!(after, before);
    assert!(after["auth_user"][0].contains("'ca.xa'"));
    assert_eq!(after["audit_entry"].len(), 1);
    assert!(audit::verify(&restored).await.unwrap().intact());
}
