//! Turns a ticket change into one signed message per callback entry that should hear of it.

use super::callback::Callback;
use super::{Company, Store};
use crate::callout::payload::Message;
use crate::callout::{Action, Job};
use crate::ids::CompanyId;
use crate::json::{get_path, pascal_keys};
use crate::settings::{EntityCasing, EntityForm};
use crate::signing::sign;
use serde_json::{Map, Value};

impl Store {
    /// Queues a message for every live `ticket` entry whose level matches the ticket.
    pub(crate) fn fire(
        &mut self,
        company: &CompanyId,
        ticket_id: i64,
        action: Action,
        actor: &str,
    ) {
        let Some(ticket) = self.ticket_json(company, ticket_id) else {
            return;
        };
        let Some(c) = self.company(company) else {
            return;
        };
        let targets: Vec<i64> = c
            .callbacks
            .values()
            .filter(|cb| self.hears(c, cb, &ticket, actor))
            .map(|cb| cb.id)
            .collect();
        let entity = (action != Action::Deleted).then(|| self.entity_text(ticket));
        for callback_id in targets {
            if let Some(job) = self.job(company, callback_id, ticket_id, action, actor, &entity) {
                self.send(job);
            }
        }
    }

    fn hears(&self, c: &Company, cb: &Callback, ticket: &Value, actor: &str) -> bool {
        let cfg = &self.config;
        if !cb.live() || cb.input.kind != "ticket" || !level_matches(cb, ticket) {
            return false;
        }
        if cfg.honour_self_suppression
            && cb.input.self_suppressed
            && cb.creator.eq_ignore_ascii_case(actor)
        {
            return false;
        }
        !cfg.creator_must_read_tickets
            || c.member_by_identifier(&cb.creator)
                .is_some_and(|m| m.can_read_tickets && !m.inactive)
    }

    /// The ticket's JSON text as `entity` and `entity_casing` say.
    fn entity_text(&self, ticket: Value) -> String {
        let v = match self.config.entity {
            EntityForm::Full => ticket,
            EntityForm::Summary => summary(&ticket),
        };
        let v = match self.config.entity_casing {
            EntityCasing::Camel => v,
            EntityCasing::Pascal => pascal_keys(v),
        };
        v.to_string()
    }

    /// Renders and signs one message; counts it on the entry.
    fn job(
        &mut self,
        company: &CompanyId,
        callback_id: i64,
        record_id: i64,
        action: Action,
        actor: &str,
        entity: &Option<String>,
    ) -> Option<Job> {
        let guid = self.message_key(company, callback_id)?;
        let key = self.key_text(&guid)?;
        let key_url = self.key_url(company, &guid);
        let from_url = match &self.config.from_url {
            Some(f) => f.clone(),
            None => self.base_url.trim_start_matches("http://").to_string(),
        };
        let c = self.company(company)?;
        let message_id = uuid::Uuid::new_v4().to_string();
        let body = Message {
            message_id: &message_id,
            from_url: &from_url,
            company_id: c.id.as_str(),
            member_id: actor,
            action: action.as_str(),
            record_id,
            product_instance_id: &c.product_instance_id,
            partner_id: &c.partner_id,
            entity: entity.clone(),
            key_url: &key_url,
            callback_id,
        }
        .render()
        .into_bytes();
        let signature = sign(&key, &body);
        let entry = self
            .company_mut(company)
            .ok()?
            .callbacks
            .get_mut(&callback_id)?;
        entry.queued += 1;
        Some(Job {
            company: company.clone(),
            callback_id,
            record_id,
            action,
            message_id,
            body,
            signature,
        })
    }
}

/// owner: every ticket; board, status, company: the ticket's board, status or company id.
fn level_matches(cb: &Callback, ticket: &Value) -> bool {
    let id_at = |path| get_path(ticket, path).and_then(Value::as_i64);
    match cb.input.level.as_str() {
        "owner" => true,
        "board" => id_at("board/id") == Some(cb.input.object_id),
        "status" => id_at("status/id") == Some(cb.input.object_id),
        "company" => id_at("company/id") == Some(cb.input.object_id),
        _ => false,
    }
}

fn summary(ticket: &Value) -> Value {
    let keep = [
        "id",
        "summary",
        "board",
        "status",
        "company",
        "closedFlag",
        "_info",
    ];
    let map: Map<String, Value> = keep
        .iter()
        .filter_map(|k| Some((k.to_string(), ticket.get(*k)?.clone())))
        .collect();
    let mut v = Value::Object(map);
    if let Some(info) = v.get_mut("_info").and_then(Value::as_object_mut) {
        info.retain(|k, _| k == "lastUpdated" || k == "updatedBy");
    }
    v
}
