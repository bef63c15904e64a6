//! Building and running the hub: the store, the actor system and both listeners. Must run
//! inside an actix `System` (`#[actix_web::main]`, `#[actix_web::test]`), which hosts the actors.

use std::net::{SocketAddr, TcpListener};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use actix::Addr;
use actix_web::dev::{Server, ServerHandle};
use actix_web::{web, App, HttpServer};
use anyhow::Context;

use crate::actors::{Deps, Registry, Routes, StopAll, StopSignal};
use crate::api::{self, AdminState};
use crate::config::Settings;
use crate::ingest::{self, IngestState};
use crate::metrics::{HubMetrics, PsaObserver};
use crate::providers;
use crate::psa::Psas;
use crate::store::{InstanceClaim, Store};

/// A built hub, listening, not yet serving until [`Application::run_until_stopped`].
pub struct Application {
    public_addr: SocketAddr,
    admin_addr: SocketAddr,
    public_url: String,
    public: Server,
    admin: Server,
    handle: AppHandle,
    /// `/readyz`'s "the listeners serve".
    ready: Arc<AtomicBool>,
}

/// Stops a running hub from elsewhere (tests, the demo).
#[derive(Debug, Clone)]
pub struct AppHandle {
    public: ServerHandle,
    admin: ServerHandle,
    registry: Addr<Registry>,
    store: Store,
    stop: StopSignal,
    /// This instance's hold on the database, let go when it stops.
    claim: InstanceClaim,
}

impl AppHandle {
    /// Stops both listeners (finishing requests in flight), then the actors, then the store.
    pub async fn stop(&self) {
        self.public.stop(true).await;
        self.admin.stop(true).await;
        self.stop_actors().await;
    }

    async fn stop_actors(&self) {
        self.stop.stop();
        let _ = self.registry.send(StopAll).await;
        self.store.close().await;
        self.claim.release().await;
    }
}

impl std::fmt::Debug for Application {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Application")
            .field("public_addr", &self.public_addr)
            .field("admin_addr", &self.admin_addr)
            .field("public_url", &self.public_url)
            .finish_non_exhaustive()
    }
}

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let metrics =
            HubMetrics::new(&providers::names(&settings)).context("cannot register the metrics")?;
        let (public_listener, admin_listener) = bind(&settings)?;
        let public_addr = public_listener.local_addr()?;
        let admin_addr = admin_listener.local_addr()?;
        let public_url = public_url(&settings, public_addr);
        let observer = Arc::new(PsaObserver(metrics.clone()));
        let psas = providers::providers(&settings, &public_url, observer)?;
        let store = open_store(&settings, &psas).await?;
        let claim = store
            .claim_instance(&settings.database.url)
            .await
            .context("cannot start on this database")?;
        let routes = Routes::new(settings.public.rate_limit);
        let stop = StopSignal::default();
        let deps = Deps {
            store: store.clone(),
            psas: psas.clone(),
            routes: routes.clone(),
            metrics: metrics.clone(),
            stop: stop.clone(),
        };
        let registry = Registry::start(deps)
            .await
            .context("cannot load the stored connections")?;
        crate::maintenance::spawn(
            store.clone(),
            metrics.clone(),
            settings.database.delivery_retention,
            stop.clone(),
        );
        let ready = Arc::new(AtomicBool::new(false));
        let public = public_server(
            IngestState {
                store: store.clone(),
                psas: psas.clone(),
                routes: routes.clone(),
                registry: registry.clone(),
                metrics: metrics.clone(),
                max_body_bytes: settings.public.max_body_bytes,
            },
            public_listener,
        )?;
        let admin = admin_server(
            AdminState {
                store: store.clone(),
                registry: registry.clone(),
                routes,
                metrics,
                openapi: api::openapi_document(&psas).into(),
                psas,
                tokens: settings.admin.tokens.clone(),
                setup_wait: settings.admin.setup_wait,
                ready: ready.clone(),
            },
            admin_listener,
        )?;
        let handle = AppHandle {
            public: public.handle(),
            admin: admin.handle(),
            registry,
            store,
            stop,
            claim,
        };
        tracing::info!(%public_addr, %admin_addr, %public_url, "psa-hub listening");
        Ok(Self {
            public_addr,
            admin_addr,
            public_url,
            public,
            admin,
            handle,
            ready,
        })
    }

    pub fn public_addr(&self) -> SocketAddr {
        self.public_addr
    }

    pub fn admin_addr(&self) -> SocketAddr {
        self.admin_addr
    }

    /// The base of the webhook URLs registered in the PSAs.
    pub fn public_url(&self) -> &str {
        &self.public_url
    }

    pub fn handle(&self) -> AppHandle {
        self.handle.clone()
    }

    /// Serves until both listeners stop (a signal, or [`AppHandle::stop`]), then stops the
    /// actors and closes the store.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        // Both listeners start accepting when this future is first polled, together; /readyz is
        // served by one of them, so nobody can see it ready before both serve.
        self.ready.store(true, Ordering::Release);
        let (public, admin) = futures_util::future::join(self.public, self.admin).await;
        self.handle.stop_actors().await;
        public.and(admin)
    }
}

