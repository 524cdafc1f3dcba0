//! `binhyen`: one binary for the command line, the web server and the demo.

rust_i18n::i18n!("../../locales", fallback = "vi");

mod cli;
mod clock;
mod config;
mod demo;
mod directory;
mod generate;
mod service;
mod units;
mod web;

fn main() -> std::process::ExitCode {
    cli::main()
}
