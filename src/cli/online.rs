//! `--check --online`: probes the servers the checked files name (through
//! [`crate::project::online`]) and merges the answers as TC020 findings,
//! with a progress bar on a terminal.

use std::collections::BTreeSet;
use std::io::{self, IsTerminal, Write};
use std::sync::{Arc, mpsc};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::args::Args;
use crate::project::checked::Checked;
use crate::project::online::{Prober, Resolve, SystemResolver, Target};

/// After this long, a run still probing shows a progress bar (on a
/// terminal only).
const QUIET_FOR: Duration = Duration::from_millis(500);

fn resolver(args: &Args) -> io::Result<Arc<dyn Resolve>> {
    #[cfg(feature = "testing")]
    if let Some(table) = &args.online_test_resolver {
        let table = crate::project::online::TableResolver::parse(table)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
        return Ok(Arc::new(table));
    }
    let _ = args;
    Ok(Arc::new(SystemResolver))
}

/// Probes every distinct server of `files` once (fresh answers of the
/// cache file reused), adds TC020 findings, and saves the cache file.
pub fn probe_files(args: &Args, files: &mut [Checked], err: &mut dyn Write) -> io::Result<()> {
    let prober = Prober::new(
        resolver(args)?,
        Duration::from_secs_f64(args.online_timeout),
        usize::from(args.online_concurrency),
    )
    .with_ttl(Duration::from_secs(args.online_cache_ttl));
    if let Some(path) = &args.online_cache
        && let Err(e) = prober.load(path)
    {
        writeln!(
            err,
            "warning: {}",
            crate::text::escape_for_terminal(&format!(
                "--online-cache {e}; starting with an empty cache"
            ))
        )?;
    }
    let targets: Vec<Target> = files
        .iter()
        .flat_map(|f| f.servers.iter().map(|(s, _)| s.target.clone()))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
    if let Ok(style) =
        ProgressStyle::with_template("probing servers {bar:30} {pos}/{len} {elapsed}")
    {
        bar.set_style(style);
    }
    let (finished, wait) = mpsc::channel::<()>();
    let answers = std::thread::scope(|s| {
        // On a terminal, the bar appears once probing has taken a moment.
        if io::stderr().is_terminal() {
            let bar = &bar;
            s.spawn(move || {
                if wait.recv_timeout(QUIET_FOR).is_err() {
                    bar.set_draw_target(ProgressDrawTarget::stderr());
                    bar.enable_steady_tick(Duration::from_millis(200));
                }
            });
        }
        let answers = prober.probe_all(&targets, &|done, total| {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        });
        drop(finished);
        answers
    });
    bar.finish_and_clear();
    for f in files.iter_mut() {
        f.merge_unreachable(&answers);
    }
    if let Some(path) = &args.online_cache
        && let Err(e) = prober.save(path)
    {
        writeln!(
            err,
            "warning: {}",
            crate::text::escape_for_terminal(&format!("--online-cache {}: {e}", path.display()))
        )?;
    }
    Ok(())
}
