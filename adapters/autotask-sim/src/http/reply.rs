//! The answer a handler produces, and its conversion to an actix response.

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use serde_json::{json, Value};

/// Status, JSON body and extra headers of one answer.
#[derive(Clone, Debug)]
pub struct Reply {
    pub status: u16,
    pub body: Value,
    pub headers: Vec<(String, String)>,
    /// Chosen by a test through an injected fault, so never reshaped on the way out.
    pub injected: bool,
}

impl Reply {
    pub fn ok(body: Value) -> Reply {
        Reply {
            status: 200,
            body,
            headers: Vec::new(),
            injected: false,
        }
    }

    /// Autotask's error shape: `{"errors":["message"]}`.
    pub fn error(status: u16, message: impl Into<String>) -> Reply {
        Reply {
            status,
            body: json!({ "errors": [message.into()] }),
            headers: Vec::new(),
            injected: false,
        }
    }

    /// An answer an injected fault dictates.
    pub fn injected(status: u16, body: Value) -> Reply {
        Reply {
            status,
            body,
            headers: Vec::new(),
            injected: true,
        }
    }

    pub fn item_id(id: i64) -> Reply {
        Reply::ok(json!({ "itemId": id }))
    }

    pub fn not_found() -> Reply {
        Reply::error(404, "No matching records found")
    }

    pub fn with_header(mut self, name: &str, value: String) -> Reply {
        self.headers.push((name.to_string(), value));
        self
    }

    pub fn into_response(self) -> HttpResponse {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut b = HttpResponse::build(status);
        for (k, v) in &self.headers {
            b.insert_header((k.as_str(), v.as_str()));
        }
        b.content_type("application/json; charset=utf-8")
            .body(self.body.to_string())
    }
}
