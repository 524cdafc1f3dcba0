//! Migrations apply on both databases and are idempotent.

use binhyen_store::db_test;

db_test!(migrations_apply_twice, |store| {
    let first = store.applied_migrations().await.unwrap();
    assert!(!first.is_empty());
    store.migrate().await.unwrap();
    assert_eq!(store.applied_migrations().await.unwrap(), first);
});
