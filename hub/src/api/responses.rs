//! The reusable error answers of the OpenAPI document: one per status, each with the body
//! `{"error": {"code", "message"}}` and the codes that status carries.

use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::schema::{Ref, Type};
use utoipa::openapi::{ContentBuilder, RefOr, Response, ResponseBuilder};
use utoipa::ToResponse;

fn error_answer(description: &str) -> ResponseBuilder {
    let body = ContentBuilder::new()
        .schema(Some(Ref::from_schema_name("ErrorBody")))
        .build();
    ResponseBuilder::new()
        .description(description)
        .content("application/json", body)
}

macro_rules! error_response {
    ($(#[$meta:meta])* $name:ident, $description:literal) => {
        $(#[$meta])*
        #[derive(Debug)]
        pub struct $name;

        impl<'r> ToResponse<'r> for $name {
            fn response() -> (&'r str, RefOr<Response>) {
                (stringify!($name), error_answer($description).build().into())
            }
        }
    };
}

error_response!(
    BadRequest,
    "The request is not acceptable; `error.message` lists every problem at once. Codes: \
     `invalid_body`, `invalid_connection`, `invalid_tenant_id`, `invalid_event_id`, \
     `invalid_ticket_id`, `invalid_query`, `invalid_path`."
);
error_response!(
    NotFound,
    "No such connection (`connection_not_found`), event (`event_not_found`) or endpoint \
     (`not_found`, e.g. an empty path segment)."
);
error_response!(
    Conflict,
    "The request conflicts with the current state: `connection_being_removed`, \
     `connection_removed`, `concurrent_change`, `connection_unreadable` or \
     `event_already_linked`."
);
error_response!(
    PayloadTooLarge,
    "The body is larger than 64 KiB (`body_too_large`)."
);
error_response!(
    UnsupportedMediaType,
    "The body is not sent as `Content-Type: application/json` (`unsupported_media_type`)."
);
error_response!(
    InternalError,
    "A failure of psa-hub itself (`internal`); the cause is in its log, never in the answer."
);
error_response!(
    Unavailable,
    "The hub is stopping or the connection's worker restarted (`unavailable`); repeat the \
     request."
);

/// 401, with the challenge header every such answer carries.
#[derive(Debug)]
pub struct Unauthorized;

impl<'r> ToResponse<'r> for Unauthorized {
    fn response() -> (&'r str, RefOr<Response>) {
        let challenge = HeaderBuilder::new()
            .schema(utoipa::openapi::ObjectBuilder::new().schema_type(Type::String))
            .description(Some("Always `Bearer realm=\"psa-hub\"`."))
            .build();
        let response = error_answer(
            "No `Authorization: Bearer <admin token>` header, or a token not among \
             `admin.tokens` (`unauthorized`).",
        )
        .header("WWW-Authenticate", challenge)
        .build();
        ("Unauthorized", response.into())
    }
}

/// 405, for the methods a path does not document: OpenAPI cannot attach it to them.
#[derive(Debug)]
pub struct MethodNotAllowed;

impl<'r> ToResponse<'r> for MethodNotAllowed {
    fn response() -> (&'r str, RefOr<Response>) {
        let allow = HeaderBuilder::new()
            .schema(utoipa::openapi::ObjectBuilder::new().schema_type(Type::String))
            .description(Some("The methods the path takes, e.g. `GET, PUT, DELETE`."))
            .build();
        let response = error_answer(
            "Any method a path does not document (HEAD and OPTIONS included) answers 405 \
             (`method_not_allowed`) with an `Allow` header.",
        )
        .header("Allow", allow)
        .build();
        ("MethodNotAllowed", response.into())
    }
}
