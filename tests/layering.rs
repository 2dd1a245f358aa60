//! The layering of `src/`, checked as an ordinary test (rust-analyzer's
//! tidy test is the model): the invariants the architecture section of
//! `src/lib.rs` states are read off the code, not trusted.
//!
//! - Top-level modules form no cycle, and every import points down the
//!   layers: `text ← {scan, uri, fix} ← rules ← suppress ← describe/lib ←
//!   project ← {cli, lsp}`.
//! - `cli` and `lsp` never import each other.
//! - The core imports no tokio, tower, ropey, clap, `std::fs` or `std::net` sockets (its address types only parse);
//!   the project layer imports no tokio, tower, ropey or clap; ropey lives
//!   in one file.
//! - The files of one folder import each other without a cycle.
//!
//! Imports are read from `use crate::…`, `use super::…` and inline
//! `crate::…` paths, outside comments and `#[cfg(test)]` modules (a unit
//! test may reach anywhere).

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// Layers, lowest first. A module may import modules of its own layer or a
/// lower one (cycles inside a layer are caught separately).
const LAYERS: &[&[&str]] = &[
    &["text"],
    &["scan", "uri", "fix"],
    &["rules"],
    &["suppress"],
    &["describe", "symbols", "lib", "incremental"],
    &["project"],
    &["cli", "lsp"],
    &["main"],
];

/// Modules that are not part of the shipped program's layering.
const TEST_ONLY: &[&str] = &["test_rng"];

/// The core: pure functions over text.
const CORE: &[&str] = &[
    "text",
    "scan",
    "uri",
    "fix",
    "rules",
    "suppress",
    "describe",
    "symbols",
    "lib",
    "incremental",
];

const ASYNC_AND_UI_CRATES: &[&str] = &[
    "tokio",
    "tower",
    "tower_lsp_server",
    "tower_service",
    "ropey",
    "clap",
];

/// One source file: its module path and its code with comments and test
/// modules blanked out.
struct Source {
    rel: String,
    module: Vec<String>,
    code: String,
}

fn module_path(rel: &Path) -> Vec<String> {
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let last = parts.pop().unwrap();
    let stem = last.trim_end_matches(".rs");
    match stem {
        "mod" => {}
        "lib" if parts.is_empty() => parts.push("lib".into()),
        "main" if parts.is_empty() => parts.push("main".into()),
        _ => parts.push(stem.to_string()),
    }
    parts
}

/// Blanks comments (line, block, doc), string and char literals' contents
/// are kept, since `crate::` in a string is rare and harmless to count.
fn strip_comments(src: &str) -> String {
    let b = src.as_bytes();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    let mut in_str = false;
    while i < b.len() {
        if in_str {
            if b[i] == b'\\' && i + 1 < b.len() {
                out.push_str("  ");
                i += 2;
                continue;
            }
            if b[i] == b'"' {
                in_str = false;
            }
            out.push(if b[i] == b'\n' { '\n' } else { ' ' });
            i += 1;
            continue;
        }
        if b[i] == b'"' && (i == 0 || b[i - 1] != b'\'') {
            in_str = true;
            out.push(' ');
            i += 1;
            continue;
        }
        if b[i..].starts_with(b"//") {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
            continue;
        }
        if b[i..].starts_with(b"/*") {
            let mut depth = 0;
            while i < b.len() {
                if b[i..].starts_with(b"/*") {
                    depth += 1;
                    i += 2;
                } else if b[i..].starts_with(b"*/") {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    if b[i] == b'\n' {
                        out.push('\n');
                    }
                    i += 1;
                }
            }
            continue;
        }
        // Copy one whole character.
        let ch = src[i..].chars().next().unwrap();
        out.push(ch);
        i += ch.len_utf8();
    }
    out
}

