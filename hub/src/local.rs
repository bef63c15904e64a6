//! Settings for a hub on this machine alone: loopback listeners on free ports, a fresh admin
//! token and master key, every PSA served, plain-http PSA sites allowed (the simulators). Used
//! by the demo, the benchmarks and the black-box tests.

use std::time::Duration;

use rand::distributions::{Alphanumeric, DistString};
use url::Url;

use crate::config::{
    AdminSettings, AdminToken, AutotaskHubSettings, ClientId, ConnectWiseHubSettings,
    DatabaseSettings, PublicSettings, RateLimit, SecretSettings, Settings,
};
use crate::crypto::MasterKey;

pub const DEFAULT_WEBHOOK_NAME: &str = "SaaS Alerts Ticket Monitor";

/// The clientId a local hub sends its ConnectWise simulator.
pub const LOCAL_CLIENT_ID: &str = "psa-hub-local-client";

/// A hub on `database_url` that asks `zone_lookup_url` for Autotask zones.
pub fn local_settings(database_url: String, zone_lookup_url: Url) -> Settings {
    Settings {
        public: PublicSettings {
            listen: ([127, 0, 0, 1], 0).into(),
            url: None,
            max_body_bytes: 64 * 1024,
            rate_limit: RateLimit {
                per_second: 100,
                burst: 1000,
            },
        },
        admin: AdminSettings {
            listen: ([127, 0, 0, 1], 0).into(),
            tokens: vec![AdminToken::new(
                Alphanumeric.sample_string(&mut rand::thread_rng(), 32),
            )],
            setup_wait: Duration::from_secs(10),
        },
        database: DatabaseSettings {
            url: database_url,
            max_connections: 8,
            delivery_retention: Duration::from_secs(35 * 86_400),
        },
        secrets: SecretSettings {
            master_key: MasterKey::generate(),
        },
        autotask: AutotaskHubSettings {
            zone_lookup_url,
            webhook_name: DEFAULT_WEBHOOK_NAME.to_owned(),
            request_timeout: Duration::from_secs(10),
            check_interval: Duration::from_secs(30),
            drift_check: Duration::from_secs(21_600),
        },
        connectwise: ConnectWiseHubSettings {
            client_id: ClientId::new(LOCAL_CLIENT_ID),
            callback_description: DEFAULT_WEBHOOK_NAME.to_owned(),
            allow_http_sites: true,
            api_version: "2019.1".to_owned(),
            request_timeout: Duration::from_secs(10),
            check_interval: Duration::from_secs(30),
            drift_check: Duration::from_secs(21_600),
        },
    }
}
