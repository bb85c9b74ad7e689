//! The search route's query string, `GET /api/projects/{name}/search?q=&channel=&author=&from=
//! &to=&limit=`, through the server's own extractor (`huddle_server::extract::Query`) into
//! `chat::search::SearchRequest`: a bad query string is a 400 `invalid_query`, never a panic or
//! a 5xx, and an accepted one holds exactly what the query string says, field by field.

#![no_main]

use std::collections::HashMap;

use axum::extract::FromRequestParts;
use axum::http::{Request, Uri};
use chrono::{DateTime, Utc};
use huddle_server::chat::search::SearchRequest;
use huddle_server::extract::Query;
use libfuzzer_sys::fuzz_target;

const FIELDS: [&str; 6] = ["q", "channel", "author", "from", "to", "limit"];

fuzz_target!(|data: &[u8]| {
    let Ok(query) = std::str::from_utf8(data) else {
        return;
    };
    // Only what an HTTP request line can carry reaches the extractor.
    let Ok(uri) = format!("/api/projects/alpha/search?{query}").parse::<Uri>() else {
        return;
    };
    let (mut parts, ()) = Request::builder()
        .uri(uri.clone())
        .body(())
        .expect("a request from a valid URI")
        .into_parts();
    let ours = futures::executor::block_on(Query::<SearchRequest>::from_request_parts(
        &mut parts,
        &(),
    ));
    let axums = axum::extract::Query::<SearchRequest>::try_from_uri(&uri);
    assert_eq!(
        ours.is_ok(),
        axums.is_ok(),
        "the server's extractor and axum's disagree on {query:?}"
    );

    let pairs: Vec<(String, String)> = form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let mut values: HashMap<&str, Vec<&str>> = HashMap::new();
    for (k, v) in &pairs {
        values.entry(k.as_str()).or_default().push(v.as_str());
    }
    let one = |key: &str| values.get(key).and_then(|v| v.first().copied());

    match ours {
        Err(e) => {
            assert_eq!(e.status.as_u16(), 400, "{query:?}: {e:?}");
            assert_eq!(e.body.code, "invalid_query", "{query:?}");
        }
        Ok(Query(req)) => {
            assert!(
                values.keys().all(|k| FIELDS.contains(k)),
                "unknown fields accepted in {query:?}"
            );
            assert!(
                values.values().all(|v| v.len() == 1),
                "a repeated field accepted in {query:?}"
            );
            assert_eq!(Some(req.q.as_str()), one("q"), "{query:?}");
            assert_eq!(req.channel.as_deref(), one("channel"), "{query:?}");
            assert_eq!(req.author.as_deref(), one("author"), "{query:?}");
            assert_eq!(req.limit, one("limit").map(|l| l.parse::<i64>().expect("accepted")));
            for (key, value) in [("from", req.from), ("to", req.to)] {
                assert_eq!(
                    value,
                    one(key).map(|t| t.parse::<DateTime<Utc>>().expect("accepted time")),
                    "{key} in {query:?}"
                );
            }
        }
    }
});
