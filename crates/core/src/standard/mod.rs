//! Law as code: standards (criteria sets) as dated, cited, versioned files, evaluated into
//! three-valued verdicts with a trace that explains them in Vietnamese.
//!
//! - [`file`]: the TOML shape of the files under `standards/`.
//! - `expr`: the expression language (lexer and parser with spans); `check`: the type checker
//!   that compiles expressions; `eval`: the three-valued evaluator; `trace`: traces and
//!   sentences in Vietnamese and English.
//! - [`Registry`]: everything loaded and checked together (built-ins embedded by `builtin`),
//!   version resolution by year and province, and evaluation.
//!
//! The language is documented in `docs/standards.md`.

mod builtin;
pub(crate) mod check;
mod eval;
pub(crate) mod expr;
pub mod file;
mod model;
mod registry;
mod trace;

pub use builtin::files as builtin_files;
pub use check::{BUILTINS, FUNCTIONS};
pub use eval::Session;
pub use model::{
    Citation, Confidence, DatedValue, Jurisdiction, LegalSource, Local, Param, ParamType,
    ParamValue, Purpose, Rule, RuleKind, StdIx, Verdict, Version, Window,
};
pub use registry::{EvalError, Registry, RegistryHandle, RuleRef};
pub use trace::{
    CitationOut, Evaluation, FactUse, MissingItem, NamedValue, ParamUse, RuleResult, RuleTrace,
    StandardInfo, SubVerdict,
};
