//! `chat::markdown::render`: whatever a member types, the HTML every client inserts as is holds
//! no script, no event handler and no link outside http(s)/mailto, and the mentions it reports
//! are exactly the mention spans it shows, each a member, each once.

#![no_main]

use std::collections::HashSet;

use huddle_server::chat::markdown::render;
use libfuzzer_sys::fuzz_target;

const MEMBERS: [&str; 4] = ["alice", "bob", "qa", "dev-1_x"];

/// Elements that must never come out of the sanitiser.
const FORBIDDEN_TAGS: [&str; 20] = [
    "script", "style", "iframe", "frame", "frameset", "img", "svg", "math", "object", "embed",
    "form", "input", "button", "textarea", "link", "meta", "base", "area", "map", "template",
];

/// Attributes holding a URL a browser may follow or load.
const URL_ATTRIBUTES: [&str; 7] = [
    "href",
    "src",
    "cite",
    "action",
    "formaction",
    "background",
    "xlink:href",
];

fuzz_target!(|data: &[u8]| {
    let source = String::from_utf8_lossy(data);
    let members: HashSet<String> = MEMBERS.iter().map(|m| (*m).to_owned()).collect();
    let rendered = render(&source, &members);
    let html = &rendered.html;

    assert!(
        !html.to_ascii_lowercase().contains("<script"),
        "a script tag in {html:?}"
    );

    let mut seen = HashSet::new();
    for name in &rendered.mentions {
        assert!(members.contains(name), "{name} is not a member");
        assert!(seen.insert(name.as_str()), "{name} reported twice");
    }

    let mut shown = HashSet::new();
    for tag in tags(html) {
        let Tag::Start { name, attributes } = tag else {
            continue;
        };
        let name = name.to_ascii_lowercase();
        assert!(
            !FORBIDDEN_TAGS.contains(&name.as_str()),
            "<{name}> in {html:?}"
        );
        for (attr, value) in &attributes {
            let attr = attr.to_ascii_lowercase();
            assert!(!attr.starts_with("on"), "handler {attr} in {html:?}");
            assert!(attr != "style", "style attribute in {html:?}");
            if URL_ATTRIBUTES.contains(&attr.as_str()) {
                if let Some(scheme) = scheme_of(value) {
                    assert!(
                        ["http", "https", "mailto"].contains(&scheme.as_str()),
                        "{attr}={value:?} (scheme {scheme}) in {html:?}"
                    );
                }
            }
            if attr == "data-mention" {
                assert!(
                    rendered.mentions.contains(value),
                    "span for {value} that is not in the mentions {:?}",
                    rendered.mentions
                );
                shown.insert(value.clone());
            }
        }
        if name == "a" && attributes.iter().any(|(a, _)| a == "href") {
            assert!(
                attributes
                    .iter()
                    .any(|(a, v)| a == "rel" && v == "noopener noreferrer nofollow"),
                "a link without rel in {html:?}"
            );
        }
    }
    for name in &rendered.mentions {
        assert!(shown.contains(name), "{name} mentioned but not shown in {html:?}");
    }
});

enum Tag {
    Start {
        name: String,
        attributes: Vec<(String, String)>,
    },
    End,
}

/// The tags of serialised, sanitised HTML. Text there escapes `<`, and attribute values are
/// always double-quoted with `"` escaped, so a small scanner reads it exactly; anything else is
/// itself a failure.
fn tags(html: &str) -> Vec<Tag> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        rest = &rest[at + 1..];
        if let Some(after) = rest.strip_prefix('/') {
            let end = after
                .find('>')
                .unwrap_or_else(|| panic!("unclosed end tag in {html:?}"));
            rest = &after[end + 1..];
            out.push(Tag::End);
            continue;
        }
        let name_len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == ':'))
            .unwrap_or(rest.len());
        assert!(name_len > 0, "a bare '<' in {html:?}");
        let name = rest[..name_len].to_owned();
        rest = &rest[name_len..];
        let mut attributes = Vec::new();
        loop {
            rest = rest.trim_start_matches([' ', '\t', '\n', '\r', '\x0c']);
            if let Some(after) = rest.strip_prefix('>') {
                rest = after;
                break;
            }
            if let Some(after) = rest.strip_prefix("/>") {
                rest = after;
                break;
            }
            let attr_len = rest
                .find(|c: char| c == '=' || c == '>' || c.is_ascii_whitespace())
                .unwrap_or_else(|| panic!("unclosed tag in {html:?}"));
            assert!(attr_len > 0, "odd tag syntax at {rest:?} in {html:?}");
            let attr = rest[..attr_len].to_owned();
            rest = &rest[attr_len..];
            let value = match rest.strip_prefix("=\"") {
                Some(after) => {
                    let end = after
                        .find('"')
                        .unwrap_or_else(|| panic!("unclosed attribute in {html:?}"));
                    rest = &after[end + 1..];
                    unescape(&after[..end])
                }
                None => String::new(),
            };
            attributes.push((attr, value));
        }
        out.push(Tag::Start { name, attributes });
    }
    out
}

/// Undoes the serialiser's attribute escaping (and numeric references, to be safe).
fn unescape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let Some(end) = rest.find(';') else { break };
        let entity = &rest[1..end];
        let decoded = match entity {
            "amp" => Some('&'),
            "quot" => Some('"'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "nbsp" => Some('\u{a0}'),
            _ => entity
                .strip_prefix("#x")
                .or_else(|| entity.strip_prefix("#X"))
                .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The scheme a browser would see: leading spaces and controls dropped, tabs and newlines
/// removed anywhere (the URL standard does both), lower-cased.
fn scheme_of(url: &str) -> Option<String> {
    let cleaned: String = url
        .trim_start_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let (scheme, _) = cleaned.split_once(':')?;
    let mut chars = scheme.chars();
    let valid = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    valid.then(|| scheme.to_ascii_lowercase())
}
