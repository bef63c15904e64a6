//! Ticket notes: where ConnectWise keeps the resolution text (reference §5).

use super::{Company, Store, TicketError};
use crate::callout::Action;
use crate::ids::CompanyId;
use crate::json::{get_ci, now_text, FieldError};
use serde_json::{json, Map, Value};

/// The writable part of a note.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoteInput {
    pub text: String,
    pub detail: bool,
    pub internal: bool,
    pub resolution: bool,
}

/// One stored note.
#[derive(Clone, Debug)]
pub struct Note {
    pub id: i64,
    pub ticket_id: i64,
    pub input: NoteInput,
    pub created_by: String,
    pub date_created: String,
}

impl NoteInput {
    /// 0 detail description, 1 internal analysis, 2 resolution.
    pub fn of_kind(kind: usize, text: String) -> NoteInput {
        NoteInput {
            text,
            detail: kind == 0,
            internal: kind == 1,
            resolution: kind == 2,
        }
    }

    /// Validates a POST body: text, and at least one of the three flags.
    pub fn from_body(body: &Map<String, Value>) -> Result<NoteInput, Vec<FieldError>> {
        let mut errors = Vec::new();
        let text = match get_ci(body, "text") {
            Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
            _ => {
                errors.push(FieldError::required("text"));
                String::new()
            }
        };
        let flag = |k| get_ci(body, k).and_then(Value::as_bool).unwrap_or(false);
        let input = NoteInput {
            text,
            detail: flag("detailDescriptionFlag"),
            internal: flag("internalAnalysisFlag"),
            resolution: flag("resolutionFlag"),
        };
        if !(input.detail || input.internal || input.resolution) {
            errors.push(FieldError::invalid(
                "detailDescriptionFlag",
                "At least one of detailDescriptionFlag, internalAnalysisFlag or resolutionFlag must be true.",
            ));
        }
        if errors.is_empty() {
            Ok(input)
        } else {
            Err(errors)
        }
    }
}

impl Note {
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "ticketId": self.ticket_id,
            "text": self.input.text,
            "detailDescriptionFlag": self.input.detail,
            "internalAnalysisFlag": self.input.internal,
            "resolutionFlag": self.input.resolution,
            "issueFlag": false,
            "member": {"identifier": self.created_by},
            "dateCreated": self.date_created,
            "createdBy": self.created_by,
            "internalFlag": self.input.internal,
            "externalFlag": false,
            "_info": {"lastUpdated": self.date_created, "updatedBy": self.created_by},
        })
    }
}

impl Store {
    /// Adds a note; with `note_fires_ticket_update` the ticket counts as updated too.
    pub fn add_note(
        &mut self,
        company: &CompanyId,
        ticket_id: i64,
        input: NoteInput,
        actor: &str,
    ) -> Result<Value, TicketError> {
        let note = self.insert_note(company, ticket_id, input, actor)?;
        if self.config.note_fires_ticket_update {
            if let Ok(c) = self.company_mut(company) {
                if let Some(t) = c.tickets.get_mut(&ticket_id) {
                    t.last_updated = now_text();
                    t.updated_by = actor.to_string();
                }
            }
            self.fire(company, ticket_id, Action::Updated, actor);
        }
        Ok(note)
    }

    /// Stores a note without any callback.
    pub(super) fn insert_note(
        &mut self,
        company: &CompanyId,
        ticket_id: i64,
        input: NoteInput,
        actor: &str,
    ) -> Result<Value, TicketError> {
        let c = self
            .company_mut(company)
            .map_err(|_| TicketError::NotFound)?;
        if !c.tickets.contains_key(&ticket_id) {
            return Err(TicketError::NotFound);
        }
        let id = Company::take_id(&mut c.next_note);
        let note = Note {
            id,
            ticket_id,
            input,
            created_by: actor.to_string(),
            date_created: now_text(),
        };
        let json = note.to_json();
        c.notes.insert(id, note);
        Ok(json)
    }

    /// A ticket's notes in creation order, or None if the ticket does not exist.
    pub fn notes_of(&self, company: &CompanyId, ticket_id: i64) -> Option<Vec<Value>> {
        let c = self.company(company)?;
        c.tickets.get(&ticket_id)?;
        Some(
            c.notes
                .values()
                .filter(|n| n.ticket_id == ticket_id)
                .map(Note::to_json)
                .collect(),
        )
    }
}
