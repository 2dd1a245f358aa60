//! `--replace-server OLD=NEW`: the real binary on real files, with `--diff`
//! and in place.

mod common;

use common::{age, mtime, read, run, tree, write};

const MD: &str = "# Rooms\r\n\
    Join [standup](trueconf:\\c\\0031213894212@OLD.example.com:4310&encrypt=1) or\r\n\
    call trueconf:anna@old.example.com. Not old.example.com in prose.\r\n";

const HTML: &str = "<a href=\"trueconf:bob@old.example.com&amp;h=old.example.com&amp;login=u&amp;password=Sup3rSecretPW&amp;encrypt=1\">x</a>\n";

const JS: &str = "const a = 'trueconf:\\\\c\\\\77@old.example.com:4307';\nconst b = \"trueconf:bob@older.example.com\";\n";

#[test]
fn diff_shows_the_replacements_and_writes_nothing() {
    let dir = tree(&[("docs/a.md", MD), ("site/b.html", HTML), ("app/c.js", JS)]);
    let before = age(&dir.path().join("docs/a.md"));
    let r = run(
        dir.path(),
        &[
            "--replace-server",
            "old.example.com=video.example.com",
            "--diff",
            ".",
        ],
    );
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(
        r.stdout.contains("+call trueconf:anna@video.example.com."),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("-<a href=\"trueconf:bob@old.example.com&amp;h=old.example.com"),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("Sup3rSecretPW"), "{}", r.stdout);
    assert!(r.stdout.contains("password=***"), "{}", r.stdout);
    assert_eq!(r.stderr, "Would replace 5 servers in 3 files.\n");
    assert_eq!(mtime(&dir.path().join("docs/a.md")), before);
    assert_eq!(read(dir.path(), "docs/a.md"), MD.as_bytes());
}

#[test]
fn in_place_only_the_hosts_change() {
    let dir = tree(&[("docs/a.md", MD), ("site/b.html", HTML), ("app/c.js", JS)]);
    let r = run(
        dir.path(),
        &["--replace-server", "OLD.example.com=video.example.com"],
    );
    assert_eq!(r.code, Some(0), "{r:?}");
    assert_eq!(
        r.stdout,
        "app/c.js: 1 server replaced\ndocs/a.md: 2 servers replaced\nsite/b.html: 2 servers replaced\n"
    );
    assert_eq!(r.stderr, "Replaced 5 servers in 3 files.\n");
    // CRLF, the port, the prose mention and the other server stay.
    assert_eq!(
        String::from_utf8(read(dir.path(), "docs/a.md")).unwrap(),
        MD.replace("OLD.example.com:4310", "video.example.com:4310")
            .replace("anna@old.example.com", "anna@video.example.com")
    );
    assert_eq!(
        String::from_utf8(read(dir.path(), "site/b.html")).unwrap(),
        HTML.replace("old.example.com", "video.example.com")
    );
    assert_eq!(
        String::from_utf8(read(dir.path(), "app/c.js")).unwrap(),
        JS.replace("77@old.example.com", "77@video.example.com")
    );
    // Nothing left to replace: a no-op, exit 0, files untouched.
    let at = age(&dir.path().join("app/c.js"));
    let r = run(
        dir.path(),
        &["--replace-server", "old.example.com=video.example.com"],
    );
    assert_eq!(r.code, Some(0), "{r:?}");
    assert_eq!(r.stderr, "No links to old.example.com found.\n");
    assert_eq!(mtime(&dir.path().join("app/c.js")), at);
}

#[test]
fn ports_select_and_replace() {
    let dir = tree(&[(
        "a.md",
        "trueconf:a@old.example.com:4310 trueconf:b@old.example.com\n",
    )]);
    let r = run(
        dir.path(),
        &[
            "--replace-server",
            "old.example.com:4310=new.example.com",
            "a.md",
        ],
    );
    assert_eq!(r.code, Some(0), "{r:?}");
    assert_eq!(
        read(dir.path(), "a.md"),
        b"trueconf:a@new.example.com:4310 trueconf:b@old.example.com\n"
    );
    let r = run(
        dir.path(),
        &[
            "--replace-server",
            "old.example.com=[2001:db8::5]:443",
            "a.md",
        ],
    );
    assert_eq!(r.code, Some(0), "{r:?}");
    assert_eq!(
        read(dir.path(), "a.md"),
        b"trueconf:a@new.example.com:4310 trueconf:b@[2001:db8::5]:443\n"
    );
}

#[test]
fn a_byte_order_mark_stays() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "bom.md",
        b"\xef\xbb\xbftrueconf:bob@old.example.com\n",
    );
    let r = run(
        dir.path(),
        &[
            "--replace-server",
            "old.example.com=new.example.com",
            "bom.md",
        ],
    );
    assert_eq!(r.code, Some(0), "{r:?}");
    assert_eq!(
        read(dir.path(), "bom.md"),
        b"\xef\xbb\xbftrueconf:bob@new.example.com\n"
    );
}

#[test]
fn bad_usage_exits_2_and_echoes_no_control_characters() {
    let dir = tree(&[("a.md", "trueconf:bob@old.example.com\n")]);
    for spec in [
        "old.example.com",
        "old.example.com=new host",
        "=new.example.com",
        "old.example.com=x\u{1b}[2J",
    ] {
        let r = run(dir.path(), &["--replace-server", spec, "a.md"]);
        assert_eq!(r.code, Some(2), "{spec}: {r:?}");
        assert!(r.stderr.starts_with("error: --replace-server"), "{r:?}");
        assert!(!r.stderr.contains('\u{1b}'), "{r:?}");
    }
    let r = run(
        dir.path(),
        &["--replace-server", "a.example=b.example", "--fix", "a.md"],
    );
    assert_eq!(r.code, Some(2), "{r:?}");
    let r = run(
        dir.path(),
        &["--replace-server", "a.example=b.example", "-"],
    );
    assert_eq!(r.code, Some(2), "{r:?}");
    assert_eq!(read(dir.path(), "a.md"), b"trueconf:bob@old.example.com\n");
}

/// As `--fix`: a symbolic link to a file outside the checked folder is not
/// written through unless `--follow-links`.
#[cfg(unix)]
#[test]
fn links_out_of_the_tree_are_left_unless_followed() {
    let outside = tree(&[("shared.md", "trueconf:bob@old.example.com\n")]);
    let dir = tree(&[("docs/own.md", "trueconf:ann@old.example.com\n")]);
    std::os::unix::fs::symlink(
        outside.path().join("shared.md"),
        dir.path().join("docs/link.md"),
    )
    .unwrap();
    let r = run(
        dir.path(),
        &[
            "--replace-server",
            "old.example.com=new.example.com",
            "docs",
        ],
    );
    assert_eq!(r.code, Some(2), "{r:?}");
    assert!(
        r.stderr
            .contains("docs/link.md is a symbolic link to a file outside the checked paths"),
        "{r:?}"
    );
    assert_eq!(
        read(dir.path(), "docs/own.md"),
        b"trueconf:ann@new.example.com\n"
    );
    assert_eq!(
        read(outside.path(), "shared.md"),
        b"trueconf:bob@old.example.com\n"
    );
    let r = run(
        dir.path(),
        &[
            "--replace-server",
            "old.example.com=new.example.com",
            "--follow-links",
            "docs",
        ],
    );
    assert_eq!(r.code, Some(0), "{r:?}");
    assert_eq!(
        read(outside.path(), "shared.md"),
        b"trueconf:bob@new.example.com\n"
    );
}
