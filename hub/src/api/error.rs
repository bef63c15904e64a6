//! The admin API's error answer: `{"error": {"code", "message"}}` with a fitting status. Causes
//! of 5xx are logged, never sent. The codes are one enum, so the OpenAPI document lists exactly
//! the codes the server can send.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::actors::ActorError;
use crate::store::StoreError;

/// Every `error.code` the admin API answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// 400: the body is not JSON of the expected shape (missing, unknown or mistyped fields).
    InvalidBody,
    /// 400: the connection's fields are present but not acceptable (every problem listed).
    InvalidConnection,
    InvalidTenantId,
    InvalidEventId,
    InvalidTicketId,
    /// 400: `psa` names no PSA this hub serves.
    InvalidPsa,
    /// 400: a query parameter (`after`, `limit`) is not acceptable, or is unknown.
    InvalidQuery,
    InvalidPath,
    /// 401: no `Authorization: Bearer` header, or a token not among `admin.tokens`.
    Unauthorized,
    /// 404: no such endpoint.
    NotFound,
    ConnectionNotFound,
    EventNotFound,
    /// 405: the path exists but does not take that method (the `Allow` header lists those it does).
    MethodNotAllowed,
    /// 409: a DELETE of the connection is running.
    ConnectionBeingRemoved,
    /// 409: the connection is being removed or orphaned; PUT it again first.
    ConnectionRemoved,
    /// 409: another request changed the connection at the same time.
    ConcurrentChange,
    /// 409: the event is linked to another ticket.
    EventAlreadyLinked,
    /// 409: the link names no `psa` while the tenant has connections to more than one.
    PsaRequired,
    /// 409: the stored connection cannot be read (sealed with another `secrets.master_key`, or
    /// damaged); DELETE it, or restart with the right key.
    ConnectionUnreadable,
    /// 413: the body is larger than 64 KiB.
    BodyTooLarge,
    /// 415: the body is not sent as `Content-Type: application/json`.
    UnsupportedMediaType,
    /// 500: a failure of psa-hub itself; the cause is in its log.
    Internal,
    /// 503: the hub is stopping, or a connection's worker restarted; repeat the request.
    Unavailable,
}

/// The body of every error answer.
#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ErrorDetail {
    pub code: ErrorCode,
    /// What went wrong and what to do; it never repeats a submitted value.
    pub message: String,
}

#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: ErrorCode,
    message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    pub fn bad_request(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn not_found(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, code, message)
    }

    pub fn conflict(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, message)
    }

    /// Another request changed the connection meanwhile; nothing of this one was written.
    pub fn concurrent_change() -> Self {
        Self::conflict(
            ErrorCode::ConcurrentChange,
            "another request changed this connection at the same time; repeat the request",
        )
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, ErrorCode::Unauthorized, message)
    }

    pub fn internal(cause: &dyn std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "admin request failed");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::Internal,
            "psa-hub could not complete the request; the cause is in its log",
        )
    }

    pub fn unavailable(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::Unavailable,
            message,
        )
    }

    fn body(&self) -> ErrorBody {
        ErrorBody {
            error: ErrorDetail {
                code: self.code,
                message: self.message.clone(),
            },
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({:?}): {}", self.status, self.code, self.message)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status);
        if self.status == StatusCode::UNAUTHORIZED {
            response.insert_header(("WWW-Authenticate", "Bearer realm=\"psa-hub\""));
        }
        response.json(self.body())
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Sealed(_) => Self::conflict(
                ErrorCode::ConnectionUnreadable,
                "the stored connection cannot be read: it was sealed with another \
                 secrets.master_key, or is damaged. Restart psa-hub with the right key, or DELETE \
                 the connection (its webhook must then be deleted in the PSA by hand) and connect \
                 it again",
            ),
            other => Self::internal(&other),
        }
    }
}

impl From<ActorError> for ApiError {
    fn from(error: ActorError) -> Self {
        match error {
            ActorError::Stopping => Self::unavailable(
                "the connection's worker is stopping (hub shutdown or a concurrent removal); \
                 repeat the request",
            ),
            ActorError::Changed => Self::concurrent_change(),
            other => Self::internal(&other),
        }
    }
}

impl From<actix::MailboxError> for ApiError {
    fn from(error: actix::MailboxError) -> Self {
        tracing::error!(%error, "a connection actor did not answer");
        Self::unavailable("the connection's worker restarted while handling the request; try again")
    }
}
