//! Documents of Bình Yên: PDF in the official layout of Decree 30/2020/NĐ-CP ([`pdf`]),
//! xlsx in and out and CSV in ([`xlsx`]), SVG charts and choropleth maps ([`svg`]).
//!
//! Architecture invariant: this crate takes view models (plain structs of already
//! translated, already formatted or typed values) and returns bytes or strings. It does no
//! database access, knows no locale files and no clock; labels come from the caller in the
//! user's language. Only the fixed wording of the official form (national motto, "Số:",
//! "Nơi nhận:", "Điều 1.") is written here, in Vietnamese as the Decree requires.

pub mod pdf;
pub mod sample;
pub mod svg;
pub mod table;
pub mod xlsx;
