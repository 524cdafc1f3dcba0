//! The pure domain of Bình Yên.
//!
//! Architecture invariant: this crate does no I/O. It knows nothing about HTTP, SQL, files or
//! the clock; callers pass dates and data in, and get values, verdicts and explanations out.

// Messages of this crate (locales/*.yml, compiled in).
rust_i18n::i18n!("../../locales", fallback = "vi");

pub mod authz;
pub mod case;
pub mod catalogue;
pub mod checks;
pub mod diag;
pub mod fact;
pub mod plan;
pub mod standard;
pub mod table;
pub mod text;
pub mod trend;
pub mod units;
pub mod workflow;

/// A number no other value built in this process has: the identity of a built [`units::Atlas`]
/// or [`standard::Registry`], so a result computed with one is never served for another.
pub(crate) fn build_id() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}
