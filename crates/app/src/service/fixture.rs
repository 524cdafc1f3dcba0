//! One small real map for service tests (an `Atlas`, so containment, sub-units and evaluation
//! work as in production):
//!
//! - Tỉnh Vĩnh Long (86) ⊃ Xã Long Đức (29001) ⊃ Ấp 1 (2900101); Phường 1 (29002); Xã Cũ (29003,
//!   dissolved 01/01/2023) — the facts tests;
//! - Tỉnh Trà Vinh (84) ⊃ Huyện Càng Long (842) ⊃ Xã An Trường (84201) ⊃ Ấp Chợ (8420101);
//!   Huyện Cầu Kè (843) ⊃ Xã Hòa Ân (84301); Thành phố Cần Thơ (92) — the workflow tests (district police before
//!   01/03/2025).

use binhyen_core::units::{Atlas, History, Unit, UnitId, UnitKind, Validity, Version};
use chrono::NaiveDate;

use crate::units::SharedAtlas;

pub const VINH_LONG: UnitId = 86;
pub const LONG_DUC: UnitId = 29001;
pub const AP_1: UnitId = 2900101;
pub const PHUONG_1: UnitId = 29002;
pub const XA_CU: UnitId = 29003;
pub const TRA_VINH: UnitId = 84;
pub const CANG_LONG: UnitId = 842;
pub const AN_TRUONG: UnitId = 84201;
pub const AP_CHO: UnitId = 8420101;
pub const CAU_KE: UnitId = 843;
pub const HOA_AN: UnitId = 84301;
pub const CAN_THO: UnitId = 92;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn unit(
    id: UnitId,
    code: &str,
    name: &str,
    kind: UnitKind,
    parent: Option<UnitId>,
    to: Option<NaiveDate>,
) -> Unit {
    Unit {
        id,
        key: Unit::key_for(code, d(2020, 1, 1)),
        kind,
        versions: vec![Version {
            code: code.into(),
            name: name.into(),
            unit_type: "x".into(),
            parent,
            validity: Validity {
                from: d(2020, 1, 1),
                to,
            },
            origin: None,
        }],
    }
}

/// The map described in the module header.
pub fn atlas() -> SharedAtlas {
    use UnitKind::*;
    let units = vec![
        unit(VINH_LONG, "86", "Tỉnh Vĩnh Long", Province, None, None),
        unit(
            LONG_DUC,
            "29001",
            "Xã Long Đức",
            Commune,
            Some(VINH_LONG),
            None,
        ),
        unit(
            AP_1,
            "2900101",
            "Ấp 1",
            ResidentialArea,
            Some(LONG_DUC),
            None,
        ),
        unit(
            PHUONG_1,
            "29002",
            "Phường 1",
            Commune,
            Some(VINH_LONG),
            None,
        ),
        unit(
            XA_CU,
            "29003",
            "Xã Cũ",
            Commune,
            Some(VINH_LONG),
            Some(d(2023, 1, 1)),
        ),
        unit(TRA_VINH, "84", "Tỉnh Trà Vinh", Province, None, None),
        unit(
            CANG_LONG,
            "842",
            "Huyện Càng Long",
            District,
            Some(TRA_VINH),
            None,
        ),
        unit(
            AN_TRUONG,
            "84201",
            "Xã An Trường",
            Commune,
            Some(CANG_LONG),
            None,
        ),
        unit(
            CAU_KE,
            "843",
            "Huyện Cầu Kè",
            District,
            Some(TRA_VINH),
            None,
        ),
        unit(HOA_AN, "84301", "Xã Hòa Ân", Commune, Some(CAU_KE), None),
        unit(
            AP_CHO,
            "8420101",
            "Ấp Chợ",
            ResidentialArea,
            Some(AN_TRUONG),
            None,
        ),
        unit(CAN_THO, "92", "Thành phố Cần Thơ", Province, None, None),
    ];
    let a = SharedAtlas::default();
    a.set(
        Atlas::build(History {
            units,
            events: vec![],
        })
        .expect("valid test atlas"),
    );
    a
}

/// A submitted fact form of `unit` for `year`, entered by "Kiểm thử".
pub fn form(
    unit: UnitId,
    year: i32,
    form: &str,
    data: serde_json::Value,
) -> binhyen_store::facts::FormRow {
    use chrono::TimeZone;
    binhyen_store::facts::FormRow {
        unit_id: unit,
        year,
        form: form.into(),
        data: data.to_string(),
        version: 1,
        status: "submitted".into(),
        updated_by: None,
        updated_by_name: "Kiểm thử".into(),
        updated_at: chrono::Utc.with_ymd_and_hms(2025, 11, 20, 3, 0, 0).unwrap(),
    }
}

