//! The command line: one subcommand per file.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::config::GlobalOpts;

mod audit;
mod backup;
mod bench;
mod demo;
mod evaluate;
mod evaluate_bench;
mod facts_bench;
pub(crate) mod generate;
mod import;
mod import_boundaries;
mod import_facts;
mod migrate;
mod plans;
mod serve;
mod serve_bench;
pub mod standards;
mod units;
mod user;

#[derive(Parser, Debug)]
#[command(
    name = "binhyen",
    version,
    about = "Bình Yên — tiêu chí an ninh, trật tự trong xây dựng nông thôn mới (security and order criterion of New Rural Development)"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalOpts,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Chạy máy chủ web (run the web server).
    Serve(serve::ServeArgs),
    /// Chạy bản trình diễn trên cơ sở dữ liệu nhúng (run the demo on the embedded database).
    Demo(demo::DemoArgs),
    /// Áp dụng các bản chuyển đổi cơ sở dữ liệu (apply database migrations).
    Migrate,
    /// Quản lý người dùng và quyền theo địa bàn (users and their grants).
    #[command(subcommand)]
    User(user::UserCommand),
    /// Nhật ký thay đổi: kiểm tra chuỗi băm (the audit: verify the hash chain).
    #[command(subcommand)]
    Audit(audit::AuditCommand),
    /// Sao lưu cơ sở dữ liệu (back up the database).
    Backup(backup::BackupArgs),
    /// Nhập dữ liệu (import data).
    Import(import::ImportArgs),
    /// Bản đồ đơn vị qua các thời kỳ (units through time).
    Units(units::UnitsArgs),
    /// Đo hiệu năng (benchmarks).
    Bench(bench::BenchArgs),
    /// Đánh giá một hồ sơ JSON theo các tiêu chuẩn, không cần cơ sở dữ liệu (judge a case file).
    Evaluate(evaluate::EvaluateArgs),
    /// Xem và kiểm tra các tiêu chuẩn, danh mục số liệu (list, show and check standards).
    Standards(standards::StandardsCmd),
    /// Sinh bộ dữ liệu giả lập toàn quốc có hạt giống (a seeded synthetic national dataset).
    Generate(generate::GenerateArgs),
    /// Kế hoạch và chỉ tiêu: nạp, liệt kê, xem tiến độ (plans and targets: import, list, progress).
    Plans(plans::PlansCmd),
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    rust_i18n::set_locale(cli.global.lang.code());
    init_tracing();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{}: {e:#}", rust_i18n::t!("cli.error"));
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let g = cli.global;
    match cli.command {
        Command::Serve(args) => serve::run(&g, args).await,
        Command::Demo(args) => demo::run(&g, args).await,
        Command::Migrate => migrate::run(&g).await,
        Command::User(c) => user::run(&g, c).await,
        Command::Audit(c) => audit::run(&g, c).await,
        Command::Backup(a) => backup::run(&g, a).await,
        Command::Import(args) => import::run(&g, args).await,
        Command::Units(args) => units::run(&g, args).await,
        Command::Bench(args) => bench::run(&g, args).await,
        Command::Evaluate(args) => evaluate::run(&g, args).await,
        Command::Standards(cmd) => standards::run(&g, cmd),
        Command::Generate(args) => generate::run(&g, args).await,
        Command::Plans(cmd) => plans::run(&g, cmd).await,
    }
}

fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("BINHYEN_LOG")
        .unwrap_or_else(|_| EnvFilter::new("warn,binhyen=info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    /// Every command says what it does in Vietnamese first and English in parentheses (the
    /// `plans` command once showed the help of a flattened option group instead).
    #[test]
    fn every_command_is_described_in_vietnamese_then_english() {
        fn check(cmd: &clap::Command, path: &str, bad: &mut Vec<String>) {
            for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
                let path = format!("{path} {}", sub.get_name());
                let about = sub.get_about().map(|a| a.to_string()).unwrap_or_default();
                let vi = about.split(" (").next().unwrap_or_default();
                let vietnamese = vi.chars().any(|c| {
                    "ạảãàáâậầấẩẫăắằặẳẵđêềếểễệôồốổỗộơờớởỡợưừứửữựìíỉĩịùúủũụỳýỷỹỵèéẻẽẹòóỏõọ"
                        .contains(c.to_lowercase().next().unwrap_or(c))
                });
                if !(about.contains(" (") && about.trim_end().ends_with(')') && vietnamese) {
                    bad.push(format!("{path}: «{about}»"));
                }
                check(sub, &path, bad);
            }
        }
        let mut bad = Vec::new();
        check(&super::Cli::command(), "binhyen", &mut bad);
        assert!(
            bad.is_empty(),
            "not «tiếng Việt (English)»:\n{}",
            bad.join("\n")
        );
    }
}
