//! `binhyen audit verify`: walks the audit chain; exit code 1 and a Vietnamese report naming
//! the first tampered entry when the chain is broken.

use binhyen_store::audit::{self, Tamper, Verification};
use clap::Subcommand;
use rust_i18n::t;

use crate::config::GlobalOpts;

#[derive(Subcommand, Debug)]
pub enum AuditCommand {
    /// Kiểm tra chuỗi băm của nhật ký (verify the hash chain of the audit).
    Verify,
}

/// One paragraph for a person: intact (with the head to note down), or what is wrong where.
pub fn report(v: &Verification, locale: &str) -> String {
    let Some(problem) = &v.problem else {
        return t!(
            "cli.audit.intact",
            locale = locale,
            count = v.checked,
            seq = v.head_seq,
            hash = v.head_hash
        )
        .into_owned();
    };
    let what = match problem {
        Tamper::Missing { from, to } if from == to => {
            t!("cli.audit.missing_one", locale = locale, seq = from)
        }
        Tamper::Missing { from, to } => {
            t!("cli.audit.missing", locale = locale, from = from, to = to)
        }
        Tamper::Edited { seq } => t!("cli.audit.edited", locale = locale, seq = seq),
        Tamper::Reordered { seq, found_at } => t!(
            "cli.audit.reordered",
            locale = locale,
            seq = seq,
            found_at = found_at
        ),
        Tamper::BrokenLink { seq } => t!("cli.audit.broken_link", locale = locale, seq = seq),
        Tamper::HeadMismatch { last_seq, head_seq } => t!(
            "cli.audit.head_mismatch",
            locale = locale,
            last = last_seq,
            head = head_seq
        ),
    };
    t!(
        "cli.audit.tampered",
        locale = locale,
        what = what,
        count = v.checked
    )
    .into_owned()
}

pub async fn run(g: &GlobalOpts, cmd: AuditCommand) -> anyhow::Result<()> {
    match cmd {
        AuditCommand::Verify => {
            let store = g.open_store().await?;
            let v = audit::verify(&store).await?;
            let text = report(&v, g.lang.code());
            if v.intact() {
                println!("{text}");
                Ok(())
            } else {
                Err(anyhow::anyhow!(text))
            }
        }
    }
}
