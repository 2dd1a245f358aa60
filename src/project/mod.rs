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
//! - [`walk`]: the `.gitignore`-aware parallel walk;
//! - [`online`]: probing the links' servers (`--online`, TC020), the one
//!   place that opens network connections (`std::net`, no tokio).

pub mod checked;
pub mod config;
pub mod online;
pub mod open;
pub mod read;
pub mod settings;
pub mod walk;

pub use settings::{homepage, rule_docs};
