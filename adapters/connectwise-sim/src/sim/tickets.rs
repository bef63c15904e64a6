//! The Rust-side ticket API: what a technician does in ConnectWise, firing callbacks as REST
//! writes do. Changes are made as the `technician` member.

use super::Simulator;
use crate::ids::{CompanyId, NoteId, TicketId};
use crate::store::{NoteInput, Store, TicketError};
use serde_json::{Map, Value};

/// Which note flag a Rust-side note sets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoteKind {
    /// `detailDescriptionFlag`.
    Detail,
    /// `internalAnalysisFlag`.
    Internal,
    /// `resolutionFlag`.
    Resolution,
}

impl Simulator {
    fn tech<T>(&self, what: &str, f: impl FnOnce(&mut Store, &str) -> Result<T, TicketError>) -> T {
        let tech = self.config().technician.clone();
        let mut store = self.shared().store.lock();
        f(&mut store, &tech).unwrap_or_else(|e| panic!("connectwise-sim {what}: {e:?}"))
    }

    /// Creates a ticket on the Help Desk board in status New; fires `added`.
    /// Panics if the company was never added: that is a bug in the calling test.
    pub fn create_ticket(&self, company: &CompanyId, summary: &str) -> TicketId {
        let mut body = Map::new();
        body.insert("summary".into(), summary.into());
        let id = self.tech("create_ticket", |s, t| s.create_ticket(company, body, t));
        TicketId(id)
    }

    /// Creates a ticket from a REST-style body, e.g. `{"summary": "x", "board": {"id": 2}}`.
    pub fn create_ticket_with(&self, company: &CompanyId, body: Value) -> TicketId {
        let Value::Object(body) = body else {
            panic!("connectwise-sim create_ticket_with: the body must be an object");
        };
        TicketId(self.tech("create_ticket_with", |s, t| {
            s.create_ticket(company, body, t)
        }))
    }

    /// Adds a resolution note, then closes the ticket (its board's `>Closed` status, so
    /// `closedFlag`, `closedDate` and `closedBy` are set); fires `updated`.
    pub fn close_ticket(&self, company: &CompanyId, id: TicketId, resolution: &str) {
        self.tech("close_ticket", |s, t| {
            s.close_ticket(company, id.0, resolution, t)
        });
    }

    /// Moves a closed ticket back to New, clearing the closing stamps; fires `updated`.
    pub fn reopen_ticket(&self, company: &CompanyId, id: TicketId) {
        self.tech("reopen_ticket", |s, t| s.reopen_ticket(company, id.0, t));
    }

    /// Sets top-level members, e.g. `{"summary": "x"}` or `{"status": {"id": 2}}`; fires
    /// `updated` if anything changed.
    pub fn update_ticket(&self, company: &CompanyId, id: TicketId, changes: Value) {
        let Value::Object(changes) = changes else {
            panic!("connectwise-sim update_ticket: changes must be an object");
        };
        self.tech("update_ticket", |s, t| {
            s.change_ticket(company, id.0, t, |fields| {
                fields.extend(changes);
                Ok(())
            })
        });
    }

    /// Adds a note (fires `updated` only with `note_fires_ticket_update`).
    pub fn add_note(
        &self,
        company: &CompanyId,
        id: TicketId,
        kind: NoteKind,
        text: &str,
    ) -> NoteId {
        let index = match kind {
            NoteKind::Detail => 0,
            NoteKind::Internal => 1,
            NoteKind::Resolution => 2,
        };
        let input = NoteInput::of_kind(index, text.to_string());
        let note = self.tech("add_note", |s, t| s.add_note(company, id.0, input, t));
        NoteId(note["id"].as_i64().unwrap_or_default())
    }

    /// Deletes a ticket; fires `deleted` with a null `Entity`.
    pub fn delete_ticket(&self, company: &CompanyId, id: TicketId) {
        self.tech("delete_ticket", |s, t| s.delete_ticket(company, id.0, t));
    }

    /// The ticket as `GET /service/tickets/{id}` returns it.
    pub fn ticket(&self, company: &CompanyId, id: TicketId) -> Option<Value> {
        self.shared().store.lock().ticket_json(company, id.0)
    }

    /// The ticket's notes as `GET /service/tickets/{id}/notes` returns them (empty if none).
    pub fn notes(&self, company: &CompanyId, id: TicketId) -> Vec<Value> {
        let store = self.shared().store.lock();
        store.notes_of(company, id.0).unwrap_or_default()
    }
}
