//! Benchmarks of the pure core: scanning each document kind, parsing links,
//! running the rules, and converting offsets to positions.
//!
//! `cargo bench --bench core`; inputs are generated here, deterministically,
//! in the shape of the shared benchmark corpus (HTML pages, Markdown pages,
//! JSON data) with a link every few KiB.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use trueconf_lsp::rules::Config;
use trueconf_lsp::scan::{DocKind, Lang, scan};
use trueconf_lsp::text::{Cursor, Encoding, LineIndex};
use trueconf_lsp::uri::Link;

const LINKS: &[&str] = &[
    "trueconf:bob@video.example.com",
    "trueconf:\\c\\0012345678@video.example.com%vcs",
    "trueconf:login=alice&password=p123456&force=1",
    "visicall:bob@10.0.0.5",
    "trueconf:#rtsp://cam.example.com/live/1",
    "trueconf:h=video.example.com&login=bob&password=[password]&encrypt=1&force=1",
];

/// About `kib` KiB of a document of `kind`, one link per ~40 lines.
fn document(kind: DocKind, kib: usize) -> String {
    let prose = "the conference server and the client call the user on the network, then join the meeting room";
    let mut out = String::new();
    let mut i = 0;
    while out.len() < kib * 1024 {
        let link = LINKS[i % LINKS.len()];
        let with_link = i % 40 == 0;
        match kind {
            DocKind::Html if with_link => out.push_str(&format!(
                "<p>{prose} <a href=\"{}\">call</a>.</p>\n",
                link.replace('&', "&amp;")
            )),
            DocKind::Html => out.push_str(&format!("<p class=\"x\">{prose} <b>{i}</b>.</p>\n")),
            DocKind::Markdown if with_link => out.push_str(&format!("{prose} [call]({link}).\n")),
            DocKind::Code(_) if with_link => out.push_str(&format!(
                "  \"k{i}\": \"{}\",\n",
                link.replace('\\', "\\\\")
            )),
            DocKind::Code(_) => out.push_str(&format!("  \"k{i}\": \"{prose}\",\n")),
            _ => out.push_str(&format!("{prose}.\n")),
        }
        i += 1;
    }
    out
}

fn bench_scan(c: &mut Criterion) {
    let mut group = c.benchmark_group("scan");
    for (name, kind) in [
        ("plain", DocKind::Plain),
        ("markdown", DocKind::Markdown),
        ("html", DocKind::Html),
        ("json", DocKind::Code(Lang::Json)),
    ] {
        let doc = document(kind, 256);
        group.throughput(Throughput::Bytes(doc.len() as u64));
        group.bench_function(name, |b| b.iter(|| scan(black_box(&doc), kind)));
    }
    let empty = document(DocKind::Plain, 256)
        .replace("trueconf:", "x")
        .replace("visicall:", "x");
    group.throughput(Throughput::Bytes(empty.len() as u64));
    group.bench_function("no-candidates", |b| {
        b.iter(|| scan(black_box(&empty), DocKind::Html))
    });
    group.finish();
}

fn bench_analyze(c: &mut Criterion) {
    let mut group = c.benchmark_group("analyze");
    let config = Config::default();
    for (name, kind) in [("markdown", DocKind::Markdown), ("html", DocKind::Html)] {
        let doc = document(kind, 256);
        group.throughput(Throughput::Bytes(doc.len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| trueconf_lsp::analyze(black_box(&doc), kind, &config))
        });
    }
    group.finish();
}

fn bench_parse(c: &mut Criterion) {
    c.bench_function("parse/links", |b| {
        b.iter(|| {
            for link in LINKS {
                black_box(Link::parse(black_box(link)));
            }
        })
    });
}

fn bench_positions(c: &mut Criterion) {
    let doc = document(DocKind::Markdown, 1024);
    let mut group = c.benchmark_group("positions");
    group.bench_function("line-index-1MiB", |b| {
        b.iter(|| LineIndex::new(black_box(&doc)))
    });
    let index = LineIndex::new(&doc);
    let offsets: Vec<usize> = (0..1000)
        .map(|i| (i * 1009) % doc.len())
        .filter(|&o| doc.is_char_boundary(o))
        .collect();
    for enc in [Encoding::Utf8, Encoding::Utf16] {
        group.bench_function(format!("line-col-1000-{enc:?}"), |b| {
            b.iter(|| {
                for &o in &offsets {
                    black_box(index.line_col(&doc, o, enc));
                }
            })
        });
    }
    // What `--check` does per file: a few sorted offsets, no index.
    let mut sorted = offsets.clone();
    sorted.sort_unstable();
    let few: Vec<usize> = sorted.iter().copied().step_by(100).collect();
    group.bench_function("cursor-10-sorted-1MiB", |b| {
        b.iter(|| {
            let mut cursor = Cursor::new(black_box(&doc), Encoding::Utf32);
            for &o in &few {
                black_box(cursor.line_col(o));
            }
        })
    });
    group.bench_function("line-index-then-10-1MiB", |b| {
        b.iter(|| {
            let index = LineIndex::new(black_box(&doc));
            for &o in &few {
                black_box(index.line_col(&doc, o, Encoding::Utf32));
            }
        })
    });
    group.finish();
}

criterion_group!(
    benches,
    bench_scan,
    bench_analyze,
    bench_parse,
    bench_positions
);
criterion_main!(benches);
