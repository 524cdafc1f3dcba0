//! The dossier workflow, pure: states, the review chain by period and unit kind, which role acts
//! at which level, and the transition rules.
//!
//! A dossier is one unit, one year, one standard (PRODUCT.md "Dossier"). Its life:
//!
//! ```text
//! registered ─► data entry ─► under review at level 1 ─► … ─► proposed ─► recognised ─► revoked
//!     │             ▲   │            │ return (reason)                 └─► not recognised
//!     └─────────────┘   └── submit ──┘◄──────────── returned
//! ```
//!
//! The chain of review levels (DOMAIN.md §c.1–c.2; confidence I for the step details):
//! - communes, periods before 01/03/2025: district police verify → provincial police (PV05)
//!   review → the decider (Decree 02/2025/NĐ-CP abolished district police from 01/03/2025, C);
//! - communes from 01/03/2025: provincial police review → the decider;
//! - residential areas and commune-managed organisations: decided by the commune People's
//!   Committee without a police review level (Circular 124/2021/TT-BCA art. 10, C);
//! - districts and provinces: provincial police review → the decider. For a district's New
//!   Rural indicators 9.4 and 9.1 (2022 – 30/06/2025) the district police prepare and submit
//!   (before 01/03/2025), PV05 reviews and proposes, and the province's People's Committee
//!   chair decides that the indicator is met. Confidence I: the procedure of QĐ 18/2022/QĐ-TTg
//!   was not retrieved; under TT 40/2014 (C, historical) the province appraised a district's
//!   criteria and the Prime Minister recognised the district as New Rural (DOMAIN.md §c.2), so
//!   the decision recorded here is the province's appraisal of the security indicator, not the
//!   recognition of the district. No district level: a district does not verify itself.
//!
//! The period of a dossier for year Y is read on 31/12/Y (the date roles are checked on).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::authz::{Capability, district_police_abolished};
use crate::units::UnitKind;

/// A level of the review chain: who acts on a dossier under review there.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Công an huyện verifies (periods before 01/03/2025 only).
    District,
    /// Phòng PV05 Công an tỉnh reviews and proposes.
    Province,
    /// The competent People's Committee chair decides (through a decision).
    Decider,
}

impl Level {
    pub const ALL: [Level; 3] = [Level::District, Level::Province, Level::Decider];

    pub fn as_str(self) -> &'static str {
        match self {
            Level::District => "district",
            Level::Province => "province",
            Level::Decider => "decider",
        }
    }

    pub fn parse(s: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.as_str() == s)
    }

    /// The capability needed to act at this level.
    pub fn capability(self) -> Capability {
        match self {
            Level::District => Capability::Verify,
            Level::Province => Capability::Review,
            Level::Decider => Capability::Decide,
        }
    }
}

/// The ordered review levels of a dossier; the last one is always [`Level::Decider`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chain(Vec<Level>);

impl Chain {
    pub fn levels(&self) -> &[Level] {
        &self.0
    }

    /// The first level a submitted dossier goes to.
    pub fn first(&self) -> Level {
        self.0[0]
    }

    /// The level after `level` (`None` after the decider or for a level not in the chain).
    pub fn next(&self, level: Level) -> Option<Level> {
        let i = self.0.iter().position(|l| *l == level)?;
        self.0.get(i + 1).copied()
    }

    pub fn contains(&self, level: Level) -> bool {
        self.0.contains(&level)
    }
}

/// The date a dossier's period is read on: 31/12 of its year.
pub fn period_date(year: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(NaiveDate::MAX)
}

/// The review chain of a unit of `kind` for a period read on `period` (see the module header).
pub fn chain(kind: UnitKind, period: NaiveDate) -> Chain {
    match kind {
        UnitKind::ResidentialArea | UnitKind::Organisation => Chain(vec![Level::Decider]),
        UnitKind::Commune if period < district_police_abolished() => {
            Chain(vec![Level::District, Level::Province, Level::Decider])
        }
        UnitKind::Commune | UnitKind::District | UnitKind::Province => {
            Chain(vec![Level::Province, Level::Decider])
        }
    }
}

