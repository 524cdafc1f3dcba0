//! PDF documents in the official layout of Decree 30/2020/NĐ-CP, set by typst used as a
//! library.
//!
//! [`PdfEngine`] holds the fonts and the standard library, built once; [`PdfEngine::render`]
//! is synchronous and the engine is `Send + Sync`, so a web handler shares one engine and
//! calls it inside `spawn_blocking`. A [`Document`] is serialised to `/data.json` and laid
//! out by one template, `official.typ`; text from the caller is never parsed as typst markup.
//! The four builders ([`evaluation`], [`classification`], [`decision`], [`yearly`]) turn view
//! models into a [`Document`].

pub mod classification;
pub mod decision;
mod document;
pub mod evaluation;
mod fonts;
pub mod yearly;

pub use document::{
    Align, Annex, Block, Column, Document, Header, NATIONAL_NAME, NATIONAL_SLOGAN,
    RECIPIENTS_HEADING, Row, Signature, Table, place_and_date, punctuate_lines, recipient_lines,
};
pub use fonts::{FontSet, PREFERRED_FAMILIES, VIETNAMESE_LETTERS, read_font_dir};

use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

const TEMPLATE: &str = include_str!("official.typ");

/// Compiles documents to PDF. Build it once (loading fonts takes a moment) and share it.
pub struct PdfEngine {
    fonts: FontSet,
    library: LazyHash<Library>,
}

/// A rendered PDF with the warnings typst reported (e.g. a font that could not be found).
#[derive(Debug)]
pub struct Pdf {
    pub bytes: Vec<u8>,
    pub warnings: Vec<String>,
}

/// Why a document could not be rendered. These are programming or font problems, not user
/// input errors: the caller logs them and shows a generic message.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("Không dựng được văn bản PDF: {0} / Could not lay out the PDF document")]
    Layout(String),
    #[error("Không xuất được tệp PDF: {0} / Could not write the PDF file")]
    Export(String),
}

impl PdfEngine {
    pub fn new(fonts: FontSet) -> PdfEngine {
        PdfEngine {
            fonts,
            library: LazyHash::new(Library::default()),
        }
    }

    /// The fonts the engine sets documents in.
    pub fn fonts(&self) -> &FontSet {
        &self.fonts
    }

    /// Lays out `doc` and writes the PDF.
    pub fn render(&self, doc: &Document) -> Result<Pdf, PdfError> {
        let prepared = doc.prepare(self.fonts.family(), self.fonts.bold_italic_weight());
        let data = serde_json::to_vec(&prepared).map_err(|e| PdfError::Layout(e.to_string()))?;
        let world = DocWorld {
            engine: self,
            main: Source::new(file_id("/main.typ"), TEMPLATE.to_owned()),
            data_id: file_id("/data.json"),
            data: Bytes::new(data),
        };
        let compiled = typst::compile::<typst_layout::PagedDocument>(&world);
        let warnings = compiled.warnings.iter().map(describe).collect();
        let document = compiled
            .output
            .map_err(|errors| PdfError::Layout(join(&errors)))?;
        let bytes = typst_pdf::pdf(&document, &typst_pdf::PdfOptions::default())
            .map_err(|errors| PdfError::Export(join(&errors)))?;
        // Drop memoised results older than a few compilations so a long-running server does
        // not keep every document it ever rendered.
        typst::comemo::evict(10);
        Ok(Pdf { bytes, warnings })
    }
}

fn describe(d: &SourceDiagnostic) -> String {
    let hints: Vec<&str> = d.hints.iter().map(|h| h.v.as_str()).collect();
    if hints.is_empty() {
        d.message.to_string()
    } else {
        format!("{} ({})", d.message, hints.join("; "))
    }
}

fn join(errors: &[SourceDiagnostic]) -> String {
    errors.iter().map(describe).collect::<Vec<_>>().join("; ")
}

fn file_id(path: &str) -> FileId {
    let vpath = VirtualPath::new(path).expect("a valid absolute virtual path");
    RootedPath::new(VirtualRoot::Project, vpath).intern()
}

/// The typst world of one compilation: the template, its data and the shared fonts.
struct DocWorld<'a> {
    engine: &'a PdfEngine,
    main: Source,
    data_id: FileId,
    data: Bytes,
}

impl World for DocWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        &self.engine.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        self.engine.fonts.book()
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(FileError::NotSource)
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.data_id {
            Ok(self.data.clone())
        } else if id == self.main.id() {
            Ok(Bytes::from_string(self.main.clone()))
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.engine.fonts.font(index)
    }

    /// Documents carry their own dates; the template never asks for today.
    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        None
    }
}
