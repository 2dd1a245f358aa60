//! What a link does, in words: the action, the steps in order, and a table
//! of its parts. Used by hover, inlay hints and `--decode`. Passwords are
//! always shown as `***`.

use crate::text::Span;
use crate::uri::{KNOWN_PARAMS, Link, Scheme, TargetKind, VcsForm, is_secret_key};

/// A link explained.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Description {
    /// A stable name of the action: `launch`, `sign-in`, `call`,
    /// `join-conference`, `hotquery`, `profile`, `chat`, `stream`,
    /// `external-call`.
    pub action: &'static str,
    /// One line, e.g. `join conference 737734033583 on video.example.com`.
    pub summary: String,
    /// What the app does, step by step.
    pub steps: Vec<String>,
    /// (part, value as decoded, meaning).
    pub parts: Vec<Part>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Part {
    pub name: String,
    pub value: String,
    pub meaning: String,
}

fn part(name: impl Into<String>, value: impl Into<String>, meaning: impl Into<String>) -> Part {
    Part {
        name: name.into(),
        value: value.into(),
        meaning: meaning.into(),
    }
}

/// Percent-decodes `s` for display, with control characters made visible.
fn show(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .chars()
        .map(|c| {
            if crate::text::is_unsafe_to_print(c) {
                '\u{fffd}'
            } else {
                c
            }
        })
        .collect()
}

/// How many characters of a summary, a step or a part's value editor
/// features show: a link may be megabytes long, and a hover, a tooltip or
/// an inlay hint of that size helps nobody and stalls the editor.
pub const SHOWN_CHARS: usize = 200;

/// `s` cut after its first `max` characters, with `…` when something was
/// cut.
pub fn clip(s: &str, max: usize) -> std::borrow::Cow<'_, str> {
    match s.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &s[..at]).into(),
        None => s.into(),
    }
}

