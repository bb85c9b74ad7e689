//! The web UI: files under `web/`, embedded in release builds (read from disk in debug builds so
//! UI work needs no rebuild). Unknown non-API paths get `index.html` for client-side routing.

use axum::body::Body;
use axum::http::{header, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use rust_embed::RustEmbed;
use sha2::{Digest, Sha256};

#[derive(RustEmbed)]
#[folder = "../../web/"]
#[exclude = "*.sh"]
#[exclude = "*.md"]
struct WebFiles;

pub async fn serve(uri: Uri) -> Response {
    let path = uri.path().trim_start_matches('/');
    let path = if path.is_empty() { "index.html" } else { path };
    if let Some(file) = WebFiles::get(path) {
        return file_response(path, file);
    }
    let looks_like_file = path
        .rsplit('/')
        .next()
        .is_some_and(|last| last.contains('.'));
    match WebFiles::get("index.html") {
        Some(index) if !looks_like_file => file_response("index.html", index),
        _ => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}

fn file_response(path: &str, file: rust_embed::EmbeddedFile) -> Response {
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    let cache = if path == "index.html" {
        "no-cache"
    } else {
        "public, max-age=300"
    };
    let mut response = Response::new(Body::from(file.data.into_owned()));
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(mime.as_ref()) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    response
}

/// CSP source for the inline import map of `index.html`, the only inline script we allow.
pub fn import_map_hash() -> Option<String> {
    let index = WebFiles::get("index.html")?;
    let html = std::str::from_utf8(&index.data).ok()?;
    let start_tag = html.find("<script type=\"importmap\">")?;
    let body_start = start_tag + "<script type=\"importmap\">".len();
    let body_len = html[body_start..].find("</script>")?;
    let digest = Sha256::digest(&html.as_bytes()[body_start..body_start + body_len]);
    Some(format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    ))
}
