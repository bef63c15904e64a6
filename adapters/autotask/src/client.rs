//! The REST client of one connection: auth headers on every call, the thread limit, retries,
//! error classification and query paging. Every Autotask call goes through here, so it is the
//! one place to throttle, prioritize and measure.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, HeaderValue, CONTENT_TYPE, RETRY_AFTER};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use url::Url;

use psa_proto::redact::redact;
use psa_proto::ApiObserver;

use crate::error::{error_messages, AutotaskError};
use crate::limiter::EndpointLimiter;
use crate::retry::RetryPolicy;

/// The Autotask operations psa-hub performs; used for retry decisions, errors and metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    ZoneLookup,
    WebhookEntityInformation,
    TicketEntityInformation,
    FieldPicklist,
    WebhookQuery,
    WebhookCreate,
    WebhookGet,
    WebhookUpdate,
    WebhookDelete,
    FieldCreate,
    FieldList,
    FieldDelete,
    TicketGet,
    TicketQuery,
}

impl Op {
    pub const ALL: [Op; 14] = [
        Op::ZoneLookup,
        Op::WebhookEntityInformation,
        Op::TicketEntityInformation,
        Op::FieldPicklist,
        Op::WebhookQuery,
        Op::WebhookCreate,
        Op::WebhookGet,
        Op::WebhookUpdate,
        Op::WebhookDelete,
        Op::FieldCreate,
        Op::FieldList,
        Op::FieldDelete,
        Op::TicketGet,
        Op::TicketQuery,
    ];

    /// A stable snake_case name, fit for a metric label.
    pub fn as_str(self) -> &'static str {
        match self {
            Op::ZoneLookup => "zone_lookup",
            Op::WebhookEntityInformation => "webhook_entity_information",
            Op::TicketEntityInformation => "ticket_entity_information",
            Op::FieldPicklist => "field_picklist",
            Op::WebhookQuery => "webhook_query",
            Op::WebhookCreate => "webhook_create",
            Op::WebhookGet => "webhook_get",
            Op::WebhookUpdate => "webhook_update",
            Op::WebhookDelete => "webhook_delete",
            Op::FieldCreate => "field_create",
            Op::FieldList => "field_list",
            Op::FieldDelete => "field_delete",
            Op::TicketGet => "ticket_get",
            Op::TicketQuery => "ticket_query",
        }
    }

    /// What the operation is about, for "not found" messages.
    pub fn subject(self) -> &'static str {
        match self {
            Op::ZoneLookup => "the API user's zone",
            Op::TicketEntityInformation | Op::TicketGet | Op::TicketQuery => "the ticket",
            Op::FieldCreate | Op::FieldList | Op::FieldDelete | Op::FieldPicklist => {
                "the webhook field"
            }
            _ => "the webhook",
        }
    }

    pub fn is_ticket(self) -> bool {
        matches!(
            self,
            Op::TicketEntityInformation | Op::TicketGet | Op::TicketQuery
        )
    }

    /// Whether sending the call twice has the effect of sending it once. Creations are not:
    /// a create that timed out may have happened.
    pub fn is_idempotent(self) -> bool {
        !matches!(self, Op::WebhookCreate | Op::FieldCreate)
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An API user's credentials. The secret never prints.
#[derive(Clone)]
pub struct Credentials {
    pub username: String,
    pub secret: String,
    /// The API tracking identifier.
    pub integration_code: String,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .field("secret", &"[redacted]")
            .field("integration_code", &"[redacted]")
            .finish()
    }
}

/// Everything a client shares with the other clients of the process.
#[derive(Debug, Clone)]
pub(crate) struct Shared {
    pub http: reqwest::Client,
    pub limiter: Arc<EndpointLimiter>,
    pub retry: RetryPolicy,
    pub observer: Option<Arc<dyn ApiObserver>>,
}

/// The REST client of one connection, bound to its zone's `.../V1.0/` base.
#[derive(Clone)]
pub struct AutotaskClient {
    shared: Shared,
    base: Url,
    credentials: Credentials,
    /// Which thread-limit bucket this connection's calls count against.
    limit_key: String,
}

impl fmt::Debug for AutotaskClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The limit key embeds the integration code, so it is left out.
        f.debug_struct("AutotaskClient")
            .field("base", &self.base.as_str())
            .field("credentials", &self.credentials)
            .finish_non_exhaustive()
    }
}

/// The most pages a query follows; GOAT stops at 1,000, we need far fewer.
const MAX_PAGES: usize = 50;

impl AutotaskClient {
    pub(crate) fn new(
        shared: Shared,
        base: Url,
        credentials: Credentials,
        database: String,
    ) -> Self {
        let limit_key = format!("{database}/{}", credentials.integration_code);
        Self {
            shared,
            base,
            credentials,
            limit_key,
        }
    }

