//! `POST /api/projects/{name}/attachments` (multipart, field `file`, repeated),
//! `GET /api/attachments/{id}` / `GET /api/attachments/{id}/thumbnail`, and
//! `DELETE /api/attachments/{id}` for an upload of one's own that no message uses yet.

use std::time::Instant;

use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use huddle_store::Attachment;
use serde::Serialize;

use crate::auth::{AuthUser, DownloadUser};
use crate::chat::uploads::{self, Upload};
use crate::error::ApiError;
use crate::extract::Json;
use crate::state::AppState;

pub fn router(max_request_bytes: usize) -> Router<AppState> {
    Router::new()
        .route(
            "/projects/{name}/attachments",
            post(upload).layer(DefaultBodyLimit::max(max_request_bytes)),
        )
        .route("/attachments/{id}", get(download).delete(remove))
        .route("/attachments/{id}/thumbnail", get(thumbnail))
}

#[derive(Serialize)]
struct Uploaded {
    attachments: Vec<Attachment>,
}

fn bad_form(e: impl std::fmt::Display) -> ApiError {
    ApiError::bad_request(
        "invalid_upload",
        format!("the upload is not valid multipart form data: {e}"),
    )
    .with_hint("Send multipart/form-data with one or more `file` fields.")
}

async fn upload(
    State(state): State<AppState>,
    caller: AuthUser,
    Path(name): Path<String>,
    mut form: Multipart,
) -> Result<(StatusCode, Json<Uploaded>), ApiError> {
    let limits = state.config.attachments.clone();
    // Over the rate, the body is not even read.
    state
        .upload_rate
        .check(&caller.id, Instant::now())
        .map_err(|wait| uploads::too_fast(&state, wait))?;
    let mut files = Vec::new();
    while let Some(mut field) = form.next_field().await.map_err(bad_form)? {
        if field.name() != Some("file") {
            continue;
        }
        if files.len() == limits.max_per_message {
            return Err(ApiError::bad_request(
                "invalid_attachment",
                format!("at most {} files", limits.max_per_message),
            ));
        }
        let file_name = field.file_name().unwrap_or("file").to_owned();
        let mut bytes = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(bad_form)? {
            if bytes.len() + chunk.len() > limits.max_file_bytes {
                return Err(ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "payload_too_large",
                    format!(
                        "{file_name} is larger than {} MB",
                        limits.max_file_bytes / (1024 * 1024)
                    ),
                ));
            }
            bytes.extend_from_slice(&chunk);
        }
        files.push(Upload { file_name, bytes });
    }
    let attachments = uploads::store(&state, &caller, &name, files).await?;
    Ok((StatusCode::CREATED, Json(Uploaded { attachments })))
}

async fn download(
    State(state): State<AppState>,
    headers: HeaderMap,
    DownloadUser(caller): DownloadUser,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    serve(&state, &caller, &id, false, by_link(&headers)).await
}

async fn thumbnail(
    State(state): State<AppState>,
    headers: HeaderMap,
    DownloadUser(caller): DownloadUser,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    serve(&state, &caller, &id, true, by_link(&headers)).await
}

async fn remove(
    State(state): State<AppState>,
    caller: AuthUser,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    uploads::remove(&state, &caller, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Fetched with `?token=` rather than a header: the URL carries a credential, so neither the
/// browser nor anything between may keep the response.
fn by_link(headers: &HeaderMap) -> bool {
    !headers.contains_key(header::AUTHORIZATION)
}

/// Images are shown inline; everything else downloads. Text is always served as plain text,
/// and the response may not run anything (`sandbox`). Only the browser may cache it (never a
/// shared cache), and not at all when the token came in the URL.
async fn serve(
    state: &AppState,
    caller: &AuthUser,
    id: &str,
    thumbnail: bool,
    by_link: bool,
) -> Result<Response, ApiError> {
    let (found, path) = uploads::open(state, caller, id, thumbnail).await?;
    let bytes = tokio::fs::read(&path).await.map_err(|e| {
        tracing::error!(error = %e, path = %path.display(), "attachment file is missing");
        ApiError::not_found("attachment file")
    })?;
    let a = &found.attachment;
    let image = a.content_type.starts_with("image/");
    let content_type = match (thumbnail, image, a.content_type.as_str()) {
        (true, _, _) => "image/png",
        (false, true, t) | (false, false, t @ "application/pdf") => t,
        _ => "text/plain; charset=utf-8",
    };
    let disposition = if image || thumbnail {
        "inline"
    } else {
        "attachment"
    };
    let encoded: String = a
        .file_name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let ascii: String = a
        .file_name
        .chars()
        .map(|c| {
            if c.is_ascii() && !c.is_ascii_control() {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut response = Response::new(Body::from(bytes));
    let headers = response.headers_mut();
    let set = |value: String| {
        HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static("attachment"))
    };
    headers.insert(header::CONTENT_TYPE, set(content_type.to_owned()));
    headers.insert(
        header::CONTENT_DISPOSITION,
        set(format!(
            "{disposition}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"
        )),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(if by_link {
            "private, no-store"
        } else {
            "private, max-age=3600"
        }),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    Ok(response)
}