/// Where a dossier is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "state", content = "level")]
pub enum State {
    Registered,
    DataEntry,
    /// Submitted and waiting at a level of the chain (before the decider).
    UnderReview(Level),
    /// Sent back to the unit by a level, with a reason.
    Returned(Level),
    /// Reviewed by every level; waiting for the decider's decision.
    Proposed,
    Recognised,
    NotRecognised,
    Revoked,
}

impl State {
    /// Stable name of the state (database, API); the level is stored apart.
    pub fn as_str(self) -> &'static str {
        match self {
            State::Registered => "registered",
            State::DataEntry => "data_entry",
            State::UnderReview(_) => "under_review",
            State::Returned(_) => "returned",
            State::Proposed => "proposed",
            State::Recognised => "recognised",
            State::NotRecognised => "not_recognised",
            State::Revoked => "revoked",
        }
    }

    pub fn level(self) -> Option<Level> {
        match self {
            State::UnderReview(l) | State::Returned(l) => Some(l),
            _ => None,
        }
    }

    /// Reads a stored state and level back.
    pub fn parse(state: &str, level: Option<&str>) -> Option<State> {
        let level = level.and_then(Level::parse);
        Some(match state {
            "registered" => State::Registered,
            "data_entry" => State::DataEntry,
            "under_review" => State::UnderReview(level?),
            "returned" => State::Returned(level?),
            "proposed" => State::Proposed,
            "recognised" => State::Recognised,
            "not_recognised" => State::NotRecognised,
            "revoked" => State::Revoked,
            _ => return None,
        })
    }

    /// The unit may still change its facts.
    pub fn editable(self) -> bool {
        matches!(
            self,
            State::Registered | State::DataEntry | State::Returned(_)
        )
    }

    /// Is this state valid for a dossier with `chain`?
    pub fn valid_in(self, chain: &Chain) -> bool {
        match self {
            State::UnderReview(l) | State::Returned(l) => l != Level::Decider && chain.contains(l),
            _ => true,
        }
    }
}

/// What someone does to a dossier.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "action")]
pub enum Action {
    /// The unit saved facts (registered → data entry).
    EnterData,
    /// The unit sends the dossier up (first submission or resubmission).
    Submit,
    /// The current level sends it back; the reason is required.
    Return { reason: String },
    /// The current level passes it on (to the next level, or proposes it to the decider).
    Forward { proposal: Option<Proposal> },
    /// The current level replaces a computed verdict; the reason is required.
    Override {
        rule: String,
        verdict: String,
        reason: String,
    },
    /// Local police attach an explanation (giải trình) for a hard case.
    Explain { text: String },
    /// The decider decides (through a decision).
    Decide { recognised: bool },
    /// The decider revokes the recognition (through a revocation decision).
    Revoke,
}

/// A reviewer's proposal for the classification list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Proposal {
    Recognise,
    NotRecognise,
}

impl Action {
    /// Stable name (database, audit action suffix, locale keys).
    pub fn as_str(&self) -> &'static str {
        match self {
            Action::EnterData => "enter_data",
            Action::Submit => "submit",
            Action::Return { .. } => "return",
            Action::Forward { .. } => "forward",
            Action::Override { .. } => "override",
            Action::Explain { .. } => "explain",
            Action::Decide { .. } => "decide",
            Action::Revoke => "revoke",
        }
    }

    /// The capability the actor needs for this action on a dossier in `state`.
    pub fn capability(&self, state: State) -> Capability {
        match self {
            Action::EnterData => Capability::EnterFacts,
            Action::Submit => Capability::Submit,
            Action::Explain { .. } => Capability::Submit,
            Action::Return { .. } | Action::Forward { .. } | Action::Override { .. } => {
                state.level().map_or(Capability::Review, Level::capability)
            }
            Action::Decide { .. } | Action::Revoke => Capability::Decide,
        }
    }
}

/// Why a transition is refused (a locale key `workflow.refused.<name>` explains it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("not allowed from this state")]
    NotFromState,
    #[error("a reason is required")]
    ReasonRequired,
    #[error("text is required")]
    TextRequired,
}

