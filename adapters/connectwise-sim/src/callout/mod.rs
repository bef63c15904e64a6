//! Callback messages: the job the store queues, the body it carries, and delivery (reference §3-4).

mod deliver;
pub mod dispatcher;
pub mod payload;

use crate::ids::CompanyId;

/// `Action` of a callback message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Added,
    Updated,
    Deleted,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Added => "added",
            Action::Updated => "updated",
            Action::Deleted => "deleted",
        }
    }
}

/// One message for one callback entry, rendered and signed when the change happened.
#[derive(Clone, Debug)]
pub struct Job {
    pub company: CompanyId,
    pub callback_id: i64,
    /// The ticket id, appended to the URL as `url_form` says.
    pub record_id: i64,
    pub action: Action,
    pub message_id: String,
    pub body: Vec<u8>,
    pub signature: String,
}