pub fn describe(link: &Link) -> Description {
    let mut parts = vec![part(
        "scheme",
        link.str(link.scheme_span).to_ascii_lowercase(),
        match link.scheme {
            Scheme::Trueconf => "TrueConf client link",
            Scheme::Visicall => "obsolete name of trueconf:; new clients may not open it",
        },
    )];
    let value_of = |key: &str| {
        link.param(key)
            .and_then(|p| link.param_value(p))
            .map(|v| v.into_owned())
            .filter(|v| !v.is_empty())
    };
    // A part as shown: secrets inside it (a `user:password@`) as `***`.
    let shown = |span: Span| show(&link.redacted_part(span));
    let shown_value = |key: &str| {
        link.param(key)
            .and_then(|p| p.value)
            .filter(|v| !v.is_empty())
            .map(shown)
    };
    let mut steps = Vec::new();
    if let Some(h) = shown_value("h") {
        steps.push(format!("connect to server {h}"));
    }
    if let Some(login) = shown_value("login") {
        let mut s = format!("sign in as {login}");
        if link.param("password").is_some() {
            match value_of("encrypt").as_deref() {
                Some("1") => s.push_str(" with password *** (encrypted by the client)"),
                Some("0") => s.push_str(" with password *** (already encrypted)"),
                _ => s.push_str(" with password *** (sent without encrypt=1)"),
            }
        }
        if value_of("force").as_deref() == Some("1") {
            s.push_str(", even if another user is signed in");
        }
        steps.push(s);
    }

    let mut action = if value_of("login").is_some() {
        "sign-in"
    } else {
        "launch"
    };
    let mut summary = match (shown_value("login"), shown_value("h")) {
        (Some(l), Some(h)) => format!("sign in as {l} on {h}"),
        (Some(l), None) => format!("sign in as {l}"),
        _ => "launch the TrueConf app".to_string(),
    };
    if let Some(t) = &link.target {
        let id = shown(t.id);
        let server = t.server.map(shown);
        let on = server
            .as_ref()
            .map(|s| format!(" on {s}"))
            .unwrap_or_default();
        let what = match t.kind {
            TargetKind::Conference => {
                action = "join-conference";
                parts.push(part("target", "conference", "join a conference by its ID"));
                parts.push(part("conference ID", &id, "the conference to join"));
                format!("join conference {id}{on}")
            }
            TargetKind::External => {
                let proto = t
                    .proto
                    .map(|p| link.str(p).to_ascii_lowercase())
                    .unwrap_or_default();
                let address = shown(t.id);
                parts.push(part("target", format!("#{proto}:"), "external call string"));
                if proto == "rtsp" {
                    action = "stream";
                    let shown = if address.starts_with("//") {
                        format!("rtsp:{address}")
                    } else {
                        address.clone()
                    };
                    parts.push(part("RTSP address", &shown, "decoded stream address"));
                    format!("watch RTSP stream {shown}")
                } else {
                    action = "external-call";
                    let label = match proto.as_str() {
                        "sip" => "SIP",
                        "h323" => "H.323",
                        "tel" => "phone",
                        _ => "external",
                    };
                    parts.push(part("address", &address, format!("{label} address")));
                    format!("call {label} {address}")
                }
            }
            TargetKind::User => {
                parts.push(part("target", "user", "a TrueConf ID or other call string"));
                parts.push(part("user", &id, "who to call"));
                match (value_of("do").as_deref(), value_of("conftype").as_deref()) {
                    (Some("profile"), _) => {
                        action = "profile";
                        format!("open the profile of {id}{on}")
                    }
                    (Some("chat"), _) => {
                        action = "chat";
                        format!("open a chat with {id}{on}")
                    }
                    (_, Some("hotquery")) => {
                        action = "hotquery";
                        format!("join the conference {id} moderates{on}")
                    }
                    _ => {
                        action = "call";
                        format!("call {id}{on}")
                    }
                }
            }
        };
        if let Some(s) = &server {
            parts.push(part("@server", s, "the server the target lives on"));
        }
        if let Some((v, form)) = t.vcs {
            let meaning = match form {
                VcsForm::Encoded => "the target is on a TrueConf Server (encoded #vcs)",
                VcsForm::Raw => "raw #vcs: a URI fragment, may be cut off",
                VcsForm::Broken => "%vcs: not a valid escape; %23vcs was meant",
            };
            parts.push(part("suffix", link.str(v), meaning));
        }
        if let Some(i) = t.instance {
            parts.push(part("instance", shown(i), "the user's endpoint instance"));
        }
        steps.push(what.clone());
        summary = what;
    } else if steps.is_empty() {
        steps.push("launch the TrueConf app".to_string());
    }
    if value_of("autoclose").as_deref() == Some("1") {
        steps.push("close the app when the call ends (if it was not running before)".to_string());
    }
    for p in &link.params {
        let key = link.key(p);
        let value = match p.value {
            None => String::new(),
            Some(_) if is_secret_key(&link.value(p.key)) => "***".to_string(),
            Some(v) => shown(v),
        };
        let meaning = KNOWN_PARAMS
            .iter()
            .find(|(k, _)| *k == key)
            .map_or("unknown parameter: the app ignores it", |(_, m)| m);
        let name = format!("{}=", link.redacted_part(p.key));
        parts.push(part(name, value, meaning));
    }
    Description {
        action,
        summary,
        steps,
        parts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clipping_counts_characters() {
        assert_eq!(clip("abc", 3), "abc");
        assert_eq!(clip("abcd", 3), "abc…");
        assert_eq!(clip("жжжж", 2), "жж…");
        assert_eq!(clip("", 0), "");
        assert_eq!(clip("a", 0), "…");
    }

    #[test]
    fn summaries() {
        let cases = [
            ("trueconf:", "launch the TrueConf app"),
            ("trueconf:login=u&password=p&encrypt=1", "sign in as u"),
            (
                "trueconf:\\c\\737734033583@video.example.com%23vcs&h=truevideo.example.com&login=user&password=pswd&encrypt=1&force=1",
                "join conference 737734033583 on video.example.com",
            ),
            ("trueconf:bob@h&do=profile", "open the profile of bob on h"),
            (
                "trueconf:bob&conftype=hotquery",
                "join the conference bob moderates",
            ),
            (
                "trueconf:#rtsp:%2f%2fadmin:secret@cam:554%2flive",
                "watch RTSP stream rtsp://admin:***@cam:554/live",
            ),
            ("trueconf:#tel:89261112233", "call phone 89261112233"),
        ];
        for (src, want) in cases {
            assert_eq!(describe(&Link::parse(src)).summary, want, "{src}");
        }
    }

    #[test]
    fn steps_in_order_and_no_password() {
        let d = describe(&Link::parse(
            "trueconf:\\c\\1@v%23vcs&h=tv&login=user&password=hunter2&encrypt=1&force=1&autoclose=1",
        ));
        assert_eq!(
            d.steps,
            [
                "connect to server tv",
                "sign in as user with password *** (encrypted by the client), even if another user is signed in",
                "join conference 1 on v",
                "close the app when the call ends (if it was not running before)",
            ]
        );
        let all = format!("{d:?}");
        assert!(!all.contains("hunter2"));
        assert!(
            d.parts
                .iter()
                .any(|p| p.name == "password=" && p.value == "***")
        );
    }

    #[test]
    fn userinfo_passwords_are_hidden_everywhere() {
        let d = describe(&Link::parse(
            "trueconf:bob@admin:hunter2@v/i&h=https://u:hunter2@tv&login=me:hunter2@x&k:hunter2@y",
        ));
        assert_eq!(d.summary, "call bob on admin:***@v");
        assert_eq!(
            d.steps,
            [
                "connect to server https://u:***@tv",
                "sign in as me:***@x",
                "call bob on admin:***@v",
            ]
        );
        let all = format!("{d:?}");
        assert!(!all.contains("hunter2"), "{all}");
        assert!(all.contains("k:***@y="), "{all}");
        let d = describe(&Link::parse("trueconf:#sip:u:hunter2%40pbx"));
        assert_eq!(d.summary, "call SIP u:***@pbx");
    }
}
