//! Who may do what, where: roles, grants by territory, capabilities, separation of duties.
//!
//! Pure: the territory (which unit lies inside which) is asked through the [`Territory`] trait,
//! and dates are passed in. A user holds [`Grant`]s; each grant binds one [`Role`] to a unit and
//! carries two scopes — **capture** (may write) and **view** (may read) — each meaning "this unit
//! and everything below it". [`authorize`] answers one question: may these grants exercise this
//! [`Capability`] on this unit for a period on this date?

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::units::{UnitId, UnitKind};

/// Internal identity of a user account.
pub type UserId = i64;

/// Answers territory containment. Implemented by the units `Atlas`; tests use small in-memory trees.
pub trait Territory {
    /// Is `unit` the unit `scope` or one of its descendants (at some date of its life)?
    fn within(&self, scope: UnitId, unit: UnitId) -> bool;
}

/// Where a grant or a target lies: one unit (and its descendants) or the whole country.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    Country,
    Unit(UnitId),
}

impl Scope {
    /// Does this scope contain `other` entirely?
    pub fn contains(self, other: Scope, territory: &dyn Territory) -> bool {
        match (self, other) {
            (Scope::Country, _) => true,
            (Scope::Unit(_), Scope::Country) => false,
            (Scope::Unit(s), Scope::Unit(u)) => s == u || territory.within(s, u),
        }
    }

    /// The unit, or `None` for the whole country (how the database stores it).
    pub fn unit(self) -> Option<UnitId> {
        match self {
            Scope::Country => None,
            Scope::Unit(u) => Some(u),
        }
    }

    pub fn from_unit(unit: Option<UnitId>) -> Scope {
        unit.map_or(Scope::Country, Scope::Unit)
    }
}

/// What a person does in the product (PRODUCT.md, "Who uses it").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Công an xã: enters the commune's facts, runs the self-assessment, submits.
    CommunePolice,
    /// Trưởng thôn / tổ dân phố: the residential area's facts and self-assessment.
    AreaHead,
    /// Công an huyện: verifies communes and returns them with reasons. Only for periods before
    /// 01/03/2025 (district police abolished by Decree 02/2025/NĐ-CP, confidence C).
    DistrictPolice,
    /// Phòng PV05, Công an tỉnh: reviews, builds the classification list, proposes.
    ProvincialReviewer,
    /// Thư ký Ban Chỉ đạo: prepares the proposal for the decider.
    SteeringSecretary,
    /// Chủ tịch / UBND: decides, issues and revokes recognition decisions.
    Decider,
    /// Reads everything in the view scope, changes nothing.
    Viewer,
    /// Manages users (and later units, standards, deadlines) of a province or of the country.
    Administrator,
}

/// The things a role may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Capability {
    EnterFacts,
    Submit,
    /// Verify, or return with a reason (the level between commune and province).
    Verify,
    Review,
    Propose,
    /// Decide, issue and revoke recognition decisions.
    Decide,
    ManageUsers,
    View,
}

/// The first day on which district police no longer exist (Decree 02/2025/NĐ-CP, in force
/// 01/03/2025; confidence C in DOMAIN.md).
pub fn district_police_abolished() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 3, 1).expect("valid date")
}

impl Role {
    pub const ALL: [Role; 8] = [
        Role::CommunePolice,
        Role::AreaHead,
        Role::DistrictPolice,
        Role::ProvincialReviewer,
        Role::SteeringSecretary,
        Role::Decider,
        Role::Viewer,
        Role::Administrator,
    ];

