//! A tenant's ConnectWise PSA site: the base URL it is served from, read by one exact grammar
//! (the same the connection schema states), and the host rules of ConnectWise cloud: the API is
//! served from an `api-` host there (`api-na.myconnectwise.net`), the web site and callbacks'
//! key URLs from the plain one (`na.myconnectwise.net`); both are the same site.

use std::fmt;

/// The longest site accepted, in characters.
pub const MAX_SITE_CHARS: usize = 255;

/// ConnectWise cloud regions whose API host is `api-{region}.myconnectwise.net` (reference §1).
const CLOUD_REGIONS: [&str; 3] = ["na", "eu", "au"];
const CLOUD_DOMAIN: &str = ".myconnectwise.net";
/// ConnectWise's own staging and development hosts (`staging.connectwisedev.com`).
const DEV_DOMAIN: &str = ".connectwisedev.com";
const API_PREFIX: &str = "api-";

/// A site as `scheme://host[:port]`, the host in lower case and a default port left out.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Site {
    https: bool,
    host: String,
    port: Option<u16>,
}

/// Why a site was refused; the message never repeats the value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SiteProblem {
    #[error("site must be at most {MAX_SITE_CHARS} characters")]
    TooLong,
    #[error("site must be an address beginning with https://, like https://na.myconnectwise.net")]
    Scheme,
    #[error("site must be the address alone: no path, query or fragment after the host")]
    Path,
    #[error("site must not contain a user name or password")]
    Userinfo,
    #[error("site's host must be a host name (like na.myconnectwise.net) or an IPv4 address")]
    Host,
    #[error("site's port must be a number from 1 to 65535")]
    Port,
}

impl Site {
    /// Reads `text` as `https://host[:port][/]` (`http://` too when `allow_http`).
    pub fn parse(text: &str, allow_http: bool) -> Result<Self, SiteProblem> {
        if text.chars().count() > MAX_SITE_CHARS {
            return Err(SiteProblem::TooLong);
        }
        let (https, rest) = match (text.strip_prefix("https://"), text.strip_prefix("http://")) {
            (Some(rest), _) => (true, rest),
            (None, Some(rest)) if allow_http => (false, rest),
            _ => return Err(SiteProblem::Scheme),
        };
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        if rest.contains(['/', '?', '#', '\\']) {
            return Err(SiteProblem::Path);
        }
        if rest.contains('@') {
            return Err(SiteProblem::Userinfo);
        }
        let (host, port) = match rest.rsplit_once(':') {
            Some((host, port)) => (host, Some(parse_port(port)?)),
            None => (rest, None),
        };
        if !is_ipv4(host) && !is_domain(host) {
            return Err(SiteProblem::Host);
        }

        let default = if https { 443 } else { 80 };
        Ok(Self {
            https,
            host: host.to_ascii_lowercase(),
            port: port.filter(|port| *port != default),
        })
    }

    /// A loopback, private, link-local or otherwise non-public literal address, or `localhost`:
    /// never a ConnectWise site (local sites are for tests and the demo, on http).
    pub fn is_internal(&self) -> bool {
        is_internal(&self.host)
    }

    pub fn is_https(&self) -> bool {
        self.https
    }

    /// The host as given (lower case).
    pub fn host(&self) -> &str {
        &self.host
    }

    pub fn port(&self) -> Option<u16> {
        self.port
    }

    /// `scheme://host[:port]`, without a trailing slash.
    pub fn origin(&self) -> String {
        self.origin_with_host(&self.host)
    }

    /// The origin of the REST API: the `api-` host on ConnectWise cloud, the site itself
    /// elsewhere (an on-premises or simulated host is used as it is).
    pub fn api_origin(&self) -> String {
        self.origin_with_host(&api_host(&self.host))
    }

    /// What makes two sites the same: host without cloud `api-` prefix, and port.
    pub fn identity(&self) -> String {
        match self.port {
            Some(port) => format!("{}:{port}", plain_host(&self.host)),
            None => plain_host(&self.host).to_owned(),
        }
    }

