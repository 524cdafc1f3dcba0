//! The workflow service on both databases: Q1 registration, reasons, double submit, concurrent
//! reviewers, separation of duties, decisions (recognitions written back), revocations.

use std::collections::BTreeMap;

use binhyen_core::authz::{Denied, Grant, Role, Scope};
use binhyen_core::catalogue::FormGroup;
use binhyen_core::standard::Registry;
use binhyen_core::workflow::{Action, Proposal};
use binhyen_store::{audit, db_test};
use chrono::NaiveDate;

use super::*;
use crate::directory::UnitDirectory;
use crate::service::facts::{self as facts_svc, FactsError, SaveForm};
use crate::service::fixture::{self, AN_TRUONG, CAN_THO, HOA_AN, TRA_VINH};

use crate::service::fixture::{at, ctx};

async fn user(c: &Ctx<'_>, login: &str, role: &str, unit: &str) -> Actor {
    fixture::account(c, login, "mật khẩu thử nghiệm", role, unit).await
}

/// Enters the commune's crimes through the facts service (the one way facts are saved).
async fn enter(
    c: &Ctx<'_>,
    actor: &Actor,
    reg: &Registry,
    unit: UnitId,
    crimes: serde_json::Value,
) -> Result<(), FactsError> {
    let group = FormGroup::CrimeSocialEvils;
    let version = facts::form(c.store, unit, 2024, group.as_str())
        .await
        .unwrap()
        .map_or(0, |f| f.version);
    let values = serde_json::json!({ "crimes_social_order": crimes });
    let serde_json::Value::Object(values) = values else {
        unreachable!()
    };
    facts_svc::save(
        c,
        reg,
        actor,
        &SaveForm {
            unit,
            year: 2024,
            group,
            values,
            expected_version: version,
            submit: false,
            reason: None,
            confirm_warnings: true,
            source: "test".into(),
        },
    )
    .await
    .map(|_| ())
}

const STD: &str = "antt-xa";

