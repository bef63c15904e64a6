//! Discovery: which codebase serves a company, from `GET {site}/login/companyinfo/{company}`
//! (no credentials needed, so none are sent), giving the API root
//! `{scheme}://{api host}/{codebase}apis/3.0/`; cached per site and company (reference §1).

use std::time::Duration;

use reqwest::header::ACCEPT;
use serde_json::Value;
use url::Url;

use crate::cache::BoundedCache;
use crate::error::ConnectWiseError;
use crate::op::Op;
use crate::site::Site;
use crate::transport::{Transport, CLIENT_ID_HEADER};

#[derive(Debug)]
pub struct Discovery {
    transport: Transport,
    cache: BoundedCache<(String, String), Url>,
}

impl Discovery {
    /// API roots are trusted for `ttl`; at most `capacity` are kept.
    pub(crate) fn new(transport: Transport, ttl: Duration, capacity: usize) -> Self {
        Self {
            transport,
            cache: BoundedCache::new(ttl, capacity),
        }
    }

    /// The API root of `company` at `site`, from the cache while it is fresh.
    pub async fn api_root(&self, site: &Site, company: &str) -> Result<Url, ConnectWiseError> {
        let key = cache_key(site, company);
        if let Some(root) = self.cache.get(&key) {
            return Ok(root);
        }
        let root = self.lookup(site, company).await?;
        self.cache.insert(key, root.clone());
        Ok(root)
    }

    /// Forgets the API root, so the next connection discovers it again (an answer suggested it
    /// is no longer right).
    pub fn forget(&self, site: &Site, company: &str) {
        self.cache.remove(&cache_key(site, company));
    }

    async fn lookup(&self, site: &Site, company: &str) -> Result<Url, ConnectWiseError> {
        let op = Op::CompanyInfo;
        let url =
            Url::parse(&format!("{}/login/companyinfo/{company}", site.origin())).map_err(|e| {
                ConnectWiseError::Unexpected {
                    op,
                    message: format!("cannot build the company info URL: {e}"),
                }
            })?;
        let (status, _, text) = self
            .transport
            .retry
            .run(op, || async {
                let request = self
                    .transport
                    .http
                    .get(url.clone())
                    .header(CLIENT_ID_HEADER, self.transport.client_id.clone())
                    .header(ACCEPT, "application/json");
                let answer = self.transport.exchange(op, request).await?;
                if answer.0.is_success() || answer.0.as_u16() == 404 {
                    return Ok(answer);
                }
                Err(ConnectWiseError::from_response(
                    op, answer.0, &answer.2, answer.1,
                ))
            })
            .await?;
        let unknown = || ConnectWiseError::UnknownCompany {
            site: site.origin(),
            company: company.to_owned(),
        };
        if status.as_u16() == 404 || matches!(text.trim(), "" | "null") {
            return Err(unknown());
        }
        let info: Value = serde_json::from_str(&text)
            .map_err(|source| ConnectWiseError::Decode { op, source })?;
        let codebase = info
            .get("Codebase")
            .or_else(|| info.get("codebase"))
            .and_then(Value::as_str)
            .ok_or_else(unknown)?;
        api_root(site, codebase).ok_or_else(|| ConnectWiseError::Unexpected {
            op,
            message: "the company info names a codebase that is not a plain path segment".into(),
        })
    }
}

fn cache_key(site: &Site, company: &str) -> (String, String) {
    (site.identity(), company.to_ascii_lowercase())
}

/// `{scheme}://{api host}/{codebase}/apis/3.0/` for a codebase like `v2025_1/` (its slashes
/// trimmed; it must be one plain path segment, since it comes from the network).
pub fn api_root(site: &Site, codebase: &str) -> Option<Url> {
    let segment = codebase.trim().trim_matches('/');
    let plain = !segment.is_empty()
        && segment.len() <= 64
        && segment != "."
        && segment != ".."
        && segment
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
    if !plain {
        return None;
    }
    Url::parse(&format!("{}/{segment}/apis/3.0/", site.api_origin())).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root(site: &str, codebase: &str) -> Option<String> {
        let site = Site::parse(site, true).expect("site");
        api_root(&site, codebase).map(String::from)
    }

    #[test]
    fn cloud_sites_get_the_api_host_and_others_stay() {
        assert_eq!(
            root("https://na.myconnectwise.net", "v2025_1/").as_deref(),
            Some("https://api-na.myconnectwise.net/v2025_1/apis/3.0/")
        );
        assert_eq!(
            root("https://api-eu.myconnectwise.net", "v2025_1").as_deref(),
            Some("https://api-eu.myconnectwise.net/v2025_1/apis/3.0/")
        );
        assert_eq!(
            root("https://cw.msp.example", "v4_6_release/").as_deref(),
            Some("https://cw.msp.example/v4_6_release/apis/3.0/")
        );
        assert_eq!(
            root("http://127.0.0.1:4100", "/v2025_1//").as_deref(),
            Some("http://127.0.0.1:4100/v2025_1/apis/3.0/")
        );
    }

    #[test]
    fn codebases_that_are_not_one_plain_segment_are_refused() {
        for bad in [
            "",
            "/",
            "..",
            "v1/../x",
            "v1/v2",
            "v1?x",
            "https://evil.example/",
            "a b",
        ] {
            assert_eq!(root("https://na.myconnectwise.net", bad), None, "{bad:?}");
        }
    }

    #[test]
    fn sites_are_cached_as_one_with_and_without_the_api_prefix() {
        let plain = Site::parse("https://na.myconnectwise.net", false).expect("site");
        let api = Site::parse("https://api-na.myconnectwise.net", false).expect("site");
        assert_eq!(cache_key(&plain, "Acme"), cache_key(&api, "acme"));
    }
}
