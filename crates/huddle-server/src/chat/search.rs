//! Message search for one project: query validation and safe, highlighted snippets.

use chrono::{DateTime, Utc};
use huddle_core::Permission;
use huddle_store::{Message, SearchQuery, MARK_END, MARK_START};
use serde::{Deserialize, Serialize};

use crate::access::open_project;
use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::state::AppState;

const MAX_QUERY_CHARS: usize = 200;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchRequest {
    pub q: String,
    pub channel: Option<String>,
    pub author: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub limit: Option<i64>,
}

#[derive(Debug, Serialize)]
pub struct SearchResult {
    pub message: Message,
    /// Escaped text around the hit, hits wrapped in `<mark>`.
    pub snippet_html: String,
}

#[derive(Debug, Serialize)]
pub struct SearchResults {
    pub query: String,
    pub results: Vec<SearchResult>,
}

pub async fn search(
    state: &AppState,
    user: &AuthUser,
    project: &str,
    req: SearchRequest,
) -> Result<SearchResults, ApiError> {
    let limit = req.limit.unwrap_or(20);
    if !(1..=100).contains(&limit) {
        return Err(ApiError::bad_request(
            "invalid_query",
            "limit must be 1 to 100",
        ));
    }
    if req.q.trim().is_empty() || req.q.chars().count() > MAX_QUERY_CHARS {
        return Err(ApiError::bad_request(
            "invalid_query",
            format!("q must be 1 to {MAX_QUERY_CHARS} characters"),
        ));
    }
    let access = open_project(state.store.as_ref(), user, project, Permission::Read).await?;
    let query = SearchQuery {
        text: req.q.clone(),
        viewer_id: user.id.clone(),
        channel: req.channel,
        author: req.author,
        from: req.from,
        to: req.to,
        limit,
    };
    let hits = state.store.search(&access.project, &query).await?;
    let results = hits
        .into_iter()
        .map(|hit| SearchResult {
            snippet_html: highlight(&hit.snippet),
            message: hit.message,
        })
        .collect();
    Ok(SearchResults {
        query: req.q,
        results,
    })
}

/// Escapes the snippet, then turns the store's hit markers into `<mark>` tags.
fn highlight(snippet: &str) -> String {
    let escaped = snippet
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;");
    escaped
        .replace(MARK_START, "<mark>")
        .replace(MARK_END, "</mark>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_are_escaped_before_marking() {
        let raw = format!("a <script>{MARK_START}bill{MARK_END}</script> & b");
        assert_eq!(
            highlight(&raw),
            "a &lt;script&gt;<mark>bill</mark>&lt;/script&gt; &amp; b"
        );
    }
}