/// Removes `#[cfg(test)]` items (a module or a single item) by brace
/// matching; comments must be stripped first.
fn strip_test_items(code: &str) -> String {
    let mut out = String::with_capacity(code.len());
    let mut rest = code;
    while let Some(at) = rest.find("#[cfg(test)]") {
        out.push_str(&rest[..at]);
        let after = &rest[at..];
        // The item ends at its matching `}` or at a `;` before any `{`.
        let bytes = after.as_bytes();
        let mut depth = 0usize;
        let mut end = after.len();
        for (k, &c) in bytes.iter().enumerate() {
            match c {
                b'{' => depth += 1,
                b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = k + 1;
                        break;
                    }
                }
                b';' if depth == 0 => {
                    end = k + 1;
                    break;
                }
                _ => {}
            }
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

fn read_sources(root: &Path) -> Vec<Source> {
    fn walk(dir: &Path, root: &Path, out: &mut Vec<Source>) {
        let mut entries: Vec<PathBuf> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(&path, root, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let rel = path.strip_prefix(root).unwrap();
                let text = fs::read_to_string(&path).unwrap();
                out.push(Source {
                    rel: rel.to_string_lossy().into_owned(),
                    module: module_path(rel),
                    code: strip_test_items(&strip_comments(&text)),
                });
            }
        }
    }
    let mut out = Vec::new();
    walk(root, root, &mut out);
    out
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Every path that starts with `crate::` or `super::` in `code`, with
/// `use` groups (`use crate::{a, b::c}`) expanded one level, as segment
/// lists resolved to absolute module paths (`super` against `module`).
fn imported_paths(code: &str, module: &[String]) -> Vec<Vec<String>> {
    let mut paths = Vec::new();
    let mut search = 0;
    while let Some(found) = find_path_start(code, search) {
        let (start, prefix) = found;
        search = start + prefix.len();
        // Read segments.
        let mut segs: Vec<String> = Vec::new();
        // `super` is the parent of the file's module: `a` from `a/b.rs`,
        // the crate root from `a/mod.rs` or a top-level file.
        let mut base: Vec<String> = match prefix {
            "crate" => Vec::new(),
            _ => module[..module.len().saturating_sub(1)].to_vec(),
        };
        let mut i = start + prefix.len();
        loop {
            // Expect "::"
            if code[i..].starts_with("::") {
                i += 2;
            } else {
                break;
            }
            if code[i..].starts_with('{') {
                // A group: take each member's first segment.
                let close = matching_brace(code, i);
                for member in split_top_level(&code[i + 1..close]) {
                    let member = member.trim();
                    let first: String = member.chars().take_while(|&c| is_ident(c)).collect();
                    if first.is_empty() || first == "self" {
                        if first == "self" {
                            let mut p = base.clone();
                            p.extend(segs.iter().cloned());
                            paths.push(p);
                        }
                        continue;
                    }
                    let mut p = base.clone();
                    p.extend(segs.iter().cloned());
                    p.push(first.clone());
                    // Second segment when the member is a path (`b::c`).
                    let after = &member[first.len()..];
                    if let Some(stripped) = after.strip_prefix("::") {
                        let second: String =
                            stripped.chars().take_while(|&c| is_ident(c)).collect();
                        if !second.is_empty() {
                            p.push(second);
                        }
                    }
                    paths.push(p);
                }
                segs.clear();
                break;
            }
            let seg: String = code[i..].chars().take_while(|&c| is_ident(c)).collect();
            if seg.is_empty() {
                break;
            }
            i += seg.len();
            if seg == "super" {
                base.pop();
                continue;
            }
            segs.push(seg);
        }
        if !segs.is_empty() {
            let mut p = base;
            p.extend(segs);
            paths.push(p);
        }
    }
    paths
}

fn find_path_start(code: &str, from: usize) -> Option<(usize, &'static str)> {
    let mut best: Option<(usize, &'static str)> = None;
    for prefix in ["crate", "super"] {
        let mut k = from;
        while let Some(at) = code[k..].find(prefix) {
            let pos = k + at;
            let before_ok = pos == 0 || !code[..pos].chars().next_back().is_some_and(is_ident);
            let after = &code[pos + prefix.len()..];
            if before_ok && after.starts_with("::") {
                if best.is_none_or(|(b, _)| pos < b) {
                    best = Some((pos, prefix));
                }
                break;
            }
            k = pos + prefix.len();
        }
    }
    best
}

fn matching_brace(code: &str, open: usize) -> usize {
    let mut depth = 0;
    for (k, c) in code[open..].char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return open + k;
                }
            }
            _ => {}
        }
    }
    code.len()
}

