//! Markdown to safe HTML, on the server, once per message.
//!
//! Raw HTML in the source is shown as text, images become links (nothing is fetched from
//! elsewhere), bare URLs become links, `@name` of a known member becomes a mention, and the
//! result passes through ammonia: only formatting tags, links limited to http(s) and mailto
//! with `rel="noopener noreferrer nofollow"`.

use std::collections::HashSet;
use std::sync::OnceLock;

use pulldown_cmark::{html, CowStr, Event, Options, Parser, Tag, TagEnd};

/// Rendered HTML and the members it mentions (each once, in order of appearance).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub html: String,
    pub mentions: Vec<String>,
}

pub fn render(source: &str, members: &HashSet<String>) -> Rendered {
    let options =
        Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TABLES | Options::ENABLE_TASKLISTS;
    let mut mentions = Vec::new();
    let mut in_code_or_link = 0usize;
    let mut events = Vec::new();
    for event in Parser::new_ext(source, options) {
        match event {
            Event::Html(raw) | Event::InlineHtml(raw) => events.push(Event::Text(raw)),
            Event::Start(Tag::Image {
                dest_url,
                title,
                id,
                ..
            }) => {
                in_code_or_link += 1;
                events.push(Event::Start(Tag::Link {
                    link_type: pulldown_cmark::LinkType::Inline,
                    dest_url,
                    title,
                    id,
                }));
            }
            Event::End(TagEnd::Image) => {
                in_code_or_link -= 1;
                events.push(Event::End(TagEnd::Link));
            }
            Event::Start(tag @ (Tag::Link { .. } | Tag::CodeBlock(_))) => {
                in_code_or_link += 1;
                events.push(Event::Start(tag));
            }
            Event::End(end @ (TagEnd::Link | TagEnd::CodeBlock)) => {
                in_code_or_link = in_code_or_link.saturating_sub(1);
                events.push(Event::End(end));
            }
            Event::Text(text) if in_code_or_link == 0 => {
                decorate(&text, members, &mut mentions, &mut events)
            }
            other => events.push(other),
        }
    }
    let mut unsafe_html = String::with_capacity(source.len() * 2);
    html::push_html(&mut unsafe_html, events.into_iter());
    Rendered {
        html: sanitizer().clean(&unsafe_html).to_string(),
        mentions,
    }
}

/// Splits text into plain runs, mention spans and links for bare URLs.
fn decorate<'a>(
    text: &CowStr<'a>,
    members: &HashSet<String>,
    mentions: &mut Vec<String>,
    out: &mut Vec<Event<'a>>,
) {
    let mut plain = String::new();
    for word in text.split_inclusive(char::is_whitespace) {
        let core = word.trim_end();
        let tail = &word[core.len()..];
        if let Some(name) = mention_in(core, members) {
            flush(&mut plain, out);
            let rest = &core[1 + name.len()..];
            out.push(Event::Html(
                format!("<span class=\"mention\" data-mention=\"{name}\">@{name}</span>").into(),
            ));
            plain.push_str(rest);
            plain.push_str(tail);
            if !mentions.contains(&name) {
                mentions.push(name);
            }
        } else if core.starts_with("https://") || core.starts_with("http://") {
            flush(&mut plain, out);
            let url = core.trim_end_matches(['.', ',', ')', '!', '?', ';', ':']);
            let escaped = escape(url);
            out.push(Event::Html(
                format!("<a href=\"{escaped}\">{escaped}</a>").into(),
            ));
            plain.push_str(&core[url.len()..]);
            plain.push_str(tail);
        } else {
            plain.push_str(word);
        }
    }
    flush(&mut plain, out);
}

