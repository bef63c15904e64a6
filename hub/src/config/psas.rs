//! The settings of each PSA section (`[autotask]`, `[connectwise]`): where the adapter finds its
//! PSA and how psa-hub names and looks after the webhooks it creates there.

use std::fmt;
use std::time::Duration;

use url::Url;

use super::read::Reader;
use super::values::{boolean, http_url, number, string};

#[derive(Debug, Clone)]
pub struct AutotaskHubSettings {
    pub zone_lookup_url: Url,
    /// Trimmed, 1 to 100 characters.
    pub webhook_name: String,
    /// `autotask.request_timeout_seconds`.
    pub request_timeout: Duration,
    /// `autotask.check_interval_seconds`: the least time between two webhook checks that
    /// deactivation hints trigger, so a flood of (unsigned) hints cannot spend the tenant's
    /// Autotask request budget.
    pub check_interval: Duration,
    /// `autotask.drift_check_seconds`: every active connection's webhook is compared with what
    /// it should be at least this often (spread with jitter), and repaired when it drifted.
    pub drift_check: Duration,
}

/// The product's ConnectWise `clientId`: ConnectWise asks that it be kept like a password, so
/// it never prints.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ClientId(String);

impl ClientId {
    pub fn new(id: impl Into<String>) -> Self {
        Self(id.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_set(&self) -> bool {
        !self.0.is_empty()
    }
}

impl fmt::Debug for ClientId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.is_set() {
            "ClientId([redacted])"
        } else {
            "ClientId(unset)"
        })
    }
}

#[derive(Debug, Clone)]
pub struct ConnectWiseHubSettings {
    /// `connectwise.client_id`; unset (empty) means the hub does not serve ConnectWise PSA.
    pub client_id: ClientId,
    /// The description of the callback psa-hub creates (1 to 100 characters, trimmed).
    pub callback_description: String,
    /// Accept `http://` sites and signing-key URLs: tests and the demo only.
    pub allow_http_sites: bool,
    /// The `version=` of the `Accept` header the REST API is called with.
    pub api_version: String,
    pub request_timeout: Duration,
    /// As `autotask.check_interval_seconds`.
    pub check_interval: Duration,
    /// As `autotask.drift_check_seconds`.
    pub drift_check: Duration,
}

/// A name shown in the PSA: trimmed, 1 to 100 characters.
fn display_text(v: Option<&config::Value>) -> Result<String, String> {
    let text = string(v)?.trim();
    match text.chars().count() {
        0 => Err("must not be blank".to_owned()),
        1..=100 => Ok(text.to_owned()),
        n => Err(format!("must be at most 100 characters, not {n}")),
    }
}

/// The timing keys both sections have: request timeout, hint spacing, drift-check period.
fn timings(r: &mut Reader, section: &str) -> Option<(Duration, Duration, Duration)> {
    let timeout = r.read(&format!("{section}.request_timeout_seconds"), |v| {
        number(v, 1, 300, " seconds")
    });
    let check_interval = r.read(&format!("{section}.check_interval_seconds"), |v| {
        number(v, 0, 3600, " seconds")
    });
    let drift_check = r.read(&format!("{section}.drift_check_seconds"), |v| {
        number(v, 60, 7 * 86_400, " seconds")
    });
    Some((
        Duration::from_secs(timeout?),
        Duration::from_secs(check_interval?),
        Duration::from_secs(drift_check?),
    ))
}

pub(super) fn read_autotask(r: &mut Reader) -> Option<AutotaskHubSettings> {
    let zone_lookup_url = r.read("autotask.zone_lookup_url", http_url);
    let webhook_name = r.read("autotask.webhook_name", display_text);
    let (request_timeout, check_interval, drift_check) = timings(r, "autotask")?;
    Some(AutotaskHubSettings {
        zone_lookup_url: zone_lookup_url?,
        webhook_name: webhook_name?,
        request_timeout,
        check_interval,
        drift_check,
    })
}

pub(super) fn read_connectwise(r: &mut Reader) -> Option<ConnectWiseHubSettings> {
    let client_id = r.read("connectwise.client_id", |v| {
        let id = string(v)?.trim();
        // Sent as a header: visible ASCII only. The value itself is never echoed.
        if id.chars().all(|c| c.is_ascii_graphic()) && id.len() <= 128 {
            Ok(ClientId::new(id))
        } else {
            Err(
                "must be the clientId ConnectWise issued (a GUID); it has characters a \
                 header cannot carry or is longer than 128"
                    .to_owned(),
            )
        }
    });
    let description = r.read("connectwise.callback_description", display_text);
    let allow_http = r.read("connectwise.allow_http_sites", boolean);
    let api_version = r.read("connectwise.api_version", |v| {
        let version = string(v)?.trim();
        let valid = !version.is_empty()
            && version.len() <= 16
            && version.chars().all(|c| c.is_ascii_digit() || c == '.');
        if valid {
            Ok(version.to_owned())
        } else {
            Err(format!("{version:?} must be a version such as 2019.1"))
        }
    });
    let (request_timeout, check_interval, drift_check) = timings(r, "connectwise")?;
    Some(ConnectWiseHubSettings {
        client_id: client_id?,
        callback_description: description?,
        allow_http_sites: allow_http?,
        api_version: api_version?,
        request_timeout,
        check_interval,
        drift_check,
    })
}
