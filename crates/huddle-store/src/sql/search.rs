//! Full-text search over a project's messages: FTS5 on SQLite, `tsvector` on PostgreSQL. The
//! user's words are turned into literal terms (AND, prefix match on the last one), never passed
//! through as query syntax. Results come newest first, as in Slack's and Discord's default
//! search, which also lets FTS5 stop at the limit instead of ranking every match. Snippets mark
//! hits with control characters that the caller turns into `<mark>` after escaping the text.

use sqlx::{AnyPool, Row};

use super::messages::{self, FROM};
use crate::chat::{SearchHit, SearchQuery};
use crate::model::{Backend, Project};
use crate::StoreResult;

/// Start and end of a highlighted hit inside a snippet.
pub const MARK_START: char = '\u{2}';
pub const MARK_END: char = '\u{3}';

/// Words of the query: letters, digits and `_`, lower-cased; at most 8.
fn terms(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|t| !t.is_empty())
        .take(8)
        .map(str::to_lowercase)
        .collect()
}

/// Joins the terms in a backend's syntax: each quoted literally, the last also as a prefix.
fn literal_query(terms: &[String], quote: impl Fn(&str, bool) -> String, and: &str) -> String {
    let last = terms.len().saturating_sub(1);
    terms
        .iter()
        .enumerate()
        .map(|(i, t)| quote(t, i == last))
        .collect::<Vec<_>>()
        .join(and)
}

fn fts5_query(terms: &[String]) -> String {
    literal_query(
        terms,
        |t, prefix| format!("\"{t}\"{}", if prefix { "*" } else { "" }),
        " ",
    )
}

fn tsquery(terms: &[String]) -> String {
    literal_query(
        terms,
        |t, prefix| format!("'{t}'{}", if prefix { ":*" } else { "" }),
        " & ",
    )
}

pub(super) async fn search(
    pool: &AnyPool,
    backend: Backend,
    project: &Project,
    query: &SearchQuery,
) -> StoreResult<Vec<SearchHit>> {
    let terms = terms(&query.text);
    if terms.is_empty() {
        return Ok(Vec::new());
    }
    let (start, end) = (MARK_START.to_string(), MARK_END.to_string());
    let (matcher, snippet, order, needle) = match backend {
        Backend::Sqlite => (
            "JOIN messages_fts ON messages_fts.rowid = m.rowid WHERE messages_fts MATCH $1",
            format!("snippet(messages_fts, 0, '{start}', '{end}', '…', 16)"),
            // rowid follows insertion, so FTS5 can stream newest first and stop at the limit.
            "messages_fts.rowid DESC",
            fts5_query(&terms),
        ),
        Backend::Postgres => (
            "WHERE m.search @@ to_tsquery('simple', $1)",
            format!(
                "ts_headline('simple', m.content, to_tsquery('simple', $1), \
                 'StartSel={start}, StopSel={end}, MaxWords=24, MinWords=8')"
            ),
            "m.id DESC",
            tsquery(&terms),
        ),
    };
    let sql = format!(
        "SELECT {}, {snippet} AS snippet {FROM} {matcher} AND m.project_id = $2 AND m.deleted_at IS NULL \
         AND ($3 = '' OR c.name = $3) AND ($4 = '' OR m.author_name = $4) \
         AND ($5 = '' OR m.created_at >= $5) AND ($6 = '' OR m.created_at < $6) \
         AND {} ORDER BY {order} LIMIT $7",
        messages::COLUMNS,
        super::channels::visible_to("c", "$8"),
    );
    let rows = sqlx::query(&sql)
        .bind(&needle)
        .bind(&project.id)
        .bind(query.channel.as_deref().unwrap_or(""))
        .bind(query.author.as_deref().unwrap_or(""))
        .bind(query.from.map(crate::format_time).unwrap_or_default())
        .bind(query.to.map(crate::format_time).unwrap_or_default())
        .bind(query.limit)
        .bind(&query.viewer_id)
        .fetch_all(pool)
        .await?;
    let mut hits = Vec::with_capacity(rows.len());
    for row in &rows {
        hits.push(SearchHit {
            message: messages::message(row, &project.name)?,
            snippet: row.try_get("snippet")?,
        });
    }
    Ok(hits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_text_becomes_literal_terms() {
        assert_eq!(terms("Deploy: \"NOW\" OR x*"), ["deploy", "now", "or", "x"]);
        assert_eq!(fts5_query(&terms("fix the bu")), "\"fix\" \"the\" \"bu\"*");
        assert_eq!(tsquery(&terms("fix bu")), "'fix' & 'bu':*");
        assert!(terms("!!! ---").is_empty());
    }
}