fn bind(settings: &Settings) -> anyhow::Result<(TcpListener, TcpListener)> {
    let public = TcpListener::bind(settings.public.listen)
        .with_context(|| format!("cannot listen on public.listen {}", settings.public.listen))?;
    let admin = TcpListener::bind(settings.admin.listen)
        .with_context(|| format!("cannot listen on admin.listen {}", settings.admin.listen))?;
    Ok((public, admin))
}

/// The base of the webhook URLs: `public.url`, or the listener's own address (with a warning).
fn public_url(settings: &Settings, public_addr: SocketAddr) -> String {
    match &settings.public.url {
        Some(url) => url.as_str().trim_end_matches('/').to_owned(),
        None => {
            let url = derived_url(public_addr);
            tracing::warn!(%url, "public.url is not set; registering webhooks at the listener's own address");
            url
        }
    }
}

/// Opens the database, migrated, with rows of the release before PSA providers upgraded.
async fn open_store(settings: &Settings, psas: &Psas) -> anyhow::Result<Store> {
    let database = redact_url(&settings.database.url);
    let store = Store::open(
        &settings.database,
        settings.secrets.master_key.clone(),
        psas.names(),
    )
    .await
    .with_context(|| format!("cannot open the database {database}"))?;
    let upgraded = store
        .upgrade_legacy(&providers::legacy_upgrade())
        .await
        .with_context(|| format!("cannot upgrade the stored connections in {database}"))?;
    if upgraded > 0 {
        tracing::info!(
            upgraded,
            "stored connections carried over to the provider layout"
        );
    }
    Ok(store)
}

/// The listener the PSAs reach: callouts and deactivation notices only.
fn public_server(state: IngestState, listener: TcpListener) -> std::io::Result<Server> {
    let state = web::Data::new(state);
    Ok(HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .configure(ingest::configure)
            .default_service(web::to(ingest::not_found))
    })
    .shutdown_timeout(10)
    .listen(listener)?
    .run())
}

/// The internal listener: `/api/v1`, `/metrics`, `/healthz`, `/readyz`.
fn admin_server(state: AdminState, listener: TcpListener) -> std::io::Result<Server> {
    let names = state.psas.names();
    let state = web::Data::new(state);
    Ok(HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .configure(|cfg| api::configure(cfg, &names))
            .default_service(web::to(api::not_found))
    })
    .workers(2)
    .shutdown_timeout(10)
    .listen(listener)?
    .run())
}

/// A listener on every interface is reached at loopback from this machine.
fn derived_url(addr: SocketAddr) -> String {
    let host = if addr.ip().is_unspecified() {
        "127.0.0.1".to_owned()
    } else {
        addr.ip().to_string()
    };
    format!("http://{host}:{}", addr.port())
}

/// Database URLs may carry a password; logs and errors show the URL without it.
fn redact_url(raw: &str) -> String {
    match url::Url::parse(raw) {
        Ok(mut url) if url.password().is_some() => {
            let _ = url.set_password(Some("redacted"));
            url.to_string()
        }
        Ok(url) => url.to_string(),
        Err(_) => "the configured database".to_owned(),
    }
}