    /// Stable identifier used in the database, the CLI and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::CommunePolice => "commune_police",
            Role::AreaHead => "area_head",
            Role::DistrictPolice => "district_police",
            Role::ProvincialReviewer => "pv05",
            Role::SteeringSecretary => "steering_secretary",
            Role::Decider => "decider",
            Role::Viewer => "viewer",
            Role::Administrator => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s.trim())
    }

    /// The capability table. Every role may view its view scope.
    pub fn capabilities(self) -> &'static [Capability] {
        use Capability::*;
        match self {
            Role::CommunePolice => &[EnterFacts, Submit, View],
            Role::AreaHead => &[EnterFacts, Submit, View],
            Role::DistrictPolice => &[Verify, View],
            Role::ProvincialReviewer => &[Review, Propose, View],
            Role::SteeringSecretary => &[Propose, View],
            Role::Decider => &[Decide, View],
            Role::Viewer => &[View],
            Role::Administrator => &[ManageUsers, View],
        }
    }

    pub fn can(self, capability: Capability) -> bool {
        self.capabilities().contains(&capability)
    }

    /// Capabilities a role holds on the unit of its grant only, never below it. District police
    /// prepare their own district's dossier (enter its facts, submit it to the provincial police:
    /// the district's security and order report for New Rural indicator 9.4/9.1, DOMAIN.md §c.2,
    /// confidence I) while they verify, not prepare, the communes below. A district's review
    /// chain has no district level (`workflow::chain`), so they never approve what they prepare.
    pub fn own_unit_capabilities(self) -> &'static [Capability] {
        use Capability::*;
        match self {
            Role::DistrictPolice => &[EnterFacts, Submit],
            _ => &[],
        }
    }

    /// Whether the role holds `capability` on its own unit (everywhere, or there only).
    pub fn can_on_own_unit(self, capability: Capability) -> bool {
        self.can(capability) || self.own_unit_capabilities().contains(&capability)
    }

    /// Whether the role exists for a period on `on` (district police only before 01/03/2025).
    pub fn active_on(self, on: NaiveDate) -> bool {
        self != Role::DistrictPolice || on < district_police_abolished()
    }

    /// The levels a role may be attached to; `None` in the list means the whole country.
    pub fn fits(self, at: Option<UnitKind>) -> bool {
        use UnitKind::*;
        match self {
            Role::CommunePolice => at == Some(Commune),
            Role::AreaHead => at == Some(ResidentialArea),
            Role::DistrictPolice => at == Some(District),
            Role::ProvincialReviewer => at == Some(Province),
            Role::SteeringSecretary | Role::Decider => {
                matches!(at, Some(Commune | District | Province))
            }
            Role::Viewer => true,
            Role::Administrator => matches!(at, None | Some(Province)),
        }
    }
}

impl Capability {
    /// Approving steps: the ones separation of duties guards.
    pub fn approves(self) -> bool {
        matches!(
            self,
            Capability::Verify | Capability::Review | Capability::Propose | Capability::Decide
        )
    }

    /// Writing capabilities need the capture scope; `View` needs the view scope.
    pub fn writes(self) -> bool {
        self != Capability::View
    }
}

/// One role of one user, bound to a unit, with its capture (write) and view (read) scopes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Grant {
    pub role: Role,
    pub unit: Scope,
    pub capture: Scope,
    pub view: Scope,
}

/// Why a grant is malformed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GrantProblem {
    /// The role cannot be attached to this level (e.g. commune police on a province).
    RoleDoesNotFit,
    /// The capture scope reaches outside the grant's unit.
    CaptureOutsideUnit,
    /// The view scope does not include the grant's unit.
    ViewNarrowerThanUnit,
}

impl Grant {
    /// A grant whose capture and view scopes are the unit itself.
    pub fn new(role: Role, unit: Scope) -> Grant {
        Grant {
            role,
            unit,
            capture: unit,
            view: unit,
        }
    }

    /// The same grant, reading a wider territory (e.g. a commune officer viewing the province).
    pub fn viewing(self, view: Scope) -> Grant {
        Grant { view, ..self }
    }

    /// Checks the shape of a grant: the role fits the level of its unit (`kind` is the unit's
    /// kind, `None` for the whole country), capture ⊆ unit ⊆ view.
    pub fn check(
        &self,
        kind: Option<UnitKind>,
        territory: &dyn Territory,
    ) -> Result<(), GrantProblem> {
        if !self.role.fits(kind) {
            return Err(GrantProblem::RoleDoesNotFit);
        }
        if !self.unit.contains(self.capture, territory) {
            return Err(GrantProblem::CaptureOutsideUnit);
        }
        if !self.view.contains(self.unit, territory) {
            return Err(GrantProblem::ViewNarrowerThanUnit);
        }
        Ok(())
    }

    /// Every scope of this grant lies inside `scope`.
    pub fn lies_within(&self, scope: Scope, territory: &dyn Territory) -> bool {
        [self.unit, self.capture, self.view]
            .into_iter()
            .all(|s| scope.contains(s, territory))
    }
}

