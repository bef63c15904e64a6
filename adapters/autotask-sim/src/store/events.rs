//! Turns a ticket change into callout jobs for every webhook that should fire (reference §4, §5.5).

use super::{catalog, Store};
use crate::callout::payload::OJson;
use crate::callout::{Action, Job};
use crate::ids::DatabaseId;
use serde_json::Value;

impl Store {
    /// Queues one callout per eligible webhook; `changed` holds camelCase names for updates.
    pub(crate) fn fire(
        &mut self,
        db: DatabaseId,
        ticket_id: i64,
        action: Action,
        changed: &[String],
        person: i64,
    ) {
        let Some(database) = self.dbs.get(&db) else {
            return;
        };
        let Some(ticket) = database.tickets.get(&ticket_id).cloned() else {
            return;
        };
        let mut jobs = Vec::new();
        for w in database.webhooks.values() {
            let subscribed = match action {
                Action::Create => w.on_create,
                Action::Update => w.on_update,
                Action::Delete => w.on_delete,
            };
            let owner_ok = self
                .user_by_resource(w.owner_resource_id)
                .is_some_and(|u| u.ticket_access && !u.locked);
            if !(w.is_active && w.is_ready && subscribed && owner_ok) {
                continue;
            }
            let entries = database.fields_of(w.id);
            let mut keys: Vec<&'static catalog::CatalogField> = Vec::new();
            for e in &entries {
                let Some(f) = catalog::by_id(e.field_id) else {
                    continue;
                };
                let hit = match action {
                    Action::Update => e.subscribed && changed.iter().any(|c| c == f.rest_name),
                    Action::Create => e.subscribed,
                    Action::Delete => false,
                };
                if hit {
                    keys.push(f);
                }
            }
            if action == Action::Update && keys.is_empty() {
                continue;
            }
            if action != Action::Delete {
                for e in &entries {
                    if let Some(f) = catalog::by_id(e.field_id) {
                        if e.display_always && !keys.iter().any(|k| k.id == f.id) {
                            keys.push(f);
                        }
                    }
                }
            }
            let fields = keys
                .iter()
                .map(|f| {
                    let v = ticket.get(f.rest_name).cloned().unwrap_or(Value::Null);
                    (f.pascal(), OJson::Val(self.wire_value(v)))
                })
                .collect();
            jobs.push((w.id, w.guid.clone(), fields));
        }
        let now = super::tickets::now_text();
        for (webhook_id, guid, fields) in jobs {
            let Some(w) = self
                .dbs
                .get_mut(&db)
                .and_then(|d| d.webhooks.get_mut(&webhook_id))
            else {
                continue;
            };
            w.sequence += 1;
            let payload = OJson::Obj(vec![
                ("Action".into(), OJson::Val(action.as_str().into())),
                ("Guid".into(), OJson::Val(guid.into())),
                ("EntityType".into(), OJson::Val("Ticket".into())),
                ("Id".into(), OJson::Val(ticket_id.into())),
                ("Fields".into(), OJson::Obj(fields)),
                ("EventTime".into(), OJson::Val(now.clone().into())),
                ("SequenceNumber".into(), OJson::Val(w.sequence.into())),
                ("PersonID".into(), OJson::Val(person.into())),
            ]);
            let job = Job::Event {
                db,
                webhook_id,
                sequence: w.sequence,
                payload,
            };
            self.send(job);
        }
    }

    fn wire_value(&self, v: Value) -> Value {
        match v {
            Value::Number(n) if self.config.numbers_as_strings && n.is_i64() => {
                Value::String(n.to_string())
            }
            other => other,
        }
    }
}
