//! Users, grants, sessions, login attempts and API tokens on both databases.

use binhyen_core::authz::{Grant, Role, Scope};
use binhyen_store::auth::{self, AttemptKey, Client, WriteError};
use binhyen_store::db_test;
use chrono::{Duration, TimeZone, Utc};

fn t0() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 7, 1, 7, 30, 0).unwrap()
}

db_test!(users_and_grants_round_trip, |store| {
    let tx = store.begin().await.unwrap();
    let u = auth::create_user(&tx, "ca.longduc", "Nguyễn Văn Á", "$argon2id$x", t0())
        .await
        .unwrap();
    let g1 = auth::add_grant(
        &tx,
        u.id,
        &Grant::new(Role::CommunePolice, Scope::Unit(29001)),
        t0(),
    )
    .await
    .unwrap();
    let wide = Grant::new(Role::Viewer, Scope::Unit(86)).viewing(Scope::Country);
    auth::add_grant(&tx, u.id, &wide, t0()).await.unwrap();
    auth::add_grant(
        &tx,
        u.id,
        &Grant::new(Role::Administrator, Scope::Country),
        t0(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let (user, hash) = auth::credentials(&store, "ca.longduc")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(user.display_name, "Nguyễn Văn Á");
    assert_eq!(hash, "$argon2id$x");
    assert!(user.active);
    assert_eq!(user.created_at, t0());
    let grants: Vec<Grant> = auth::grants_of(&store, u.id)
        .await
        .unwrap()
        .into_iter()
        .map(|g| g.grant)
        .collect();
    assert_eq!(
        grants,
        vec![
            Grant::new(Role::CommunePolice, Scope::Unit(29001)),
            wide,
            Grant::new(Role::Administrator, Scope::Country)
        ]
    );

    let tx = store.begin().await.unwrap();
    match auth::create_user(&tx, "ca.longduc", "Khác", "h", t0()).await {
        Err(WriteError::LoginTaken) => {}
        other => panic!("expected LoginTaken, got {other:?}"),
    }
    drop(tx);

    let tx = store.begin().await.unwrap();
    assert!(auth::remove_grant(&tx, u.id, g1.id).await.unwrap());
    assert!(!auth::remove_grant(&tx, u.id + 1, g1.id).await.unwrap());
    assert!(auth::set_active(&tx, u.id, false, t0()).await.unwrap());
    tx.commit().await.unwrap();
    let all = auth::users_with_grants(&store).await.unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].1.len(), 2);
    assert!(!all[0].0.active);
});

db_test!(sessions_expire_and_revoke, |store| {
    let tx = store.begin().await.unwrap();
    let u = auth::create_user(&tx, "pv05", "Trần Thị B", "h", t0())
        .await
        .unwrap();
    let client = Client {
        ip: Some("10.0.0.1".into()),
        user_agent: Some("Firefox".into()),
    };
    let s1 = auth::create_session(
        &tx,
        &"a".repeat(64),
        u.id,
        t0(),
        t0() + Duration::hours(12),
        &client,
    )
    .await
    .unwrap();
    let s2 = auth::create_session(
        &tx,
        &"b".repeat(64),
        u.id,
        t0(),
        t0() + Duration::hours(1),
        &client,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let found = auth::session_by_token_hash(&store, &"a".repeat(64))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found, s1);
    assert!(found.live_at(t0() + Duration::hours(11)));
    assert!(!found.live_at(t0() + Duration::hours(12)));
    let live = auth::live_sessions_of(&store, u.id, t0() + Duration::hours(2))
        .await
        .unwrap();
    assert_eq!(live.iter().map(|s| s.id).collect::<Vec<_>>(), vec![s1.id]);

    auth::touch_session(
        &store,
        s2.id,
        t0() + Duration::minutes(30),
        t0() + Duration::hours(3),
    )
    .await
    .unwrap();
    let s2b = auth::session_by_id(&store, s2.id).await.unwrap().unwrap();
    assert_eq!(s2b.expires_at, t0() + Duration::hours(3));

    let tx = store.begin().await.unwrap();
    assert!(auth::revoke_session(&tx, u.id, s1.id, t0()).await.unwrap());
    assert!(!auth::revoke_session(&tx, u.id, s1.id, t0()).await.unwrap());
    assert_eq!(auth::revoke_sessions_of(&tx, u.id, t0()).await.unwrap(), 1);
    tx.commit().await.unwrap();
    assert!(
        auth::live_sessions_of(&store, u.id, t0())
            .await
            .unwrap()
            .is_empty()
    );
    let s1b = auth::session_by_id(&store, s1.id).await.unwrap().unwrap();
    assert!(!s1b.live_at(t0()));
});

db_test!(failures_count_since_window_and_last_success, |store| {
    let tx = store.begin().await.unwrap();
    for m in [0, 1, 2] {
        auth::record_login_attempt(&tx, "a", "10.0.0.1", t0() + Duration::minutes(m), false)
            .await
            .unwrap();
    }
    auth::record_login_attempt(&tx, "a", "10.0.0.1", t0() + Duration::minutes(3), true)
        .await
        .unwrap();
    auth::record_login_attempt(&tx, "a", "10.0.0.2", t0() + Duration::minutes(4), false)
        .await
        .unwrap();
    auth::record_login_attempt(&tx, "b", "10.0.0.1", t0() + Duration::minutes(5), false)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let since = t0() - Duration::minutes(1);
    let by_login = auth::recent_failures(&store, AttemptKey::Login("a"), since, 10)
        .await
        .unwrap();
    assert_eq!(by_login, vec![t0() + Duration::minutes(4)]);
    let by_ip = auth::recent_failures(&store, AttemptKey::Ip("10.0.0.1"), since, 10)
        .await
        .unwrap();
    assert_eq!(by_ip.len(), 4);
    assert_eq!(by_ip[0], t0() + Duration::minutes(5));
    let limited = auth::recent_failures(&store, AttemptKey::Ip("10.0.0.1"), t0(), 2)
        .await
        .unwrap();
    assert_eq!(
        limited,
        vec![t0() + Duration::minutes(5), t0() + Duration::minutes(2)]
    );
});

db_test!(api_tokens_are_found_by_hash_and_revoke, |store| {
    let tx = store.begin().await.unwrap();
    let u = auth::create_user(&tx, "api", "API", "h", t0())
        .await
        .unwrap();
    let t = auth::create_api_token(&tx, u.id, "báo cáo", &"c".repeat(64), t0())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        auth::api_token_by_hash(&store, &"c".repeat(64))
            .await
            .unwrap(),
        Some(t.clone())
    );
    auth::touch_api_token(&store, t.id, t0() + Duration::hours(1))
        .await
        .unwrap();
    assert_eq!(
        auth::live_api_tokens_of(&store, u.id).await.unwrap()[0].last_used_at,
        Some(t0() + Duration::hours(1))
    );
    let tx = store.begin().await.unwrap();
    assert!(auth::revoke_api_token(&tx, u.id, t.id, t0()).await.unwrap());
    tx.commit().await.unwrap();
    assert!(
        auth::live_api_tokens_of(&store, u.id)
            .await
            .unwrap()
            .is_empty()
    );
    let revoked = auth::api_token_by_hash(&store, &"c".repeat(64))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(revoked.revoked_at, Some(t0()));
});