/// Stores fact forms as they are (no checks, no audit): test data.
pub async fn insert(store: &binhyen_store::Store, rows: &[binhyen_store::facts::FormRow]) {
    let tx = store.begin().await.unwrap();
    binhyen_store::facts::insert_forms(&tx, rows).await.unwrap();
    tx.commit().await.unwrap();
}

/// A viewer over `scope` (no account: an actor with one grant).
pub fn viewer(scope: binhyen_core::authz::Scope) -> crate::service::Actor {
    crate::service::Actor {
        id: Some(7),
        login: "xem".into(),
        display_name: "Lê Thị Xem".into(),
        grants: vec![binhyen_core::authz::Grant::new(
            binhyen_core::authz::Role::Viewer,
            scope,
        )],
    }
}

/// An account made from the console (display name "Cán bộ {login}", one grant), as the actor
/// it acts as.
pub async fn account(
    ctx: &crate::service::Ctx<'_>,
    login: &str,
    password: &str,
    role: &str,
    unit: &str,
) -> crate::service::Actor {
    use crate::service::users::{self, GrantSpec, NewAccount};
    let (a, _) = users::create(
        ctx,
        &crate::service::Actor::console(),
        NewAccount {
            login: login.into(),
            display_name: format!("Cán bộ {login}"),
            password: Some(password.into()),
            grant: GrantSpec {
                role: role.into(),
                unit: unit.into(),
                view: None,
            },
        },
    )
    .await
    .unwrap();
    crate::service::Actor {
        id: Some(a.user.id),
        login: a.user.login,
        display_name: a.user.display_name,
        grants: a.grants.iter().map(|g| g.grant).collect(),
    }
}

/// Takes dossier `id` (its facts entered) from submission to a recognition decision signed on
/// 10/02/2025: submitted by the commune police, forwarded by the district police, proposed by
/// PV05, decided by the chairman (`by` in that order). Decision number `number`.
pub async fn recognise(
    ctx: &crate::service::Ctx<'_>,
    law: crate::service::workflow::Law<'_>,
    by: [&crate::service::Actor; 4],
    id: i64,
    number: &str,
) -> binhyen_store::workflow::DecisionRow {
    use crate::service::workflow as wf;
    use binhyen_core::workflow::{Action, Proposal};
    let [commune, district, pv05, decider] = by;
    let steps = [
        (commune, Action::Submit),
        (district, Action::Forward { proposal: None }),
        (
            pv05,
            Action::Forward {
                proposal: Some(Proposal::Recognise),
            },
        ),
    ];
    for (actor, action) in steps {
        wf::act(ctx, actor, law, id, None, action, Default::default())
            .await
            .unwrap();
    }
    wf::issue_decision(
        ctx,
        decider,
        law.registry,
        wf::NewDecision {
            number: number.into(),
            signed_on: d(2025, 2, 10),
            signer: "Nguyễn Văn Ấn".into(),
            legal_basis: "Thông tư số 124/2021/TT-BCA".into(),
            dossiers: vec![id],
            revokes: None,
        },
    )
    .await
    .unwrap()
}

/// 10:00 (Vietnam time) on a day: the "now" of a test.
pub fn at(y: i32, m: u32, d: u32) -> chrono::DateTime<chrono::Utc> {
    use chrono::TimeZone;
    chrono::Utc.with_ymd_and_hms(y, m, d, 3, 0, 0).unwrap()
}

/// A service context on `store` and `dir` at `now`.
pub fn ctx<'a>(
    store: &'a binhyen_store::Store,
    dir: &'a SharedAtlas,
    now: chrono::DateTime<chrono::Utc>,
) -> crate::service::Ctx<'a> {
    crate::service::Ctx {
        store,
        units: dir,
        now,
    }
}

/// The server of a review in Q1 2025 on the fixture map: a manual clock at 10/02/2025, the
/// built-in standards, and registration for 2024 reopened until 31/03/2025.
pub async fn review_q1_2025(store: &binhyen_store::Store) -> crate::web::AppState {
    use binhyen_core::standard::Registry;
    let (clock, _hand) = crate::clock::Clock::manual(at(2025, 2, 10));
    let state = crate::web::AppState {
        clock,
        ..crate::web::AppState::new(store.clone(), Registry::with_builtin(&[]).unwrap())
            .with_map(atlas())
    };
    super::workflow::set_deadline(
        &state.ctx(),
        &crate::service::Actor::console(),
        binhyen_core::authz::Scope::Country,
        2024,
        "registration_end",
        chrono::NaiveDate::from_ymd_opt(2025, 3, 31).unwrap(),
    )
    .await
    .unwrap();
    state
}
