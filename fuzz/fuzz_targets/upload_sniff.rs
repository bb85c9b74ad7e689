//! `chat::uploads::classify` and `clean_name`: an upload is accepted exactly when its extension
//! is on the allow-list and its bytes agree with it (magic bytes, or UTF-8 text without NUL), a
//! refusal is a 400, and the name stored and offered on download is one safe path component.
//!
//! Input: the first byte is the name's length, then the name (lossy UTF-8), then the file.

#![no_main]

use huddle_server::chat::uploads::{classify, clean_name};
use libfuzzer_sys::fuzz_target;

/// Extension, content type, magic prefixes (empty: UTF-8 text), image.
const ALLOWED: [(&str, &str, &[&[u8]], bool); 14] = [
    ("txt", "text/plain", &[], false),
    ("md", "text/markdown", &[], false),
    ("py", "text/x-python", &[], false),
    ("js", "text/javascript", &[], false),
    ("json", "application/json", &[], false),
    ("yaml", "application/yaml", &[], false),
    ("yml", "application/yaml", &[], false),
    ("csv", "text/csv", &[], false),
    ("log", "text/plain", &[], false),
    ("png", "image/png", &[b"\x89PNG\r\n\x1a\n"], true),
    ("jpg", "image/jpeg", &[b"\xff\xd8\xff"], true),
    ("jpeg", "image/jpeg", &[b"\xff\xd8\xff"], true),
    ("gif", "image/gif", &[b"GIF87a", b"GIF89a"], true),
    ("pdf", "application/pdf", &[b"%PDF-"], false),
];

fuzz_target!(|data: &[u8]| {
    let Some((&len, rest)) = data.split_first() else {
        return;
    };
    let (name, bytes) = rest.split_at(usize::from(len).min(rest.len()));
    let name = String::from_utf8_lossy(name);

    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let expected = ALLOWED
        .iter()
        .find(|(e, ..)| *e == ext)
        .and_then(|&(_, content_type, magic, image)| {
            let fits = if magic.is_empty() {
                std::str::from_utf8(bytes).is_ok() && !bytes.contains(&0)
            } else {
                magic.iter().any(|m| bytes.starts_with(m))
            };
            fits.then_some((content_type, image))
        });
    match (classify(&name, bytes), expected) {
        (Ok(kind), Some((content_type, image))) => {
            assert_eq!(kind.content_type, content_type, "{name:?}");
            assert_eq!(kind.image, image, "{name:?}");
        }
        (Err(e), None) => {
            assert_eq!(e.status.as_u16(), 400, "{name:?}: {e:?}");
            assert_eq!(e.body.code, "invalid_attachment", "{name:?}");
        }
        (Ok(kind), None) => panic!("{name:?} accepted as {kind:?} but should be refused"),
        (Err(e), Some(_)) => panic!("{name:?} refused but allowed: {e:?}"),
    }

    for raw in [name.as_ref(), String::from_utf8_lossy(bytes).as_ref()] {
        let clean = clean_name(raw);
        assert!(!clean.is_empty(), "{raw:?} -> empty");
        assert!(clean.chars().count() <= 128, "{raw:?} -> {clean:?}");
        assert!(
            !clean.contains(['/', '\\', '\0', '"', ';']),
            "{raw:?} -> {clean:?}"
        );
        assert!(!clean.chars().any(char::is_control), "{raw:?} -> {clean:?}");
        assert!(!clean.starts_with('.'), "{raw:?} -> {clean:?}");
        // Every character comes, in order, from the last path component (or it is the default).
        let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
        let mut from = last.chars();
        assert!(
            clean == "file" || clean.chars().all(|c| from.any(|d| d == c)),
            "{raw:?} -> {clean:?} is not drawn from {last:?}"
        );
    }
});
