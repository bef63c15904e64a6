//! The REST client of one connection, bound to its discovered API root: the API member's keys
//! on every call, retries, error classification with the keys redacted out of error texts,
//! and list paging. Every ConnectWise API call goes through here, so it is the one place to
//! throttle, prioritize and measure.

use std::fmt;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use psa_proto::redact::redact;
use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use reqwest::Method;
use serde_json::Value;
use url::Url;

use crate::error::ConnectWiseError;
use crate::op::Op;
use crate::transport::{Transport, CLIENT_ID_HEADER};

/// An API member's keys and the company they belong to. The keys never print.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKeys {
    pub company_id: String,
    pub public_key: String,
    pub private_key: String,
}

impl ApiKeys {
    /// `Basic base64("{companyId}+{publicKey}:{privateKey}")` (reference §1).
    fn basic_token(&self) -> String {
        BASE64.encode(format!(
            "{}+{}:{}",
            self.company_id, self.public_key, self.private_key
        ))
    }
}

impl fmt::Debug for ApiKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiKeys")
            .field("company_id", &self.company_id)
            .field("public_key", &"[redacted]")
            .field("private_key", &"[redacted]")
            .finish()
    }
}

/// The most items one list page asks for (ConnectWise allows 1,000).
pub const PAGE_SIZE: usize = 100;
/// The most pages one list follows: ours are a handful, more means something is wrong.
const MAX_PAGES: usize = 20;

#[derive(Clone)]
pub struct ConnectWiseClient {
    transport: Transport,
    /// `{scheme}://{api host}/{codebase}apis/3.0/`
    base: Url,
    keys: ApiKeys,
}

impl fmt::Debug for ConnectWiseClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectWiseClient")
            .field("base", &self.base.as_str())
            .field("keys", &self.keys)
            .finish_non_exhaustive()
    }
}

impl ConnectWiseClient {
    pub(crate) fn new(transport: Transport, base: Url, keys: ApiKeys) -> Self {
        Self {
            transport,
            base,
            keys,
        }
    }

    pub fn base(&self) -> &Url {
        &self.base
    }

    pub async fn get(
        &self,
        op: Op,
        path: &str,
        query: &[(&str, &str)],
    ) -> Result<Value, ConnectWiseError> {
        self.call(op, Method::GET, path, query, None).await
    }

    pub async fn post(&self, op: Op, path: &str, body: &Value) -> Result<Value, ConnectWiseError> {
        self.call(op, Method::POST, path, &[], Some(body)).await
    }

    pub async fn patch(&self, op: Op, path: &str, body: &Value) -> Result<Value, ConnectWiseError> {
        self.call(op, Method::PATCH, path, &[], Some(body)).await
    }

    pub async fn delete(&self, op: Op, path: &str) -> Result<Value, ConnectWiseError> {
        self.call(op, Method::DELETE, path, &[], None).await
    }

    /// Every item `GET path?conditions=…` lists, page by page. An answer that is not a list is
    /// an error, never an empty list: callers conclude from absence.
    pub async fn list(
        &self,
        op: Op,
        path: &str,
        conditions: &str,
    ) -> Result<Vec<Value>, ConnectWiseError> {
        let mut items = Vec::new();
        let size = PAGE_SIZE.to_string();
        for page in 1..=MAX_PAGES {
            let page = page.to_string();
            let query = [
                ("conditions", conditions),
                ("orderBy", "id asc"),
                ("page", page.as_str()),
                ("pageSize", size.as_str()),
            ];
            let answer = self.get(op, path, &query).await?;
            let found = answer
                .as_array()
                .ok_or_else(|| ConnectWiseError::Unexpected {
                    op,
                    message: "the list answer is not a list".into(),
                })?;
            items.extend(found.iter().cloned());
            if found.len() < PAGE_SIZE {
                break;
            }
        }
        Ok(items)
    }

