//! What the in-process benchmarks share: a hub started in this process with a second store
//! handle on its database (to link events and count them), and counting a tenant's closed events.

use psa_hub::config::Settings;
use psa_hub::store::{EventStatus, Store};
use psa_hub::Application;
use psa_proto::{EventId, TenantId};

/// A running hub: its admin and public bases, an admin token, and a store on its database.
pub struct InProcessHub {
    pub admin: String,
    pub public: String,
    pub token: String,
    pub store: Store,
}

impl InProcessHub {
    /// Builds the hub, serves it on this runtime, and opens a second store handle.
    pub async fn start(settings: Settings) -> anyhow::Result<Self> {
        let token = settings.admin.tokens[0].expose().to_owned();
        let key = settings.secrets.master_key.clone();
        let db_settings = settings.database.clone();
        let app = Application::build(settings).await?;
        let admin = format!("http://{}", app.admin_addr());
        let public = format!("http://{}", app.public_addr());
        actix_web::rt::spawn(app.run_until_stopped());
        let store = Store::open(&db_settings, key, vec![psa_autotask::NAME]).await?;
        Ok(Self {
            admin,
            public,
            token,
            store,
        })
    }
}

/// How many of `tenant`'s events are closed.
pub async fn closed_events(store: &Store, tenant: &TenantId) -> anyhow::Result<usize> {
    let mut closed = 0;
    let mut after: Option<EventId> = None;
    loop {
        let page = store.events(tenant, after.as_ref(), 1000).await?;
        closed += page
            .iter()
            .filter(|e| e.status == EventStatus::Closed)
            .count();
        match page.last() {
            Some(last) if page.len() == 1000 => after = Some(last.event_id.clone()),
            _ => return Ok(closed),
        }
    }
}
