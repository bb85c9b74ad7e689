//! The HTTP stack around the routes: tracing with matched-path spans, request ids, security
//! headers, caching rules for the API, CORS, body limits and timeouts.

use std::time::Duration;

use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::http::{header, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use axum::Router;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::config::HttpConfig;

/// Content-Security-Policy: nothing inline except the import map, whose hash is given.
pub fn content_security_policy(import_map_hash: Option<&str>) -> String {
    let script = match import_map_hash {
        Some(hash) => format!("script-src 'self' {hash}"),
        None => "script-src 'self'".to_owned(),
    };
    format!(
        "default-src 'self'; {script}; style-src 'self'; img-src 'self' data: blob:; \
         connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    )
}

pub fn layers(router: Router, config: &HttpConfig, csp: &str) -> Router {
    let request_id = HeaderName::from_static("x-request-id");
    let trace = TraceLayer::new_for_http().make_span_with(|req: &Request| {
        let path = req
            .extensions()
            .get::<MatchedPath>()
            .map_or("<unmatched>", |p| p.as_str());
        let id = req
            .headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        tracing::info_span!("http", method = %req.method(), path, request_id = id)
    });
    let mut router = router
        .layer(DefaultBodyLimit::max(config.max_body_bytes))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(config.request_timeout_secs),
        ))
        .layer(axum::middleware::from_fn(api_is_not_cached))
        .layer(security_header(header::CONTENT_SECURITY_POLICY, csp))
        .layer(security_header(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(security_header(header::REFERRER_POLICY, "no-referrer"))
        .layer(security_header(header::X_FRAME_OPTIONS, "DENY"))
        .layer(security_header(
            HeaderName::from_static("permissions-policy"),
            "camera=(), microphone=(), geolocation=()",
        ))
        .layer(security_header(
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ));
    if let Some(cors) = cors(&config.cors_origins) {
        router = router.layer(cors);
    }
    router
        .layer(trace)
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
}

fn is_api(path: &str) -> bool {
    ["/api", "/auth"].iter().any(|prefix| {
        path.strip_prefix(prefix)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    })
}

/// API answers carry tokens and private data: `Cache-Control: no-store` unless the route set
/// its own (attachment downloads).
async fn api_is_not_cached(request: Request, next: Next) -> Response {
    let api = is_api(request.uri().path());
    let mut response = next.run(request).await;
    if api && !response.headers().contains_key(header::CACHE_CONTROL) {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

fn security_header(name: HeaderName, value: &str) -> SetResponseHeaderLayer<HeaderValue> {
    let value = HeaderValue::from_str(value).unwrap_or_else(|_| HeaderValue::from_static(""));
    SetResponseHeaderLayer::if_not_present(name, value)
}

/// CORS stays closed (no headers at all) unless origins are configured.
fn cors(origins: &[String]) -> Option<CorsLayer> {
    if origins.is_empty() {
        return None;
    }
    let origins: Vec<HeaderValue> = origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    Some(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(origins))
            .allow_methods([
                Method::GET,
                Method::POST,
                Method::PUT,
                Method::PATCH,
                Method::DELETE,
            ])
            .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
            .allow_credentials(true),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csp_allows_only_the_hashed_inline_script() {
        let csp = content_security_policy(Some("'sha256-abc'"));
        assert!(csp.contains("script-src 'self' 'sha256-abc';"));
        assert!(csp.contains("frame-ancestors 'none'"));
        assert!(!csp.contains("unsafe-inline"));
        assert!(
            csp.contains("connect-src 'self';"),
            "sockets connect to the same origin only: {csp}"
        );
        assert!(!csp.contains("ws:") && !csp.contains("wss:"), "{csp}");
    }

    #[test]
    fn only_api_paths_are_api() {
        for api in ["/api", "/api/me", "/auth/login", "/api/attachments/x"] {
            assert!(is_api(api), "{api}");
        }
        for other in ["/", "/apix", "/authors", "/app/main.js", "/health"] {
            assert!(!is_api(other), "{other}");
        }
    }

    #[test]
    fn cors_is_closed_by_default() {
        assert!(cors(&[]).is_none());
        assert!(cors(&["https://example.com".into()]).is_some());
    }
}
