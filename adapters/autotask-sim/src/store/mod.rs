//! In-memory Autotask data: databases, users, webhooks, their field entries, tickets and error logs.

pub mod catalog;
mod drift;
mod events;
mod tickets;
pub use tickets::now_text;
pub mod webhook;

use crate::callout::Job;
use crate::config::SimConfig;
use crate::ids::DatabaseId;
use crate::user::ApiUser;
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use tokio::sync::mpsc::UnboundedSender;
use webhook::Webhook;

/// One TicketWebhookFields entry.
#[derive(Clone, Debug)]
pub struct WebhookField {
    pub id: i64,
    pub webhook_id: i64,
    pub field_id: i64,
    pub subscribed: bool,
    pub display_always: bool,
}

impl WebhookField {
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "webhookID": self.webhook_id,
            "fieldID": self.field_id,
            "isSubscribedField": self.subscribed,
            "isDisplayAlwaysField": self.display_always,
        })
    }
}

/// One tenant database.
#[derive(Debug)]
pub struct Database {
    pub name: String,
    pub webhooks: BTreeMap<i64, Webhook>,
    pub fields: BTreeMap<i64, WebhookField>,
    /// Tickets as camelCase REST objects.
    pub tickets: BTreeMap<i64, Map<String, Value>>,
    pub error_log: Vec<Value>,
    next_webhook: i64,
    next_field: i64,
    next_ticket: i64,
    next_error: i64,
    ticket_numbers: u32,
}

impl Database {
    fn new(name: &str) -> Database {
        Database {
            name: name.to_string(),
            webhooks: BTreeMap::new(),
            fields: BTreeMap::new(),
            tickets: BTreeMap::new(),
            error_log: Vec::new(),
            next_webhook: 177,
            next_field: 5012,
            next_ticket: 351_182,
            next_error: 1,
            ticket_numbers: 0,
        }
    }

    pub fn next_webhook_id(&mut self) -> i64 {
        self.next_webhook += 1;
        self.next_webhook - 1
    }

    pub fn next_field_id(&mut self) -> i64 {
        self.next_field += 1;
        self.next_field - 1
    }

    pub fn next_error_id(&mut self) -> i64 {
        self.next_error += 1;
        self.next_error - 1
    }

    /// Field entries of one webhook, in creation order.
    pub fn fields_of(&self, webhook_id: i64) -> Vec<&WebhookField> {
        self.fields
            .values()
            .filter(|f| f.webhook_id == webhook_id)
            .collect()
    }

    /// isReady is server-managed: true once a subscribed field exists.
    pub fn refresh_ready(&mut self, webhook_id: i64) {
        let ready = self
            .fields
            .values()
            .any(|f| f.webhook_id == webhook_id && f.subscribed);
        if let Some(w) = self.webhooks.get_mut(&webhook_id) {
            w.is_ready = ready;
        }
    }
}

/// A user together with the database it belongs to.
#[derive(Clone, Debug)]
pub struct UserRecord {
    pub db: DatabaseId,
    pub user: ApiUser,
}

/// Everything behind the simulator's single state lock.
#[derive(Debug)]
pub struct Store {
    pub config: Arc<SimConfig>,
    pub dbs: BTreeMap<DatabaseId, Database>,
    /// API users by lower-cased username (usernames match case-insensitively, as email
    /// addresses), indexed so a lookup costs the same with 100,000 tenants as with one.
    users: HashMap<String, UserRecord>,
    /// Lower-cased username by resource id.
    resources: HashMap<i64, String>,
    next_db: u32,
    next_resource: i64,
    /// Callout jobs are sent while the lock is held so per-webhook order equals trigger order.
    tx: UnboundedSender<Job>,
}

impl Store {
    pub fn new(config: Arc<SimConfig>, tx: UnboundedSender<Job>) -> Store {
        Store {
            config,
            dbs: BTreeMap::new(),
            users: HashMap::new(),
            resources: HashMap::new(),
            next_db: 1001,
            next_resource: 30_691_780,
            tx,
        }
    }

    pub fn add_database(&mut self, name: &str) -> DatabaseId {
        let id = DatabaseId(self.next_db);
        self.next_db += 1;
        self.dbs.insert(id, Database::new(name));
        id
    }

    pub fn add_user(&mut self, db: DatabaseId, mut user: ApiUser) {
        if user.resource_id == 0 {
            user.resource_id = self.next_resource;
            self.next_resource += 1;
        }
        let key = user.username.to_ascii_lowercase();
        if let Some(replaced) = self.users.remove(&key) {
            self.resources.remove(&replaced.user.resource_id);
        }
        self.resources.insert(user.resource_id, key.clone());
        self.users.insert(key, UserRecord { db, user });
    }

    /// Usernames are matched case-insensitively, as email addresses.
    pub fn user(&self, username: &str) -> Option<&UserRecord> {
        self.users.get(&username.to_ascii_lowercase())
    }

    /// Changes a user in place (its username and resource id too); `false` if unknown.
    pub fn update_user(&mut self, username: &str, f: impl FnOnce(&mut ApiUser)) -> bool {
        let Some(mut record) = self.users.remove(&username.to_ascii_lowercase()) else {
            return false;
        };
        self.resources.remove(&record.user.resource_id);
        f(&mut record.user);
        self.add_user(record.db, record.user);
        true
    }

    /// The user owning a resource id, used for the "owner needs ticket access" rule.
    pub fn user_by_resource(&self, resource_id: i64) -> Option<&ApiUser> {
        let username = self.resources.get(&resource_id)?;
        self.users.get(username).map(|u| &u.user)
    }

    pub fn send(&self, job: Job) {
        // A closed channel only means the simulator is shutting down.
        let _ = self.tx.send(job);
    }

    /// Deletes a webhook with its field entries and queues the deactivation call.
    pub fn delete_webhook(&mut self, db: DatabaseId, id: i64) -> bool {
        let Some(w) = self.remove_webhook(db, id) else {
            return false;
        };
        self.send(Job::deactivation(&w));
        true
    }
}

impl Store {
    /// Stored webhooks with their secret, their last SequenceNumber as `sequence` and a `fields`
    /// array, for test inspection.
    pub fn webhooks_with_fields(&self, db: DatabaseId) -> Vec<Value> {
        let Some(database) = self.dbs.get(&db) else {
            return Vec::new();
        };
        database
            .webhooks
            .values()
            .map(|w| {
                let mut v = w.to_json(true);
                let fields: Vec<Value> = database
                    .fields_of(w.id)
                    .iter()
                    .map(|f| f.to_json())
                    .collect();
                v["fields"] = Value::Array(fields);
                v["sequence"] = w.sequence.into();
                v
            })
            .collect()
    }
}
