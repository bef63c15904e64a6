//! The ticket fields psa-hub's webhook subscribes to, and their numeric ids, resolved from the
//! `TicketWebhookFields` field-id picklist and cached per zone (reference §3.1).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use crate::cache::BoundedCache;
use crate::client::{AutotaskClient, Op};
use crate::error::AutotaskError;

/// One wanted field subscription.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSubscription {
    /// The REST-style name, as callouts carry it.
    pub name: &'static str,
    /// Picklist labels that mean this field, normalized (lower case, letters and digits only).
    /// Autotask may label fields by REST name or by display label; both normalize alike.
    pub labels: &'static [&'static str],
    /// A change of it triggers a callout.
    pub subscribed: bool,
    /// It rides along in every callout.
    pub display_always: bool,
}

/// CompletedDate triggers the callout on completion; Status, Resolution and the create date
/// always ride along (status context, the resolution, event correlation).
pub const TICKET_FIELDS: [FieldSubscription; 4] = [
    FieldSubscription {
        name: "CompletedDate",
        labels: &["completeddate", "completeddatetime"],
        subscribed: true,
        display_always: false,
    },
    FieldSubscription {
        name: "Status",
        labels: &["status"],
        subscribed: false,
        display_always: true,
    },
    FieldSubscription {
        name: "Resolution",
        labels: &["resolution"],
        subscribed: false,
        display_always: true,
    },
    FieldSubscription {
        name: "CreateDate",
        labels: &["createdate", "ticketcreatedate", "createdatetime"],
        subscribed: false,
        display_always: true,
    },
];

/// A wanted field with its id in this Autotask.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResolvedField {
    pub field: FieldSubscription,
    pub id: i64,
}

/// "Completed Date", "completedDate" and "COMPLETED_DATE" all become "completeddate".
pub fn normalize_label(label: &str) -> String {
    label
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// How long a picklist is trusted: field ids change rarely, but a day bounds how long a
/// changed Autotask is answered from memory.
pub const PICKLIST_TTL: Duration = Duration::from_secs(24 * 3600);

/// The picklists seen recently, per API user and zone: what one user's security level sees is
/// never used for another tenant. Only picklists that resolved every field are kept, so a
/// failure is never cached.
#[derive(Debug)]
pub struct FieldCatalog {
    by_user: BoundedCache<String, Arc<Picklist>>,
}

#[derive(Debug)]
struct Picklist {
    ids: HashMap<String, i64>,
    labels: Vec<String>,
}

impl FieldCatalog {
    /// A catalog keeping the picklists of at most `capacity` users for [`PICKLIST_TTL`].
    pub fn new(capacity: usize) -> Self {
        Self {
            by_user: BoundedCache::new(PICKLIST_TTL, capacity),
        }
    }

    /// The ids of [`TICKET_FIELDS`] for the client's zone.
    pub async fn resolve(
        &self,
        client: &AutotaskClient,
    ) -> Result<Vec<ResolvedField>, AutotaskError> {
        let key = format!("{}|{}", client.base(), client.username());
        let cached = self.by_user.get(&key);
        let (picklist, fresh) = match cached {
            Some(picklist) => (picklist, false),
            None => (Arc::new(fetch(client).await?), true),
        };
        let mut resolved = Vec::new();
        let mut missing = Vec::new();
        for field in TICKET_FIELDS {
            match field.labels.iter().find_map(|l| picklist.ids.get(*l)) {
                Some(id) => resolved.push(ResolvedField { field, id: *id }),
                None => missing.push(field.name.to_owned()),
            }
        }
        if missing.is_empty() {
            if fresh {
                self.by_user.insert(key, picklist);
            }
            return Ok(resolved);
        }
        tracing::warn!(?missing, picklist = ?picklist.labels, "ticket webhook fields not in Autotask's picklist");
        Err(AutotaskError::FieldsUnavailable {
            missing,
            available: picklist.labels.join(", "),
        })
    }
}

async fn fetch(client: &AutotaskClient) -> Result<Picklist, AutotaskError> {
    let op = Op::FieldPicklist;
    let answer = client
        .get(op, "TicketWebhookFields/entityInformation/fields")
        .await?;
    let entry = answer
        .get("fields")
        .and_then(Value::as_array)
        .and_then(|fields| {
            fields.iter().find(|f| {
                f.get("name")
                    .and_then(Value::as_str)
                    .is_some_and(|name| name.eq_ignore_ascii_case("fieldID"))
            })
        })
        .ok_or_else(|| AutotaskError::Unexpected {
            op,
            message: "the answer has no fieldID picklist".into(),
        })?;
    let mut ids = HashMap::new();
    let mut labels = Vec::new();
    for value in entry
        .get("picklistValues")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if value.get("isActive").and_then(Value::as_bool) == Some(false) {
            continue;
        }
        let label = value.get("label").and_then(Value::as_str);
        let id = match value.get("value") {
            Some(Value::String(s)) => s.trim().parse().ok(),
            Some(Value::Number(n)) => n.as_i64(),
            _ => None,
        };
        if let (Some(label), Some(id)) = (label, id) {
            ids.insert(normalize_label(label), id);
            labels.push(label.to_owned());
        }
    }
    Ok(Picklist { ids, labels })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_normalize_across_styles() {
        for label in [
            "Completed Date",
            "completedDate",
            "COMPLETED_DATE",
            " CompletedDate ",
        ] {
            assert_eq!(normalize_label(label), "completeddate");
        }
        for field in TICKET_FIELDS {
            assert!(field.labels.contains(&normalize_label(field.name).as_str()));
        }
        assert_eq!(TICKET_FIELDS.iter().filter(|f| f.subscribed).count(), 1);
    }
}
