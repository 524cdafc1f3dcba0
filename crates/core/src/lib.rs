//! The pure domain of Bình Yên.
//!
//! Architecture invariant: this crate does no I/O. It knows nothing about HTTP, SQL, files or
//! the clock; callers pass dates and data in, and get values, verdicts and explanations out.

pub mod authz;
pub mod table;
pub mod text;
pub mod units;
