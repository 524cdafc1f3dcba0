//! `binhyen demo`: the product on the embedded database, ready to click through. On first
//! start it loads the official map of Viet Nam (01/05/2024 onward) and creates one demo account
//! per role around Xã Hòa Minh (Trà Vinh, Tỉnh Vĩnh Long since 01/07/2025); then it serves.
//! Running it again reuses what is there.

use clap::Args;
use rust_i18n::t;

use crate::config::GlobalOpts;
use crate::service::users::{self, GrantSpec, NewAccount};
use crate::service::{Actor, ServiceError};
use crate::web;

use super::serve::{ServeArgs, prepare, serve_state};

#[derive(Args, Debug, Clone)]
pub struct DemoArgs {
    #[command(flatten)]
    pub serve: ServeArgs,
}

/// The demo password of every demo account (shown on start; the demo is not for real data).
pub const DEMO_PASSWORD: &str = "binhyen-demo";

/// (login, display name, role, unit code): one account per role.
const ACCOUNTS: &[(&str, &str, &str, &str)] = &[
    ("quantri", "Quản trị hệ thống", "admin", "VN"),
    (
        "ca.hoaminh",
        "Công an xã Hòa Minh",
        "commune_police",
        "29410",
    ),
    (
        "pv05.vinhlong",
        "Phòng PV05 Công an tỉnh Vĩnh Long",
        "pv05",
        "86",
    ),
    (
        "bcd.vinhlong",
        "Thư ký Ban Chỉ đạo tỉnh Vĩnh Long",
        "steering_secretary",
        "86",
    ),
    (
        "chutich.vinhlong",
        "Chủ tịch UBND tỉnh Vĩnh Long",
        "decider",
        "86",
    ),
    ("xem.toanquoc", "Người xem toàn quốc", "viewer", "VN"),
];

pub async fn run(g: &GlobalOpts, args: DemoArgs) -> anyhow::Result<()> {
    let lang = g.lang.code();
    let state = prepare(g, &args.serve).await?;
    if state.atlas.get().is_empty() {
        println!("{}", t!("cli.demo.loading_units", locale = lang));
        super::import::import_with_bar(&state.store, crate::units::Source::Official, lang).await?;
        web::units::load_atlas(&state).await?;
    }
    let ctx = state.ctx();
    let console = Actor::console();
    println!("{}", t!("cli.demo.accounts", locale = lang));
    for (login, name, role, unit) in ACCOUNTS {
        let fail = |e: ServiceError| anyhow::anyhow!(e.message(lang));
        match users::get_by_login(&ctx, &console, login).await {
            Ok(_) => {}
            Err(ServiceError::Invalid {
                key: "service.login.unknown",
                ..
            }) => {
                users::create(
                    &ctx,
                    &console,
                    NewAccount {
                        login: (*login).to_owned(),
                        display_name: (*name).to_owned(),
                        password: Some(DEMO_PASSWORD.to_owned()),
                        grant: GrantSpec {
                            role: (*role).to_owned(),
                            unit: (*unit).to_owned(),
                            view: None,
                        },
                    },
                )
                .await
                .map_err(fail)?;
            }
            Err(e) => return Err(fail(e)),
        }
        println!("  {login:<18} {DEMO_PASSWORD:<14} {name}");
    }
    serve_state(state, args.serve).await
}
