//! The project layer, between the core and the two shells (`cli`, `lsp`):
//! the user's settings, the configuration files and how they are resolved
//! for each file, the walk over a tree, and reading and checking a file's
//! bytes. Both shells use it; it uses neither, and imports no tokio, tower,
//! ropey or clap (it is where `std::fs` is allowed).
//!
//! - [`settings`]: the settings keys (their one spelling, aliases included)
//!   and their validation into a [`crate::rules::Config`];
//! - [`config`]: configuration files: one loader, strict for `--check` and
//!   lenient for the editor, and the per-folder [`config::Resolver`] that
//!   gives each file its [`config::Effective`] settings;
//! - [`checked`]: a linted file and where its diagnostics stand;
//! - [`open`]: opening a file without blocking on a FIFO, and telling
//!   special files from regular ones;
//! - [`read`]: reading a file and checking its bytes (binary, UTF-16,
//!   UTF-8);
//! - [`walk`]: the `.gitignore`-aware parallel walk.

pub mod checked;
pub mod config;
pub mod open;
pub mod read;
pub mod settings;
pub mod walk;

/// The project's documentation address, from Cargo.toml's `homepage` or
/// `repository`; `None` while neither is set. Reports and the language
/// server link to rule documentation only through this, never to an
/// invented address.
pub fn homepage() -> Option<&'static str> {
    [env!("CARGO_PKG_HOMEPAGE"), env!("CARGO_PKG_REPOSITORY")]
        .into_iter()
        .find(|s| !s.is_empty())
}