impl Refusal {
    pub fn key(self) -> &'static str {
        match self {
            Refusal::NotFromState => "workflow.refused.not_from_state",
            Refusal::ReasonRequired => "workflow.refused.reason_required",
            Refusal::TextRequired => "workflow.refused.text_required",
        }
    }
}

/// What a permitted action does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// The dossier moves to a new state.
    To(State),
    /// Recorded, the state stays (overrides, explanations).
    Note,
    /// Nothing to do: the dossier is already where the action would take it (a second submit).
    AlreadyDone,
}

/// The transition rules: what `action` does to a dossier in `state` with `chain`.
pub fn apply(state: State, action: &Action, chain: &Chain) -> Result<Step, Refusal> {
    use State::*;
    let blank = |s: &str| s.trim().is_empty();
    match (action, state) {
        (Action::EnterData, Registered) => Ok(Step::To(DataEntry)),
        (Action::EnterData, DataEntry | Returned(_)) => Ok(Step::Note),
        (Action::Submit, Registered | DataEntry | Returned(_)) => {
            Ok(Step::To(first_stop(chain, chain.first())))
        }
        (Action::Submit, UnderReview(l)) if l == chain.first() => Ok(Step::AlreadyDone),
        (Action::Submit, Proposed) if chain.first() == Level::Decider => Ok(Step::AlreadyDone),
        (Action::Return { reason }, UnderReview(_)) if blank(reason) => {
            Err(Refusal::ReasonRequired)
        }
        (Action::Return { .. }, UnderReview(l)) => Ok(Step::To(Returned(l))),
        (Action::Forward { .. }, UnderReview(l)) => {
            let next = chain.next(l).ok_or(Refusal::NotFromState)?;
            Ok(Step::To(first_stop(chain, next)))
        }
        (Action::Override { reason, .. }, UnderReview(_)) if blank(reason) => {
            Err(Refusal::ReasonRequired)
        }
        (Action::Override { rule, verdict, .. }, UnderReview(_))
            if blank(rule) || blank(verdict) =>
        {
            Err(Refusal::TextRequired)
        }
        (Action::Override { .. }, UnderReview(_)) => Ok(Step::Note),
        (Action::Explain { text }, UnderReview(_) | Proposed) if blank(text) => {
            Err(Refusal::TextRequired)
        }
        (Action::Explain { .. }, UnderReview(_) | Proposed) => Ok(Step::Note),
        (Action::Decide { recognised: true }, Proposed) => Ok(Step::To(Recognised)),
        (Action::Decide { recognised: false }, Proposed) => Ok(Step::To(NotRecognised)),
        (Action::Revoke, Recognised) => Ok(Step::To(Revoked)),
        _ => Err(Refusal::NotFromState),
    }
}

/// A dossier sent to `level`: under review there, or proposed when it is the decider.
fn first_stop(_chain: &Chain, level: Level) -> State {
    if level == Level::Decider {
        State::Proposed
    } else {
        State::UnderReview(level)
    }
}

/// The actions a person could take now (before the capability and territory check), for the
/// buttons of the dossier page.
pub fn available(state: State, chain: &Chain) -> Vec<&'static str> {
    let samples = [
        Action::EnterData,
        Action::Submit,
        Action::Return { reason: "x".into() },
        Action::Forward { proposal: None },
        Action::Override {
            rule: "x".into(),
            verdict: "x".into(),
            reason: "x".into(),
        },
        Action::Explain { text: "x".into() },
        Action::Decide { recognised: true },
        Action::Revoke,
    ];
    samples
        .iter()
        .filter(|a| matches!(apply(state, a, chain), Ok(Step::To(_) | Step::Note)))
        .map(Action::as_str)
        .collect()
}

/// Registration deadlines: units register in the first quarter (Circular 124/2021 art. 4–6, C),
/// unless a year sets its own last day.
pub fn registration_open(year: i32, today: NaiveDate, last_day: Option<NaiveDate>) -> bool {
    let first = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(NaiveDate::MIN);
    let last = last_day.unwrap_or_else(|| default_registration_end(year));
    today >= first && today <= last
}

/// 31/03 of the year: the end of the first quarter.
pub fn default_registration_end(year: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, 3, 31).unwrap_or(NaiveDate::MAX)
}

