//! The `online` setting in the editor: TC020 from probes that run in the
//! background and never delay a lint.
//!
//! A document's diagnostics are sent as soon as it is linted, with TC020
//! for the servers whose answer is already known (the in-memory cache of
//! [`Prober`], one day by default). The servers with no answer yet are
//! probed on blocking threads (see [`super::publish::probe_later`]); when
//! they are done, the document is published again (push) or the client is
//! asked to pull again (`workspace/diagnostic/refresh`). Nothing is probed, and no resolver or
//! socket is made, while `online` is off.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use super::convert::{self, Shown};
use super::document::{LintCell, Linted};
use crate::project::config::Effective;
use crate::project::online::{
    self, DEFAULT_CONCURRENCY, DEFAULT_TIMEOUT, Prober, Resolve, SystemResolver, Target,
};

/// The probes of one server process.
#[derive(Default)]
pub struct Online {
    prober: OnceLock<Arc<Prober>>,
    /// Bumped each time probes finish: part of the pull `resultId` of an
    /// online document, so that a pull after new answers is not
    /// "unchanged".
    generation: AtomicU64,
    /// Servers being probed now: asked again meanwhile, they are not
    /// probed twice.
    in_flight: Mutex<HashSet<Target>>,
}

impl std::fmt::Debug for Online {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Online").finish_non_exhaustive()
    }
}

/// Test hook (`testing` builds): names answered from a table
/// ([`online::TableResolver::parse`]) instead of the system's resolver.
#[cfg(feature = "testing")]
pub const TEST_RESOLVER_ENV: &str = "TRUECONF_LSP_TEST_RESOLVER";

fn resolver() -> Arc<dyn Resolve> {
    #[cfg(feature = "testing")]
    if let Ok(table) = std::env::var(TEST_RESOLVER_ENV)
        && let Ok(r) = online::TableResolver::parse(&table)
    {
        return Arc::new(r);
    }
    Arc::new(SystemResolver)
}

impl Online {
    /// The prober, made on first use.
    pub fn prober(&self) -> Arc<Prober> {
        self.prober
            .get_or_init(|| {
                Arc::new(Prober::new(
                    resolver(),
                    DEFAULT_TIMEOUT,
                    DEFAULT_CONCURRENCY,
                ))
            })
            .clone()
    }

    /// The pull `resultId` of a cell.
    pub fn result_id(&self, cell: &LintCell) -> String {
        if cell.config.online {
            format!("{}.{}", cell.id, self.generation.load(Ordering::Relaxed))
        } else {
            cell.id.to_string()
        }
    }

    /// The diagnostics of `linted` with TC020 for the servers already known
    /// not to answer, and the servers with no answer yet. Without TC020s,
    /// `linted`'s own list, not a copy.
    pub fn diagnostics(
        &self,
        linted: &Linted,
        config: &Effective,
    ) -> (Arc<Vec<Arc<Shown>>>, Vec<Target>) {
        if !config.online || linted.too_large || linted.cancelled {
            return (linted.diagnostics.clone(), Vec::new());
        }
        let servers = online::servers(&linted.text, &linted.analysis.links, &|h| !config.probes(h));
        if servers.is_empty() {
            return (linted.diagnostics.clone(), Vec::new());
        }
        let mut unreachable = Vec::new();
        let prober = self.prober();
        let lines = linted.lines();
        let mut missing = Vec::new();
        for s in servers {
            match prober.cached(&s.target) {
                Some(a) if !a.ok => {
                    let mut d =
                        crate::rules::unreachable(s.span, s.what, &s.target.to_string(), &a.reason);
                    if let Some(sev) = config.config.severity_override(d.rule) {
                        d.severity = sev;
                    }
                    let d = convert::diagnostic(&d, &lines, config.docs_url.as_deref());
                    unreachable.push(Shown::new(d));
                }
                Some(_) => {}
                None => {
                    if !missing.contains(&s.target) {
                        missing.push(s.target);
                    }
                }
            }
        }
        if unreachable.is_empty() {
            return (linted.diagnostics.clone(), missing);
        }
        let all = linted.diagnostics.iter().cloned().chain(unreachable);
        (Arc::new(all.collect()), missing)
    }

    /// Of `missing`, the servers not being probed already, now marked as
    /// being probed.
    pub fn claim(&self, missing: Vec<Target>) -> Vec<Target> {
        let mut in_flight = self
            .in_flight
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        missing
            .into_iter()
            .filter(|t| in_flight.insert(t.clone()))
            .collect()
    }

    /// `targets` have answers now: they are no longer being probed, and the
    /// generation of answers moves on.
    pub fn release(&self, targets: &[Target]) {
        let mut in_flight = self
            .in_flight
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        for t in targets {
            in_flight.remove(t);
        }
        self.generation.fetch_add(1, Ordering::Relaxed);
    }
}
