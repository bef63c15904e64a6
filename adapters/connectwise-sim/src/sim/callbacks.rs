//! Callback inspection for tests, and silent drift: changes made as an administrator (or
//! ConnectWise itself) would, which no client is ever told about.

use super::Simulator;
use crate::ids::{CallbackId, CompanyId};
use crate::store::callback::Callback;
use crate::store::Store;
use serde_json::Value;

/// A callback entry as stored, with what the REST form does not show.
#[derive(Clone, Debug)]
pub struct CallbackSnapshot {
    pub id: CallbackId,
    /// What `GET /system/callbacks/{id}` returns.
    pub rest: Value,
    pub url: String,
    /// `type`, lower-cased.
    pub kind: String,
    /// `level`, lower-cased.
    pub level: String,
    pub object_id: i64,
    pub inactive: bool,
    /// Stopped by failing deliveries while `inactiveFlag` stays false
    /// (`disable_sets_inactive_flag: false`).
    pub disabled: bool,
    /// `memberId` and identifier of the creating member.
    pub member_id: i64,
    pub created_by: String,
    /// The entry's own signing key (per-callback keys), once it has one.
    pub signing_key: Option<String>,
    /// Messages queued for this entry so far. It moves while a ticket change is being saved,
    /// so a test can tell at once that a change queued nothing.
    pub queued: u64,
    /// Whether its last message failed (the disabling clock runs).
    pub failing: bool,
}

impl CallbackSnapshot {
    fn of(cb: &Callback, store: &Store) -> CallbackSnapshot {
        CallbackSnapshot {
            id: CallbackId(cb.id),
            rest: cb.to_json(),
            url: cb.input.url.clone(),
            kind: cb.input.kind.clone(),
            level: cb.input.level.clone(),
            object_id: cb.input.object_id,
            inactive: cb.input.inactive,
            disabled: cb.disabled,
            member_id: cb.member_id,
            created_by: cb.creator.clone(),
            signing_key: cb.key_id.as_deref().and_then(|k| store.key_text(k)),
            queued: cb.queued,
            failing: cb.failing_since.is_some(),
        }
    }
}

impl Simulator {
    /// Every callback entry of a company, by id.
    pub fn callbacks(&self, company: &CompanyId) -> Vec<CallbackSnapshot> {
        let store = self.shared().store.lock();
        let Some(c) = store.company(company) else {
            return Vec::new();
        };
        c.callbacks
            .values()
            .map(|cb| CallbackSnapshot::of(cb, &store))
            .collect()
    }

    pub fn callback(&self, company: &CompanyId, id: CallbackId) -> Option<CallbackSnapshot> {
        let store = self.shared().store.lock();
        let cb = store.company(company)?.callbacks.get(&id.0)?;
        Some(CallbackSnapshot::of(cb, &store))
    }

    /// The key a key_url serves, by the `id` it names; None if unknown or expired.
    pub fn signing_key(&self, company: &CompanyId, key_id: &str) -> Option<String> {
        let store = self.shared().store.lock();
        store
            .served_key(company.as_str(), key_id)
            .map(str::to_string)
    }

    /// Sets `inactiveFlag` (activating also lifts a failure disabling).
    /// Panics on an unknown entry.
    pub fn set_callback_inactive_silently(
        &self,
        company: &CompanyId,
        id: CallbackId,
        inactive: bool,
    ) {
        self.drift(id, |s| s.set_callback_inactive(company, id.0, inactive));
    }

    /// Deletes the entry; its queued messages are dropped.
    pub fn delete_callback_silently(&self, company: &CompanyId, id: CallbackId) {
        self.drift(id, |s| {
            s.delete_callback(company, id.0)
                .then_some(())
                .ok_or_else(|| "no such callback".to_string())
        });
    }

    /// Points the entry at another URL; later messages and retries go there.
    pub fn set_callback_url_silently(&self, company: &CompanyId, id: CallbackId, url: &str) {
        self.drift(id, |s| s.set_callback_url(company, id.0, url));
    }

    /// Disables the entry as three days of failures would (`disable_sets_inactive_flag` decides
    /// whether `inactiveFlag` shows it).
    pub fn disable_callback_silently(&self, company: &CompanyId, id: CallbackId) {
        self.drift(id, |s| s.disable_callback(company, id.0));
    }

    fn drift(&self, id: CallbackId, f: impl FnOnce(&mut Store) -> Result<(), String>) {
        f(&mut self.shared().store.lock())
            .unwrap_or_else(|e| panic!("connectwise-sim change of {id:?}: {e}"));
    }
}