fn split_top_level(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0;
    let mut start = 0;
    for (k, c) in s.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                out.push(&s[start..k]);
                start = k + 1;
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}

/// The layering graph of a source tree.
struct Graph {
    /// Top-level module → top-level modules it imports, with one example
    /// file each.
    top: BTreeMap<String, BTreeMap<String, String>>,
    /// Folder → file (module leaf) → sibling files it imports.
    files: BTreeMap<String, BTreeMap<String, BTreeSet<String>>>,
    /// Files that name a crate or `std::fs`: (file, what).
    externs: Vec<(String, String, String)>,
}

fn top_of(module: &[String]) -> String {
    module.first().cloned().unwrap_or_else(|| "lib".into())
}

fn build(sources: &[Source]) -> Graph {
    // Known modules, to tell a module segment from an item name.
    let modules: BTreeSet<Vec<String>> = sources.iter().map(|s| s.module.clone()).collect();
    let mut top: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let mut files: BTreeMap<String, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    let mut externs = Vec::new();
    for s in sources {
        let from_top = top_of(&s.module);
        top.entry(from_top.clone()).or_default();
        let is_mod_rs = s.rel.ends_with("mod.rs") || s.rel == "lib.rs" || s.rel == "main.rs";
        for path in imported_paths(&s.code, &s.module) {
            // The longest prefix of the path that is a module.
            let mut target: Vec<String> = Vec::new();
            for k in (1..=path.len()).rev() {
                if modules.contains(&path[..k]) {
                    target = path[..k].to_vec();
                    break;
                }
            }
            let to_top = if target.is_empty() {
                "lib".to_string()
            } else {
                top_of(&target)
            };
            if to_top != from_top {
                top.entry(from_top.clone())
                    .or_default()
                    .entry(to_top.clone())
                    .or_insert_with(|| s.rel.clone());
            }
            // File-level edges between siblings of one folder.
            let folder = &s.module[..s.module.len().saturating_sub(if is_mod_rs { 0 } else { 1 })];
            if !target.is_empty()
                && target.len() >= folder.len()
                && target[..folder.len()] == *folder
            {
                let own = if is_mod_rs {
                    "mod".to_string()
                } else {
                    s.module.last().unwrap().clone()
                };
                let other = if target.len() == folder.len() {
                    "mod".to_string()
                } else {
                    target[folder.len()].clone()
                };
                if other != own && !folder.is_empty() {
                    files
                        .entry(folder.join("::"))
                        .or_default()
                        .entry(own)
                        .or_default()
                        .insert(other);
                }
            }
        }
        // A folder's `mod.rs` reaches its children by their bare names
        // (`registry::Rule`, `mod x;` then `x::check`).
        if is_mod_rs && s.module.first().is_some_and(|m| m != "lib" && m != "main") {
            let folder = s.module.join("::");
            for child in declared_children(&s.code) {
                if mentions_crate(&s.code, &child) {
                    files
                        .entry(folder.clone())
                        .or_default()
                        .entry("mod".into())
                        .or_default()
                        .insert(child);
                }
            }
        }
        for krate in ASYNC_AND_UI_CRATES {
            if mentions_crate(&s.code, krate) {
                externs.push((s.rel.clone(), from_top.clone(), (*krate).to_string()));
            }
        }
        if s.code.contains("std::fs") || mentions_crate(&s.code, "fs") {
            externs.push((s.rel.clone(), from_top.clone(), "std::fs".into()));
        }
        if uses_sockets(&s.code) {
            externs.push((s.rel.clone(), from_top.clone(), "std::net".into()));
        }
    }
    Graph {
        top,
        files,
        externs,
    }
}

