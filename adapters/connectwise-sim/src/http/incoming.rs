//! An owned copy of a REST request, so its processing can outlive the client's connection.

use crate::log::{LoggedRequest, Op};
use actix_web::http::header::HeaderMap;
use actix_web::http::Method;
use actix_web::web::Bytes;
use actix_web::HttpRequest;

/// What the pipeline needs from a request; `Send`, unlike actix's `HttpRequest`.
#[derive(Debug)]
pub struct Incoming {
    pub method: Method,
    pub path: String,
    pub query: String,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Incoming {
    pub fn new(req: &HttpRequest, body: Bytes) -> Incoming {
        Incoming {
            method: req.method().clone(),
            path: req.path().to_string(),
            query: req.query_string().to_string(),
            headers: req.headers().clone(),
            body,
        }
    }

    /// A header's value (names are case-insensitive); None if absent or not visible ASCII.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The log entry for this request, still without a status.
    pub fn logged(&self, op: Op) -> LoggedRequest {
        LoggedRequest {
            method: self.method.to_string(),
            path: self.path.clone(),
            query: self.query.clone(),
            headers: self
                .headers
                .iter()
                .map(|(k, v)| {
                    let value = String::from_utf8_lossy(v.as_bytes()).into_owned();
                    (k.as_str().to_ascii_lowercase(), value)
                })
                .collect(),
            body: serde_json::from_slice(&self.body).ok(),
            status: None,
            op,
        }
    }
}
