//! Test hooks, compiled only with the `testing` cargo feature (which the
//! crate's tests turn on through its dev-dependency on itself): release
//! builds have none of this.
//!
//! - [`PANIC_MARKER`]: with [`Options::test_hooks`], a lint of a text that
//!   holds it panics;
//! - `trueconf-lsp/debug…` requests (see `server.rs`);
//! - [`Delays`]: with [`Options::test_delays`], pauses at the await points
//!   of handlers, lint tasks and the publisher;
//! - [`TEST_HOOKS_ENV`], read by [`from_env`], turns these on in the binary.
//!
//! [`Options::test_hooks`]: super::Options::test_hooks
//! [`Options::test_delays`]: super::Options::test_delays

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use super::options::Options;

/// With the test hooks on, linting a text that holds this panics.
pub const PANIC_MARKER: &str = "trueconf-lsp-test-hook:panic-in-lint";

/// A comma-separated list: `1` turns on [`Options::test_hooks`], so tests
/// can inject panics into the real binary; `delays` turns on
/// [`Options::test_delays`].
pub const TEST_HOOKS_ENV: &str = "TRUECONF_LSP_TEST_HOOKS";

/// Turns on the hooks [`TEST_HOOKS_ENV`] names.
pub fn from_env(options: &mut Options) {
    if let Ok(v) = std::env::var(TEST_HOOKS_ENV) {
        for word in v.split(',').map(str::trim) {
            match word {
                "1" => options.test_hooks = true,
                "delays" => options.test_delays = true,
                _ => tracing::warn!("{TEST_HOOKS_ENV}: unknown hook {word:?}; ignored"),
            }
        }
    }
}

/// Counts pauses, to vary them.
#[derive(Debug, Default)]
pub struct Delays(AtomicU64);

impl Delays {
    /// With `on`, pauses a little: nothing, one yield, several yields, or
    /// a sleep of 1 or 2 ms, in turn by a hashed counter. Otherwise
    /// returns at once.
    pub async fn pause(&self, on: bool) {
        if !on {
            return;
        }
        let n = self
            .0
            .fetch_add(1, Ordering::Relaxed)
            .wrapping_mul(0x9e37_79b9_7f4a_7c15)
            >> 58;
        match n % 5 {
            0 => {}
            1 => tokio::task::yield_now().await,
            2 => {
                for _ in 0..4 {
                    tokio::task::yield_now().await;
                }
            }
            k => tokio::time::sleep(Duration::from_millis(k - 2)).await,
        }
    }
}
