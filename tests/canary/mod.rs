//! Planting a canary password in a rule fixture, shared by the secret
//! hygiene tests of the command line (tests/secrets.rs) and of the language
//! server (tests/adversarial.rs).

/// The fixture with every `password=` value replaced by `canary`, a link
/// carrying it added in the fixture's own syntax (`ext`), and links carrying
/// it as a `user:password@` wherever a server or a value can hold one.
pub fn plant(text: &str, ext: &str, canary: &str) -> String {
    let re = regex::Regex::new(r#"password=[^&\s"'<>)]*"#).unwrap();
    let mut out = re
        .replace_all(text, format!("password={canary}"))
        .into_owned();
    out.push('\n');
    out.push_str(&match ext {
        "html" => format!("<a href=\"trueconf:login=u&amp;password={canary}\">x</a>\n"),
        "md" => format!("[x](trueconf:login=u&password={canary}&pasword={canary})\n"),
        "js" | "py" | "json" | "yaml" => {
            format!("\"trueconf:#rtsp://admin:{canary}@cam/x&password={canary}\"\n")
        }
        _ => format!("trueconf:login=u&password={canary}\n"),
    });
    let userinfo = [
        format!("trueconf:bob@admin:{canary}@evil.example.org"),
        format!("h=u:{canary}@evil.example.net"),
        format!("h=https://u%3A{canary}%40evil.example.com/x"),
        format!("do=u:{canary}@x"),
        format!("u:{canary}@y"),
        format!("u:{canary}@y"),
    ];
    out.push_str(&match ext {
        "html" => format!("<a href=\"{}\">x</a>\n", userinfo.join("&amp;")),
        "js" | "py" | "json" | "yaml" => format!("\"{}\"\n", userinfo.join("&")),
        _ => format!("{}\n", userinfo.join("&")),
    });
    out
}
