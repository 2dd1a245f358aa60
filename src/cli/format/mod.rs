//! Reports, one file per `--output-format`, each an [`Emit`]ter given the
//! same [`Report`]: `full` (with the source line and carets, drawn by
//! [`excerpt`]), `concise`, `json`, `json-lines`, `sarif` (2.1.0), `github`
//! (workflow commands), `junit` (XML) and `gitlab` (Code Quality).
//!
//! No report holds a password: messages never contain one, fixes never
//! insert one, source text shown has every password replaced by `***`, and
//! fingerprints hash the line with its passwords so replaced.
//!
//! [`common`] holds what several formats share: the report, the [`Emit`]
//! trait, the located diagnostics, the summary and its lines, and paths as
//! CI platforms read them; [`safe_json`] writes JSON with DEL, C1 and bidi
//! characters escaped. This file only picks the emitter.

pub mod color;
pub mod common;
pub mod concise;
pub mod excerpt;
pub mod full;
pub mod github;
pub mod gitlab;
pub mod json;
pub mod json_lines;
pub mod junit;
pub mod safe_json;
pub mod sarif;
pub mod stream;

use std::io::{self, Write};

use super::args::OutputFormat;

pub use common::*;
pub use concise::concise_line;
pub use stream::Stream;

/// The emitter of `format`.
pub fn emitter(format: OutputFormat) -> &'static dyn Emit {
    match format {
        OutputFormat::Full => &full::Full,
        OutputFormat::Concise => &concise::Concise,
        OutputFormat::Json => &json::Json,
        OutputFormat::JsonLines => &json_lines::JsonLines,
        OutputFormat::Sarif => &sarif::Sarif,
        OutputFormat::Github => &github::Github,
        OutputFormat::Junit => &junit::Junit,
        OutputFormat::Gitlab => &gitlab::Gitlab,
    }
}

/// Writes `report` as `format`.
pub fn write(format: OutputFormat, out: &mut dyn Write, report: &Report) -> io::Result<()> {
    emitter(format).emit(out, report)
}

/// [`write`], with `full` and `concise` in `palette`'s styles; the machine
/// formats are never colored.
pub fn write_styled(
    format: OutputFormat,
    out: &mut dyn Write,
    report: &Report,
    palette: color::Palette,
) -> io::Result<()> {
    match format {
        OutputFormat::Full => full::emit_styled(out, report, palette),
        OutputFormat::Concise => concise::emit_styled(out, report, palette),
        _ => write(format, out, report),
    }
}
