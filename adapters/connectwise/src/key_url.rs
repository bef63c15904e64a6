//! Which signing-key URL a callback may make us fetch: only the tenant's own ConnectWise. A
//! callback names its key's URL in `Metadata.key_url`, and whoever can reach our hook URL can
//! write anything there; fetching it blindly would let them sign with their own key (and make
//! us request any address). So the URL must be https (http only where allowed), carry no
//! user name or password, be on the tenant's own ConnectWise host (`api-na` and `na` are one)
//! and name the tenant's company in `companyName` (reference §3). Nothing else is fetched.

use psa_proto::VerifyError;
use serde_json::{Map, Value};
use url::{Host, Url};

use crate::site::Site;

/// The part of a connection a key URL must match: its site and company.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tenant {
    pub site: Site,
    pub company_id: String,
}

impl Tenant {
    /// The tenant a connection's public part describes (`site`, `company_id`).
    pub fn from_public(public: &Map<String, Value>, allow_http: bool) -> Option<Self> {
        let text = |name: &str| public.get(name).and_then(Value::as_str);
        let site = Site::parse(text("site")?, allow_http).ok()?;
        let company_id = text("company_id").filter(|c| !c.is_empty())?.to_owned();
        Some(Self { site, company_id })
    }
}

/// `key_url` parsed, if the tenant's callbacks may be signed with the key it serves.
pub fn trusted(key_url: &str, tenant: &Tenant, allow_http: bool) -> Result<Url, VerifyError> {
    let untrusted = VerifyError::UntrustedKey;
    // A stored internal site was never set up (setup refuses it); nothing is fetched from it.
    if !allow_http && tenant.site.is_internal() {
        return Err(untrusted);
    }
    let url = Url::parse(key_url.trim()).map_err(|_| untrusted.clone())?;
    let https = match url.scheme() {
        "https" => true,
        "http" if allow_http => false,
        _ => return Err(untrusted),
    };
    if !url.username().is_empty() || url.password().is_some() {
        return Err(untrusted);
    }
    let host = match url.host() {
        Some(Host::Domain(domain)) => domain.to_owned(),
        Some(Host::Ipv4(ip)) => ip.to_string(),
        _ => return Err(untrusted),
    };
    // Never plain http for an https site, even where http sites are allowed.
    if https != tenant.site.is_https() || !tenant.site.serves(&host, url.port(), https) {
        return Err(untrusted);
    }
    // Every parameter a server could read as the company (`companyName`, `companyName[]`, any
    // case) counts: two companies in one URL, which one the server reads is not ours to guess.
    let mut companies = url
        .query_pairs()
        .filter(|(name, _)| name.to_ascii_lowercase().starts_with("companyname"));
    let company_matches = companies.next().is_some_and(|(name, company)| {
        name.eq_ignore_ascii_case("companyName") && company.eq_ignore_ascii_case(&tenant.company_id)
    });
    if !company_matches || companies.next().is_some() {
        return Err(untrusted);
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn tenant(site: &str) -> Tenant {
        let public = json!({"site": site, "company_id": "Cobalt", "public_key": "p"});
        Tenant::from_public(public.as_object().expect("object"), true).expect("tenant")
    }

    const KEY_PATH: &str = "/v2025_1//system/callbackkey/index.rails";

    fn check(url: &str, site: &str, allow_http: bool) -> bool {
        trusted(url, &tenant(site), allow_http).is_ok()
    }

    #[test]
    fn the_tenants_own_host_and_company_are_trusted_with_or_without_api() {
        let na = "https://na.myconnectwise.net";
        for url in [
            format!("https://na.myconnectwise.net{KEY_PATH}?companyName=Cobalt&id=1f2e"),
            format!("https://api-na.myconnectwise.net{KEY_PATH}?companyName=cobalt&id=1f2e"),
            format!("https://NA.myconnectwise.net:443{KEY_PATH}?id=1f2e&companyName=COBALT"),
        ] {
            assert!(check(&url, na, false), "{url}");
        }
        let api = "https://api-na.myconnectwise.net";
        assert!(check(
            &format!("https://na.myconnectwise.net{KEY_PATH}?companyName=Cobalt"),
            api,
            false
        ));
    }

    #[test]
    fn every_other_url_is_refused() {
        let na = "https://na.myconnectwise.net";
        for url in [
            // another host, region, or a look-alike
            format!("https://eu.myconnectwise.net{KEY_PATH}?companyName=Cobalt"),
            format!("https://na.myconnectwise.net.evil.example{KEY_PATH}?companyName=Cobalt"),
            format!("https://evil.example{KEY_PATH}?companyName=Cobalt"),
            format!("https://sandbox-na.myconnectwise.net{KEY_PATH}?companyName=Cobalt"),
            // another port
            format!("https://na.myconnectwise.net:8443{KEY_PATH}?companyName=Cobalt"),
            // another company, none, or two
            format!("https://na.myconnectwise.net{KEY_PATH}?companyName=Other"),
            format!("https://na.myconnectwise.net{KEY_PATH}?id=1"),
            format!("https://na.myconnectwise.net{KEY_PATH}?companyName=Cobalt&companyName=Other"),
            format!("https://na.myconnectwise.net{KEY_PATH}?companyName=Cobalt2"),
            format!(
                "https://na.myconnectwise.net{KEY_PATH}?companyName=Cobalt&companyName[]=Other"
            ),
            format!("https://na.myconnectwise.net{KEY_PATH}?companyName[]=Cobalt"),
            // userinfo, plain http, other schemes, junk
            format!("https://user@na.myconnectwise.net{KEY_PATH}?companyName=Cobalt"),
            format!("https://u:p@na.myconnectwise.net{KEY_PATH}?companyName=Cobalt"),
            format!("http://na.myconnectwise.net{KEY_PATH}?companyName=Cobalt"),
            format!("ftp://na.myconnectwise.net{KEY_PATH}?companyName=Cobalt"),
            "not a url".to_owned(),
            String::new(),
        ] {
            assert!(!check(&url, na, false), "{url}");
        }
    }

    #[test]
    fn http_is_trusted_only_where_allowed_and_on_the_same_port() {
        let local = "http://127.0.0.1:4100";
        let url =
            "http://127.0.0.1:4100/v2025_1/system/callbackkey/index.rails?companyName=cobalt&id=9";
        assert!(check(url, local, true));
        assert!(!check(url, local, false));
        assert!(!check(&url.replace("4100", "4101"), local, true));
        assert!(!check(&url.replace("127.0.0.1", "127.0.0.2"), local, true));
        assert!(!check(&url.replace("127.0.0.1", "localhost"), local, true));
        // An https site's key is never fetched over http, even where http sites are allowed.
        let na = "https://na.myconnectwise.net";
        let plain = format!("http://na.myconnectwise.net{KEY_PATH}?companyName=Cobalt");
        assert!(!check(&plain, na, true));
    }

    #[test]
    fn an_internal_sites_key_is_never_fetched() {
        let url = format!("https://10.1.2.3{KEY_PATH}?companyName=Cobalt");
        assert!(!check(&url, "https://10.1.2.3", false));
        assert!(
            check(&url, "https://10.1.2.3", true),
            "local tests and the demo"
        );
    }

    #[test]
    fn a_connection_without_site_or_company_trusts_nothing() {
        let public = json!({"site": "https://na.myconnectwise.net"});
        assert!(Tenant::from_public(public.as_object().expect("object"), false).is_none());
        let public = json!({"site": "http://127.0.0.1:1", "company_id": "c"});
        assert!(Tenant::from_public(public.as_object().expect("object"), false).is_none());
    }
}
