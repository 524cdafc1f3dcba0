//! User administration pages, scoped to the administrator's territory: list, create, add and
//! remove grants, deactivate, sign out everywhere. Users outside the territory answer 404.
//! Units are typed as codes for now (`VN` for the whole country).

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use binhyen_core::authz::Role;
use serde::Deserialize;

use super::auth::{CurrentUser, status_of};
use super::{AppState, Tr};
use crate::clock::format_time;
use crate::service::users::{self, Account, GrantSpec, NewAccount};
use crate::service::{Ctx, ServiceError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/users", get(list).post(create))
        .route("/admin/users/new", get(new_form))
        .route("/admin/users/{id}", get(show))
        .route("/admin/users/{id}/grants", post(add_grant))
        .route(
            "/admin/users/{id}/grants/{grant}/remove",
            post(remove_grant),
        )
        .route("/admin/users/{id}/active", post(set_active))
        .route("/admin/users/{id}/revoke-sessions", post(revoke_sessions))
}

pub struct RoleOption {
    pub id: &'static str,
    pub label: String,
    pub selected: bool,
}

fn role_options(tr: Tr, selected: &str) -> Vec<RoleOption> {
    Role::ALL
        .into_iter()
        .map(|r| RoleOption {
            id: r.as_str(),
            label: tr.t(&format!("role.{}", r.as_str())),
            selected: r.as_str() == selected,
        })
        .collect()
}

pub struct GrantRow {
    pub id: i64,
    pub text: String,
}

pub struct UserRow {
    pub id: i64,
    pub login: String,
    pub name: String,
    pub active: bool,
    pub updated: String,
    pub grants: Vec<GrantRow>,
}

fn row(ctx: &Ctx<'_>, tr: Tr, a: Account) -> UserRow {
    UserRow {
        id: a.user.id,
        login: a.user.login,
        name: a.user.display_name,
        active: a.user.active,
        updated: format_time(a.user.updated_at),
        grants: a
            .grants
            .iter()
            .map(|g| GrantRow {
                id: g.id,
                text: users::describe_grant(ctx.units, &g.grant, tr.code()),
            })
            .collect(),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "auth/admin_users.html")]
pub struct UsersPage {
    pub tr: Tr,
    pub user: CurrentUser,
    pub rows: Vec<UserRow>,
}

async fn list(State(state): State<AppState>, user: CurrentUser) -> Response {
    let ctx = state.ctx();
    let tr = Tr { lang: user.lang };
    match users::list(&ctx, &user.actor).await {
        Ok(accounts) => UsersPage {
            tr,
            rows: accounts.into_iter().map(|a| row(&ctx, tr, a)).collect(),
            user,
        }
        .into_response(),
        Err(e) => user.fail(e).into_response(),
    }
}

/// What the "new user" form holds (kept when it is shown again with an error).
#[derive(Deserialize, Default)]
pub struct NewUserForm {
    #[serde(default)]
    pub login: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub unit: String,
    #[serde(default)]
    pub view: String,
    #[serde(default)]
    pub password: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "auth/admin_new_user.html")]
pub struct NewUserPage {
    pub tr: Tr,
    pub user: CurrentUser,
    pub form: NewUserForm,
    pub roles: Vec<RoleOption>,
    pub error: Option<String>,
}

async fn new_form(user: CurrentUser) -> Response {
    if !user.actor.can_manage_users() {
        return user
            .fail(ServiceError::Denied(
                binhyen_core::authz::Denied::NoCapability,
            ))
            .into_response();
    }
    let tr = Tr { lang: user.lang };
    NewUserPage {
        tr,
        roles: role_options(tr, ""),
        form: NewUserForm::default(),
        error: None,
        user,
    }
    .into_response()
}

#[derive(Template, WebTemplate)]
#[template(path = "auth/admin_user.html")]
pub struct UserPage {
    pub tr: Tr,
    pub user: CurrentUser,
    pub account: UserRow,
    pub roles: Vec<RoleOption>,
    pub error: Option<String>,
    /// A generated password, shown once after creation.
    pub password: Option<String>,
}

async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(f): Form<NewUserForm>,
) -> Response {
    let ctx = state.ctx();
    let tr = Tr { lang: user.lang };
    let new = NewAccount {
        login: f.login.clone(),
        display_name: f.display_name.clone(),
        password: Some(f.password.clone()).filter(|p| !p.is_empty()),
        grant: GrantSpec {
            role: f.role.clone(),
            unit: f.unit.clone(),
            view: Some(f.view.clone()),
        },
    };
    match users::create(&ctx, &user.actor, new).await {
        Ok((account, password)) => (
            StatusCode::CREATED,
            UserPage {
                tr,
                account: row(&ctx, tr, account),
                roles: role_options(tr, ""),
                error: None,
                password,
                user,
            },
        )
            .into_response(),
        Err(e) => (
            status_of(&e),
            NewUserPage {
                tr,
                roles: role_options(tr, &f.role),
                error: Some(e.message(tr.code())),
                form: NewUserForm {
                    password: String::new(),
                    ..f
                },
                user,
            },
        )
            .into_response(),
    }
}

/// The user page, with an error above the forms when an action failed.
async fn user_page(
    state: &AppState,
    user: CurrentUser,
    id: i64,
    error: Option<ServiceError>,
) -> Response {
    let ctx = state.ctx();
    let tr = Tr { lang: user.lang };
    let account = match users::get(&ctx, &user.actor, id).await {
        Ok(a) => a,
        Err(e) => return user.fail(e).into_response(),
    };
    let status = error.as_ref().map_or(StatusCode::OK, status_of);
    let page = UserPage {
        tr,
        account: row(&ctx, tr, account),
        roles: role_options(tr, ""),
        error: error.map(|e| e.message(tr.code())),
        password: None,
        user,
    };
    (status, page).into_response()
}

async fn show(State(state): State<AppState>, user: CurrentUser, Path(id): Path<i64>) -> Response {
    user_page(&state, user, id, None).await
}

/// After an action on user `id`: back to their page, or the page with the error.
async fn after(
    state: &AppState,
    user: CurrentUser,
    id: i64,
    result: Result<(), ServiceError>,
) -> Response {
    match result {
        Ok(()) => Redirect::to(&format!("/admin/users/{id}")).into_response(),
        Err(ServiceError::NotFound) => user.fail(ServiceError::NotFound).into_response(),
        Err(e) => user_page(state, user, id, Some(e)).await,
    }
}

#[derive(Deserialize)]
pub struct GrantForm {
    role: String,
    unit: String,
    #[serde(default)]
    view: String,
}

async fn add_grant(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(f): Form<GrantForm>,
) -> Response {
    let spec = GrantSpec {
        role: f.role,
        unit: f.unit,
        view: Some(f.view),
    };
    let r = users::add_grant(&state.ctx(), &user.actor, id, &spec)
        .await
        .map(|_| ());
    after(&state, user, id, r).await
}

async fn remove_grant(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, grant)): Path<(i64, i64)>,
) -> Response {
    let r = users::remove_grant(&state.ctx(), &user.actor, id, grant).await;
    after(&state, user, id, r).await
}

#[derive(Deserialize)]
pub struct ActiveForm {
    active: bool,
}

async fn set_active(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(f): Form<ActiveForm>,
) -> Response {
    let r = users::set_active(&state.ctx(), &user.actor, id, f.active).await;
    after(&state, user, id, r).await
}

async fn revoke_sessions(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Response {
    let r = users::revoke_sessions(&state.ctx(), &user.actor, id)
        .await
        .map(|_| ());
    after(&state, user, id, r).await
}