    /// Whether `host` (any case) and `port` (`None`: the scheme's default) name this site,
    /// counting a cloud host with and without its `api-` prefix as one.
    pub fn serves(&self, host: &str, port: Option<u16>, https: bool) -> bool {
        let default = if https { 443 } else { 80 };
        let port = port.filter(|port| *port != default);
        let host = host.to_ascii_lowercase();
        plain_host(&host) == plain_host(&self.host) && port == self.port
    }

    fn origin_with_host(&self, host: &str) -> String {
        let scheme = if self.https { "https" } else { "http" };
        match self.port {
            Some(port) => format!("{scheme}://{host}:{port}"),
            None => format!("{scheme}://{host}"),
        }
    }
}

impl fmt::Display for Site {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.origin())
    }
}

/// Whether `host` (lower case, without `api-`) is a ConnectWise cloud host.
fn is_cloud(host: &str) -> bool {
    if let Some(region) = host.strip_suffix(CLOUD_DOMAIN) {
        return CLOUD_REGIONS.contains(&region);
    }
    host.strip_suffix(DEV_DOMAIN)
        .is_some_and(|sub| !sub.is_empty())
}

/// A cloud host without its `api-` prefix; any other host as it is.
pub fn plain_host(host: &str) -> &str {
    match host.strip_prefix(API_PREFIX) {
        Some(rest) if is_cloud(rest) => rest,
        _ => host,
    }
}

/// The API host of `host`: `api-` added to a cloud host that lacks it.
pub fn api_host(host: &str) -> String {
    let plain = plain_host(host);
    if is_cloud(plain) {
        format!("{API_PREFIX}{plain}")
    } else {
        host.to_owned()
    }
}

/// 1 to 65535, without a sign or leading zero.
fn parse_port(text: &str) -> Result<u16, SiteProblem> {
    let digits = !text.is_empty() && text.len() <= 5 && text.bytes().all(|b| b.is_ascii_digit());
    if !digits || text.starts_with('0') {
        return Err(SiteProblem::Port);
    }
    text.parse::<u16>().map_err(|_| SiteProblem::Port)
}

/// A literal address that is not on the public internet, or `localhost`. (A name that resolves
/// to such an address is not caught here.)
fn is_internal(host: &str) -> bool {
    if host == "localhost" || host.ends_with(".localhost") {
        return true;
    }
    let Ok(ip) = host.parse::<std::net::Ipv4Addr>() else {
        return false;
    };
    let [a, b, ..] = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_documentation()
        || ip.is_multicast()
        // Shared address space (carrier-grade NAT), and "this network".
        || (a == 100 && (64..128).contains(&b))
        || a == 0
}

/// Four decimal octets 0-255 without leading zeros (URL parsers read those as octal).
fn is_ipv4(host: &str) -> bool {
    let octets: Vec<&str> = host.split('.').collect();
    octets.len() == 4
        && octets.iter().all(|octet| {
            let digits = !octet.is_empty() && octet.bytes().all(|b| b.is_ascii_digit());
            digits
                && octet.len() <= 3
                && !(octet.len() > 1 && octet.starts_with('0'))
                && octet.parse::<u16>().is_ok_and(|n| n <= 255)
        })
}

/// Labels of letters, digits and hyphens, the last of letters only (so no URL parser can take
/// it for a number).
fn is_domain(host: &str) -> bool {
    let labels: Vec<&str> = host.split('.').collect();
    let Some((last, others)) = labels.split_last() else {
        return false;
    };
    let label = |l: &&str, ok: fn(u8) -> bool| (1..=63).contains(&l.len()) && l.bytes().all(ok);
    label(last, |b| b.is_ascii_alphabetic())
        && others
            .iter()
            .all(|l| label(l, |b| b.is_ascii_alphanumeric() || b == b'-'))
}

/// The JSON Schema pattern of exactly what [`Site::parse`] accepts (length aside).
pub fn pattern(allow_http: bool) -> String {
    let scheme = if allow_http { "https?" } else { "https" };
    let octet = "(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])";
    let ipv4 = format!("{octet}(\\.{octet}){{3}}");
    let domain = "([A-Za-z0-9-]{1,63}\\.)*[A-Za-z]{1,63}";
    let port =
        "(6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3})";
    format!("^{scheme}://({ipv4}|{domain})(:{port})?/?$")
}

#[cfg(test)]
mod tests;
