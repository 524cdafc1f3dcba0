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
    "standards/national/antt-kdc.tt23.toml",
    "standards/national/antt-kdc.tt124.toml",
    "standards/national/antt-xa.tt23.toml",
    "standards/national/antt-xa.tt124.toml",
    "standards/national/antt-cq.tt23.toml",
    "standards/national/antt-cq.tt124.toml",
    "standards/national/ntm-xa-19.2.v2016.toml",
    "standards/national/ntm-xa-19.2.v2022.toml",
    "standards/national/ntm-xa-19.2.v2024.toml",
    "standards/national/ntm-xa-nc-19.2.toml",
    "standards/national/ntm-huyen-9.4.toml",
    "standards/national/ntm-huyen-nc-9.1.toml",
    "standards/national/qd18-thu-hoi.toml",
    "standards/national/qd926-dia-phuong.toml",
    "standards/national/qd926-ty-le.toml",
    "standards/national/ntm-xa-2026.toml",
    "standards/provinces/31-hai-phong-xa-kieu-mau-antt.toml",
];

/// The built-in files as loader input.
pub fn files() -> Vec<SourceFile> {
    FILES.iter().map(|(p, t)| SourceFile::new(*p, *t)).collect()
}
