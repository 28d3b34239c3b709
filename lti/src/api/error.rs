//! [`ApiError`]: every refusal of the JSON API as `{code, message, details}` with a stable
//! snake_case code and its HTTP status, and [`Body`], the one way a handler reads a JSON
//! body: within a size limit (413 `body_too_large`), as JSON (400 `invalid_body` naming the
//! JSON path and serde's message), into a struct that denies unknown members. A write the
//! core refuses is 409 with the core's own code and message ([`ApiError::refused`]).

use std::borrow::Cow;

use axum::Json;
use axum::extract::{FromRequest, Request};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::error::{AppError, InternalCause};
use crate::store::StoreError;

/// The codes the API's own checks answer with (the core's refusal codes come on top,
/// spelled as the core spells them, see `fixtures/scenarios/README.md` §11).
pub mod codes {
    /// The body is larger than the route accepts (413).
    pub const BODY_TOO_LARGE: &str = "body_too_large";
    /// The body is not JSON of the expected shape (400).
    pub const INVALID_BODY: &str = "invalid_body";
    /// A value in a valid body breaks a rule of the API (400).
    pub const INVALID_INPUT: &str = "invalid_input";
    /// The body's `Content-Type` is not the one the route reads (415).
    pub const UNSUPPORTED_MEDIA_TYPE: &str = "unsupported_media_type";
    /// Nothing of that id in the caller's registration and context (404).
    pub const NOT_FOUND: &str = "not_found";
    /// The caller's role or scope does not allow this (403).
    pub const FORBIDDEN: &str = "forbidden";
    /// The row changed state in a way that forbids the request (409).
    pub const CONFLICT: &str = "conflict";
    /// A published or archived definition version cannot change (409).
    pub const DEFINITION_IMMUTABLE: &str = "definition_immutable";
    /// Publishing was refused because of error findings (409, findings in `details`).
    pub const PUBLISH_BLOCKED: &str = "publish_blocked";
    /// An import was confirmed after a learner's log moved (409).
    pub const IMPORT_STALE: &str = "import_stale";
    /// An import was confirmed already (409).
    pub const IMPORT_CONFIRMED: &str = "import_confirmed";
    /// An import has rows that fail; it cannot be confirmed (409).
    pub const IMPORT_HAS_ERRORS: &str = "import_has_errors";
    /// The server failed (500); the cause is in the log, by request id.
    pub const INTERNAL_ERROR: &str = "internal_error";
}

/// An error answer of the JSON API.
#[derive(Debug)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// A stable snake_case code clients branch on.
    pub code: Cow<'static, str>,
    /// A sentence for a person.
    pub message: String,
    /// Extra data (which field, which findings); `null` when there is none.
    pub details: Value,
    /// For 5xx: the cause, logged and never sent.
    internal: Option<String>,
}

pub use cairn_api_types::ErrorBody;

impl ApiError {
    /// An error answer with no details.
    pub fn new(
        status: StatusCode,
        code: impl Into<Cow<'static, str>>,
        message: impl Into<String>,
    ) -> ApiError {
        ApiError {
            status,
            code: code.into(),
            message: message.into(),
            details: Value::Null,
            internal: None,
        }
    }

    /// Adds details.
    pub fn with_details(mut self, details: Value) -> ApiError {
        self.details = details;
        self
    }

    /// 409 with the core's code and message: a write the core's policy refuses.
    pub fn refused(code: impl Into<Cow<'static, str>>, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::CONFLICT, code, message)
    }

    /// 400 `invalid_input`: a well-formed body whose values break a rule.
    pub fn invalid_input(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, codes::INVALID_INPUT, message)
    }

    /// 404 `not_found`. Used as well for rows of another tenant or context, so a caller
    /// cannot learn that they exist.
    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, codes::NOT_FOUND, message)
    }

    /// 403 `forbidden`.
    pub fn forbidden(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, codes::FORBIDDEN, message)
    }

    /// 409 with a code of the API.
    pub fn conflict(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::CONFLICT, code, message)
    }

    /// A 500 whose cause is logged, not shown.
    pub fn internal(cause: impl std::fmt::Display) -> ApiError {
        let mut error = ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            codes::INTERNAL_ERROR,
            "the server failed to answer; the administrator can find the cause in the log by the x-request-id",
        );
        error.internal = Some(cause.to_string());
        error
    }
}

