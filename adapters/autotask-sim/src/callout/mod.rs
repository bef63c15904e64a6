//! Webhook callouts: the job type queued by the store, and the delivery machinery.

mod deliver;
pub mod dispatcher;
pub mod payload;

use crate::ids::DatabaseId;
use crate::store::webhook::Webhook;
use payload::OJson;

/// Callout `Action` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Create,
    Update,
    Delete,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Create => "Create",
            Action::Update => "Update",
            Action::Delete => "Delete",
        }
    }
}

/// Work for the delivery task.
#[derive(Debug)]
pub enum Job {
    /// A ticket event for one webhook's ordered queue.
    Event {
        db: DatabaseId,
        webhook_id: i64,
        sequence: i64,
        payload: OJson,
    },
    /// A POST to a deactivationUrl (webhook deleted or disabled).
    Deactivate { url: String, payload: OJson },
}

impl Job {
    /// The deactivation notice. The real body is undocumented (reference §5.3); this shape is ours.
    pub fn deactivation(w: &Webhook) -> Job {
        Job::Deactivate {
            url: w.deactivation_url.clone(),
            payload: OJson::Obj(vec![
                ("Action".into(), OJson::Val("Deactivated".into())),
                ("Guid".into(), OJson::Val(w.guid.clone().into())),
                ("Id".into(), OJson::Val(w.id.into())),
                ("EntityType".into(), OJson::Val("TicketWebhook".into())),
            ]),
        }
    }
}
