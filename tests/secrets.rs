//! A unique password planted in every rule's fixture must appear in no
//! output of the command line, in any format.

use std::path::Path;

use assert_cmd::Command;
use regex::Regex;

const CANARY: &str = "Canary7pw-Zx91";

/// The fixture with every `password=` value replaced by the canary, and a
/// link carrying it added in the fixture's own syntax.
fn plant(text: &str, ext: &str) -> String {
    let re = Regex::new(r#"password=[^&\s"'<>)]*"#).unwrap();
    let mut out = re
        .replace_all(text, format!("password={CANARY}"))
        .into_owned();
    out.push('\n');
    out.push_str(&match ext {
        "html" => format!("<a href=\"trueconf:login=u&amp;password={CANARY}\">x</a>\n"),
        "md" => format!("[x](trueconf:login=u&password={CANARY}&pasword={CANARY})\n"),
        "js" | "py" | "json" | "yaml" => {
            format!("\"trueconf:#rtsp://admin:{CANARY}@cam/x&password={CANARY}\"\n")
        }
        _ => format!("trueconf:login=u&password={CANARY}\n"),
    });
    out
}

#[test]
fn no_output_format_shows_a_password() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rules");
    let dir = tempfile::tempdir().unwrap();
    let mut planted = 0;
    for entry in std::fs::read_dir(fixtures).unwrap() {
        let path = entry.unwrap().path();
        let ext = path.extension().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        let planted_text = plant(&text, &ext);
        planted += planted_text.matches(CANARY).count();
        std::fs::write(dir.path().join(path.file_name().unwrap()), planted_text).unwrap();
    }
    assert!(planted > 30, "the canary was planted {planted} times");
    for format in ["full", "concise", "json"] {
        let out = Command::new(env!("CARGO_BIN_EXE_trueconf-lsp"))
            .args(["--check", "--output-format", format])
            .arg(dir.path())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{format}");
        for stream in [&out.stdout, &out.stderr] {
            let s = String::from_utf8_lossy(stream);
            assert!(!s.contains(CANARY), "{format} leaked the password:\n{s}");
            assert!(!s.contains("Zx91"), "{format} leaked part of the password");
        }
        let s = String::from_utf8_lossy(&out.stdout);
        assert!(
            s.contains("TC004"),
            "{format} reports the plaintext password"
        );
    }
    let out = Command::new(env!("CARGO_BIN_EXE_trueconf-lsp"))
        .args([
            "--decode",
            &format!("trueconf:#rtsp:%2f%2fadmin:{CANARY}@cam&login=u&password={CANARY}"),
        ])
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&out.stdout).contains(CANARY));
}
