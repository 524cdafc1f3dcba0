//! `binhyen user …`: users and their grants from the console. The console acts as a
//! country-wide administrator (`service::Actor::console`); every change is audited.

use std::io::BufRead;

use clap::{Args, Subcommand};
use rust_i18n::t;

use crate::config::GlobalOpts;
use crate::directory;
use crate::service::users::{self, GrantSpec, NewAccount};
use crate::service::{Actor, Ctx, ServiceError};

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Tạo người dùng với một quyền (create a user with one grant); in mật khẩu được tạo nếu
    /// không đọc từ stdin (prints a generated password unless read from stdin).
    Add {
        login: String,
        /// Họ và tên (full name).
        #[arg(long)]
        name: String,
        #[command(flatten)]
        grant: GrantArgs,
        /// Đọc mật khẩu từ dòng đầu của stdin (read the password from stdin's first line).
        #[arg(long)]
        password_stdin: bool,
    },
    /// Liệt kê người dùng (list users).
    List,
    /// Thêm quyền (add a grant).
    Grant {
        login: String,
        #[command(flatten)]
        grant: GrantArgs,
    },
    /// Gỡ quyền (remove a grant).
    Ungrant {
        login: String,
        #[command(flatten)]
        grant: GrantArgs,
    },
    /// Khóa tài khoản và đăng xuất mọi nơi (deactivate and sign out everywhere).
    Deactivate { login: String },
    /// Mở khóa tài khoản (reactivate).
    Activate { login: String },
    /// Đặt mật khẩu mới (set a new password; generated unless --password-stdin).
    Passwd {
        login: String,
        #[arg(long)]
        password_stdin: bool,
    },
    /// Đăng xuất mọi phiên của người dùng (revoke every session of a user).
    RevokeSessions { login: String },
}

#[derive(Args, Debug)]
pub struct GrantArgs {
    /// commune_police | area_head | district_police | pv05 | steering_secretary | decider | viewer | admin
    #[arg(long)]
    role: String,
    /// Mã đơn vị, VN = toàn quốc (unit code, VN = whole country).
    #[arg(long)]
    unit: String,
    /// Mã đơn vị được xem nếu rộng hơn (wider view scope).
    #[arg(long)]
    view: Option<String>,
}

impl GrantArgs {
    fn spec(&self) -> GrantSpec {
        GrantSpec {
            role: self.role.clone(),
            unit: self.unit.clone(),
            view: self.view.clone(),
        }
    }
}

fn read_password() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\n', '\r']).to_owned())
}

pub async fn run(g: &GlobalOpts, cmd: UserCommand) -> anyhow::Result<()> {
    let store = g.open_store().await?;
    let units = directory::installed(&store).await?;
    let ctx = Ctx {
        store: &store,
        units: &units,
        now: crate::clock::Clock::from_env()?.now(),
    };
    let locale = g.lang.code();
    let actor = Actor::console();
    let fail = |e: ServiceError| anyhow::anyhow!(e.message(locale));
    match cmd {
        UserCommand::Add {
            login,
            name,
            grant,
            password_stdin,
        } => {
            let password = if password_stdin {
                Some(read_password()?)
            } else {
                None
            };
            let (account, generated) = users::create(
                &ctx,
                &actor,
                NewAccount {
                    login,
                    display_name: name,
                    password,
                    grant: grant.spec(),
                },
            )
            .await
            .map_err(fail)?;
            println!("{}", t!("cli.user.created", login = account.user.login));
            if let Some(p) = generated {
                println!("{}", t!("cli.user.password", password = p));
            }
        }
        UserCommand::List => {
            let accounts = users::list(&ctx, &actor).await.map_err(fail)?;
            for a in &accounts {
                let grants: Vec<String> = a
                    .grants
                    .iter()
                    .map(|sg| users::describe_grant(ctx.units, &sg.grant, locale))
                    .collect();
                let status = if a.user.active {
                    t!("admin.users.active")
                } else {
                    t!("admin.users.inactive")
                };
                println!(
                    "{}\t{}\t{}\t{}",
                    a.user.login,
                    a.user.display_name,
                    status,
                    grants.join("; ")
                );
            }
            println!("{}", t!("cli.user.count", count = accounts.len()));
        }
        UserCommand::Grant { login, grant } => {
            let a = users::get_by_login(&ctx, &actor, &login)
                .await
                .map_err(fail)?;
            let g = users::add_grant(&ctx, &actor, a.user.id, &grant.spec())
                .await
                .map_err(fail)?;
            println!(
                "{}",
                t!(
                    "cli.user.granted",
                    login = a.user.login,
                    grant = users::describe_grant(ctx.units, &g.grant, locale)
                )
            );
        }
        UserCommand::Ungrant { login, grant } => {
            let a = users::get_by_login(&ctx, &actor, &login)
                .await
                .map_err(fail)?;
            let wanted = users::resolve_grant(&ctx, &grant.spec()).map_err(fail)?;
            let Some(found) = a.grants.iter().find(|sg| sg.grant == wanted) else {
                return Err(anyhow::anyhow!(t!(
                    "cli.user.no_such_grant",
                    login = a.user.login
                )));
            };
            users::remove_grant(&ctx, &actor, a.user.id, found.id)
                .await
                .map_err(fail)?;
            println!("{}", t!("cli.user.ungranted", login = a.user.login));
        }
        UserCommand::Deactivate { login } => {
            set_active(&ctx, &actor, &login, false, locale).await?
        }
        UserCommand::Activate { login } => set_active(&ctx, &actor, &login, true, locale).await?,
        UserCommand::Passwd {
            login,
            password_stdin,
        } => {
            let a = users::get_by_login(&ctx, &actor, &login)
                .await
                .map_err(fail)?;
            let given = if password_stdin {
                Some(read_password()?)
            } else {
                None
            };
            let generated = users::set_password(&ctx, &actor, a.user.id, given)
                .await
                .map_err(fail)?;
            println!("{}", t!("cli.user.password_set", login = a.user.login));
            if let Some(p) = generated {
                println!("{}", t!("cli.user.password", password = p));
            }
        }
        UserCommand::RevokeSessions { login } => {
            let a = users::get_by_login(&ctx, &actor, &login)
                .await
                .map_err(fail)?;
            let n = users::revoke_sessions(&ctx, &actor, a.user.id)
                .await
                .map_err(fail)?;
            println!(
                "{}",
                t!("cli.user.sessions_revoked", login = a.user.login, count = n)
            );
        }
    }
    Ok(())
}

async fn set_active(
    ctx: &Ctx<'_>,
    actor: &Actor,
    login: &str,
    active: bool,
    locale: &str,
) -> anyhow::Result<()> {
    let fail = |e: ServiceError| anyhow::anyhow!(e.message(locale));
    let a = users::get_by_login(ctx, actor, login).await.map_err(fail)?;
    users::set_active(ctx, actor, a.user.id, active)
        .await
        .map_err(fail)?;
    let key = if active {
        "cli.user.activated"
    } else {
        "cli.user.deactivated"
    };
    println!("{}", t!(key, login = a.user.login));
    Ok(())
}