/// What an action needs: a capability on a target, for a period on a date.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Need {
    pub capability: Capability,
    pub target: Scope,
    /// A date inside the period the action concerns (the dossier's year, the decision's date).
    pub on: NaiveDate,
}

/// Why an action is refused. The most specific reason wins.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Denied {
    /// No role of the user has this capability.
    NoCapability,
    /// The roles with this capability do not exist for the period (district police after 01/03/2025).
    RoleNotInForce,
    /// The capability is held, but not over this unit.
    OutsideTerritory,
    /// The user entered or submitted this dossier and may not approve it.
    SeparationOfDuties,
    /// An administrator may not change their own account's grants or status.
    SelfManagement,
}

/// Finds the grant that allows `need`, or the most specific reason why none does.
pub fn authorize<'g>(
    grants: &'g [Grant],
    need: &Need,
    territory: &dyn Territory,
) -> Result<&'g Grant, Denied> {
    let capable: Vec<&Grant> = grants
        .iter()
        .filter(|g| g.role.can_on_own_unit(need.capability))
        .collect();
    if capable.is_empty() {
        return Err(Denied::NoCapability);
    }
    let in_force: Vec<&Grant> = capable
        .into_iter()
        .filter(|g| g.role.active_on(need.on))
        .collect();
    if in_force.is_empty() {
        return Err(Denied::RoleNotInForce);
    }
    in_force
        .into_iter()
        .find(|g| {
            let scope = if need.capability.writes() {
                g.capture
            } else {
                g.view
            };
            if g.role.can(need.capability) {
                scope.contains(need.target, territory)
            } else {
                // an own-unit capability: the grant's unit itself, inside its capture scope
                g.unit == need.target && scope.contains(need.target, territory)
            }
        })
        .ok_or(Denied::OutsideTerritory)
}

/// One step someone took on a dossier, as recorded by the workflow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Contribution {
    pub user: UserId,
    pub capability: Capability,
}

/// Separation of duties: whoever entered facts for, or submitted, a dossier cannot approve it
/// (verify, review, propose or decide). Other steps are not restricted here.
pub fn separation_of_duties(
    actor: UserId,
    step: Capability,
    history: &[Contribution],
) -> Result<(), Denied> {
    if !step.approves() {
        return Ok(());
    }
    let prepared = history.iter().any(|c| {
        c.user == actor && matches!(c.capability, Capability::EnterFacts | Capability::Submit)
    });
    if prepared {
        Err(Denied::SeparationOfDuties)
    } else {
        Ok(())
    }
}

/// The territories in which `grants` may manage users (their administrator capture scopes).
fn admin_scopes(grants: &[Grant]) -> impl Iterator<Item = Scope> + '_ {
    grants
        .iter()
        .filter(|g| g.role.can(Capability::ManageUsers))
        .map(|g| g.capture)
}

/// May an administrator with `admin` grants see and manage a user holding `target` grants?
/// Every target grant must lie inside one administrator scope. A user without grants belongs
/// to nobody's province and is managed only from the country scope.
pub fn manages(admin: &[Grant], target: &[Grant], territory: &dyn Territory) -> bool {
    admin_scopes(admin).any(|scope| {
        if target.is_empty() {
            scope == Scope::Country
        } else {
            target.iter().all(|g| g.lies_within(scope, territory))
        }
    })
}

/// May an administrator give (or take away) `grant`? It must lie inside one of their scopes.
pub fn may_assign(admin: &[Grant], grant: &Grant, territory: &dyn Territory) -> bool {
    admin_scopes(admin).any(|scope| grant.lies_within(scope, territory))
}

/// An administrator changes other people's accounts, never their own.
pub fn not_self(actor: UserId, target: UserId) -> Result<(), Denied> {
    if actor == target {
        Err(Denied::SelfManagement)
    } else {
        Ok(())
    }
}

/// Login rate limiting: at most `max_failures` failed logins within `window`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Throttle {
    pub max_failures: usize,
    pub window: Duration,
}

impl Throttle {
    /// Per login: 5 failures in 15 minutes.
    pub fn per_login() -> Throttle {
        Throttle {
            max_failures: 5,
            window: Duration::minutes(15),
        }
    }