impl From<AppError> for ApiError {
    fn from(error: AppError) -> ApiError {
        // AppError keeps its cause private: answer through it and carry the extension over.
        let status = error.status;
        let code = error.code;
        let message = error.message.clone();
        let details = error.details.clone();
        let internal = error
            .into_response()
            .extensions()
            .get::<InternalCause>()
            .map(|c| c.0.clone());
        ApiError {
            status,
            code: Cow::Borrowed(code),
            message,
            details,
            internal,
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> ApiError {
        ApiError::from(AppError::from(error))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({ "code": self.code, "message": self.message, "details": self.details });
        let mut response = (self.status, Json(body)).into_response();
        if let Some(cause) = self.internal {
            response.extensions_mut().insert(InternalCause(cause));
        }
        response
    }
}

/// A request body type of the API: JSON into a struct with `deny_unknown_fields`, read
/// within [`ApiBody::MAX_BYTES`].
pub trait ApiBody: DeserializeOwned + Send + 'static {
    /// The largest body accepted, in bytes (default 64 KiB).
    const MAX_BYTES: usize = 64 * 1024;
}

/// The JSON body of a request, read within its type's size limit.
#[derive(Debug)]
pub struct Body<T>(pub T);

impl<S: Send + Sync, T: ApiBody> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, _state: &S) -> Result<Self, ApiError> {
        if let Some(kind) = req.headers().get(header::CONTENT_TYPE) {
            let kind = kind.to_str().unwrap_or_default();
            let essence = kind.split(';').next().unwrap_or_default().trim();
            if !essence.eq_ignore_ascii_case("application/json") {
                return Err(ApiError::new(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    codes::UNSUPPORTED_MEDIA_TYPE,
                    format!("send the body as application/json, not {essence:?}"),
                ));
            }
        }
        let bytes = read_limited(req, T::MAX_BYTES).await?;
        parse_body::<T>(&bytes).map(Body)
    }
}

/// Reads a request body of at most `limit` bytes: 413 `body_too_large` past it.
pub async fn read_limited(req: Request, limit: usize) -> Result<axum::body::Bytes, ApiError> {
    axum::body::to_bytes(req.into_body(), limit)
        .await
        .map_err(|_| body_too_large(limit))
}

/// 413 `body_too_large` for a limit.
pub fn body_too_large(limit: usize) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        codes::BODY_TOO_LARGE,
        format!("the body is larger than this route accepts ({limit} bytes)"),
    )
    .with_details(json!({ "limit_bytes": limit }))
}

/// Reads JSON bytes into `T`: 400 `invalid_body` with the JSON path and serde's message.
/// Pure, so fuzz targets call it on raw bytes.
pub fn parse_body<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let invalid = |path: String, inner: serde_json::Error| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            codes::INVALID_BODY,
            format!("the body is not valid: {inner}"),
        )
        .with_details(json!({
            "path": path,
            "line": inner.line(),
            "column": inner.column(),
        }))
    };
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value: T = serde_path_to_error::deserialize(&mut deserializer).map_err(|err| {
        let path = err.path().to_string();
        invalid(path, err.into_inner())
    })?;
    // Trailing bytes after the value are refused too.
    deserializer
        .end()
        .map_err(|err| invalid(".".to_owned(), err))?;
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Sample {
        outer: Inner,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        count: u32,
    }

    #[test]
    fn a_malformed_body_names_its_path_and_serdes_message() {
        let err = parse_body::<Sample>(br#"{"outer": {"count": "x"}}"#).unwrap_err();
        assert_eq!(err.status, StatusCode::BAD_REQUEST);
        assert_eq!(err.code, "invalid_body");
        assert_eq!(err.details["path"], "outer.count");
        assert!(err.message.contains("invalid type"), "{}", err.message);

        let err = parse_body::<Sample>(br#"{"outer": {"count": 1, "extra": 2}}"#).unwrap_err();
        assert_eq!(err.details["path"], "outer.extra");
        assert!(err.message.contains("unknown field"), "{}", err.message);

        let err = parse_body::<Sample>(br#"{"outer": {"count": 1}} trailing"#).unwrap_err();
        assert_eq!(err.code, "invalid_body");
        assert!(parse_body::<Sample>(br#"{"outer": {"count": 1}}"#).is_ok());
    }

    #[test]
    fn a_core_refusal_is_409_with_the_cores_code() {
        let err = ApiError::refused("attempt_limit_reached", "no attempts left");
        assert_eq!(err.status, StatusCode::CONFLICT);
        assert_eq!(err.code, "attempt_limit_reached");
        let too_large = body_too_large(10);
        assert_eq!(too_large.status, StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(too_large.details["limit_bytes"], 10);
    }
}
