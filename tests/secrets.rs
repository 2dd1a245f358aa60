//! A unique password planted in every rule's fixture must appear in no
//! output of the command line, in any format.

mod canary;
mod common;

use std::path::Path;

use assert_cmd::Command;

const CANARY: &str = "Canary7pw-Zx91";

#[test]
fn no_output_format_shows_a_password() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rules");
    let dir = tempfile::tempdir().unwrap();
    let mut planted = 0;
    for entry in std::fs::read_dir(fixtures).unwrap() {
        let path = entry.unwrap().path();
        let ext = path.extension().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        let planted_text = canary::plant(&text, &ext, CANARY);
        planted += planted_text.matches(CANARY).count();
        std::fs::write(dir.path().join(path.file_name().unwrap()), planted_text).unwrap();
    }
    assert!(planted > 100, "the canary was planted {planted} times");
    // TC016 on, so that server messages are shown too.
    std::fs::write(
        dir.path().join("trueconf-lsp.toml"),
        "allowed-servers = [\"video.example.com\", \"*.corp.example.com\"]\n",
    )
    .unwrap();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_trueconf-lsp"))
            .args(args)
            .arg(dir.path())
            .output()
            .unwrap()
    };
    let assert_clean = |what: &str, stream: &[u8]| {
        let s = String::from_utf8_lossy(stream);
        assert!(!s.contains(CANARY), "{what} leaked the password:\n{s}");
        assert!(!s.contains("Zx91"), "{what} leaked part of the password");
    };
    for format in common::FORMATS {
        let out = run(&["--check", "--output-format", format]);
        assert_eq!(out.status.code(), Some(1), "{format}");
        assert_clean(format, &out.stdout);
        assert_clean(format, &out.stderr);
        let s = String::from_utf8_lossy(&out.stdout);
        for code in ["TC004", "TC006", "TC007", "TC008", "TC016"] {
            assert!(s.contains(code), "{format} reports {code}");
        }
        // The host after a userinfo is what TC016 names.
        for host in ["evil.example.org", "evil.example.net", "evil.example.com"] {
            assert!(s.contains(host), "{format} names {host}");
        }
    }
    for flags in [&["--diff"][..], &["--diff", "--unsafe-fixes"][..]] {
        let out = run(&[&["--check"][..], flags].concat());
        assert_eq!(out.status.code(), Some(1), "{flags:?}");
        let s = String::from_utf8_lossy(&out.stdout);
        assert!(s.contains("u:***@evil.example.net"), "{s}");
        assert_clean("--diff", &out.stdout);
        assert_clean("--diff", &out.stderr);
    }
    for link in [
        format!("trueconf:#rtsp:%2f%2fadmin:{CANARY}@cam&login=u&password={CANARY}"),
        format!("trueconf:bob@a:{CANARY}@tv&h=u:{CANARY}@tv&do=u%3A{CANARY}%40x&k:{CANARY}@y"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_trueconf-lsp"))
            .args(["--decode", &link])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        assert!(String::from_utf8_lossy(&out.stdout).contains(":***@"));
        assert_clean("--decode", &out.stdout);
        assert_clean("--decode", &out.stderr);
    }
}
