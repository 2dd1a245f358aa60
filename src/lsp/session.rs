//! What the server knows of its client and of the protocol's progress.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};

use tower_lsp_server::ls_types as lsp;

use super::capabilities::ClientCapabilities;

/// What `initialize` learned about the client, and the workspace folders
/// as they change.
#[derive(Clone, Debug, Default)]
pub struct Session {
    pub client: ClientCapabilities,
    pub roots: Vec<PathBuf>,
}

impl Session {
    pub fn new(params: &lsp::InitializeParams) -> Self {
        Session {
            client: ClientCapabilities::new(&params.capabilities),
            roots: roots_of(params),
        }
    }
}

/// The workspace folders, else the deprecated root URI.
fn roots_of(params: &lsp::InitializeParams) -> Vec<PathBuf> {
    let mut roots: Vec<PathBuf> = params
        .workspace_folders
        .iter()
        .flatten()
        .filter_map(|f| f.uri.to_file_path().map(|p| p.into_owned()))
        .collect();
    #[allow(deprecated)]
    if roots.is_empty()
        && let Some(uri) = &params.root_uri
        && let Some(p) = uri.to_file_path()
    {
        roots.push(p.into_owned());
    }
    roots
}

/// Protocol lifecycle, as the ordered service sees it on the wire.
#[derive(Debug, Default)]
pub struct Lifecycle {
    pub initialized: AtomicBool,
    pub shutdown: AtomicBool,
    pub exited: AtomicBool,
}

impl Lifecycle {
    /// The process exit code: 0 after `shutdown`, 1 without.
    pub fn exit_code(&self) -> i32 {
        if self.shutdown.load(Ordering::SeqCst) {
            0
        } else {
            1
        }
    }
}