/// Does `code` use `std::net` for anything but its address types
/// (`Ipv4Addr`, `Ipv6Addr`, `IpAddr`, `SocketAddr*`, `AddrParseError`), which
/// only parse and print addresses? Sockets and name resolution
/// (`TcpStream`, `ToSocketAddrs`, …) are I/O.
fn uses_sockets(code: &str) -> bool {
    const PURE: &[&str] = &[
        "Ipv4Addr",
        "Ipv6Addr",
        "IpAddr",
        "SocketAddr",
        "SocketAddrV4",
        "SocketAddrV6",
        "AddrParseError",
    ];
    if mentions_crate(code, "net") {
        return true;
    }
    code.match_indices("std::net").any(|(at, m)| {
        let rest = &code[at + m.len()..];
        let Some(rest) = rest.strip_prefix("::") else {
            // `use std::net;` and the like: the whole module.
            return true;
        };
        let names: Vec<&str> = match rest.strip_prefix('{') {
            Some(list) => list
                .split('}')
                .next()
                .unwrap_or("")
                .split(',')
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .collect(),
            None => vec![
                rest.split(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .next()
                    .unwrap_or(""),
            ],
        };
        names.iter().any(|n| !PURE.contains(n))
    })
}

/// The modules a file declares with `mod NAME;` (any visibility).
fn declared_children(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in code.lines() {
        let line = line.trim();
        let rest = line
            .strip_prefix("pub(crate) mod ")
            .or_else(|| line.strip_prefix("pub mod "))
            .or_else(|| line.strip_prefix("mod "));
        if let Some(rest) = rest
            && let Some(name) = rest.strip_suffix(';')
        {
            out.push(name.trim().to_string());
        }
    }
    out
}

fn mentions_crate(code: &str, krate: &str) -> bool {
    let mut k = 0;
    while let Some(at) = code[k..].find(krate) {
        let pos = k + at;
        let before_ok = pos == 0
            || !code[..pos]
                .chars()
                .next_back()
                .is_some_and(|c| is_ident(c) || c == ':');
        let after = &code[pos + krate.len()..];
        if before_ok && (after.starts_with("::") || after.starts_with(';')) {
            return true;
        }
        k = pos + krate.len();
    }
    false
}

/// A cycle in `graph`, as the list of nodes on it, if there is one.
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        n: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(n.to_string(), 1);
        stack.push(n.to_string());
        for m in graph.get(n).into_iter().flatten() {
            match state.get(m.as_str()).copied().unwrap_or(0) {
                1 => {
                    let at = stack.iter().position(|x| x == m).unwrap();
                    let mut cycle = stack[at..].to_vec();
                    cycle.push(m.clone());
                    return Some(cycle);
                }
                0 => {
                    if let Some(c) = visit(m, graph, state, stack) {
                        return Some(c);
                    }
                }
                _ => {}
            }
        }
        stack.pop();
        state.insert(n.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for n in graph.keys() {
        if state.get(n.as_str()).copied().unwrap_or(0) == 0 {
            let mut stack = Vec::new();
            if let Some(c) = visit(n, graph, &mut state, &mut stack) {
                return Some(c);
            }
        }
    }
    None
}

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

/// Every violation of the layering in the tree at `root`.
fn violations(root: &Path) -> Vec<String> {
    let sources = read_sources(root);
    let graph = build(&sources);
    let mut out = Vec::new();
    // Top-level edges: direction and the shells' independence.
    let mut top_sets: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (from, tos) in &graph.top {
        if TEST_ONLY.contains(&from.as_str()) {
            continue;
        }
        for (to, file) in tos {
            if TEST_ONLY.contains(&to.as_str()) {
                continue;
            }
            top_sets.entry(from.clone()).or_default().insert(to.clone());
            match (layer_of(from), layer_of(to)) {
                (Some(a), Some(b)) if b > a => {
                    out.push(format!("{file}: `{from}` imports `{to}`, a higher layer"))
                }
                (Some(a), Some(b)) if a == b && LAYERS[a].len() > 1 && a == LAYERS.len() - 2 => out
                    .push(format!(
                        "{file}: `{from}` imports `{to}`; the shells never import each other"
                    )),
                (None, _) => out.push(format!(
                    "{file}: module `{from}` is in no layer (add it to LAYERS)"
                )),
                (_, None) => out.push(format!(
                    "{file}: module `{to}` is in no layer (add it to LAYERS)"
                )),
                _ => {}
            }
        }
    }
    if let Some(cycle) = find_cycle(&top_sets) {
        out.push(format!(
            "cycle between top-level modules: {}",
            cycle.join(" → ")
        ));
    }
    for (folder, edges) in &graph.files {
        if let Some(cycle) = find_cycle(edges) {
            out.push(format!(
                "cycle between files of `{folder}`: {}",
                cycle.join(" → ")
            ));
        }
    }
    // Crates by layer.
    let mut ropey_files = BTreeSet::new();
    for (file, top, krate) in &graph.externs {
        if TEST_ONLY.contains(&top.as_str()) {
            continue;
        }
        if krate == "ropey" {
            ropey_files.insert(file.clone());
        }
        if CORE.contains(&top.as_str()) {
            out.push(format!("{file}: the core uses `{krate}`"));
        } else if top == "project" && krate != "std::fs" && krate != "std::net" {
            out.push(format!("{file}: the project layer uses `{krate}`"));
        }
    }
    if ropey_files.len() > 1 {
        out.push(format!(
            "ropey is used in more than one file: {ropey_files:?}"
        ));
    }
    out
}

#[test]
fn src_follows_the_layering() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let found = violations(&root);
    assert!(
        found.is_empty(),
        "layering violations:\n  {}",
        found.join("\n  ")
    );
}

