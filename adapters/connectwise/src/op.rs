//! The ConnectWise operations psa-hub performs: a bounded list used for retry decisions, error
//! classification and the `operation` label of API metrics.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    /// `GET /login/companyinfo/{company}`: which codebase serves the company.
    CompanyInfo,
    CallbackList,
    CallbackCreate,
    CallbackGet,
    CallbackUpdate,
    CallbackDelete,
    /// `GET /service/tickets?pageSize=1`: whether the member may read tickets at all.
    TicketList,
    TicketGet,
    TicketNotes,
    /// `GET {Metadata.key_url}`: a callback's signing key.
    SigningKey,
}

impl Op {
    pub const ALL: [Op; 10] = [
        Op::CompanyInfo,
        Op::CallbackList,
        Op::CallbackCreate,
        Op::CallbackGet,
        Op::CallbackUpdate,
        Op::CallbackDelete,
        Op::TicketList,
        Op::TicketGet,
        Op::TicketNotes,
        Op::SigningKey,
    ];

    /// A stable snake_case name, fit for a metric label.
    pub fn as_str(self) -> &'static str {
        match self {
            Op::CompanyInfo => "company_info",
            Op::CallbackList => "callback_list",
            Op::CallbackCreate => "callback_create",
            Op::CallbackGet => "callback_get",
            Op::CallbackUpdate => "callback_update",
            Op::CallbackDelete => "callback_delete",
            Op::TicketList => "ticket_list",
            Op::TicketGet => "ticket_get",
            Op::TicketNotes => "ticket_notes",
            Op::SigningKey => "signing_key",
        }
    }

    /// What the operation is about, for "not found" messages.
    pub fn subject(self) -> &'static str {
        match self {
            Op::CompanyInfo => "the company",
            Op::TicketList | Op::TicketGet | Op::TicketNotes => "the ticket",
            Op::SigningKey => "the callback's signing key",
            _ => "the callback",
        }
    }

    /// Whether a 403 on it means the API member cannot use tickets (rather than callbacks).
    pub fn is_ticket(self) -> bool {
        matches!(self, Op::TicketList | Op::TicketGet | Op::TicketNotes)
    }

    /// Whether sending the call twice has the effect of sending it once. A creation is not: one
    /// that timed out may have happened.
    pub fn is_idempotent(self) -> bool {
        !matches!(self, Op::CallbackCreate)
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_distinct_snake_case_and_only_creation_is_not_idempotent() {
        let mut labels: Vec<_> = Op::ALL.iter().map(|op| op.as_str()).collect();
        assert!(labels
            .iter()
            .all(|l| l.chars().all(|c| c.is_ascii_lowercase() || c == '_')));
        labels.sort_unstable();
        labels.dedup();
        assert_eq!(labels.len(), Op::ALL.len());
        let not: Vec<_> = Op::ALL
            .into_iter()
            .filter(|op| !op.is_idempotent())
            .collect();
        assert_eq!(not, vec![Op::CallbackCreate]);
    }
}