    async fn call(
        &self,
        op: Op,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Result<Value, ConnectWiseError> {
        let url = self.url(op, path, query)?;
        self.transport
            .retry
            .run(op, || self.send(op, method.clone(), url.clone(), body))
            .await
    }

    /// `path` under the API root, with `query` encoded so that spaces are `%20` (the
    /// `conditions` grammar has spaces; `+` is not read as one everywhere).
    fn url(&self, op: Op, path: &str, query: &[(&str, &str)]) -> Result<Url, ConnectWiseError> {
        let mut url = self
            .base
            .join(path)
            .map_err(|e| ConnectWiseError::Unexpected {
                op,
                message: format!("cannot build a URL from {path:?}: {e}"),
            })?;
        if !query.is_empty() {
            let encoded: Vec<String> = query
                .iter()
                .map(|(name, value)| format!("{}={}", encode(name), encode(value)))
                .collect();
            url.set_query(Some(&encoded.join("&")));
        }
        Ok(url)
    }

    fn headers(&self, with_body: bool) -> HeaderMap {
        let mut headers = HeaderMap::new();
        // Base64 is always a valid header value.
        let mut auth = HeaderValue::from_str(&format!("Basic {}", self.keys.basic_token()))
            .expect("base64 is a valid header value");
        auth.set_sensitive(true);
        headers.insert(AUTHORIZATION, auth);
        headers.insert(CLIENT_ID_HEADER, self.transport.client_id.clone());
        headers.insert(ACCEPT, self.transport.accept.clone());
        if with_body {
            headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        }
        headers
    }

    /// `text` without this connection's keys, in any spelling: error texts may quote the
    /// request. The longer forms go first, so a quoted login is taken out whole.
    pub(crate) fn redact(&self, text: &str) -> String {
        let login = format!("{}+{}", self.keys.company_id, self.keys.public_key);
        let client_id = self.transport.client_id.to_str().unwrap_or_default();
        redact(
            text,
            &[
                &self.keys.basic_token(),
                &login,
                &self.keys.private_key,
                &self.keys.public_key,
                client_id,
            ],
        )
    }

    async fn send(
        &self,
        op: Op,
        method: Method,
        url: Url,
        body: Option<&Value>,
    ) -> Result<Value, ConnectWiseError> {
        let mut request = self
            .transport
            .http
            .request(method, url)
            .headers(self.headers(body.is_some()));
        if let Some(body) = body {
            request = request.json(body);
        }
        let (status, retry_after, text) = self.transport.exchange(op, request).await?;
        if !status.is_success() {
            // Redacted before anything is kept of it, and before it is cut to length.
            let text = self.redact(&text);
            return Err(ConnectWiseError::from_response(
                op,
                status,
                &text,
                retry_after,
            ));
        }
        if text.trim().is_empty() {
            return Ok(Value::Null);
        }
        serde_json::from_str(&text).map_err(|source| ConnectWiseError::Decode { op, source })
    }
}

fn encode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes())
        .collect::<String>()
        // byte_serialize writes a space as `+` and a literal `+` as `%2B`.
        .replace('+', "%20")
}

#[cfg(test)]
mod tests;

/// A client whose calls can only fail, for tests that must make none.
#[cfg(test)]
pub(crate) mod tests_support {
    use super::*;
    use crate::retry::RetryPolicy;
    use crate::settings::ConnectWiseSettings;

    pub fn unreachable_client() -> ConnectWiseClient {
        let settings = ConnectWiseSettings {
            client_id: "test-client".into(),
            retry: RetryPolicy {
                max_attempts: 1,
                ..RetryPolicy::default()
            },
            ..ConnectWiseSettings::default()
        };
        let transport = Transport::new(&settings, None).expect("transport");
        let base = Url::parse("http://127.0.0.1:9/v/apis/3.0/").expect("url");
        let keys = ApiKeys {
            company_id: "acme".into(),
            public_key: "public".into(),
            private_key: "private".into(),
        };
        ConnectWiseClient::new(transport, base, keys)
    }
}
