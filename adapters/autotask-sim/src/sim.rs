//! The `Simulator` handle: spawning the server and delivery task, and the Rust-side test API.

use crate::callout::dispatcher;
use crate::config::SimConfig;
use crate::faults::Fault;
use crate::ids::{DatabaseId, TicketId, WebhookId};
use crate::limits::{RequestThreshold, ThreadLimiter};
use crate::log::{Delivery, LoggedRequest, Op, RequestLog};
use crate::shared::Shared;
use crate::store::Store;
use crate::user::ApiUser;
use actix_web::dev::ServerHandle;
use parking_lot::Mutex;
use serde_json::{Map, Value};
use std::net::TcpListener;
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
        let addr = listener.local_addr()?;
        let config = Arc::new(config);
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        let shared = Arc::new(Shared {
            config: config.clone(),
            store: Mutex::new(Store::new(config, tx)),
            requests: RequestLog::default(),
            deliveries: Mutex::new(Vec::new()),
            faults: Mutex::new(Vec::new()),
            threads: Arc::new(ThreadLimiter::default()),
            held: Arc::default(),
            threshold: RequestThreshold::default(),
            base_url: format!("http://{addr}"),
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

    /// `http://127.0.0.1:PORT`
    pub fn base_url(&self) -> String {
        self.shared().base_url.clone()
    }

    pub fn zone_lookup_url(&self) -> String {
        format!("{}/atservicesrest/V1.0/zoneInformation", self.base_url())
    }

    pub fn add_database(&self, name: &str) -> DatabaseId {
        self.shared().store.lock().add_database(name)
    }

    /// Adds (or replaces, by username) an API user; resource_id 0 gets a fresh id.
    pub fn add_api_user(&self, db: DatabaseId, user: ApiUser) {
        self.shared().store.lock().add_user(db, user);
    }

    /// Changes a user in place, e.g. to grant a permission later. Unknown users are ignored.
    pub fn update_api_user(&self, username: &str, f: impl FnOnce(&mut ApiUser)) {
        self.shared().store.lock().update_user(username, f);
    }

    /// Name given to a database in `add_database`.
    pub fn database_name(&self, db: DatabaseId) -> Option<String> {
        self.shared()
            .store
            .lock()
            .dbs
            .get(&db)
            .map(|d| d.name.clone())
    }

    /// The database an API user belongs to.
    pub fn database_of(&self, username: &str) -> Option<DatabaseId> {
        self.shared().store.lock().user(username).map(|u| u.db)
    }

    /// Creates a ticket (status New) as the technician; fires Create callouts.
    /// Panics if `db` was never added: that is a bug in the calling test.
    pub fn create_ticket(&self, db: DatabaseId, title: &str) -> TicketId {
        let mut fields = Map::new();
        fields.insert("title".into(), title.into());
        let tech = self.config().technician_resource_id;
        let id = self
            .shared()
            .store
            .lock()
            .create_ticket(db, &fields, tech)
            .unwrap_or_else(|e| panic!("autotask-sim create_ticket({db:?}): {e}"));
        TicketId(id)
    }

    /// Completes a ticket: status 5, completedDate now, resolution set.
    pub fn complete_ticket(&self, db: DatabaseId, id: TicketId, resolution: &str) {
        let mut changes = Map::new();
        changes.insert("status".into(), 5.into());
        changes.insert("resolution".into(), resolution.into());
        self.change(db, id, &changes);
    }

    /// Applies generic field changes (camelCase or PascalCase keys), e.g. `{"status": 8}`.
    pub fn update_ticket(&self, db: DatabaseId, id: TicketId, changes: Value) {
        match changes {
            Value::Object(map) => self.change(db, id, &map),
            other => panic!("autotask-sim update_ticket: changes must be an object, got {other}"),
        }
    }

    fn change(&self, db: DatabaseId, id: TicketId, changes: &Map<String, Value>) {
        let tech = self.config().technician_resource_id;
        self.shared()
            .store
            .lock()
            .change_ticket(db, id.0, changes, tech)
            .unwrap_or_else(|e| panic!("autotask-sim change of {id:?} in {db:?}: {e}"));
    }

    pub fn ticket(&self, db: DatabaseId, id: TicketId) -> Option<Value> {
        let store = self.shared().store.lock();
        let t = store.dbs.get(&db)?.tickets.get(&id.0)?;
        Some(Value::Object(t.clone()))
    }

    /// Stored webhooks with `secretKey`, a `fields` array of their Fields children and
    /// `sequence`, the last SequenceNumber handed out (0 before the first callout). It moves
    /// when a ticket change queues a callout, so a test can see at once that none was queued.
    pub fn webhooks(&self, db: DatabaseId) -> Vec<Value> {
        self.shared().store.lock().webhooks_with_fields(db)
    }

    /// Activates or deactivates a webhook as an administrator would in Autotask's UI, but the
    /// deactivation call never arrives (a lost notice). Panics on an unknown webhook.
    pub fn set_webhook_active_silently(&self, db: DatabaseId, id: WebhookId, active: bool) {
        self.drift(db, id, |s| s.set_webhook_active(db, id.0, active));
    }

    /// Deletes a webhook and its Fields entries with no deactivation call.
    pub fn delete_webhook_silently(&self, db: DatabaseId, id: WebhookId) {
        self.drift(db, id, |s| {
            s.remove_webhook(db, id.0)
                .map(drop)
                .ok_or_else(|| "no such webhook".to_string())
        });
    }

    /// Removes every Fields entry of a webhook; `isReady` then turns false.
    pub fn remove_webhook_fields_silently(&self, db: DatabaseId, id: WebhookId) {
        self.drift(db, id, |s| s.remove_webhook_fields(db, id.0));
    }

    /// Changes a webhook's `webhookUrl`, so callouts go elsewhere without the client knowing.
    pub fn set_webhook_url_silently(&self, db: DatabaseId, id: WebhookId, url: &str) {
        self.drift(db, id, |s| s.set_webhook_url(db, id.0, url));
    }

    fn drift(
        &self,
        db: DatabaseId,
        id: WebhookId,
        f: impl FnOnce(&mut Store) -> Result<(), String>,
    ) {
        f(&mut self.shared().store.lock())
            .unwrap_or_else(|e| panic!("autotask-sim change of {id:?} in {db:?}: {e}"));
    }

    /// Every REST request since the last clear, in arrival order; in-flight ones have no status.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.shared().requests.snapshot()
    }

    pub fn clear_requests(&self) {
        self.shared().requests.clear();
    }

    /// Requests of `op` holding their thread slot while they wait out an injected `Latency`.
    pub fn held(&self, op: Op) -> usize {
        self.shared().held.count(op)
    }

    pub fn inject(&self, fault: Fault) {
        self.shared().faults.lock().push(fault);
    }

    pub fn clear_faults(&self) {
        self.shared().faults.lock().clear();
    }

    pub fn deliveries(&self) -> Vec<Delivery> {
        self.shared().deliveries.lock().clone()
    }

    pub fn error_log(&self, db: DatabaseId) -> Vec<Value> {
        let store = self.shared().store.lock();
        store
            .dbs
            .get(&db)
            .map(|d| d.error_log.clone())
            .unwrap_or_default()
    }

    /// Stops the HTTP server and the delivery task; clones become inert.
    pub fn shutdown(&self) {
        drop(self.inner.server.stop(false));
        self.inner.dispatcher.abort();
    }
}