    pub fn base(&self) -> &Url {
        &self.base
    }

    pub fn username(&self) -> &str {
        &self.credentials.username
    }

    pub async fn get(&self, op: Op, path: &str) -> Result<Value, AutotaskError> {
        self.call(op, Method::GET, path, None).await
    }

    pub async fn post(&self, op: Op, path: &str, body: &Value) -> Result<Value, AutotaskError> {
        self.call(op, Method::POST, path, Some(body)).await
    }

    pub async fn patch(&self, op: Op, path: &str, body: &Value) -> Result<Value, AutotaskError> {
        self.call(op, Method::PATCH, path, Some(body)).await
    }

    pub async fn delete(&self, op: Op, path: &str) -> Result<Value, AutotaskError> {
        self.call(op, Method::DELETE, path, None).await
    }

    /// `POST {entity}/query` with `filter`, following `nextPageUrl` (same origin only, so the
    /// credentials never leave the zone host).
    pub async fn query(
        &self,
        op: Op,
        entity: &str,
        filter: Value,
    ) -> Result<Vec<Value>, AutotaskError> {
        let mut page = self
            .post(
                op,
                &format!("{entity}/query"),
                &serde_json::json!({ "filter": filter }),
            )
            .await?;
        let mut items = Vec::new();
        for _ in 0..MAX_PAGES {
            // An answer without a list is not an empty list: callers conclude from absence.
            let found = page.get("items").and_then(Value::as_array).ok_or_else(|| {
                AutotaskError::Unexpected {
                    op,
                    message: "the query answer has no items list".into(),
                }
            })?;
            items.extend(found.iter().cloned());
            let next = match page.pointer("/pageDetails/nextPageUrl") {
                None | Some(Value::Null) => return Ok(items),
                Some(next) => next.as_str().and_then(|next| Url::parse(next).ok()),
            };
            // A partial list must not pass for the whole one (removal would miss webhooks).
            let next = next
                .filter(|next| next.origin() == self.base.origin())
                .ok_or_else(|| AutotaskError::Unexpected {
                    op,
                    message: "the next-page URL is missing or points to another host".into(),
                })?;
            page = self
                .shared
                .retry
                .run(op, || self.send(op, Method::GET, next.clone(), None))
                .await?;
        }
        Ok(items)
    }