    /// Per client address: 20 failures in 15 minutes (a police station shares one address).
    pub fn per_ip() -> Throttle {
        Throttle {
            max_failures: 20,
            window: Duration::minutes(15),
        }
    }

    /// When attempts may resume, if they are refused at `now`. `failures` are the times of the
    /// failed attempts newest first (at least the last `max_failures` of the window).
    pub fn retry_at(
        &self,
        failures: &[DateTime<Utc>],
        now: DateTime<Utc>,
    ) -> Option<DateTime<Utc>> {
        let recent: Vec<&DateTime<Utc>> = failures
            .iter()
            .filter(|t| **t > now - self.window && **t <= now)
            .collect();
        let oldest_counted = recent.get(self.max_failures.checked_sub(1)?)?;
        Some(**oldest_counted + self.window)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    /// A small tree for tests: child → parent.
    #[derive(Default)]
    pub struct Tree(pub HashMap<UnitId, UnitId>);

    impl Tree {
        pub fn with(pairs: &[(UnitId, UnitId)]) -> Tree {
            Tree(pairs.iter().copied().collect())
        }
    }

    impl Territory for Tree {
        fn within(&self, scope: UnitId, unit: UnitId) -> bool {
            let mut cur = Some(unit);
            while let Some(u) = cur {
                if u == scope {
                    return true;
                }
                cur = self.0.get(&u).copied();
            }
            false
        }
    }

    // Province 1 ⊃ district 10 ⊃ communes 100, 101 ⊃ area 1000 (in 100).
    // Province 2 ⊃ district 20 ⊃ commune 200.
    fn tree() -> Tree {
        Tree::with(&[
            (10, 1),
            (100, 10),
            (101, 10),
            (1000, 100),
            (20, 2),
            (200, 20),
        ])
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn need(capability: Capability, unit: UnitId, on: NaiveDate) -> Need {
        Need {
            capability,
            target: Scope::Unit(unit),
            on,
        }
    }

    #[test]
    fn role_identifiers_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn capability_table() {
        use Capability::*;
        let table: Vec<(Role, Vec<Capability>)> = Role::ALL
            .into_iter()
            .map(|r| {
                let caps = [
                    EnterFacts,
                    Submit,
                    Verify,
                    Review,
                    Propose,
                    Decide,
                    ManageUsers,
                    View,
                ]
                .into_iter()
                .filter(|c| r.can(*c))
                .collect();
                (r, caps)
            })
            .collect();
        assert_eq!(
            table[0],
            (Role::CommunePolice, vec![EnterFacts, Submit, View])
        );
        assert_eq!(table[1], (Role::AreaHead, vec![EnterFacts, Submit, View]));
        assert_eq!(table[2], (Role::DistrictPolice, vec![Verify, View]));
        assert_eq!(
            table[3],
            (Role::ProvincialReviewer, vec![Review, Propose, View])
        );
        assert_eq!(table[4], (Role::SteeringSecretary, vec![Propose, View]));
        assert_eq!(table[5], (Role::Decider, vec![Decide, View]));
        assert_eq!(table[6], (Role::Viewer, vec![View]));
        assert_eq!(table[7], (Role::Administrator, vec![ManageUsers, View]));
        // Nobody both prepares and approves by role alone.
        for r in Role::ALL {
            let prepares = r.can(EnterFacts) || r.can(Submit);
            let approves = r.capabilities().iter().any(|c| c.approves());
            assert!(!(prepares && approves), "{r:?}");
        }
    }

    #[test]
    fn commune_police_capture_their_commune_and_its_areas_only() {
        let t = tree();
        let g = [Grant::new(Role::CommunePolice, Scope::Unit(100))];
        let on = d(2024, 6, 1);
        assert!(authorize(&g, &need(Capability::EnterFacts, 100, on), &t).is_ok());
        assert!(authorize(&g, &need(Capability::EnterFacts, 1000, on), &t).is_ok());
        assert_eq!(
            authorize(&g, &need(Capability::EnterFacts, 101, on), &t),
            Err(Denied::OutsideTerritory)
        );
        assert_eq!(
            authorize(&g, &need(Capability::EnterFacts, 10, on), &t),
            Err(Denied::OutsideTerritory)
        );
        assert_eq!(
            authorize(&g, &need(Capability::Decide, 100, on), &t),
            Err(Denied::NoCapability)
        );
    }

    #[test]
    fn view_scope_is_separate_from_capture_scope() {
        let t = tree();
        let g = [Grant::new(Role::CommunePolice, Scope::Unit(100)).viewing(Scope::Unit(1))];
        let on = d(2024, 6, 1);
        assert!(authorize(&g, &need(Capability::View, 101, on), &t).is_ok());
        assert_eq!(
            authorize(&g, &need(Capability::Submit, 101, on), &t),
            Err(Denied::OutsideTerritory)
        );
        assert_eq!(
            authorize(&g, &need(Capability::View, 200, on), &t),
            Err(Denied::OutsideTerritory)
        );
    }

    #[test]
    fn district_police_prepare_their_own_district_only() {
        let t = tree();
        let g = [Grant::new(Role::DistrictPolice, Scope::Unit(10))];
        let on = d(2024, 12, 31);
        for cap in [Capability::EnterFacts, Capability::Submit] {
            assert!(authorize(&g, &need(cap, 10, on), &t).is_ok(), "{cap:?}");
            // not the communes they verify, not another district
            assert_eq!(
                authorize(&g, &need(cap, 100, on), &t),
                Err(Denied::OutsideTerritory)
            );
            assert_eq!(
                authorize(&g, &need(cap, 20, on), &t),
                Err(Denied::OutsideTerritory)
            );
            // and only while district police exist (Decree 02/2025)
            assert_eq!(
                authorize(&g, &need(cap, 10, d(2025, 3, 1)), &t),
                Err(Denied::RoleNotInForce)
            );
        }
        assert!(Role::DistrictPolice.can_on_own_unit(Capability::Submit));
        assert!(!Role::DistrictPolice.can(Capability::Submit));
        // Nobody else gains anything on their own unit.
        for r in Role::ALL {
            if r != Role::DistrictPolice {
                assert!(r.own_unit_capabilities().is_empty(), "{r:?}");
            }
            assert!(
                r.own_unit_capabilities().iter().all(|c| !c.approves()),
                "{r:?}"
            );
        }
    }

    #[test]
    fn district_police_only_before_1_march_2025() {
        let t = tree();
        let g = [Grant::new(Role::DistrictPolice, Scope::Unit(10))];
        assert!(authorize(&g, &need(Capability::Verify, 100, d(2025, 2, 28)), &t).is_ok());
        assert_eq!(
            authorize(&g, &need(Capability::Verify, 100, d(2025, 3, 1)), &t),
            Err(Denied::RoleNotInForce)
        );
        // Their past periods stay readable; the new periods are not theirs.
        assert!(authorize(&g, &need(Capability::View, 100, d(2024, 12, 31)), &t).is_ok());
        assert_eq!(
            authorize(&g, &need(Capability::View, 100, d(2025, 3, 1)), &t),
            Err(Denied::RoleNotInForce)
        );
    }

    #[test]
    fn country_scope_contains_everything_and_no_unit_contains_the_country() {
        let t = tree();
        assert!(Scope::Country.contains(Scope::Unit(200), &t));
        assert!(!Scope::Unit(1).contains(Scope::Country, &t));
        let viewer = [Grant::new(Role::Viewer, Scope::Country)];
        assert!(
            authorize(
                &viewer,
                &Need {
                    capability: Capability::View,
                    target: Scope::Country,
                    on: d(2025, 1, 1)
                },
                &t
            )
            .is_ok()
        );
    }

    #[test]
    fn grant_shapes() {
        let t = tree();
        let kind = Some(UnitKind::Commune);
        assert_eq!(
            Grant::new(Role::CommunePolice, Scope::Unit(100)).check(kind, &t),
            Ok(())
        );
        assert_eq!(
            Grant::new(Role::CommunePolice, Scope::Unit(1)).check(Some(UnitKind::Province), &t),
            Err(GrantProblem::RoleDoesNotFit)
        );
        assert_eq!(
            Grant::new(Role::Administrator, Scope::Country).check(None, &t),
            Ok(())
        );
        assert_eq!(
            Grant::new(Role::Decider, Scope::Country).check(None, &t),
            Err(GrantProblem::RoleDoesNotFit)
        );
        let wide_capture = Grant {
            capture: Scope::Unit(10),
            ..Grant::new(Role::CommunePolice, Scope::Unit(100))
        };
        assert_eq!(
            wide_capture.check(kind, &t),
            Err(GrantProblem::CaptureOutsideUnit)
        );
        let narrow_view =
            Grant::new(Role::CommunePolice, Scope::Unit(100)).viewing(Scope::Unit(1000));
        assert_eq!(
            narrow_view.check(kind, &t),
            Err(GrantProblem::ViewNarrowerThanUnit)
        );
    }

    #[test]
    fn separation_of_duties_blocks_preparers_from_approving() {
        use Capability::*;
        let history = [
            Contribution {
                user: 7,
                capability: EnterFacts,
            },
            Contribution {
                user: 8,
                capability: Submit,
            },
            Contribution {
                user: 9,
                capability: Verify,
            },
        ];
        for step in [Verify, Review, Propose, Decide] {
            assert_eq!(
                separation_of_duties(7, step, &history),
                Err(Denied::SeparationOfDuties)
            );
            assert_eq!(
                separation_of_duties(8, step, &history),
                Err(Denied::SeparationOfDuties)
            );
            assert_eq!(separation_of_duties(10, step, &history), Ok(()));
        }
        // A verifier may review later; the preparer may keep entering facts.
        assert_eq!(separation_of_duties(9, Review, &history), Ok(()));
        assert_eq!(separation_of_duties(7, EnterFacts, &history), Ok(()));
        assert_eq!(separation_of_duties(7, Decide, &[]), Ok(()));
    }

    #[test]
    fn throttle_triggers_at_the_limit_and_expires_after_the_window() {
        use chrono::TimeZone;
        let t0 = Utc.with_ymd_and_hms(2025, 7, 1, 1, 0, 0).unwrap();
        let th = Throttle::per_login();
        let fails: Vec<DateTime<Utc>> = (0..5).rev().map(|m| t0 + Duration::minutes(m)).collect();
        // Four failures: still allowed.
        assert_eq!(th.retry_at(&fails[..4], t0 + Duration::minutes(5)), None);
        // Five: refused until the oldest of them is 15 minutes old.
        let until = t0 + Duration::minutes(15);
        assert_eq!(th.retry_at(&fails, t0 + Duration::minutes(5)), Some(until));
        assert_eq!(
            th.retry_at(&fails, until - Duration::seconds(1)),
            Some(until)
        );
        assert_eq!(th.retry_at(&fails, until), None);
        assert_eq!(
            Throttle::per_ip().retry_at(&fails, t0 + Duration::minutes(5)),
            None
        );
    }

    #[test]
    fn province_admin_manages_only_inside_the_province() {
        let t = tree();
        let admin1 = [Grant::new(Role::Administrator, Scope::Unit(1))];
        let national = [Grant::new(Role::Administrator, Scope::Country)];
        let in1 = [Grant::new(Role::CommunePolice, Scope::Unit(100))];
        let in2 = [Grant::new(Role::CommunePolice, Scope::Unit(200))];
        let straddling = [
            Grant::new(Role::CommunePolice, Scope::Unit(100)),
            Grant::new(Role::Viewer, Scope::Unit(2)),
        ];
        let views_country =
            [Grant::new(Role::CommunePolice, Scope::Unit(100)).viewing(Scope::Country)];
        assert!(manages(&admin1, &in1, &t));
        assert!(!manages(&admin1, &in2, &t));
        assert!(!manages(&admin1, &straddling, &t));
        assert!(!manages(&admin1, &views_country, &t));
        assert!(!manages(&admin1, &[], &t));
        assert!(manages(&national, &in2, &t));
        assert!(manages(&national, &[], &t));
        // Non-administrators manage nobody.
        assert!(!manages(&in1, &in1, &t));
        assert!(may_assign(&admin1, &in1[0], &t));
        assert!(!may_assign(&admin1, &in2[0], &t));
        assert!(!may_assign(
            &admin1,
            &Grant::new(Role::Administrator, Scope::Country),
            &t
        ));
        assert_eq!(not_self(3, 3), Err(Denied::SelfManagement));
        assert_eq!(not_self(3, 4), Ok(()));
    }
}
