//! In-memory ConnectWise data: companies, their API members, callback entries, tickets, notes
//! and signing keys, all behind the simulator's single state lock.

pub mod callback;
mod callbacks;
pub mod catalog;
pub mod drift;
mod fire;
mod keys;
mod notes;
mod ticket;
mod tickets;

pub use callbacks::CallbackError;
pub use keys::SigningKey;
pub use notes::{Note, NoteInput};
pub use tickets::TicketError;

use crate::callout::Job;
use crate::config::SimConfig;
use crate::ids::CompanyId;
use crate::member::ApiMember;
use callback::Callback;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use tokio::sync::mpsc::UnboundedSender;

/// One simulated ConnectWise database.
#[derive(Debug)]
pub struct Company {
    pub id: CompanyId,
    pub name: String,
    /// `ProductInstanceId` and `PartnerId` of callback messages (opaque ids in AMP's samples).
    pub product_instance_id: String,
    pub partner_id: String,
    pub members: Vec<ApiMember>,
    pub callbacks: BTreeMap<i64, Callback>,
    /// Tickets as REST objects without `_info`, which `ticket::render` adds.
    pub tickets: BTreeMap<i64, ticket::Ticket>,
    pub notes: BTreeMap<i64, Note>,
    /// GUID of the company-wide signing key (per-company keys).
    pub key_id: Option<String>,
    next_callback: i64,
    next_ticket: i64,
    next_note: i64,
}

impl Company {
    fn new(id: CompanyId, name: &str, first_ticket: i64) -> Company {
        let opaque = || uuid::Uuid::new_v4().simple().to_string()[..24].to_string();
        Company {
            id,
            name: name.to_string(),
            product_instance_id: opaque(),
            partner_id: opaque(),
            members: Vec::new(),
            callbacks: BTreeMap::new(),
            tickets: BTreeMap::new(),
            notes: BTreeMap::new(),
            key_id: None,
            next_callback: 26_550,
            next_ticket: first_ticket,
            next_note: 9_001,
        }
    }

    pub fn member(&self, public_key: &str) -> Option<&ApiMember> {
        self.members.iter().find(|m| m.public_key == public_key)
    }

    pub fn member_by_identifier(&self, identifier: &str) -> Option<&ApiMember> {
        self.members
            .iter()
            .find(|m| m.identifier.eq_ignore_ascii_case(identifier))
    }

    fn take_id(next: &mut i64) -> i64 {
        *next += 1;
        *next - 1
    }
}

/// Everything behind the state lock.
#[derive(Debug)]
pub struct Store {
    pub config: Arc<SimConfig>,
    /// `http://127.0.0.1:PORT`: the site, origin of key URLs and `_href`s.
    pub base_url: String,
    /// By lower-cased company id.
    pub companies: BTreeMap<String, Company>,
    /// Signing keys by the GUID their key_url names.
    pub keys: HashMap<String, SigningKey>,
    next_member: i64,
    /// Messages are queued while the lock is held, so each callback's order is trigger order.
    tx: UnboundedSender<Job>,
}

impl Store {
    pub fn new(config: Arc<SimConfig>, base_url: String, tx: UnboundedSender<Job>) -> Store {
        Store {
            config,
            base_url,
            companies: BTreeMap::new(),
            keys: HashMap::new(),
            next_member: 240,
            tx,
        }
    }

    /// Adds a company, or returns the existing one's id unchanged.
    pub fn add_company(&mut self, id: &str, name: &str) -> CompanyId {
        let id = CompanyId::new(id);
        self.companies
            .entry(id.key())
            .or_insert_with(|| Company::new(id.clone(), name, self.config.first_ticket_id))
            .id
            .clone()
    }

    /// Adds (or replaces, by public key) an API member; `rec_id` 0 gets a fresh id.
    pub fn add_member(&mut self, company: &CompanyId, mut member: ApiMember) -> Result<(), String> {
        if member.rec_id == 0 {
            member.rec_id = self.next_member;
            self.next_member += 1;
        }
        let c = self.company_mut(company)?;
        c.members.retain(|m| m.public_key != member.public_key);
        c.members.push(member);
        Ok(())
    }

    pub fn company(&self, id: &CompanyId) -> Option<&Company> {
        self.companies.get(&id.key())
    }

    pub fn company_mut(&mut self, id: &CompanyId) -> Result<&mut Company, String> {
        self.companies
            .get_mut(&id.key())
            .ok_or_else(|| format!("unknown company {}", id.0))
    }

    pub fn send(&self, job: Job) {
        // A closed channel only means the simulator is shutting down.
        let _ = self.tx.send(job);
    }
}

/// Sets a key only when the map does not have it in any casing.
pub(crate) fn insert_absent(map: &mut Map<String, Value>, key: &str, value: Value) {
    if crate::json::get_ci(map, key).is_none() {
        map.insert(key.to_string(), value);
    }
}