    async fn call(
        &self,
        op: Op,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Value, AutotaskError> {
        let url = self
            .base
            .join(path)
            .map_err(|e| AutotaskError::Unexpected {
                op,
                message: format!("cannot build a URL from {path:?}: {e}"),
            })?;
        self.shared
            .retry
            .run(op, || self.send(op, method.clone(), url.clone(), body))
            .await
    }

    /// `text` without this connection's credentials or the secret key `body` sent, in any
    /// spelling: Autotask's error texts may quote the request.
    fn redact(&self, text: &str, body: Option<&Value>) -> String {
        let sent_key = body
            .and_then(|b| b.get("secretKey"))
            .and_then(Value::as_str)
            .unwrap_or_default();
        redact(
            text,
            &[
                &self.credentials.secret,
                &self.credentials.integration_code,
                sent_key,
            ],
        )
    }

    /// The three credential headers; a value HTTP cannot carry (a pasted line break) is a
    /// credentials problem, not a network one, and must not be retried.
    fn auth_headers(&self) -> Result<HeaderMap, AutotaskError> {
        let mut headers = HeaderMap::new();
        for (name, value, what) in [
            (
                "ApiIntegrationCode",
                &self.credentials.integration_code,
                "integration code",
            ),
            ("UserName", &self.credentials.username, "username"),
            ("Secret", &self.credentials.secret, "secret"),
        ] {
            let mut value = HeaderValue::from_str(value)
                .map_err(|_| AutotaskError::UnsendableCredentials { reason: what })?;
            value.set_sensitive(true);
            headers.insert(name, value);
        }
        Ok(headers)
    }

    async fn send(
        &self,
        op: Op,
        method: Method,
        url: Url,
        body: Option<&Value>,
    ) -> Result<Value, AutotaskError> {
        let endpoint = url
            .path()
            .split('/')
            .skip_while(|segment| !segment.eq_ignore_ascii_case("v1.0"))
            .nth(1)
            .unwrap_or_default()
            .to_owned();
        let _slot = self
            .shared
            .limiter
            .acquire(&self.limit_key, &endpoint)
            .await;
        let mut request = self
            .shared
            .http
            .request(method, url)
            .headers(self.auth_headers()?)
            .header(CONTENT_TYPE, "application/json");
        if let Some(body) = body {
            request = request.json(body);
        }
        let started = Instant::now();
        let outcome = exchange(op, request).await;
        if let Some(observer) = &self.shared.observer {
            let status = outcome.as_ref().ok().map(|(status, _, _)| status.as_u16());
            observer.observe(
                crate::provider::NAME,
                op.as_str(),
                status,
                started.elapsed(),
            );
        }
        let (status, retry_after, text) = outcome?;
        let failed = !status.is_success()
            // Autotask occasionally reports errors inside a 2xx answer.
            || error_messages(&text).is_some();
        if failed {
            // Redacted before anything is kept of it (and before it is cut to length, which
            // could leave part of a secret).
            let text = self.redact(&text, body);
            return Err(AutotaskError::from_response(op, status, &text, retry_after));
        }
        if text.trim().is_empty() {
            return Ok(Value::Null);
        }
        serde_json::from_str(&text).map_err(|source| AutotaskError::Decode { op, source })
    }
}

/// Sends the request and reads the whole answer.
pub(crate) async fn exchange(
    op: Op,
    request: reqwest::RequestBuilder,
) -> Result<(StatusCode, Option<Duration>, String), AutotaskError> {
    let response = request
        .send()
        .await
        .map_err(|source| AutotaskError::Network { op, source })?;
    let status = response.status();
    let retry_after = retry_after(response.headers());
    let text = response
        .text()
        .await
        .map_err(|source| AutotaskError::Network { op, source })?;
    Ok((status, retry_after, text))
}

/// `Retry-After` as seconds or as an HTTP date.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let wait = when.with_timezone(&chrono::Utc) - chrono::Utc::now();
    Some(wait.to_std().unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, HeaderValue::from_static("7"));
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(7)));
        headers.insert(
            RETRY_AFTER,
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(retry_after(&headers), Some(Duration::ZERO));
        headers.insert(RETRY_AFTER, HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&headers), None);
    }

    #[test]
    fn credentials_never_print_their_secret() {
        let credentials = Credentials {
            username: "api@msp.example".into(),
            secret: "s3cr3t-value".into(),
            integration_code: "TRACKINGCODE".into(),
        };
        let printed = format!("{credentials:?}");
        assert!(printed.contains("api@msp.example"));
        assert!(!printed.contains("s3cr3t") && !printed.contains("TRACKINGCODE"));
    }

    /// A client with these credentials, and the shared parts it uses.
    fn client_with(secret: &str) -> (AutotaskClient, Shared) {
        let shared = Shared {
            http: reqwest::Client::new(),
            limiter: Arc::new(EndpointLimiter::new(3, 16)),
            retry: RetryPolicy::default(),
            observer: None,
        };
        let credentials = Credentials {
            username: "api@msp.example".into(),
            secret: secret.into(),
            integration_code: "TRACKINGCODE".into(),
        };
        let base =
            Url::parse("https://webservices14.autotask.net/ATServicesRest/V1.0/").expect("url");
        let client = AutotaskClient::new(shared.clone(), base, credentials, "42".into());
        (client, shared)
    }

    #[test]
    fn error_texts_lose_the_credentials_and_the_sent_key_even_escaped() {
        let (client, _) = client_with("pa\"ss/wörd");
        let body = serde_json::json!({"secretKey": "hook-key-123"});
        let text = r#"{"errors":["bad: pa\u0022ss/w\u00f6rd; pa\"ss/wörd; pa"ss/wörd; TRACKINGCODE; hook-key-123"]}"#;
        let out = client.redact(text, Some(&body));
        for secret in [
            "pa\\u0022ss",
            "pa\\\"ss",
            "pa\"ss",
            "TRACKINGCODE",
            "hook-key-123",
        ] {
            assert!(!out.contains(secret), "{secret} in {out}");
        }
        assert!(out.contains("bad: "), "{out}");
    }

    #[test]
    fn debug_output_never_shows_credentials() {
        let (client, shared) = client_with("s3cr3t-value");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        // Put a bucket keyed by the integration code into the limiter, then print everything.
        runtime
            .block_on(async { drop(shared.limiter.acquire(&client.limit_key, "Tickets").await) });
        let printed = format!("{client:?} {shared:?}");
        assert!(
            !printed.contains("s3cr3t") && !printed.contains("TRACKINGCODE"),
            "{printed}"
        );
    }

    #[test]
    fn credentials_http_cannot_carry_are_a_credentials_error() {
        let (client, _) = client_with("pasted\n");
        let error = client
            .auth_headers()
            .expect_err("a line break cannot be sent");
        assert_eq!(
            psa_proto::AdapterError::class(&error),
            psa_proto::ErrorClass::CredentialsRejected
        );
        assert!(!error.to_string().contains("pasted"));
    }

    #[test]
    fn only_creations_are_not_idempotent() {
        let not: Vec<_> = Op::ALL
            .into_iter()
            .filter(|op| !op.is_idempotent())
            .collect();
        assert_eq!(not, vec![Op::WebhookCreate, Op::FieldCreate]);
    }
}
