//! `--replace-server OLD=NEW`: moves every link from one server to another,
//! in `@server` and `h=` alike, with the same walk, atomic writes and
//! `--diff` as `--fix`.
//!
//! The host matches without regard to case; a port in `OLD` matches only
//! links written with that port; a port in `NEW` replaces the link's port,
//! otherwise the link keeps its own. Only the host (and port) bytes of each
//! link change: the rest of every file stays byte for byte as it was.

use std::collections::HashMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::args::Args;
use super::sink::{Sink, report_file};
use super::status::Status;
use super::{diff, fix_files, format};
use crate::project::checked::FileError;
use crate::project::config::Resolver;
use crate::project::read::KeepText;
use crate::project::walk::{self, WalkOptions, Walked};
use crate::symbols::{self, SymbolKind, split_port, valid_server};
use crate::text::{Span, escape_for_terminal, path_for_terminal};

/// A parsed `OLD=NEW`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Replacement {
    /// The old host, lowercased.
    pub old_host: String,
    /// Match only links with this port.
    pub old_port: Option<String>,
    /// The new host, with a port when it replaces the link's.
    pub new: String,
}

impl Replacement {
    pub fn parse(spec: &str) -> Result<Replacement, String> {
        let Some((old, new)) = spec.split_once('=') else {
            return Err(format!(
                "--replace-server wants OLD=NEW (e.g. old.example.com=video.example.com), got {}",
                escape_for_terminal(spec)
            ));
        };
        for (what, v) in [("OLD", old), ("NEW", new)] {
            if !valid_server(v) {
                return Err(format!(
                    "--replace-server: {what} is not a host name or address \
                     (with an optional :port): {}",
                    escape_for_terminal(v)
                ));
            }
        }
        let (host_len, port) = split_port(old);
        Ok(Replacement {
            old_host: old[..host_len].to_ascii_lowercase(),
            old_port: port.map(|p| old[p + 1..].to_string()),
            new: new.to_string(),
        })
    }

    /// The edits this replacement makes in `text`, whose links are `links`.
    pub fn edits(&self, text: &str, links: &[crate::scan::RawLink]) -> Vec<(Span, String)> {
        let syms = symbols::symbols(text, links);
        let matching: Vec<_> = syms
            .into_iter()
            .filter(|s| s.kind == SymbolKind::Server && s.name == self.old_host)
            .filter(|s| {
                self.old_port
                    .as_ref()
                    .is_none_or(|p| s.port_number.as_ref() == Some(p))
            })
            .collect();
        symbols::rename_edits(&matching, SymbolKind::Server, &self.old_host, &self.new)
    }
}

/// Applies sorted, disjoint edits to `text`.
pub fn apply(text: &str, edits: &[(Span, String)]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (span, new) in edits {
        out.push_str(&text[at..span.start]);
        out.push_str(new);
        at = span.end;
    }
    out.push_str(&text[at..]);
    out
}

/// Where each of the sorted `spans` lands after the edits (which never
/// touch them: a replaced host holds no password).
fn moved(spans: &[Span], edits: &[(Span, String)]) -> Vec<Span> {
    spans
        .iter()
        .map(|s| {
            let delta: isize = edits
                .iter()
                .take_while(|(e, _)| e.end <= s.start)
                .map(|(e, new)| new.len() as isize - e.len() as isize)
                .sum();
            Span::new(
                s.start.saturating_add_signed(delta),
                s.end.saturating_add_signed(delta),
            )
        })
        .collect()
}

