//! The wiring point: the one place in the hub that names the PSAs it serves. Adding a PSA is an
//! adapter crate implementing `psa_proto::Provider` and one entry here (plus its config
//! section).

use std::sync::Arc;

use anyhow::Context;
use psa_autotask::{Autotask, AutotaskProvider, AutotaskSettings};
use psa_proto::{ApiObserver, ConnectionInput, PsaName};

use crate::config::Settings;
use crate::psa::{Psa, Psas};
use crate::store::LegacyUpgrade;

/// The names of the PSAs [`providers`] builds, in its order (metrics are registered for them
/// before the providers, which report to the metrics, exist).
pub const NAMES: &[PsaName] = &[psa_autotask::NAME];

/// Every PSA this hub serves, built from the settings. `observer` sees every PSA API exchange.
pub fn providers(
    settings: &Settings,
    public_base: &str,
    observer: Arc<dyn ApiObserver>,
) -> anyhow::Result<Psas> {
    let autotask = Autotask::new(AutotaskSettings {
        zone_lookup_url: settings.autotask.zone_lookup_url.to_string(),
        request_timeout: settings.autotask.request_timeout,
        ..AutotaskSettings::default()
    })
    .context("cannot build the Autotask client")?
    .with_observer(observer);
    let list = vec![Psa {
        provider: Arc::new(AutotaskProvider::new(autotask)),
        webhook_name: settings.autotask.webhook_name.clone(),
        check_interval: settings.autotask.check_interval,
        drift_check: settings.autotask.drift_check,
    }];
    Ok(Psas::new(list, public_base))
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
