//! The `Simulator` handle: spawning the server and delivery task, and the Rust-side test API.

mod callbacks;
mod tickets;

pub use callbacks::CallbackSnapshot;
pub use tickets::NoteKind;

use crate::callout::dispatcher;
use crate::config::SimConfig;
use crate::faults::Fault;
use crate::held::Held;
use crate::ids::CompanyId;
use crate::limits::RateLimiter;
use crate::log::{Delivery, LoggedRequest, Op, RequestLog};
use crate::member::ApiMember;
use crate::shared::Shared;
use crate::store::Store;
use actix_web::dev::ServerHandle;
use parking_lot::Mutex;
use std::net::TcpListener;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tokio::task::JoinHandle;

/// A running simulator. Cheap to clone; the server stops when the last clone drops.
#[derive(Clone, Debug)]
pub struct Simulator {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    shared: Arc<Shared>,
    server: ServerHandle,
    dispatcher: JoinHandle<()>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        // stop() sends its command immediately; the returned future only waits for completion.
        drop(self.server.stop(false));
        self.dispatcher.abort();
    }
}

impl Simulator {
    /// Binds 127.0.0.1:0 and serves on the current tokio runtime.
    pub async fn spawn(config: SimConfig) -> std::io::Result<Simulator> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        Self::spawn_on(listener, config).await
    }

    /// Serves on an already bound listener.
    pub async fn spawn_on(listener: TcpListener, config: SimConfig) -> std::io::Result<Simulator> {
        let base_url = format!("http://{}", listener.local_addr()?);
        let config = Arc::new(config);
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        let shared = Arc::new(Shared {
            config: config.clone(),
            store: Mutex::new(Store::new(config, base_url.clone(), tx)),
            requests: RequestLog::default(),
            deliveries: Mutex::new(Vec::new()),
            faults: Mutex::new(Vec::new()),
            held: Arc::new(Held::default()),
            rate: RateLimiter::default(),
            dropped: AtomicU64::new(0),
            base_url,
        });
        let server = crate::http::server(listener, shared.clone())?;
        let handle = server.handle();
        tokio::spawn(server);
        let dispatcher = tokio::spawn(dispatcher::run(shared.clone(), rx));
        Ok(Simulator {
            inner: Arc::new(Inner {
                shared,
                server: handle,
                dispatcher,
            }),
        })
    }

    fn shared(&self) -> &Shared {
        &self.inner.shared
    }

    pub fn config(&self) -> &SimConfig {
        &self.shared().config
    }

    /// `http://127.0.0.1:PORT`: the tenant's "site".
    pub fn site_url(&self) -> String {
        self.shared().base_url.clone()
    }

    /// `{site}/{codebase}apis/3.0`, e.g. `http://127.0.0.1:PORT/v4_6_release/apis/3.0`.
    pub fn api_url(&self) -> String {
        format!("{}/{}apis/3.0", self.site_url(), self.config().codebase)
    }

    /// Adds a company (a ConnectWise database) with the login id `company_id`; adding an
    /// existing id again returns it unchanged.
    pub fn add_company(&self, company_id: &str, name: &str) -> CompanyId {
        self.shared().store.lock().add_company(company_id, name)
    }

    /// Adds (or replaces, by public key) an API member; `rec_id` 0 gets a fresh id.
    /// Panics if the company was never added: that is a bug in the calling test.
    pub fn add_member(&self, company: &CompanyId, member: ApiMember) {
        self.shared()
            .store
            .lock()
            .add_member(company, member)
            .unwrap_or_else(|e| panic!("connectwise-sim add_member: {e}"));
    }

    /// Changes a member in place, e.g. to take a right away. Unknown members are ignored.
    pub fn update_member(
        &self,
        company: &CompanyId,
        public_key: &str,
        f: impl FnOnce(&mut ApiMember),
    ) {
        let mut store = self.shared().store.lock();
        let found = store
            .company_mut(company)
            .ok()
            .and_then(|c| c.members.iter_mut().find(|m| m.public_key == public_key));
        if let Some(m) = found {
            f(m);
        }
    }

    /// A member as stored (with its assigned `rec_id`).
    pub fn member(&self, company: &CompanyId, public_key: &str) -> Option<ApiMember> {
        let store = self.shared().store.lock();
        store.company(company)?.member(public_key).cloned()
    }

    /// Every request since the last clear, in arrival order; in-flight ones have no status.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.shared().requests.snapshot()
    }

    pub fn clear_requests(&self) {
        self.shared().requests.clear();
    }

    /// Requests of `op` waiting out an injected `Latency` or `Hold`.
    pub fn held(&self, op: Op) -> usize {
        self.shared().held.count(op)
    }

    pub fn inject(&self, fault: Fault) {
        self.shared().faults.lock().push(fault);
    }

    pub fn clear_faults(&self) {
        self.shared().faults.lock().clear();
    }

    /// Every delivery attempt so far, in the order they finished.
    pub fn deliveries(&self) -> Vec<Delivery> {
        self.shared().deliveries.lock().clone()
    }

    /// Messages given up without (further) attempts because their entry was deleted, set
    /// inactive or disabled meanwhile: the positive marker for "no more attempts will come".
    pub fn dropped_messages(&self) -> u64 {
        self.shared().dropped.load(Ordering::SeqCst)
    }

    /// Stops the HTTP server and the delivery task; clones become inert.
    pub fn shutdown(&self) {
        drop(self.inner.server.stop(false));
        self.inner.dispatcher.abort();
    }
}
