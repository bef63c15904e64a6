//! Ticket create, change, close, reopen and delete; every save that changes something fires
//! the ticket's callbacks.

use super::catalog;
use super::notes::NoteInput;
use super::ticket::{canonical, settle, Ticket};
use super::{insert_absent, Company, Store};
use crate::callout::Action;
use crate::ids::CompanyId;
use crate::json::{now_text, FieldError};
use serde_json::{json, Map, Value};

/// Why a ticket write was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum TicketError {
    NotFound,
    Invalid(Vec<FieldError>),
}

/// `initial*` members of a create body become the ticket's first notes.
const INITIAL_NOTES: &[(&str, usize)] = &[
    ("initialDescription", 0),
    ("initialInternalAnalysis", 1),
    ("initialResolution", 2),
];

impl Store {
    /// Creates a ticket from a REST body; fires `added`.
    pub fn create_ticket(
        &mut self,
        company: &CompanyId,
        body: Map<String, Value>,
        actor: &str,
    ) -> Result<i64, TicketError> {
        let mut t = canonical(body);
        let notes: Vec<NoteInput> = INITIAL_NOTES
            .iter()
            .filter_map(|(key, kind)| {
                let text = t.remove(*key)?.as_str()?.to_string();
                Some(NoteInput::of_kind(*kind, text))
            })
            .collect();
        insert_absent(&mut t, "recordType", "ServiceTicket".into());
        insert_absent(&mut t, "company", catalog::default_company());
        insert_absent(&mut t, "priority", catalog::default_priority());
        insert_absent(&mut t, "severity", "Medium".into());
        insert_absent(&mut t, "impact", "Medium".into());
        let now = now_text();
        settle(None, &mut t, actor, &now).map_err(TicketError::Invalid)?;
        let c = self
            .company_mut(company)
            .map_err(|_| TicketError::NotFound)?;
        let id = Company::take_id(&mut c.next_ticket);
        t.insert("id".into(), id.into());
        let ticket = Ticket {
            fields: t,
            date_entered: now.clone(),
            entered_by: actor.to_string(),
            last_updated: now,
            updated_by: actor.to_string(),
        };
        c.tickets.insert(id, ticket);
        for note in notes {
            self.insert_note(company, id, note, actor)?;
        }
        self.fire(company, id, Action::Added, actor);
        Ok(id)
    }

    /// Applies `edit` to a copy of the ticket and saves it; fires `updated` if anything changed.
    pub fn change_ticket(
        &mut self,
        company: &CompanyId,
        id: i64,
        actor: &str,
        edit: impl FnOnce(&mut Map<String, Value>) -> Result<(), Vec<FieldError>>,
    ) -> Result<(), TicketError> {
        let c = self
            .company_mut(company)
            .map_err(|_| TicketError::NotFound)?;
        let ticket = c.tickets.get_mut(&id).ok_or(TicketError::NotFound)?;
        let before = ticket.fields.clone();
        let mut t = before.clone();
        edit(&mut t).map_err(TicketError::Invalid)?;
        let mut t = canonical(t);
        let now = now_text();
        settle(Some(&before), &mut t, actor, &now).map_err(TicketError::Invalid)?;
        if t == before {
            return Ok(());
        }
        ticket.fields = t;
        ticket.last_updated = now;
        ticket.updated_by = actor.to_string();
        self.fire(company, id, Action::Updated, actor);
        Ok(())
    }

    /// Adds a resolution note, then moves the ticket to its board's closed status.
    pub fn close_ticket(
        &mut self,
        company: &CompanyId,
        id: i64,
        resolution: &str,
        actor: &str,
    ) -> Result<(), TicketError> {
        let note = NoteInput::of_kind(2, resolution.to_string());
        self.add_note(company, id, note, actor)?;
        self.change_ticket(company, id, actor, |t| {
            t.insert("closedFlag".into(), true.into());
            Ok(())
        })
    }

    /// Moves a closed ticket back to its board's first status.
    pub fn reopen_ticket(
        &mut self,
        company: &CompanyId,
        id: i64,
        actor: &str,
    ) -> Result<(), TicketError> {
        self.change_ticket(company, id, actor, |t| {
            t.insert("closedFlag".into(), false.into());
            Ok(())
        })
    }

    /// Deletes a ticket and its notes; fires `deleted` (with a null `Entity`) first, while its
    /// board and status can still match callback levels.
    pub fn delete_ticket(
        &mut self,
        company: &CompanyId,
        id: i64,
        actor: &str,
    ) -> Result<(), TicketError> {
        let exists = self
            .company(company)
            .is_some_and(|c| c.tickets.contains_key(&id));
        if !exists {
            return Err(TicketError::NotFound);
        }
        self.fire(company, id, Action::Deleted, actor);
        let c = self
            .company_mut(company)
            .map_err(|_| TicketError::NotFound)?;
        c.tickets.remove(&id);
        c.notes.retain(|_, n| n.ticket_id != id);
        Ok(())
    }

    /// The REST form of a ticket, `_info` included.
    pub fn ticket_json(&self, company: &CompanyId, id: i64) -> Option<Value> {
        let c = self.company(company)?;
        let t = c.tickets.get(&id)?;
        let mut v = Value::Object(t.fields.clone());
        let api = format!("{}/{}apis/3.0", self.base_url, self.config.codebase);
        v["_info"] = json!({
            "lastUpdated": t.last_updated,
            "updatedBy": t.updated_by,
            "dateEntered": t.date_entered,
            "enteredBy": t.entered_by,
            "notes_href": format!("{api}/service/tickets/{id}/notes"),
        });
        if self.config.return_initial_resolution {
            let first = c
                .notes
                .values()
                .find(|n| n.ticket_id == id && n.input.resolution);
            if let Some(n) = first {
                v["initialResolution"] = n.input.text.clone().into();
            }
        }
        Some(v)
    }
}
