//! ASP.NET Web API's unhandled-exception body, echoing the request: the worst case of an
//! Autotask error, for tests proving a client never stores or serves what it sent.

use super::incoming::Incoming;
use super::reply::Reply;
use crate::config::SimConfig;
use serde_json::{json, Value};

/// Reshapes a failed authentication (401) or a 5xx of the simulator's own when
/// `echo_request_in_errors` is on; injected answers and everything else pass unchanged.
pub fn reshape(reply: Reply, req: &Incoming, cfg: &SimConfig) -> Reply {
    let eligible = reply.status == 401 || reply.status >= 500;
    if !cfg.echo_request_in_errors || reply.injected || !eligible {
        return reply;
    }
    let message = exception_message(&usual_text(&reply.body), req);
    Reply {
        body: json!({
            "Message": "An error has occurred.",
            "ExceptionMessage": message,
            "ExceptionType": "System.Exception",
        }),
        ..reply
    }
}

/// The credentials come first so they sit within the first 200 characters whatever the
/// error text: a client that keeps only the start of an error body still gets them.
fn exception_message(usual: &str, req: &Incoming) -> String {
    let header = |name| req.header(name).unwrap_or_default();
    format!(
        "Request: ApiIntegrationCode={} UserName={} Secret={} {} {} failed: {usual} Body={}",
        header("apiintegrationcode"),
        header("username"),
        header("secret"),
        req.method,
        req.path,
        String::from_utf8_lossy(&req.body),
    )
}

/// The texts of an `{"errors":[...]}` body, else the body itself.
fn usual_text(body: &Value) -> String {
    match body.get("errors").and_then(Value::as_array) {
        Some(errors) => errors
            .iter()
            .map(|e| e.as_str().map_or_else(|| e.to_string(), str::to_string))
            .collect::<Vec<_>>()
            .join("; "),
        None => body.to_string(),
    }
}
