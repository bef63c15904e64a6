//! The answer a handler produces, ConnectWise's error shapes, and conversion to an actix response.

use crate::json::FieldError;
use crate::settings::{EmptyErrors, ErrorSpec};
use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use serde_json::{json, Value};

/// Status, JSON body (none for 204) and extra headers of one answer.
#[derive(Clone, Debug)]
pub struct Reply {
    pub status: u16,
    pub body: Option<Value>,
    pub headers: Vec<(String, String)>,
    /// A `{"code","message"}` error body, whose missing `errors` `empty_errors` may fill in.
    pub error: bool,
}

impl Reply {
    pub fn json(status: u16, body: Value) -> Reply {
        Reply {
            status,
            body: Some(body),
            headers: Vec::new(),
            error: false,
        }
    }

    pub fn ok(body: Value) -> Reply {
        Reply::json(200, body)
    }

    pub fn no_content() -> Reply {
        Reply {
            status: 204,
            body: None,
            headers: Vec::new(),
            error: false,
        }
    }

    /// `{"code": …, "message": …}`.
    pub fn error(status: u16, code: &str, message: impl Into<String>) -> Reply {
        Reply {
            error: true,
            ..Reply::json(status, json!({"code": code, "message": message.into()}))
        }
    }

    /// A configured error; `{permission}` in its message is replaced.
    pub fn spec(spec: &ErrorSpec, permission: &str) -> Reply {
        let message = spec.message.replace("{permission}", permission);
        Reply::error(spec.status, &spec.code, message)
    }

    /// 400 `InvalidObject` listing field errors, as for `callbackEntry object is invalid`.
    pub fn invalid(resource: &str, errors: Vec<FieldError>) -> Reply {
        let errors: Vec<Value> = errors
            .into_iter()
            .map(|e| {
                json!({"code": e.code, "message": e.message, "resource": resource, "field": e.field})
            })
            .collect();
        Reply::json(
            400,
            json!({
                "code": "InvalidObject",
                "message": format!("{resource} object is invalid"),
                "errors": errors,
            }),
        )
    }

    /// 404 `{"code":"NotFound","message":"Ticket 5 not found"}`.
    pub fn not_found(what: &str, id: i64) -> Reply {
        Reply::error(404, "NotFound", format!("{what} {id} not found"))
    }

    /// 404 for a path the API does not have.
    pub fn no_endpoint() -> Reply {
        Reply::error(404, "ConnectWiseApi", "The endpoint does not exist.")
    }

    pub fn bad_request(message: impl Into<String>) -> Reply {
        Reply::error(400, "BadRequest", message)
    }

    pub fn with_header(mut self, name: &str, value: String) -> Reply {
        self.headers.push((name.to_string(), value));
        self
    }

    /// Applies `empty_errors` to an error body without an `errors` member.
    pub fn finish(mut self, empty: EmptyErrors) -> Reply {
        if self.error && empty == EmptyErrors::Null {
            if let Some(Value::Object(map)) = &mut self.body {
                map.entry("errors").or_insert(Value::Null);
            }
        }
        self
    }

    pub fn into_response(self) -> HttpResponse {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut b = HttpResponse::build(status);
        for (k, v) in &self.headers {
            b.insert_header((k.as_str(), v.as_str()));
        }
        match self.body {
            Some(body) => b
                .content_type("application/json; charset=utf-8")
                .body(body.to_string()),
            None => b.finish(),
        }
    }
}
