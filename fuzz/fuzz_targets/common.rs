//! Shared helpers of the fuzz targets.

use trueconf_lsp::scan::{DocKind, Lang};

/// The document kinds, picked by the input's first byte.
pub const KINDS: &[DocKind] = &[
    DocKind::Plain,
    DocKind::Markdown,
    DocKind::Html,
    DocKind::Code(Lang::JavaScript),
    DocKind::Code(Lang::Python),
    DocKind::Code(Lang::Java),
    DocKind::Code(Lang::CSharp),
    DocKind::Code(Lang::Go),
    DocKind::Code(Lang::Rust),
    DocKind::Code(Lang::Json),
    DocKind::Code(Lang::Yaml),
    DocKind::Code(Lang::Toml),
    DocKind::Code(Lang::Lua),
    DocKind::Code(Lang::Shell),
];

/// Splits fuzz input into a document kind and a text.
pub fn kind_and_text(data: &[u8]) -> Option<(DocKind, &str)> {
    let (&first, rest) = data.split_first()?;
    let kind = KINDS[first as usize % KINDS.len()];
    let text = std::str::from_utf8(rest).ok()?;
    Some((kind, text))
}