/// The last day of the counting window for a unit kind (Circular 124 art. 8.2, C): residential
/// areas count 01/11 of the previous year to 31/10; communes and organisations 16/11 to 15/11.
pub fn window_end(kind: UnitKind, year: i32) -> NaiveDate {
    let (m, d) = match kind {
        UnitKind::ResidentialArea => (10, 31),
        _ => (11, 15),
    };
    NaiveDate::from_ymd_opt(year, m, d).unwrap_or(NaiveDate::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn chain_follows_the_period_and_the_unit_kind() {
        use Level::*;
        // Last period day with district police: 28/02/2025 (Decree 02/2025).
        assert_eq!(
            chain(UnitKind::Commune, d(2025, 2, 28)).levels(),
            &[District, Province, Decider]
        );
        assert_eq!(
            chain(UnitKind::Commune, d(2025, 3, 1)).levels(),
            &[Province, Decider]
        );
        assert_eq!(
            chain(UnitKind::Commune, period_date(2024)).levels(),
            &[District, Province, Decider]
        );
        assert_eq!(
            chain(UnitKind::Commune, period_date(2025)).levels(),
            &[Province, Decider]
        );
        // Circular 124 art. 10: the commune People's Committee decides for areas.
        assert_eq!(
            chain(UnitKind::ResidentialArea, period_date(2024)).levels(),
            &[Decider]
        );
        assert_eq!(
            chain(UnitKind::Organisation, period_date(2026)).levels(),
            &[Decider]
        );
        // A district (indicators 9.4/9.1, 2022 – 30/06/2025): PV05 then the province's chair,
        // also while district police exist — a district does not verify itself.
        for year in [2022, 2023, 2024] {
            assert_eq!(
                chain(UnitKind::District, period_date(year)).levels(),
                &[Province, Decider]
            );
        }
        assert_eq!(
            chain(UnitKind::District, d(2025, 6, 30)).levels(),
            &[Province, Decider]
        );
    }

    #[test]
    fn a_commune_dossier_walks_the_whole_chain() {
        let c = chain(UnitKind::Commune, period_date(2024));
        let mut s = State::Registered;
        for (a, want) in [
            (Action::EnterData, State::DataEntry),
            (Action::Submit, State::UnderReview(Level::District)),
            (
                Action::Return {
                    reason: "Thiếu biên bản".into(),
                },
                State::Returned(Level::District),
            ),
            (Action::Submit, State::UnderReview(Level::District)),
            (
                Action::Forward { proposal: None },
                State::UnderReview(Level::Province),
            ),
            (
                Action::Forward {
                    proposal: Some(Proposal::Recognise),
                },
                State::Proposed,
            ),
            (Action::Decide { recognised: true }, State::Recognised),
            (Action::Revoke, State::Revoked),
        ] {
            match apply(s, &a, &c).unwrap() {
                Step::To(next) => s = next,
                other => panic!("{a:?} gave {other:?}"),
            }
            assert_eq!(s, want);
        }
    }

    #[test]
    fn refusals_say_why() {
        let c = chain(UnitKind::Commune, period_date(2025));
        let review = State::UnderReview(Level::Province);
        assert_eq!(
            apply(
                review,
                &Action::Return {
                    reason: "  ".into()
                },
                &c
            ),
            Err(Refusal::ReasonRequired)
        );
        let no_reason = Action::Override {
            rule: "r1".into(),
            verdict: "met".into(),
            reason: String::new(),
        };
        assert_eq!(apply(review, &no_reason, &c), Err(Refusal::ReasonRequired));
        assert_eq!(
            apply(State::Registered, &Action::Revoke, &c),
            Err(Refusal::NotFromState)
        );
        assert_eq!(
            apply(State::Recognised, &Action::Submit, &c),
            Err(Refusal::NotFromState)
        );
        // Submitting twice transitions once.
        assert_eq!(apply(review, &Action::Submit, &c), Ok(Step::AlreadyDone));
        let area = chain(UnitKind::ResidentialArea, period_date(2025));
        assert_eq!(
            apply(State::DataEntry, &Action::Submit, &area),
            Ok(Step::To(State::Proposed))
        );
        assert_eq!(
            apply(State::Proposed, &Action::Submit, &area),
            Ok(Step::AlreadyDone)
        );
    }

    #[test]
    fn actions_need_the_capability_of_the_level() {
        let s = State::UnderReview(Level::District);
        assert_eq!(
            Action::Return { reason: "x".into() }.capability(s),
            Capability::Verify
        );
        assert_eq!(
            Action::Forward { proposal: None }.capability(State::UnderReview(Level::Province)),
            Capability::Review
        );
        assert_eq!(
            Action::Revoke.capability(State::Recognised),
            Capability::Decide
        );
        assert_eq!(
            available(s, &chain(UnitKind::Commune, period_date(2024))),
            vec!["return", "forward", "override", "explain"]
        );
    }

    #[test]
    fn registration_is_in_the_first_quarter_unless_the_year_says_otherwise() {
        assert!(registration_open(2024, d(2024, 1, 1), None));
        assert!(registration_open(2024, d(2024, 3, 31), None));
        assert!(!registration_open(2024, d(2024, 4, 1), None));
        assert!(!registration_open(2024, d(2023, 12, 31), None));
        assert!(registration_open(
            2024,
            d(2024, 4, 15),
            Some(d(2024, 4, 30))
        ));
        assert_eq!(window_end(UnitKind::ResidentialArea, 2024), d(2024, 10, 31));
        assert_eq!(window_end(UnitKind::Commune, 2024), d(2024, 11, 15));
    }

    #[test]
    fn states_read_back() {
        for s in [
            State::Registered,
            State::DataEntry,
            State::UnderReview(Level::District),
            State::Returned(Level::Province),
            State::Proposed,
            State::Recognised,
            State::NotRecognised,
            State::Revoked,
        ] {
            assert_eq!(
                State::parse(s.as_str(), s.level().map(Level::as_str)),
                Some(s)
            );
        }
        assert_eq!(State::parse("under_review", None), None);
        assert_eq!(State::parse("bogus", None), None);
    }

    fn any_action() -> impl Strategy<Value = Action> {
        let text = prop_oneof![Just(String::new()), Just(" ".to_owned()), "[a-z]{1,5}"];
        prop_oneof![
            Just(Action::EnterData),
            Just(Action::Submit),
            text.clone().prop_map(|reason| Action::Return { reason }),
            prop_oneof![
                Just(None),
                Just(Some(Proposal::Recognise)),
                Just(Some(Proposal::NotRecognise))
            ]
            .prop_map(|proposal| Action::Forward { proposal }),
            (text.clone(), text.clone()).prop_map(|(rule, reason)| Action::Override {
                rule,
                verdict: "met".into(),
                reason
            }),
            text.prop_map(|text| Action::Explain { text }),
            any::<bool>().prop_map(|recognised| Action::Decide { recognised }),
            Just(Action::Revoke),
        ]
    }

    proptest! {
        /// No sequence of actions reaches a state that is invalid for the chain; refused
        /// actions change nothing; final states stay final except recognised → revoked.
        #[test]
        fn no_sequence_reaches_an_invalid_state(
            kind in prop_oneof![Just(UnitKind::Commune), Just(UnitKind::ResidentialArea), Just(UnitKind::District)],
            year in 2022i32..2027,
            actions in proptest::collection::vec(any_action(), 0..40),
        ) {
            let c = chain(kind, period_date(year));
            let mut s = State::Registered;
            for a in &actions {
                let before = s;
                match apply(s, a, &c) {
                    Ok(Step::To(next)) => s = next,
                    Ok(Step::Note | Step::AlreadyDone) | Err(_) => {}
                }
                prop_assert!(s.valid_in(&c), "{s:?} invalid for {c:?}");
                if matches!(a, Action::Return { reason } if reason.trim().is_empty()) {
                    prop_assert_eq!(s, before);
                }
                if matches!(before, State::NotRecognised | State::Revoked) {
                    prop_assert_eq!(s, before);
                }
                if s == State::Recognised && before != State::Recognised {
                    prop_assert_eq!(before, State::Proposed);
                }
            }
        }
    }
}
