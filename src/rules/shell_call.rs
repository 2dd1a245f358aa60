//! Whether a string literal is a command line that a shell runs: the
//! argument of a call that hands its string to `sh -c` or `cmd /c`
//! (trueconf-uri.md §7: "a command line inside a string literal is shell or
//! cmd inside the language"). A string that merely reads like one (a
//! docstring "Open trueconf:…", a message printed or translated) is not.

use crate::scan::{DocKind, Lang};

/// How far before a link its command line is looked at: `cmd /c start
/// /min "` fits, and a bounded look back keeps a long line of string
/// literals linear.
const LOOK_BACK: usize = 256;

/// Where the command line before `at` starts: at the start of its line, or
/// [`LOOK_BACK`] bytes before `at` (on a character boundary).
pub fn line_start_before(source: &str, at: usize) -> usize {
    let mut window = at.saturating_sub(LOOK_BACK);
    while !source.is_char_boundary(window) {
        window += 1;
    }
    source[window..at]
        .rfind(['\n', '\r'])
        .map_or(window, |k| window + k + 1)
}

/// Is the string literal whose opening quote follows `before` (the text of
/// its line up to that quote) the command line of a call that runs it in a
/// shell: `os.system(`, `os.execute(`, `popen(`, `shell_exec(`,
/// `passthru(`, `execSync(`, `exec(` (not in Python, where it runs Python,
/// nor on the JVM, where `Runtime.exec` runs no shell), Ruby's and Perl's
/// `system "…"`, or `sh -c` / `bash -c` in a script?
pub fn runs_in_shell(before: &str, kind: DocKind) -> bool {
    // The rest of an opener of more than one character: Python's `"""`
    // and `'''` (the text up to their last quote ends with the first two),
    // Lua's long brackets `[[`, `[==[`.
    let mut s = before.trim_end();
    if matches!(kind, DocKind::Code(Lang::Python)) {
        s = s
            .strip_suffix("\"\"")
            .or_else(|| s.strip_suffix("''"))
            .unwrap_or(s);
    }
    if matches!(kind, DocKind::Code(Lang::Lua)) && s.trim_end_matches('=').ends_with('[') {
        s = &s.trim_end_matches('=')[..s.trim_end_matches('=').len() - 1];
    }
    // A string prefix: Python's `f"…"`, `r"…"`, `b"…"`.
    let prefix = s
        .bytes()
        .rev()
        .take_while(|b| matches!(b.to_ascii_lowercase(), b'r' | b'f' | b'b' | b'u'))
        .count();
    if prefix > 0 && prefix <= 2 && s[..s.len() - prefix].trim_end().ends_with('(') {
        s = &s[..s.len() - prefix];
    }
    let s = s.trim_end();
    let called = s.strip_suffix('(').map(str::trim_end);
    let head = called.unwrap_or(s);
    let name_len = head
        .bytes()
        .rev()
        .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
        .count();
    let name = &head[head.len() - name_len..];
    let lang = match kind {
        DocKind::Code(lang) => Some(lang),
        _ => None,
    };
    if called.is_none() {
        // Without parentheses: Ruby's, Perl's and Lua's calls, and a
        // shell's `sh -c "…"`.
        let shell_c = s.strip_suffix("-c").is_some_and(|r| {
            let word = r
                .trim_end()
                .rsplit([' ', '\t', '(', '/'])
                .next()
                .unwrap_or("");
            matches!(word, "sh" | "bash" | "zsh" | "dash" | "ksh")
        });
        if shell_c {
            return true;
        }
        if !matches!(lang, Some(Lang::Ruby | Lang::Perl | Lang::Lua)) || name_len == 0 {
            return false;
        }
    }
    let shell = [
        "system",
        "execute",
        "popen",
        "shell_exec",
        "passthru",
        "execSync",
        "spawnSync",
    ];
    if shell.iter().any(|f| name.eq_ignore_ascii_case(f)) {
        return true;
    }
    name.eq_ignore_ascii_case("exec") && !matches!(lang, Some(Lang::Python | Lang::Java))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_calls() {
        let py = DocKind::Code(Lang::Python);
        let js = DocKind::Code(Lang::JavaScript);
        let java = DocKind::Code(Lang::Java);
        let lua = DocKind::Code(Lang::Lua);
        let rb = DocKind::Code(Lang::Ruby);
        let sh = DocKind::Code(Lang::Shell);
        for (before, kind) in [
            ("os.system(", py),
            ("    os.system( f", py),
            ("os.popen(", py),
            ("os.execute(", lua),
            ("os.execute ", lua),
            ("system ", rb),
            ("execSync(", js),
            ("child_process.exec(", js),
            ("system(", java),
            ("sh -c ", sh),
            ("x=$(bash -c ", sh),
            // Before the last quote of `"""`, and before a long bracket.
            ("os.system(\"\"", py),
            ("os.system(r''", py),
            ("os.execute([", lua),
            ("os.execute([==", lua),
        ] {
            assert!(runs_in_shell(before, kind), "{before:?}");
        }
        for (before, kind) in [
            ("", py),
            ("print(", py),
            ("exec(", py),
            ("Runtime.getRuntime().exec(", java),
            ("echo ", sh),
            ("x = ", py),
            ("{\"menu\": ", DocKind::Code(Lang::Json)),
            ("subprocess.run(", py),
            ("ecosystem(", js),
        ] {
            assert!(!runs_in_shell(before, kind), "{before:?}");
        }
    }
}
