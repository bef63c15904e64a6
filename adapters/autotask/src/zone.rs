//! Zone discovery: which `webservicesN` host serves an API user, cached per username
//! (reference §1.2).

use std::time::Duration;

use serde_json::Value;
use url::Url;

use crate::cache::BoundedCache;
use crate::client::{exchange, Op};
use crate::error::AutotaskError;
use crate::retry::RetryPolicy;

/// Where an API user's Autotask database is served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Zone {
    pub name: Option<String>,
    /// The REST base, always ending in `/V1.0/`.
    pub api_base: Url,
    pub web_url: Option<String>,
    /// Autotask's `ci`: identifies the database.
    pub database: Option<i64>,
}

/// Turns the zone's `url` (e.g. `https://webservices14.autotask.net/ATServicesRest/`) into the
/// `.../V1.0/` base: trailing slashes trimmed, a version already present replaced.
pub fn normalize_api_base(url: &str) -> Option<Url> {
    let mut text = url.trim().trim_end_matches('/').to_owned();
    if text.to_ascii_lowercase().ends_with("/v1.0") {
        text.truncate(text.len() - "/v1.0".len());
    }
    let base = Url::parse(&format!("{}/V1.0/", text.trim_end_matches('/'))).ok()?;
    matches!(base.scheme(), "https" | "http").then_some(base)
}

#[derive(Debug)]
pub struct ZoneDirectory {
    http: reqwest::Client,
    lookup_url: Url,
    retry: RetryPolicy,
    cache: BoundedCache<String, Zone>,
}

impl ZoneDirectory {
    /// Zones are trusted for `ttl`; at most `capacity` users' zones are kept.
    pub fn new(
        http: reqwest::Client,
        lookup_url: Url,
        ttl: Duration,
        capacity: usize,
        retry: RetryPolicy,
    ) -> Self {
        Self {
            http,
            lookup_url,
            retry,
            cache: BoundedCache::new(ttl, capacity),
        }
    }

    /// The zone of `username`, from the cache while it is fresh.
    pub async fn zone_for(&self, username: &str) -> Result<Zone, AutotaskError> {
        let key = username.to_owned();
        if let Some(zone) = self.cache.get(&key) {
            return Ok(zone);
        }
        let zone = self.lookup(username).await?;
        self.cache.insert(key, zone.clone());
        Ok(zone)
    }

    /// Forgets `username`'s zone, so the next call discovers it again (the zone answered in a
    /// way that suggests it is not, or no longer, this user's).
    pub fn forget(&self, username: &str) {
        self.cache.remove(&username.to_owned());
    }

    async fn lookup(&self, username: &str) -> Result<Zone, AutotaskError> {
        let op = Op::ZoneLookup;
        let mut url = self.lookup_url.clone();
        url.query_pairs_mut().append_pair("user", username);
        // No credentials: the lookup needs none, so none can leak to a wrong host.
        let (status, retry_after, text) = self
            .retry
            .run(op, || async {
                let answer = exchange(op, self.http.get(url.clone())).await?;
                if answer.0.is_server_error() || answer.0.as_u16() == 429 {
                    return Err(AutotaskError::from_response(
                        op, answer.0, &answer.2, answer.1,
                    ));
                }
                Ok(answer)
            })
            .await?;
        let unknown = || AutotaskError::UnknownApiUser {
            username: username.to_owned(),
        };
        if status.as_u16() == 404 {
            return Err(unknown());
        }
        if !status.is_success() {
            return Err(AutotaskError::from_response(op, status, &text, retry_after));
        }
        let value: Value =
            serde_json::from_str(&text).map_err(|source| AutotaskError::Decode { op, source })?;
        // Swagger spells the keys in PascalCase, real answers in camelCase.
        let field = |name: &str| {
            value.as_object().and_then(|object| {
                object
                    .iter()
                    .find(|(key, _)| key.eq_ignore_ascii_case(name))
                    .map(|(_, v)| v)
            })
        };
        let text_of = |name: &str| {
            field(name)
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        let raw_url = text_of("url").ok_or_else(unknown)?;
        let api_base = normalize_api_base(&raw_url).ok_or_else(|| AutotaskError::Unexpected {
            op,
            message: format!("the zone URL {raw_url:?} is not an http(s) URL"),
        })?;
        Ok(Zone {
            name: text_of("zoneName"),
            api_base,
            web_url: text_of("webUrl"),
            database: field("ci").and_then(Value::as_i64).filter(|ci| *ci != 0),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zone_urls_normalize_to_one_form() {
        let want = "https://webservices14.autotask.net/ATServicesRest/V1.0/";
        for given in [
            "https://webservices14.autotask.net/ATServicesRest/",
            "https://webservices14.autotask.net/ATServicesRest",
            "https://webservices14.autotask.net/ATServicesRest//",
            "https://webservices14.autotask.net/ATServicesRest/v1.0/",
            " https://webservices14.autotask.net/ATServicesRest/V1.0 ",
        ] {
            assert_eq!(
                normalize_api_base(given).map(String::from).as_deref(),
                Some(want),
                "{given}"
            );
        }
        assert_eq!(normalize_api_base("ftp://x/"), None);
        assert_eq!(normalize_api_base(""), None);
    }
}
