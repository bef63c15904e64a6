//! The wiring point: the one place in the hub that names the PSAs it serves. Adding a PSA is an
//! adapter crate implementing `psa_proto::Provider`, one entry in [`providers`] and [`names`],
//! and its config section.

use std::sync::Arc;

use anyhow::Context;
use psa_autotask::{Autotask, AutotaskProvider, AutotaskSettings};
use psa_connectwise::{ConnectWiseProvider, ConnectWiseSettings};
use psa_proto::{ApiObserver, ConnectionInput, PsaName};

use crate::config::Settings;
use crate::psa::{Psa, Psas};
use crate::store::LegacyUpgrade;

/// The names of the PSAs [`providers`] builds, in its order (metrics are registered for them
/// before the providers, which report to the metrics, exist). ConnectWise PSA is served once
/// `connectwise.client_id` is set.
pub fn names(settings: &Settings) -> Vec<PsaName> {
    let mut names = vec![psa_autotask::NAME];
    if settings.connectwise.client_id.is_set() {
        names.push(psa_connectwise::NAME);
    }
    names
}

/// Every PSA this hub serves, built from the settings. `observer` sees every PSA API exchange.
pub fn providers(
    settings: &Settings,
    public_base: &str,
    observer: Arc<dyn ApiObserver>,
) -> anyhow::Result<Psas> {
    let mut list = vec![autotask(settings, observer.clone())?];
    if settings.connectwise.client_id.is_set() {
        list.push(connectwise(settings, observer)?);
    }
    Ok(Psas::new(list, public_base))
}

fn autotask(settings: &Settings, observer: Arc<dyn ApiObserver>) -> anyhow::Result<Psa> {
    let section = &settings.autotask;
    let client = Autotask::new(AutotaskSettings {
        zone_lookup_url: section.zone_lookup_url.to_string(),
        request_timeout: section.request_timeout,
        ..AutotaskSettings::default()
    })
    .context("cannot build the Autotask client")?
    .with_observer(observer);
    Ok(Psa {
        provider: Arc::new(AutotaskProvider::new(client)),
        webhook_name: section.webhook_name.clone(),
        check_interval: section.check_interval,
        drift_check: section.drift_check,
    })
}

fn connectwise(settings: &Settings, observer: Arc<dyn ApiObserver>) -> anyhow::Result<Psa> {
    let section = &settings.connectwise;
    let provider = ConnectWiseProvider::new(
        ConnectWiseSettings {
            client_id: section.client_id.expose().to_owned(),
            allow_http_sites: section.allow_http_sites,
            request_timeout: section.request_timeout,
            api_version: section.api_version.clone(),
            ..ConnectWiseSettings::default()
        },
        Some(observer),
    )
    .context("cannot build the ConnectWise PSA client (check connectwise.client_id)")?;
    Ok(Psa {
        provider: Arc::new(provider),
        webhook_name: section.callback_description.clone(),
        check_interval: section.check_interval,
        drift_check: section.drift_check,
    })
}

/// Connections stored before credentials were one document were all Autotask connections,
/// with the API user's username, secret and integration code in columns of their own.
pub fn legacy_upgrade() -> LegacyUpgrade {
    LegacyUpgrade {
        psa: psa_autotask::NAME,
        convert: |username, secret, integration_code| {
            let credentials = psa_autotask::connect_input::credentials_document(
                username,
                secret,
                integration_code,
            );
            let mut public = serde_json::Map::new();
            public.insert("username".into(), username.into());
            ConnectionInput {
                credentials,
                owner: psa_autotask::connect_input::owner_of(username),
                public,
                notification_email: None,
            }
        },
    }
}
