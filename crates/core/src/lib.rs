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
