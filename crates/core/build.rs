//! Rebuilds the crate when a locale file changes: `rust_i18n::i18n!` reads `locales/*.yml`
//! at compile time, and cargo does not see those reads by itself.
fn main() {
    println!("cargo:rerun-if-changed=../../locales");
}