/// `@name` (optionally followed by punctuation) where `name` is a member or agent.
fn mention_in(word: &str, members: &HashSet<String>) -> Option<String> {
    let name = word.strip_prefix('@')?;
    let end = name
        .find(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_'))
        .unwrap_or(name.len());
    let name = &name[..end];
    members.contains(name).then(|| name.to_owned())
}

fn flush<'a>(plain: &mut String, out: &mut Vec<Event<'a>>) {
    if !plain.is_empty() {
        out.push(Event::Text(std::mem::take(plain).into()));
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn sanitizer() -> &'static ammonia::Builder<'static> {
    static BUILDER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    BUILDER.get_or_init(|| {
        let mut b = ammonia::Builder::default();
        b.rm_tags(["img", "area", "map"])
            .add_tag_attributes("code", ["class"])
            .add_tag_attributes("span", ["class", "data-mention"])
            .url_schemes(HashSet::from(["http", "https", "mailto"]))
            .link_rel(Some("noopener noreferrer nofollow"));
        b
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn members() -> HashSet<String> {
        ["alice", "bob", "qa"]
            .into_iter()
            .map(String::from)
            .collect()
    }

    fn html(source: &str) -> String {
        render(source, &members()).html
    }

    #[test]
    fn formatting_and_code_blocks_keep_their_language() {
        let out = html("**bold** and `code`\n\n```rust\nfn main() {}\n```");
        assert!(out.contains("<strong>bold</strong>"), "{out}");
        assert!(
            out.contains("<code class=\"language-rust\">fn main() {}"),
            "{out}"
        );
    }

    #[test]
    fn scripts_handlers_and_javascript_links_are_harmless() {
        for attack in [
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "[x](javascript:alert(1))",
            "<a href=\"javascript:alert(1)\">x</a>",
            "![x](javascript:alert(1))",
            "[x](JaVaScRiPt:alert(1))",
            "<svg onload=alert(1)>",
        ] {
            let out = html(attack);
            for tag in real_tags(&out) {
                let tag = tag.to_lowercase();
                assert!(
                    !["script", "img", "svg"].iter().any(|t| tag.starts_with(t)),
                    "{attack} -> {out}"
                );
                assert!(
                    !tag.contains(" on") && !tag.contains("javascript:"),
                    "{attack} -> {out}"
                );
            }
        }
        assert!(
            html("<script>alert(1)</script>").contains("&lt;script&gt;"),
            "shown as text"
        );
    }

    /// The insides of actual tags (`<...>`), not escaped text.
    fn real_tags(html: &str) -> Vec<&str> {
        html.split('<')
            .skip(1)
            .filter_map(|rest| rest.split_once('>').map(|(tag, _)| tag))
            .collect()
    }

    #[test]
    fn links_are_limited_and_marked() {
        let out = html("[site](https://example.com) and https://rust-lang.org.");
        assert!(
            out.contains(
                "<a href=\"https://example.com\" rel=\"noopener noreferrer nofollow\">site</a>"
            ),
            "{out}"
        );
        assert!(out.contains("<a href=\"https://rust-lang.org\" rel=\"noopener noreferrer nofollow\">https://rust-lang.org</a>."), "{out}");
        assert!(
            !html("[x](data:text/html,hi)").contains("href"),
            "data: URLs dropped"
        );
    }

    #[test]
    fn images_become_links() {
        let out = html("![logo](https://example.com/a.png)");
        assert!(
            out.contains("<a href=\"https://example.com/a.png\""),
            "{out}"
        );
        assert!(!out.contains("<img"));
    }

    #[test]
    fn mentions_of_members_only_and_never_in_code() {
        let r = render("hi @alice, @bob! @mallory `@qa` @alice", &members());
        assert_eq!(r.mentions, ["alice", "bob"]);
        assert!(
            r.html
                .contains("<span class=\"mention\" data-mention=\"alice\">@alice</span>,"),
            "{}",
            r.html
        );
        assert!(r.html.contains("@mallory") && !r.html.contains("data-mention=\"mallory\""));
        assert!(r.html.contains("<code>@qa</code>"));
    }
}
