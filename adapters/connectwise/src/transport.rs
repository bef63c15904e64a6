//! What every ConnectWise exchange of the process shares: the HTTP client (redirects never
//! followed, so credentials never travel to another address), the retry policy, the headers
//! every call carries, and the observer each exchange is reported to.

use std::sync::Arc;
use std::time::{Duration, Instant};

use psa_proto::ApiObserver;
use reqwest::header::{HeaderMap, HeaderValue, RETRY_AFTER};
use reqwest::StatusCode;

use crate::error::ConnectWiseError;
use crate::op::Op;
use crate::retry::RetryPolicy;
use crate::settings::ConnectWiseSettings;

/// ConnectWise's header for the integration's clientId (header names are case-insensitive).
pub const CLIENT_ID_HEADER: &str = "clientId";

/// A whole answer: status, the wait it asked for, and its text.
pub(crate) type Answer = (StatusCode, Option<Duration>, String);

#[derive(Debug, Clone)]
pub(crate) struct Transport {
    pub http: reqwest::Client,
    pub retry: RetryPolicy,
    pub observer: Option<Arc<dyn ApiObserver>>,
    pub client_id: HeaderValue,
    /// `application/vnd.connectwise.com+json; version=…`
    pub accept: HeaderValue,
}

impl Transport {
    pub fn new(
        settings: &ConnectWiseSettings,
        observer: Option<Arc<dyn ApiObserver>>,
    ) -> Result<Self, ConnectWiseError> {
        let invalid = |message: &str| ConnectWiseError::InvalidSettings {
            message: message.to_owned(),
        };
        if settings.client_id.trim().is_empty() {
            return Err(invalid("client_id is empty"));
        }
        let mut client_id = HeaderValue::from_str(settings.client_id.trim())
            .map_err(|_| invalid("client_id cannot be sent as a header"))?;
        // ConnectWise asks that a clientId be kept like a password: it never prints.
        client_id.set_sensitive(true);
        let accept = HeaderValue::from_str(&format!(
            "application/vnd.connectwise.com+json; version={}",
            settings.api_version.trim()
        ))
        .map_err(|_| invalid("api_version cannot be sent as a header"))?;
        let http =
            http_client(settings.request_timeout).map_err(|source| ConnectWiseError::Network {
                op: Op::CompanyInfo,
                source,
            })?;
        Ok(Self {
            http,
            retry: settings.retry.clone(),
            observer,
            client_id,
            accept,
        })
    }

    /// Sends the request, reads the whole answer and reports the exchange.
    pub async fn exchange(
        &self,
        op: Op,
        request: reqwest::RequestBuilder,
    ) -> Result<Answer, ConnectWiseError> {
        let started = Instant::now();
        let outcome = read(op, request).await;
        self.observe(op, outcome.as_ref().ok().map(|a| a.0.as_u16()), started);
        outcome
    }

    pub fn observe(&self, op: Op, status: Option<u16>, started: Instant) {
        if let Some(observer) = &self.observer {
            observer.observe(crate::NAME, op.as_str(), status, started.elapsed());
        }
    }
}

/// An HTTP client that never follows redirects.
pub(crate) fn http_client(timeout: Duration) -> Result<reqwest::Client, reqwest::Error> {
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(10)))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("psa-hub/", env!("CARGO_PKG_VERSION")))
        .build()
}

async fn read(op: Op, request: reqwest::RequestBuilder) -> Result<Answer, ConnectWiseError> {
    let response = request
        .send()
        .await
        .map_err(|source| ConnectWiseError::Network { op, source })?;
    let status = response.status();
    let retry_after = retry_after(response.headers());
    let text = response
        .text()
        .await
        .map_err(|source| ConnectWiseError::Network { op, source })?;
    Ok((status, retry_after, text))
}

/// `Retry-After` as seconds or as an HTTP date.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
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

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, HeaderValue::from_static("30"));
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(30)));
        headers.insert(
            RETRY_AFTER,
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(retry_after(&headers), Some(Duration::ZERO));
        headers.insert(RETRY_AFTER, HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&headers), None);
    }

    #[test]
    fn settings_without_a_client_id_or_with_an_unsendable_one_are_refused() {
        for client_id in ["", "  ", "line\nbreak"] {
            let settings = ConnectWiseSettings {
                client_id: client_id.into(),
                ..ConnectWiseSettings::default()
            };
            let error = Transport::new(&settings, None).expect_err("refused");
            assert!(matches!(error, ConnectWiseError::InvalidSettings { .. }));
        }
        let settings = ConnectWiseSettings {
            client_id: "a1b2c3d4-0000-4000-8000-000000000000".into(),
            ..ConnectWiseSettings::default()
        };
        let transport = Transport::new(&settings, None).expect("valid");
        let printed = format!("{settings:?} {transport:?}");
        assert!(!printed.contains("a1b2c3d4"), "{printed}");
        assert_eq!(
            transport.accept,
            "application/vnd.connectwise.com+json; version=2019.1"
        );
    }
}
