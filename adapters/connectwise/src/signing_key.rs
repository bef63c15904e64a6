//! Fetching a callback's signing key from its (already trusted) key URL: no credentials, no
//! redirects, a short timeout and a size cap, since it happens while ConnectWise waits at most
//! 5 s for our answer; kept per full key URL for a short time, so a burst of callbacks costs
//! one fetch.

use std::time::{Duration, Instant};

use reqwest::header::{ACCEPT, CONTENT_LENGTH};
use serde_json::Value;
use url::Url;

use crate::cache::BoundedCache;
use crate::op::Op;
use crate::signature::SigningKey;
use crate::transport::{http_client, Transport};

/// The most bytes a key answer may have.
pub const MAX_KEY_ANSWER_BYTES: usize = 64 * 1024;

#[derive(Debug)]
pub struct KeyFetcher {
    /// The process's transport with a client of the short key timeout (redirects not
    /// followed either), for the observer.
    transport: Transport,
    cache: BoundedCache<String, SigningKey>,
}

/// Why no key could be had now; the hub asks ConnectWise to deliver again later.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct KeyUnavailable(pub String);

impl KeyFetcher {
    pub(crate) fn new(
        transport: &Transport,
        timeout: Duration,
        ttl: Duration,
        capacity: usize,
    ) -> Result<Self, reqwest::Error> {
        Ok(Self {
            transport: Transport {
                http: http_client(timeout)?,
                ..transport.clone()
            },
            cache: BoundedCache::new(ttl, capacity),
        })
    }

    /// The signing key `url` serves, from the cache while it is fresh.
    pub async fn key(&self, url: &Url) -> Result<SigningKey, KeyUnavailable> {
        let cache_key = url.as_str().to_owned();
        if let Some(key) = self.cache.get(&cache_key) {
            return Ok(key);
        }
        let key = self.fetch(url).await?;
        self.cache.insert(cache_key, key.clone());
        Ok(key)
    }

    async fn fetch(&self, url: &Url) -> Result<SigningKey, KeyUnavailable> {
        let started = Instant::now();
        let outcome = self.fetch_body(url).await;
        let status = outcome.as_ref().ok().map(|(status, _)| *status);
        self.transport.observe(Op::SigningKey, status, started);
        let (status, body) = outcome?;
        if !(200..300).contains(&status) {
            return Err(KeyUnavailable(format!(
                "the key URL answered HTTP {status} (redirects are not followed)"
            )));
        }
        let answer: Value = serde_json::from_slice(&body)
            .map_err(|_| KeyUnavailable("the key URL's answer is not JSON".into()))?;
        answer
            .get("signing_key")
            .and_then(Value::as_str)
            .filter(|key| !key.is_empty())
            .map(SigningKey::derive)
            .ok_or_else(|| KeyUnavailable("the key URL's answer has no signing_key".into()))
    }

    /// The status and at most [`MAX_KEY_ANSWER_BYTES`] of body.
    async fn fetch_body(&self, url: &Url) -> Result<(u16, Vec<u8>), KeyUnavailable> {
        // Without the URL: it hands out the signing key to whoever has it, so no log may hold it.
        let failed =
            |e: reqwest::Error| KeyUnavailable(format!("the key URL failed: {}", e.without_url()));
        let too_big = || {
            KeyUnavailable(format!(
                "the key answer exceeds {MAX_KEY_ANSWER_BYTES} bytes"
            ))
        };
        let mut response = self
            .transport
            .http
            .get(url.clone())
            .header(ACCEPT, "application/json")
            .send()
            .await
            .map_err(failed)?;
        let announced = response
            .headers()
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
        if announced.is_some_and(|n| n > MAX_KEY_ANSWER_BYTES as u64) {
            return Err(too_big());
        }
        let status = response.status().as_u16();
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(failed)? {
            if body.len() + chunk.len() > MAX_KEY_ANSWER_BYTES {
                return Err(too_big());
            }
            body.extend_from_slice(&chunk);
        }
        Ok((status, body))
    }
}

#[cfg(test)]
mod tests;
