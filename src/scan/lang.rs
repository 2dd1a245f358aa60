//! The source languages the scanner reads, and how their names are
//! written (file extensions, LSP language ids, Markdown fence info
//! strings).

/// Source languages whose string literals the scanner understands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lang {
    /// JavaScript and TypeScript, JSX and TSX.
    JavaScript,
    Python,
    Java,
    CSharp,
    Go,
    Rust,
    Json,
    Yaml,
    Toml,
    Lua,
    Shell,
    Ruby,
    /// PHP code (in a `.php` file, what stands between `<?php` and `?>`;
    /// the rest is HTML).
    Php,
    Perl,
}

impl Lang {
    /// Does a backslash before a line break continue a string literal that
    /// escapes, the two standing for nothing in its value (JavaScript,
    /// Python, POSIX shells' double quotes, C and its family, Ruby)?
    pub fn continues_strings(self) -> bool {
        matches!(
            self,
            Lang::JavaScript | Lang::Python | Lang::Shell | Lang::Java | Lang::Ruby | Lang::Yaml
        )
    }

    pub fn from_extension(ext: &str) -> Option<Lang> {
        Some(match ext {
            "js" | "mjs" | "cjs" | "jsx" | "ts" | "tsx" | "mts" | "cts" => Lang::JavaScript,
            "py" | "pyi" | "pyw" => Lang::Python,
            "java" => Lang::Java,
            // The C family and the JVM's other languages: the same double-
            // and single-quoted strings with backslash escapes, and `//` and
            // `/* */` comments, as Java's.
            "c" | "h" | "cc" | "cpp" | "cxx" | "c++" | "hh" | "hpp" | "hxx" | "m" | "mm" | "kt"
            | "kts" | "swift" | "dart" | "scala" | "groovy" | "gradle" => Lang::Java,
            "cs" => Lang::CSharp,
            "go" => Lang::Go,
            "rs" => Lang::Rust,
            "json" | "jsonc" | "json5" | "webmanifest" => Lang::Json,
            "yaml" | "yml" => Lang::Yaml,
            "toml" => Lang::Toml,
            "lua" => Lang::Lua,
            "sh" | "bash" | "zsh" | "ksh" => Lang::Shell,
            "rb" | "rake" | "gemspec" | "ru" | "rbw" => Lang::Ruby,
            "php" | "phtml" => Lang::Php,
            "pl" | "pm" => Lang::Perl,
            _ => return None,
        })
    }

    pub fn from_language_id(id: &str) -> Option<Lang> {
        Some(match id {
            "javascript" | "javascriptreact" | "typescript" | "typescriptreact" => Lang::JavaScript,
            "python" => Lang::Python,
            "java" => Lang::Java,
            "csharp" => Lang::CSharp,
            "go" => Lang::Go,
            "rust" => Lang::Rust,
            "json" | "jsonc" | "json5" => Lang::Json,
            "yaml" => Lang::Yaml,
            "toml" => Lang::Toml,
            "lua" => Lang::Lua,
            "shellscript" | "sh" | "bash" | "zsh" => Lang::Shell,
            "ruby" => Lang::Ruby,
            "php" => Lang::Php,
            "perl" => Lang::Perl,
            _ => return None,
        })
    }

    /// The language of a Markdown fence's info string, if known.
    pub fn from_fence_info(info: &str) -> Option<Lang> {
        let word = info
            .trim_start_matches('{')
            .split(|c: char| c.is_whitespace() || c == ',' || c == '}')
            .next()
            .unwrap_or("")
            .trim_start_matches('.')
            .to_ascii_lowercase();
        match word.as_str() {
            "js" | "javascript" | "ts" | "typescript" | "jsx" | "tsx" => Some(Lang::JavaScript),
            "py" | "python" | "python3" => Some(Lang::Python),
            "cs" | "csharp" | "c#" => Some(Lang::CSharp),
            "rs" | "rust" => Some(Lang::Rust),
            "sh" | "bash" | "shell" | "zsh" | "console" => Some(Lang::Shell),
            "yml" | "yaml" => Some(Lang::Yaml),
            "golang" => Some(Lang::Go),
            "c++" | "kotlin" | "objc" | "objectivec" | "objective-c" => Some(Lang::Java),
            other => Lang::from_extension(other).or_else(|| Lang::from_language_id(other)),
        }
    }

    /// Line comment opener, as (open, close).
    pub fn comment_syntax(self) -> Option<(&'static str, &'static str)> {
        match self {
            Lang::JavaScript | Lang::Java | Lang::CSharp | Lang::Go | Lang::Rust => {
                Some(("//", ""))
            }
            Lang::Python | Lang::Yaml | Lang::Toml | Lang::Shell | Lang::Ruby | Lang::Perl => {
                Some(("#", ""))
            }
            Lang::Php => Some(("//", "")),
            Lang::Lua => Some(("--", "")),
            Lang::Json => None,
        }
    }

    /// Do backslashes escape in this language's ordinary strings? This is the
    /// set of languages TC014 speaks of.
    pub fn name(self) -> &'static str {
        match self {
            Lang::JavaScript => "JavaScript",
            Lang::Python => "Python",
            Lang::Java => "Java",
            Lang::CSharp => "C#",
            Lang::Go => "Go",
            Lang::Rust => "Rust",
            Lang::Json => "JSON",
            Lang::Yaml => "YAML",
            Lang::Toml => "TOML",
            Lang::Lua => "Lua",
            Lang::Shell => "shell",
            Lang::Ruby => "Ruby",
            Lang::Php => "PHP",
            Lang::Perl => "Perl",
        }
    }
}
