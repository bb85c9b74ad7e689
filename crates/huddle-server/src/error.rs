//! The one error type of the HTTP API: `{"error":{"code","message","hint"?}}` with a fitting
//! status. Internal failures are logged with their cause and answered with a generic message.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use huddle_store::StoreError;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct ErrorBody {
    pub code: &'static str,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub body: ErrorBody,
    /// Seconds to wait, sent as `Retry-After`.
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            body: ErrorBody {
                code,
                message: message.into(),
                hint: None,
            },
            retry_after: None,
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> ApiError {
        self.body.hint = Some(hint.into());
        self
    }

    /// A more specific code than the status's usual one (`forbidden` → `wrong_password`).
    pub fn with_code(mut self, code: &'static str) -> ApiError {
        self.body.code = code;
        self
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn unauthorized(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
            .with_hint("Log in again to get a fresh token.")
    }

    pub fn forbidden(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    pub fn not_found(what: &str) -> ApiError {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("{what} not found"),
        )
    }

    pub fn conflict(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::CONFLICT, "conflict", message)
    }

    pub fn too_many(code: &'static str, message: impl Into<String>, retry_after: u64) -> ApiError {
        let mut err = ApiError::new(StatusCode::TOO_MANY_REQUESTS, code, message);
        err.retry_after = Some(retry_after);
        err
    }

    /// Logs `cause` and answers with a message that reveals nothing about it.
    pub fn internal(cause: impl std::fmt::Display) -> ApiError {
        tracing::error!(error = %cause, "internal error");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "something went wrong on the server",
        )
        .with_hint(
            "Try again; if it keeps failing, an administrator can find details in the server log.",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (
            self.status,
            axum::Json(serde_json::json!({ "error": self.body })),
        )
            .into_response();
        if let Some(secs) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> ApiError {
        match err {
            StoreError::NotFound(what) => ApiError::not_found(what),
            StoreError::Conflict(message) => ApiError::conflict(message),
            StoreError::Rejected { code, message } => ApiError::bad_request(code, message),
            StoreError::Unavailable(cause) => {
                tracing::error!(%cause, "store unavailable");
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "the server cannot store this right now",
                )
                .with_hint("Try again in a moment.")
            }
            other => ApiError::internal(other),
        }
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> ApiError {
        let status = rejection.status();
        let (code, hint) = match status {
            StatusCode::PAYLOAD_TOO_LARGE => ("payload_too_large", "Send a smaller request body."),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => (
                "unsupported_media_type",
                "Send JSON with Content-Type: application/json.",
            ),
            StatusCode::UNPROCESSABLE_ENTITY => (
                "invalid_request",
                "Check the field names and types against the API docs.",
            ),
            _ => (
                "invalid_json",
                "The body must be a single valid JSON object.",
            ),
        };
        ApiError::new(status, code, rejection.body_text()).with_hint(hint)
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> ApiError {
        ApiError::bad_request("invalid_query", rejection.body_text())
    }
}

impl From<huddle_core::NameError> for ApiError {
    fn from(err: huddle_core::NameError) -> ApiError {
        ApiError::bad_request("invalid_name", err.to_string())
    }
}

/// For the admin CLI, which reports errors through `anyhow`: the message, then the hint.
impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.body.message)?;
        if let Some(hint) = &self.body.hint {
            write!(f, " ({hint})")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}