pub fn run(
    args: &Args,
    spec: &str,
    resolver: &Resolver,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<Status> {
    let replacement = match Replacement::parse(spec) {
        Ok(r) => r,
        Err(e) => {
            writeln!(
                err,
                "error: {}",
                crate::text::escape_for_terminal(&e.to_string())
            )?;
            return Ok(Status::Error);
        }
    };
    if args.paths.len() == 1 && args.paths[0].as_os_str() == "-" {
        writeln!(
            err,
            "error: --replace-server works on files and folders, not standard input"
        )?;
        return Ok(Status::Error);
    }
    let (roots, strip_dot) = if args.paths.is_empty() {
        (vec![PathBuf::from(".")], true)
    } else {
        (args.paths.clone(), false)
    };
    let opts = WalkOptions {
        no_ignore: args.no_ignore,
        hidden: args.hidden,
        threads: args
            .threads
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())),
        fix: None,
        keep_text: KeepText::WithLinks,
        force_exclude: args.force_exclude,
        max_bytes: None,
        report: report_file(args),
        columns: crate::text::Encoding::Utf32,
    };
    let Walked {
        checked: files,
        mut errors,
        config_errors,
        ..
    } = walk::walk(&roots, strip_dot, &opts, resolver);
    if !config_errors.is_empty() {
        for e in &config_errors {
            writeln!(
                err,
                "error: {}",
                crate::text::escape_for_terminal(&e.to_string())
            )?;
        }
        return Ok(Status::Error);
    }
    let inside = (!args.follow_links).then(|| fix_files::checked_roots(&args.paths));
    let mut sink = Sink::open(args, out)?;
    let w = sink.writer();
    let (mut replaced, mut changed) = (0, 0);
    // A file reached twice (through a symbolic link) is written once.
    let mut done: HashMap<PathBuf, ()> = HashMap::new();
    for f in &files {
        if f.analysis.links.is_empty() {
            continue;
        }
        let edits = replacement.edits(&f.text, &f.analysis.links);
        if edits.is_empty() {
            continue;
        }
        let new = apply(&f.text, &edits);
        if args.diff {
            let secrets = moved(&f.analysis.secrets, &edits);
            if let Some(d) = diff::unified(&f.path, &f.text, &new, &f.analysis.secrets, &secrets) {
                w.write_all(d.as_bytes())?;
            }
        } else if let Some(path) = &f.fs_path {
            let target = std::fs::canonicalize(path).unwrap_or_else(|_| path.clone());
            if fix_files::leaves_tree(path, &target, inside.as_deref()) {
                errors.push(FileError {
                    path: f.path.clone(),
                    message: "is a symbolic link to a file outside the checked paths; \
                              not changed (use --follow-links to change it)"
                        .into(),
                });
                continue;
            }
            if done.insert(target, ()).is_some() {
                continue;
            }
            let bom: &[u8] = if f.bom { "\u{feff}".as_bytes() } else { b"" };
            let original = [bom, f.text.as_bytes()].concat();
            let written = [bom, new.as_bytes()].concat();
            if let Err(message) = write_one(path, &original, &written) {
                errors.push(FileError {
                    path: f.path.clone(),
                    message,
                });
                continue;
            }
            writeln!(
                w,
                "{}: {}",
                path_for_terminal(&f.path),
                format::plural(edits.len(), "server replaced", "servers replaced")
            )?;
        }
        replaced += edits.len();
        changed += 1;
    }
    sink.finish()?;
    errors.sort_by(|a, b| a.path.cmp(&b.path));
    for e in &errors {
        if e.path.is_empty() {
            writeln!(
                err,
                "error: {}",
                crate::text::escape_for_terminal(&e.message.to_string())
            )?;
        } else {
            let message = crate::text::escape_for_terminal(&e.message);
            writeln!(err, "error: {} {message}", path_for_terminal(&e.path))?;
        }
    }
    let (servers, in_files) = (
        format::plural(replaced, "server", "servers"),
        format::plural(changed, "file", "files"),
    );
    if args.diff {
        if changed > 0 {
            writeln!(err, "Would replace {servers} in {in_files}.")?;
        } else {
            writeln!(err, "No links to {} found.", replacement.describe_old())?;
        }
    } else if changed > 0 {
        writeln!(err, "Replaced {servers} in {in_files}.")?;
    } else {
        writeln!(err, "No links to {} found.", replacement.describe_old())?;
    }
    Ok(if !errors.is_empty() {
        Status::Error
    } else if args.diff && changed > 0 && !args.exit_zero {
        Status::Failure
    } else {
        Status::Success
    })
}

impl Replacement {
    fn describe_old(&self) -> String {
        match &self.old_port {
            Some(p) => format!("{}:{p}", self.old_host),
            None => self.old_host.clone(),
        }
    }
}

fn write_one(path: &Path, original: &[u8], new: &[u8]) -> Result<(), String> {
    fix_files::write_atomically(path, original, new)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::{DocKind, scan};

    fn replace(spec: &str, text: &str, kind: DocKind) -> String {
        let r = Replacement::parse(spec).unwrap();
        let links = scan(text, kind);
        apply(text, &r.edits(text, &links))
    }

    #[test]
    fn hosts_match_without_case_and_ports_stay() {
        assert_eq!(
            replace(
                "old.example=new.example",
                "trueconf:bob@OLD.example:4310 and trueconf:\\c\\7@old.example&h=old.example&login=x",
                DocKind::Plain
            ),
            "trueconf:bob@new.example:4310 and trueconf:\\c\\7@new.example&h=new.example&login=x"
        );
    }

    #[test]
    fn ports_in_old_and_new() {
        let text = "trueconf:a@old.example:4310 trueconf:b@old.example";
        assert_eq!(
            replace("old.example:4310=new.example", text, DocKind::Plain),
            "trueconf:a@new.example:4310 trueconf:b@old.example"
        );
        assert_eq!(
            replace("old.example=new.example:443", text, DocKind::Plain),
            "trueconf:a@new.example:443 trueconf:b@new.example:443"
        );
    }

    #[test]
    fn html_references_and_other_servers_stay() {
        let text = r#"<a href="trueconf:bob@old.example&amp;h=other.example">old.example</a>"#;
        assert_eq!(
            replace("old.example=new.example", text, DocKind::Html),
            r#"<a href="trueconf:bob@new.example&amp;h=other.example">old.example</a>"#
        );
    }

    #[test]
    fn bad_specs() {
        assert!(Replacement::parse("old.example").is_err());
        assert!(Replacement::parse("old.example=new example").is_err());
        assert!(Replacement::parse("=new.example").is_err());
        assert!(Replacement::parse("old.example=new.example\u{1b}[2J").is_err());
    }

    #[test]
    fn secrets_move_with_the_edits() {
        let edits = vec![(Span::new(2, 4), "long".to_string())];
        assert_eq!(moved(&[Span::new(6, 8)], &edits), vec![Span::new(8, 10)]);
        assert_eq!(moved(&[Span::new(0, 1)], &edits), vec![Span::new(0, 1)]);
    }
}
