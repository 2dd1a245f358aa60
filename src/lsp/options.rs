//! The knobs of a server instance, set by whoever starts it.

use std::time::Duration;

/// Knobs of a server instance.
#[derive(Clone, Debug)]
pub struct Options {
    /// Documents longer than this many bytes are not linted; they get one
    /// "document too large" diagnostic. The `max-document-bytes` setting,
    /// when given, overrides it.
    pub max_document_bytes: usize,
    /// At most this many diagnostics per document, plus one summary.
    pub max_diagnostics: usize,
    /// How long to wait for the client to answer a server-to-client request.
    pub client_request_timeout: Duration,
    /// Test hooks: `trueconf-lsp/debugText`, `trueconf-lsp/debugPanic…`,
    /// and a lint that panics on [`super::testing::PANIC_MARKER`].
    #[cfg(feature = "testing")]
    pub test_hooks: bool,
    /// Test hook: request handlers, lint tasks and the publisher pause at
    /// their await points (a yield, a few yields or a sleep of up to 2 ms,
    /// chosen by a counter), to shake out any dependence on timing.
    #[cfg(feature = "testing")]
    pub test_delays: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            max_document_bytes: 16 * 1024 * 1024,
            max_diagnostics: 1000,
            client_request_timeout: Duration::from_secs(5),
            #[cfg(feature = "testing")]
            test_hooks: false,
            #[cfg(feature = "testing")]
            test_delays: false,
        }
    }
}
