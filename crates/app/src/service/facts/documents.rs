//! Evidence documents: PDF, JPEG, PNG or DOCX files (the type read from the bytes, not the
//! name), at most [`MAX_BYTES`], stored with their SHA-256, size and type; listed per unit and
//! year, downloaded only by people whose view scope contains the unit. A document fact may name
//! a stored document in its `file` member (`doc:ID`).

use binhyen_core::authz::{Capability, Scope};
use binhyen_core::units::UnitId;
use binhyen_store::facts::{self as store, DocumentRow};
use chrono::NaiveDate;
use sha2::{Digest, Sha256};

use super::{begin_facts, is_locked, lock_of, may_view, unit_in_year};
use crate::service::{Actor, Audit, Ctx, ServiceError};

/// The largest accepted document: 10 MB.
pub const MAX_BYTES: usize = 10 * 1024 * 1024;

/// The type of a file from its first bytes: PDF, JPEG, PNG, or DOCX (a zip holding
/// `word/document.xml`). Anything else is refused.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(b"PK\x03\x04")
        && bytes.windows(17).any(|w| w == b"word/document.xml")
    {
        Some("application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    } else {
        None
    }
}

/// What an upload describes.
#[derive(Clone, Debug)]
pub struct Upload {
    pub unit: UnitId,
    pub year: i32,
    pub file_name: String,
    /// The catalogue key of the document fact it supports, or `other`.
    pub doc_type: String,
    pub number: String,
    pub date: NaiveDate,
    pub issuer: String,
}

/// Stores an uploaded document (data-entry scope over the unit); returns its description.
pub async fn upload(
    ctx: &Ctx<'_>,
    actor: &Actor,
    up: &Upload,
    bytes: &[u8],
) -> Result<DocumentRow, ServiceError> {
    unit_in_year(ctx, up.unit, up.year)?;
    if bytes.len() > MAX_BYTES {
        return Err(ServiceError::invalid(
            "file",
            "facts.doc.too_large",
            binhyen_core::text::format_ratio(bytes.len() as i64, 1024 * 1024, 1),
        ));
    }
    let mime = sniff(bytes)
        .ok_or_else(|| ServiceError::invalid("file", "facts.doc.bad_type", &up.file_name))?;
    for (field, value) in [("number", &up.number), ("issuer", &up.issuer)] {
        if value.trim().is_empty() {
            return Err(ServiceError::invalid(field, "facts.doc.required", ""));
        }
    }
    let change = begin_facts(ctx, actor, Capability::EnterFacts, up.unit, up.year).await?;
    if let Some(d) = is_locked(lock_of(ctx, up.unit, up.year).await?.as_ref(), ctx.today()) {
        return Err(ServiceError::invalid(
            "year",
            "facts.err.locked",
            binhyen_core::text::format_date(d),
        ));
    }
    let mut row = DocumentRow {
        id: 0,
        unit_id: up.unit,
        year: up.year,
        sha256: hex::encode(Sha256::digest(bytes)),
        size: bytes.len() as i64,
        mime: mime.to_owned(),
        file_name: up.file_name.trim().chars().take(200).collect(),
        doc_type: up.doc_type.clone(),
        number: up.number.trim().to_owned(),
        date: up.date,
        issuer: up.issuer.trim().to_owned(),
        uploaded_by: actor.id,
        uploaded_by_name: actor.display_name.clone(),
        uploaded_at: ctx.now,
    };
    row.id = store::insert_document(change.tx(), &row, bytes).await?;
    change
        .commit(
            Audit::new("facts.document", "fact_document", row.id)
                .unit(Scope::Unit(up.unit))
                .details(serde_json::json!({
                    "year": up.year, "sha256": row.sha256, "size": row.size, "mime": row.mime,
                    "type": row.doc_type, "number": row.number,
                })),
        )
        .await?;
    Ok(row)
}

/// The documents of a unit for a year (view scope).
pub async fn list(
    ctx: &Ctx<'_>,
    actor: &Actor,
    unit: UnitId,
    year: i32,
) -> Result<Vec<DocumentRow>, ServiceError> {
    unit_in_year(ctx, unit, year)?;
    may_view(ctx, actor, unit, year)?;
    Ok(store::documents(ctx.store, unit, year).await?)
}

/// One document with its bytes, for someone whose view scope contains its unit (others get
/// "not found", as if it did not exist).
pub async fn download(
    ctx: &Ctx<'_>,
    actor: &Actor,
    id: i64,
) -> Result<(DocumentRow, Vec<u8>), ServiceError> {
    let (row, bytes) = store::document(ctx.store, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    may_view(ctx, actor, row.unit_id, row.year).map_err(|_| ServiceError::NotFound)?;
    Ok((row, bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn types_come_from_the_bytes() {
        assert_eq!(sniff(b"%PDF-1.7\n..."), Some("application/pdf"));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0]), Some("image/jpeg"));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0"), Some("image/png"));
        let docx = b"PK\x03\x04....[Content_Types].xml....word/document.xml....";
        assert!(sniff(docx).unwrap().contains("wordprocessingml"));
        // A zip that is not a Word document (e.g. an xlsx), an executable, text.
        assert_eq!(sniff(b"PK\x03\x04....xl/workbook.xml"), None);
        assert_eq!(sniff(b"MZ\x90\x00"), None);
        assert_eq!(sniff(b"hello.pdf"), None);
    }

    proptest! {
        #[test]
        fn sniff_never_panics_and_accepts_only_known_magic(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            if let Some(m) = sniff(&bytes) {
                prop_assert!(bytes.starts_with(b"%PDF-") || bytes.starts_with(&[0xFF, 0xD8, 0xFF])
                    || bytes.starts_with(b"\x89PNG") || bytes.starts_with(b"PK\x03\x04"), "{m}");
            }
        }
    }
}