db_test!(
    a_dossier_goes_from_registration_to_recognition_and_revocation,
    |store| {
        let dir = fixture::atlas();
        let atlas = dir.get();
        let reg = Registry::with_builtin(&[]).unwrap();
        let law = Law {
            registry: &reg,
            atlas: &atlas,
        };
        let q1 = ctx(&store, &dir, at(2024, 2, 15));
        let xa = user(&q1, "ca_an_truong", "commune_police", "84201").await;
        let other_xa = user(&q1, "ca_hoa_an", "commune_police", "84301").await;
        let huyen = user(&q1, "ca_cang_long", "district_police", "842").await;
        let pv05 = user(&q1, "pv05_tra_vinh", "pv05", "84").await;
        let chu_tich = user(&q1, "ct_tra_vinh", "decider", "84").await;

        // Registration: in Q1 only, once, inside the territory.
        let late = ctx(&store, &dir, at(2024, 4, 2));
        let e = register(&late, &xa, &reg, AN_TRUONG, 2024, STD)
            .await
            .unwrap_err();
        assert!(
            e.message("vi").contains("31/03/2024"),
            "{}",
            e.message("vi")
        );
        let e = register(&q1, &other_xa, &reg, AN_TRUONG, 2024, STD)
            .await
            .unwrap_err();
        assert!(matches!(e, ServiceError::Denied(Denied::OutsideTerritory)));
        let e = register(&q1, &xa, &reg, AN_TRUONG, 2024, "antt-kdc")
            .await
            .unwrap_err();
        assert!(matches!(
            e,
            ServiceError::Invalid {
                field: "standard",
                ..
            }
        ));
        let d = register(&q1, &xa, &reg, AN_TRUONG, 2024, STD)
            .await
            .unwrap();
        assert_eq!(d.state, "registered");
        let e = register(&q1, &xa, &reg, AN_TRUONG, 2024, STD)
            .await
            .unwrap_err();
        assert!(
            e.message("vi").contains("đã đăng ký"),
            "{}",
            e.message("vi")
        );
        // A later deadline set for the year opens registration again (configurable per year).
        set_deadline(
            &q1,
            &Actor::console(),
            Scope::Country,
            2024,
            "registration_end",
            NaiveDate::from_ymd_opt(2024, 4, 30).unwrap(),
        )
        .await
        .unwrap();
        register(&late, &other_xa, &reg, HOA_AN, 2024, STD)
            .await
            .unwrap();

        // Review happens in Q1 2025: the period 2024 still has district police.
        let c = ctx(&store, &dir, at(2025, 1, 10));
        let none = BTreeMap::new();
        enter(&c, &xa, &reg, AN_TRUONG, 3.into()).await.unwrap();
        // The first facts save moved the registered dossier to data entry (in the facts service).
        let entered = store::dossier(&store, d.id).await.unwrap().unwrap();
        assert_eq!(entered.state, "data_entry");
        assert!(
            timeline(&c, &xa, d.id)
                .await
                .unwrap()
                .iter()
                .any(|t| t.action == "enter_data")
        );
        let bad = enter(&c, &xa, &reg, AN_TRUONG, "ba".into()).await;
        assert!(matches!(bad, Err(FactsError::Invalid(_))), "{bad:?}");
        let s1 = act(&c, &xa, law, d.id, None, Action::Submit, none.clone())
            .await
            .unwrap();
        assert!(
            matches!(&s1, Acted::Moved(r) if r.state == "under_review" && r.level.as_deref() == Some("district"))
        );
        // Submitting twice transitions once.
        let s2 = act(
            &c,
            &xa,
            law,
            d.id,
            Some(d.version),
            Action::Submit,
            none.clone(),
        )
        .await
        .unwrap();
        assert!(matches!(s2, Acted::AlreadyDone(_)));
        // While the reviewers hold it, its facts cannot change.
        let held = enter(&c, &xa, &reg, AN_TRUONG, 5.into()).await.unwrap_err();
        assert!(
            held.message("vi")
                .contains("chỉ sửa được số liệu khi hồ sơ bị trả lại"),
            "{}",
            held.message("vi")
        );
        assert_eq!(
            timeline(&c, &xa, d.id)
                .await
                .unwrap()
                .iter()
                .filter(|t| t.action == "submit")
                .count(),
            1
        );

        // The provincial reviewer cannot act at the district level; a return needs a reason.
        let e = act(
            &c,
            &pv05,
            law,
            d.id,
            None,
            Action::Return { reason: "x".into() },
            none.clone(),
        )
        .await
        .unwrap_err();
        assert!(matches!(e, ServiceError::Denied(Denied::NoCapability)));
        let e = act(
            &c,
            &huyen,
            law,
            d.id,
            None,
            Action::Return { reason: " ".into() },
            none.clone(),
        )
        .await
        .unwrap_err();
        assert!(
            e.message("vi").contains("phải ghi lý do"),
            "{}",
            e.message("vi")
        );
        let comments = BTreeMap::from([(
            "crimes_social_order".to_owned(),
            "Số vụ chưa khớp sổ".to_owned(),
        )]);
        let seen = s1.row().version;
        act(
            &c,
            &huyen,
            law,
            d.id,
            Some(seen),
            Action::Return {
                reason: "Thiếu số liệu tội phạm".into(),
            },
            comments,
        )
        .await
        .unwrap();
        let note = store::notifications(&store, xa.id.unwrap(), 10)
            .await
            .unwrap();
        assert_eq!(note.len(), 1);
        assert!(note[0].args.contains("Thiếu số liệu tội phạm"));
        assert_eq!(
            store::unread_count(&store, huyen.id.unwrap())
                .await
                .unwrap(),
            0
        );

        // The per-field comment is stored with the return and shown beside the field while
        // the dossier is returned.
        let shown = return_comments(&c, AN_TRUONG, 2024).await.unwrap();
        assert_eq!(
            shown.get("crimes_social_order").map(String::as_str),
            Some("Số vụ chưa khớp sổ")
        );
        let dossier_now = dossier(&c, &huyen, d.id).await.unwrap();
        let fields = comment_fields(&c, &reg, &dossier_now, "vi").await.unwrap();
        assert!(
            fields
                .iter()
                .any(|f| f.key == "crimes_social_order" && f.value == "3" && !f.label.is_empty()),
            "{fields:?}"
        );
        // Fix and resubmit: the diff shows the fact and the verdicts that changed.
        enter(&c, &xa, &reg, AN_TRUONG, 1.into()).await.unwrap();
        let r = act(&c, &xa, law, d.id, None, Action::Submit, none.clone())
            .await
            .unwrap();
        assert!(
            return_comments(&c, AN_TRUONG, 2024)
                .await
                .unwrap()
                .is_empty()
        );
        let diff = diff_since_last_review(&timeline(&c, &xa, d.id).await.unwrap());
        assert!(
            diff.iter().any(|l| l.part == "facts"
                && l.key == "crime_social_evils.crimes_social_order"
                && l.old == "3"
                && l.new == "1"),
            "{diff:?}"
        );

        // Two reviewers with the same version: one succeeds, the other is told what happened.
        let huyen2 = user(&c, "ca_cang_long_2", "district_police", "842").await;
        let v = r.row().version;
        act(
            &c,
            &huyen,
            law,
            d.id,
            Some(v),
            Action::Forward { proposal: None },
            none.clone(),
        )
        .await
        .unwrap();
        let e = act(
            &c,
            &huyen2,
            law,
            d.id,
            Some(v),
            Action::Return {
                reason: "Muộn".into(),
            },
            none.clone(),
        )
        .await
        .unwrap_err();
        assert!(matches!(e, ServiceError::Conflict { .. }), "{e:?}");
        assert!(
            e.message("vi").contains("Cán bộ ca_cang_long"),
            "{}",
            e.message("vi")
        );

        // Province: an override needs a reason and stays in the trace; then it proposes.
        let e = act(
            &c,
            &pv05,
            law,
            d.id,
            None,
            Action::Override {
                rule: "5.1a".into(),
                verdict: "met".into(),
                reason: "".into(),
            },
            none.clone(),
        )
        .await
        .unwrap_err();
        assert!(matches!(e, ServiceError::Invalid { .. }));
        act(
            &c,
            &pv05,
            law,
            d.id,
            None,
            Action::Override {
                rule: "5.1a".into(),
                verdict: "met".into(),
                reason: "Đã xác minh biên bản".into(),
            },
            none.clone(),
        )
        .await
        .unwrap();
        act(
            &c,
            &xa,
            law,
            d.id,
            None,
            Action::Explain {
                text: "Vụ trộm đã được khám phá".into(),
            },
            none.clone(),
        )
        .await
        .unwrap();
        act(
            &c,
            &pv05,
            law,
            d.id,
            None,
            Action::Forward {
                proposal: Some(Proposal::Recognise),
            },
            none.clone(),
        )
        .await
        .unwrap();

        // Separation of duties: the officer who entered and submitted cannot decide.
        let both = Actor {
            grants: vec![
                xa.grants[0],
                Grant::new(Role::Decider, Scope::Unit(TRA_VINH)),
            ],
            ..xa.clone()
        };
        let new = |dossiers: Vec<i64>, revokes| NewDecision {
            number: "15/QĐ-UBND".into(),
            signed_on: NaiveDate::from_ymd_opt(2025, 1, 20).unwrap(),
            signer: "Nguyễn Văn A".into(),
            legal_basis: "Thông tư 124/2021/TT-BCA".into(),
            dossiers,
            revokes,
        };
        let e = issue_decision(&c, &both, &reg, new(vec![d.id], None))
            .await
            .unwrap_err();
        assert!(
            matches!(e, ServiceError::Denied(Denied::SeparationOfDuties)),
            "{e:?}"
        );
        // Not every dossier is ready: nothing is issued.
        let hoa_an = store::dossier_of(&store, HOA_AN, 2024, STD)
            .await
            .unwrap()
            .unwrap();
        assert!(
            issue_decision(&c, &chu_tich, &reg, new(vec![d.id, hoa_an.id], None))
                .await
                .is_err()
        );
        assert!(store::decisions(&store, None).await.unwrap().is_empty());

        // The classification list before the decision.
        let list = classification_list(&c, &pv05, law, TRA_VINH, 2024, STD)
            .await
            .unwrap();
        assert_eq!(list.len(), 2);
        let line = list.iter().find(|l| l.dossier.row.id == d.id).unwrap();
        assert_eq!(line.proposal, Some(Proposal::Recognise));
        assert_eq!(line.overrides[0].2, "Đã xác minh biên bản");
        assert_eq!(line.explanations[0].0, "Vụ trộm đã được khám phá");
        assert!(
            classification_list(&c, &xa, law, CAN_THO, 2024, STD)
                .await
                .is_err()
        );

        let issued = issue_decision(&c, &chu_tich, &reg, new(vec![d.id], None))
            .await
            .unwrap();
        assert_eq!(
            store::dossier(&store, d.id).await.unwrap().unwrap().state,
            "recognised"
        );
        let form = facts::form(&store, AN_TRUONG, 2024, RECOGNITION_FORM)
            .await
            .unwrap()
            .unwrap();
        assert!(
            form.data.contains("15/QĐ-UBND") && form.data.contains("\"revoked\":false"),
            "{}",
            form.data
        );
        let hist = facts::history(&store, AN_TRUONG, 2024).await.unwrap();
        assert!(hist.iter().any(|h| h.change.field == "recognitions"
            && h.reason.as_deref() == Some("Quyết định số 15/QĐ-UBND")));
        assert!(
            store::notifications(&store, xa.id.unwrap(), 10)
                .await
                .unwrap()
                .iter()
                .any(|n| n.kind == "decision")
        );
        // A second decision on the same dossier is refused (it is no longer proposed).
        assert!(
            issue_decision(&c, &chu_tich, &reg, new(vec![d.id], None))
                .await
                .is_err()
        );

        // Revocation: a new decision that references the first.
        let mut rev = new(vec![d.id], Some(issued.id));
        rev.number = "40/QĐ-UBND".into();
        let revoked = issue_decision(&c, &chu_tich, &reg, rev).await.unwrap();
        assert_eq!(
            (revoked.kind.as_str(), revoked.refers_to),
            ("revoke", Some(issued.id))
        );
        assert_eq!(
            store::decision(&store, issued.id).await.unwrap().unwrap(),
            issued,
            "the first decision is unchanged"
        );
        assert_eq!(
            store::dossier(&store, d.id).await.unwrap().unwrap().state,
            "revoked"
        );
        let form = facts::form(&store, AN_TRUONG, 2024, RECOGNITION_FORM)
            .await
            .unwrap()
            .unwrap();
        assert!(form.data.contains("\"revoked\":true"), "{}", form.data);

        // Every step is in the dossier's audit, and the chain verifies.
        let entries = audit::list(
            &store,
            audit::Filter {
                dossier_id: Some(d.id),
                limit: 100,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        for action in [
            "dossier.register",
            "dossier.submit",
            "dossier.return",
            "dossier.forward",
            "dossier.override",
            "dossier.decide",
            "dossier.revoke",
        ] {
            assert!(
                entries.iter().any(|e| e.action == action),
                "{action} missing"
            );
        }
        assert_eq!(audit::verify(&store).await.unwrap().problem, None);
    }
);

db_test!(out_of_territory_ids_answer_not_found, |store| {
    let dir = fixture::atlas();
    let atlas = dir.get();
    let reg = Registry::with_builtin(&[]).unwrap();
    let law = Law {
        registry: &reg,
        atlas: &atlas,
    };
    let c = ctx(&store, &dir, at(2025, 2, 1));
    let xa = user(&c, "ca_an_truong", "commune_police", "84201").await;
    let other = user(&c, "ca_hoa_an", "commune_police", "84301").await;
    let d = register(&c, &xa, &reg, AN_TRUONG, 2025, STD).await.unwrap();
    assert!(matches!(
        dossier(&c, &other, d.id).await,
        Err(ServiceError::NotFound)
    ));
    let e = act(&c, &other, law, d.id, None, Action::Submit, BTreeMap::new())
        .await
        .unwrap_err();
    assert!(matches!(e, ServiceError::NotFound));
    // 2025 periods have no district level: the commune goes straight to the province.
    let r = act(&c, &xa, law, d.id, None, Action::Submit, BTreeMap::new())
        .await
        .unwrap();
    assert_eq!(r.row().level.as_deref(), Some("province"));
    let huyen = user(&c, "ca_cang_long", "district_police", "842").await;
    assert!(queue(&c, &huyen).await.unwrap().is_empty());
    let pv05 = user(&c, "pv05", "pv05", "84").await;
    assert_eq!(queue(&c, &pv05).await.unwrap().len(), 1);
});

#[test]
fn a_commune_registers_for_recognition_standards_of_its_kind_only() {
    let reg = Registry::with_builtin(&[]).unwrap();
    let dir = fixture::atlas();
    let commune = dir.by_id(AN_TRUONG).unwrap();
    let ids = |year| -> Vec<String> {
        registrable(&reg, &commune, year)
            .into_iter()
            .map(|(id, _)| id)
            .collect()
    };
    let y2024 = ids(2024);
    // NTM criterion 19.2, its advanced level, and Circular 124 «safe» for communes.
    for want in ["antt-xa", "ntm-xa-19.2", "ntm-xa-nc-19.2"] {
        assert!(y2024.iter().any(|i| i == want), "{want} in {y2024:?}");
    }
    // Not the residential-area or organisation standards, not the QĐ18 flag, not QĐ926 plans.
    for never in [
        "antt-kdc",
        "antt-cq",
        "qd18-thu-hoi",
        "qd926-ty-le",
        "ntm-huyen-9.4",
    ] {
        assert!(!y2024.iter().any(|i| i == never), "{never} in {y2024:?}");
    }
    let area = dir.by_id(fixture::AP_1).unwrap();
    let kdc: Vec<String> = registrable(&reg, &area, 2024)
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    assert_eq!(kdc, vec!["antt-kdc".to_owned()]);
}
