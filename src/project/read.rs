//! Reading a file and checking its bytes: binary, UTF-16 and invalid
//! UTF-8 files are told apart before anything is linted.

use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;

use super::checked::{Checked, FileError, Fixed, Outcome, kept_lines, place_in, servers_placed};
use super::config::Effective;
pub use super::open::{open_regular, special_kind};
use crate::fix::Applicability;
use crate::scan::DocKind;
use crate::text::Encoding;
use crate::{Analysis, MAX_FIX_PASSES, analyze, fix_all_within};

/// The error for a special file (FIFO, device, socket) the user asked for by
/// name: it is never read, and the run exits 2.
pub fn special_error(path: String, what: &str) -> FileError {
    let message = if what.starts_with("not ") {
        format!("is {what}; skipped")
    } else {
        format!("is {what}, not a regular file; skipped")
    };
    FileError { path, message }
}

/// Reads all of `file` into the start of `buf`, growing it as needed, and
/// returns the length read. Unlike `read_to_end`, asks the file system for
/// no size (no `statx` and `lseek` per file): a docs tree's files fit the
/// buffer after the first few.
pub fn read_into(mut file: impl Read, buf: &mut Vec<u8>) -> std::io::Result<usize> {
    const START: usize = 64 * 1024;
    if buf.len() < START {
        buf.resize(START, 0);
    }
    let mut filled = 0;
    loop {
        if filled == buf.len() {
            buf.resize(buf.len() * 2, 0);
        }
        match file.read(&mut buf[filled..]) {
            Ok(0) => return Ok(filled),
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

/// Bytes at the start of a file that decide it is binary.
const BINARY_PROBE: usize = 8192;

/// The error for a binary file the user asked for by name (or on standard
/// input): it is not linted, and the run exits 2.
pub fn binary_error(path: String) -> FileError {
    FileError {
        path,
        message: "is a binary file (NUL byte in the first 8 KiB); skipped".into(),
    }
}

/// Which texts a check keeps in [`Checked::text`] (a fixed text is kept
/// always).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeepText {
    No,
    /// Of files with diagnostics, the lines they stand on
    /// ([`Checked::lines`]; a fixed file's whole text): for reports that
    /// show source lines.
    WithDiagnostics,
    /// Of files with links: for references, rename and replacements.
    WithLinks,
}

/// What a check keeps for the reports besides the analysis: which texts,
/// and the unit of the positions' columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Keep {
    pub text: KeepText,
    /// Characters (UTF-32) for the command line; the language server's
    /// negotiated encoding for workspace diagnostics, which then need no
    /// text and no line index of their own.
    pub columns: Encoding,
}

impl From<KeepText> for Keep {
    /// Columns in characters.
    fn from(text: KeepText) -> Keep {
        Keep {
            text,
            columns: Encoding::Utf32,
        }
    }
}

/// Lints (and with `fix`, fixes in memory) one file's bytes.
pub fn check_bytes(
    path: String,
    fs_path: Option<PathBuf>,
    bytes: &[u8],
    kind: DocKind,
    settings: Arc<Effective>,
    fix: Option<Applicability>,
    keep: Keep,
) -> Outcome {
    let probe = &bytes[..bytes.len().min(BINARY_PROBE)];
    if probe.starts_with(&[0xFF, 0xFE]) || probe.starts_with(&[0xFE, 0xFF]) {
        return Outcome::Error(FileError {
            path,
            message: "is UTF-16, not UTF-8; skipped".into(),
        });
    }
    if memchr::memchr(0, probe).is_some() {
        // NUL bytes: not a text file.
        return Outcome::Skipped;
    }
    // SIMD validation first; the standard library's tells where it fails.
    let valid = simdutf8::basic::from_utf8(bytes).map_err(|_| std::str::from_utf8(bytes));
    let text = match valid {
        Ok(text) => text,
        Err(Ok(text)) => text,
        Err(Err(e)) => {
            return Outcome::Error(FileError {
                path,
                message: format!("is not valid UTF-8 (byte {}); skipped", e.valid_up_to()),
            });
        }
    };
    let (bom, text) = match text.strip_prefix('\u{feff}') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let kind = kind.sniffed(&path, text);
    let mut checked = Checked {
        path,
        fs_path,
        kind,
        bom,
        text: String::new(),
        lines: Vec::new(),
        analysis: Analysis::default(),
        places: Vec::new(),
        settings,
        fixed: None,
        servers: Vec::new(),
    };
    // A text without candidates or markers costs `analyze` one search.
    let config = &checked.settings.config;
    let analysis = analyze(text, kind, config);
    let fixable = |a: &Analysis, min| {
        a.diagnostics
            .iter()
            .any(|d| d.fix.as_ref().is_some_and(|f| f.applies(min)))
    };
    if let Some(min) = fix
        && fixable(&analysis, min)
    {
        let limit = max_fix_passes();
        let result = fix_all_within(text, kind, config, min, limit);
        if !result.converged {
            let error = FileError {
                path: checked.path.clone(),
                message: format!(
                    "fixes did not converge after {limit} {}; not fixed \
                     (please report this as a bug)",
                    if limit == 1 { "pass" } else { "passes" }
                ),
            };
            checked.places = place_in(text, &analysis, keep.columns);
            checked.servers = servers_placed(text, &analysis, &checked.settings);
            checked.text = text.to_string();
            checked.analysis = analysis;
            return Outcome::CheckedWithError(checked, error);
        }
        if result.text != text {
            let mut after = analyze(&result.text, kind, config);
            // The original's passwords, wherever the fixes moved them.
            after.secrets = crate::merge_spans(result.secrets, &after.secrets);
            checked.fixed = Some(Fixed {
                original: text.to_string(),
                original_secrets: analysis.secrets,
                applied: result.applied,
            });
            checked.places = place_in(&result.text, &after, keep.columns);
            checked.servers = servers_placed(&result.text, &after, &checked.settings);
            checked.text = result.text;
            checked.analysis = after;
            return Outcome::Checked(checked);
        }
    }
    checked.places = place_in(text, &analysis, keep.columns);
    checked.servers = servers_placed(text, &analysis, &checked.settings);
    match keep.text {
        KeepText::No => {}
        KeepText::WithDiagnostics => {
            checked.lines = kept_lines(text, &checked.places, &checked.servers);
        }
        KeepText::WithLinks => {
            if !analysis.diagnostics.is_empty() || !analysis.links.is_empty() {
                checked.text = text.to_string();
            }
        }
    }
    checked.analysis = analysis;
    Outcome::Checked(checked)
}

/// Test hook, `testing` feature only: a lower bound on fixing passes, to
/// see a file whose fixes do not converge fail loudly.
#[cfg(feature = "testing")]
const MAX_FIX_PASSES_VAR: &str = "TRUECONF_LSP_TEST_MAX_FIX_PASSES";

fn max_fix_passes() -> usize {
    #[cfg(feature = "testing")]
    if let Some(n) = std::env::var(MAX_FIX_PASSES_VAR)
        .ok()
        .and_then(|v| v.parse().ok())
    {
        return n;
    }
    MAX_FIX_PASSES
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_into_reads_whole_files_of_any_size_into_a_reused_buffer() {
        let dir = tempfile::tempdir().unwrap();
        let mut buf = Vec::new();
        // Larger than the buffer twice over, then smaller, then empty: what
        // a previous file left in the buffer never leaks into the next.
        for len in [300_000, 70_000, 5, 0] {
            let bytes: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
            let path = dir.path().join(format!("f{len}"));
            std::fs::write(&path, &bytes).unwrap();
            let n = read_into(std::fs::File::open(&path).unwrap(), &mut buf).unwrap();
            assert_eq!(&buf[..n], &bytes[..]);
        }
    }
}
