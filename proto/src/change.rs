//! The normalized ticket change: what a verified PSA callout means, independent of the PSA.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{TicketId, WebhookGuid};

/// What happened to the ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeAction {
    Create,
    Update,
    Delete,
    /// The PSA says the webhook itself was deactivated. Only a hint: never trusted to change state.
    Deactivated,
}

impl ChangeAction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Update => "update",
            Self::Delete => "delete",
            Self::Deactivated => "deactivated",
        }
    }
}

/// A field the PSA may send with a known value, send as cleared, or not send at all.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "value")]
pub enum FieldValue<T> {
    /// The callout did not carry the field.
    #[default]
    Absent,
    /// The callout carried the field with no value (e.g. a completion date cleared on reopen).
    Cleared,
    Set(T),
}

impl<T> FieldValue<T> {
    pub fn as_set(&self) -> Option<&T> {
        match self {
            Self::Set(value) => Some(value),
            _ => None,
        }
    }
}

/// One ticket change, as a PSA callout reported it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TicketChange {
    pub action: ChangeAction,
    /// The webhook that sent it.
    pub webhook_guid: Option<WebhookGuid>,
    pub ticket_id: TicketId,
    /// Per-webhook counter; gaps reveal lost callouts.
    pub sequence_number: Option<i64>,
    pub event_time: Option<DateTime<Utc>>,
    /// The PSA resource that made the change.
    pub person_id: Option<i64>,
    pub ticket_number: Option<String>,
    /// The PSA's numeric status (e.g. the id of a "Complete" status).
    pub status: FieldValue<i64>,
    pub completed_at: FieldValue<DateTime<Utc>>,
    pub resolution: FieldValue<String>,
    pub ticket_created_at: FieldValue<DateTime<Utc>>,
    /// The callout does not say enough (whether the ticket is closed, or its resolution): the
    /// hub reads the ticket's closure from the PSA after recording the callout.
    pub needs_lookup: bool,
}

impl TicketChange {
    /// True when this change says the ticket is now completed.
    pub fn is_completion(&self) -> bool {
        self.action == ChangeAction::Update && self.completed_at.as_set().is_some()
    }

    /// True when this change says a completed ticket was reopened (its completion date cleared).
    pub fn is_reopening(&self) -> bool {
        self.action == ChangeAction::Update && self.completed_at == FieldValue::Cleared
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(completed_at: FieldValue<DateTime<Utc>>) -> TicketChange {
        TicketChange {
            action: ChangeAction::Update,
            webhook_guid: None,
            ticket_id: TicketId(7),
            sequence_number: Some(1),
            event_time: None,
            person_id: None,
            ticket_number: None,
            status: FieldValue::Absent,
            completed_at,
            resolution: FieldValue::Absent,
            ticket_created_at: FieldValue::Absent,
            needs_lookup: false,
        }
    }

    #[test]
    fn completion_and_reopening_follow_the_completion_date() {
        let done = change(FieldValue::Set(Utc::now()));
        assert!(done.is_completion() && !done.is_reopening());
        let reopened = change(FieldValue::Cleared);
        assert!(reopened.is_reopening() && !reopened.is_completion());
        let other = change(FieldValue::Absent);
        assert!(!other.is_completion() && !other.is_reopening());
    }
}
