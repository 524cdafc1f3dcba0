//! The built-in files under `standards/`, embedded in the binary.

use crate::diag::SourceFile;

macro_rules! embed {
    ($($path:literal),* $(,)?) => {
        &[$(($path, include_str!(concat!("../../../../", $path)))),*]
    };
}

/// Every built-in file: (path in the repository, text).
pub(crate) const FILES: &[(&str, &str)] = embed![
    "standards/sources.toml",
    "standards/catalogue/registration.toml",
    "standards/catalogue/documents.toml",
    "standards/catalogue/security-events.toml",
    "standards/catalogue/crime.toml",
    "standards/catalogue/traffic-fire.toml",
    "standards/catalogue/models-movement.toml",
    "standards/catalogue/assessments.toml",
    "standards/national/antt-kdc.tt124.toml",
];

/// The built-in files as loader input.
pub fn files() -> Vec<SourceFile> {
    FILES
        .iter()
        .map(|(p, t)| SourceFile::new(*p, *t))
        .collect()
}
