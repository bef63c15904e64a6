//! The TicketWebhook record, its JSON form and validation of create/update bodies.

use serde_json::{json, Map, Value};

/// One stored TicketWebhook.
#[derive(Clone, Debug)]
pub struct Webhook {
    pub id: i64,
    pub name: String,
    pub webhook_url: String,
    pub deactivation_url: String,
    pub secret_key: String,
    pub is_active: bool,
    pub is_ready: bool,
    pub on_create: bool,
    pub on_update: bool,
    pub on_delete: bool,
    pub notification_email: Option<String>,
    pub send_threshold_notification: bool,
    pub owner_resource_id: i64,
    pub guid: String,
    /// Last SequenceNumber handed out.
    pub sequence: i64,
    /// Consecutive failed callout attempts, across events.
    pub consecutive_failures: u32,
}

/// Case-insensitive key lookup so camelCase and PascalCase bodies both work.
pub fn get_ci<'a>(body: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    body.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v)
}

fn opt_string(body: &Map<String, Value>, key: &str) -> Result<Option<String>, String> {
    match get_ci(body, key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(format!("{key}: expected a string but got {other}")),
    }
}

fn opt_bool(body: &Map<String, Value>, key: &str) -> Result<Option<bool>, String> {
    match get_ci(body, key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(other) => Err(format!("{key}: expected true or false but got {other}")),
    }
}

fn required(body: &Map<String, Value>, key: &str) -> Result<String, String> {
    match opt_string(body, key)? {
        Some(s) if !s.trim().is_empty() => Ok(s),
        _ => Err(format!("{key} is required")),
    }
}

fn check_len(key: &str, value: &str, max: usize) -> Result<(), String> {
    if value.chars().count() > max {
        Err(format!(
            "{key} must be less than or equal to {max} characters"
        ))
    } else {
        Ok(())
    }
}

impl Webhook {
    /// Validates a create body; id, guid and owner are filled in by the caller.
    pub fn from_create_body(body: &Map<String, Value>) -> Result<Webhook, String> {
        let name = required(body, "name")?;
        check_len("name", &name, 50)?;
        let webhook_url = required(body, "webhookUrl")?;
        check_len("webhookUrl", &webhook_url, 500)?;
        let deactivation_url = required(body, "deactivationUrl")?;
        check_len("deactivationUrl", &deactivation_url, 500)?;
        let secret_key = required(body, "secretKey")?;
        check_len("secretKey", &secret_key, 64)?;
        let notification_email = opt_string(body, "notificationEmailAddress")?;
        if let Some(e) = &notification_email {
            check_len("notificationEmailAddress", e, 150)?;
        }
        Ok(Webhook {
            id: 0,
            name,
            webhook_url,
            deactivation_url,
            secret_key,
            is_active: opt_bool(body, "isActive")?.unwrap_or(true),
            is_ready: false,
            on_create: opt_bool(body, "isSubscribedToCreateEvents")?.unwrap_or(false),
            on_update: opt_bool(body, "isSubscribedToUpdateEvents")?.unwrap_or(false),
            on_delete: opt_bool(body, "isSubscribedToDeleteEvents")?.unwrap_or(false),
            notification_email,
            send_threshold_notification: opt_bool(body, "sendThresholdExceededNotification")?
                .unwrap_or(false),
            owner_resource_id: 0,
            guid: String::new(),
            sequence: 0,
            consecutive_failures: 0,
        })
    }

    /// Applies a PATCH body onto a copy; read-only keys are ignored like Autotask does.
    pub fn patched(&self, body: &Map<String, Value>) -> Result<Webhook, String> {
        let mut w = self.clone();
        if let Some(v) = opt_string(body, "name")? {
            check_len("name", &v, 50)?;
            w.name = v;
        }
        if let Some(v) = opt_string(body, "webhookUrl")? {
            check_len("webhookUrl", &v, 500)?;
            w.webhook_url = v;
        }
        if let Some(v) = opt_string(body, "deactivationUrl")? {
            check_len("deactivationUrl", &v, 500)?;
            w.deactivation_url = v;
        }
        if let Some(v) = opt_string(body, "secretKey")? {
            check_len("secretKey", &v, 64)?;
            w.secret_key = v;
        }
        if let Some(v) = opt_string(body, "notificationEmailAddress")? {
            check_len("notificationEmailAddress", &v, 150)?;
            w.notification_email = Some(v);
        }
        let flags: [(&str, &mut bool); 5] = [
            ("isActive", &mut w.is_active),
            ("isSubscribedToCreateEvents", &mut w.on_create),
            ("isSubscribedToUpdateEvents", &mut w.on_update),
            ("isSubscribedToDeleteEvents", &mut w.on_delete),
            (
                "sendThresholdExceededNotification",
                &mut w.send_threshold_notification,
            ),
        ];
        for (key, slot) in flags {
            if let Some(b) = opt_bool(body, key)? {
                *slot = b;
            }
        }
        Ok(w)
    }

    /// The REST representation; `secretKey` only when asked to echo it.
    pub fn to_json(&self, with_secret: bool) -> Value {
        json!({
            "id": self.id,
            "deactivationUrl": self.deactivation_url,
            "isActive": self.is_active,
            "isReady": self.is_ready,
            "isSubscribedToCreateEvents": self.on_create,
            "isSubscribedToDeleteEvents": self.on_delete,
            "isSubscribedToUpdateEvents": self.on_update,
            "name": self.name,
            "notificationEmailAddress": self.notification_email,
            "ownerResourceID": self.owner_resource_id,
            "secretKey": if with_secret { Value::String(self.secret_key.clone()) } else { Value::Null },
            "sendThresholdExceededNotification": self.send_threshold_notification,
            "webhookGUID": self.guid,
            "webhookUrl": self.webhook_url,
        })
    }

    /// Duplicate rule (reference §5.4): same URL (case-insensitive) and a shared event type.
    pub fn duplicates(&self, other: &Webhook) -> bool {
        self.webhook_url.eq_ignore_ascii_case(&other.webhook_url)
            && ((self.on_create && other.on_create)
                || (self.on_update && other.on_update)
                || (self.on_delete && other.on_delete))
    }
}