/// The checker itself finds what it is meant to find: a tree written with
/// each kind of violation.
#[test]
fn the_checker_finds_each_kind_of_violation() {
    let dir = std::env::temp_dir().join(format!("trueconf-layering-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    let write = |rel: &str, text: &str| {
        let p = dir.join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, text).unwrap();
    };
    write(
        "lib.rs",
        "pub mod text; pub mod scan; pub mod cli; pub mod lsp; pub mod rules;\n",
    );
    // text imports scan: upward, and with scan → text a cycle.
    write(
        "text.rs",
        "use crate::scan::Thing;\n// use crate::lsp::x; (a comment: not counted)\n",
    );
    write(
        "scan/mod.rs",
        "mod a;\nmod b;\nuse crate::text::Span;\nuse std::fs::read;\nuse std::net::TcpStream;\n",
    );
    // rules/mod.rs calls its child, which imports from its parent.
    write(
        "rules/mod.rs",
        "mod x;\npub struct D;\npub fn f() { x::check(); let _ = tokio::spawn(async {}); }\n",
    );
    write("rules/x.rs", "use super::D;\npub fn check() {}\n");
    write("scan/a.rs", "use super::b::B;\npub struct A;\n");
    write("scan/b.rs", "use super::a::A;\npub struct B;\n");
    write("cli/mod.rs", "use crate::lsp::serve;\n");
    write(
        "lsp/mod.rs",
        "use ropey::Rope;\n#[cfg(test)]\nmod tests { use crate::cli::x; }\n",
    );
    let found = violations(&dir);
    let joined = found.join("\n");
    let _ = fs::remove_dir_all(&dir);
    for want in [
        "text.rs: `text` imports `scan`, a higher layer",
        "cycle between top-level modules",
        "cycle between files of `scan`",
        "cycle between files of `rules`: mod → x → mod",
        "cli/mod.rs: `cli` imports `lsp`; the shells never import each other",
        "scan/mod.rs: the core uses `std::fs`",
        "scan/mod.rs: the core uses `std::net`",
        "rules/mod.rs: the core uses `tokio`",
    ] {
        assert!(joined.contains(want), "missing {want:?} in:\n{joined}");
    }
    // Comments and test modules are not imports.
    assert!(
        !joined.contains("lsp/mod.rs: `lsp` imports `cli`"),
        "{joined}"
    );
    assert!(
        !joined.contains("text.rs: `text` imports `lsp`"),
        "{joined}"
    );
}

/// Parsing an address is not I/O; sockets and name resolution are.
#[test]
fn address_types_are_not_sockets() {
    assert!(!uses_sockets("v.parse::<std::net::Ipv6Addr>().is_ok()"));
    assert!(!uses_sockets("use std::net::{IpAddr, Ipv4Addr};"));
    assert!(uses_sockets("use std::net::TcpStream;"));
    assert!(uses_sockets("use std::net::{Ipv4Addr, ToSocketAddrs};"));
    assert!(uses_sockets("use std::net;"));
    assert!(uses_sockets("std::net::TcpStream::connect(a)"));
}
