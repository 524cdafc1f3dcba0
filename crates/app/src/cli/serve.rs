//! `binhyen serve`: the web application and the API.

use std::net::SocketAddr;

use clap::Args;
use rust_i18n::t;

use crate::config::GlobalOpts;
use crate::web;

#[derive(Args, Debug, Clone)]
pub struct ServeArgs {
    /// Port to listen on (0 picks a free port).
    #[arg(long, env = "BINHYEN_PORT", default_value_t = 8080)]
    pub port: u16,
    /// Address to bind.
    #[arg(long, env = "BINHYEN_BIND", default_value = "127.0.0.1")]
    pub bind: std::net::IpAddr,
    /// Mark cookies `Secure` (set this when users reach the server over HTTPS).
    #[arg(long, env = "BINHYEN_SECURE_COOKIES")]
    pub secure_cookies: bool,
    #[command(flatten)]
    pub standards: super::standards::StandardsArgs,
}

pub async fn run(g: &GlobalOpts, args: ServeArgs) -> anyhow::Result<()> {
    let state = prepare(g, &args).await?;
    serve_state(state, args).await
}

/// The state a server starts with: the store, the stored map, and the standards in force.
pub async fn prepare(g: &GlobalOpts, args: &ServeArgs) -> anyhow::Result<web::AppState> {
    let store = g.open_store().await?;
    let registry = args.standards.registry(g.lang.code(), &[])?;
    let mut state = web::AppState::new(store, registry);
    state.clock = crate::clock::Clock::from_env()?;
    web::units::load_atlas(&state).await?;
    Ok(state)
}

/// Binds, prints the address, and serves until interrupted. Shared by `serve` and `demo`.
pub async fn serve_state(mut state: web::AppState, args: ServeArgs) -> anyhow::Result<()> {
    state.secure_cookies = args.secure_cookies;
    let listener = tokio::net::TcpListener::bind(SocketAddr::new(args.bind, args.port)).await?;
    let addr = listener.local_addr()?;
    println!("{}", t!("cli.listening", url = format!("http://{addr}/")));
    let app = web::router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}
