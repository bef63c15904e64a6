//! The webhook lifecycle in Autotask: register (with leftover clean-up and duplicate recovery),
//! check against the wanted spec, repair in place, and remove (reference §2, §3.4, §5.4).

use psa_proto::{
    AdapterError, Drift, ErrorClass, RegisteredWebhook, RemoveOutcome, RepairOutcome, WebhookCheck,
    WebhookGuid, WebhookId, WebhookSpec,
};
use serde_json::{json, Value};

use crate::client::{AutotaskClient, Op};
use crate::error::AutotaskError;
use crate::fields::{FieldCatalog, ResolvedField};
use crate::presence::delete_if_present;
pub use crate::presence::get_webhook;

/// Autotask's limit on a webhook name.
pub const MAX_NAME_CHARS: usize = 50;

/// Makes `spec` exist: checks permissions, resolves field ids, clears our leftovers at the URL,
/// creates the webhook, subscribes its fields and confirms it is active and ready. A webhook
/// left half-made by a failed step is deleted before the error returns.
pub async fn register(
    client: &AutotaskClient,
    catalog: &FieldCatalog,
    spec: &WebhookSpec,
) -> Result<RegisteredWebhook, AutotaskError> {
    validate(spec)?;
    preflight(client).await?;
    let fields = catalog.resolve(client).await?;
    if delete_all_at_url(client, &spec.webhook_url).await? == RemoveOutcome::Removed {
        tracing::info!("deleted leftover webhooks at our URL before creating ours");
    }
    let id = create_with_recovery(client, spec).await?;
    match subscribe_and_confirm(client, id, &fields).await {
        Ok(registered) => Ok(registered),
        Err(error) => {
            if let Err(cleanup) = delete_if_present(client, id).await {
                tracing::warn!(webhook_id = %id, %cleanup, "could not delete a partial webhook");
            }
            Err(error)
        }
    }
}

fn validate(spec: &WebhookSpec) -> Result<(), AutotaskError> {
    let name_chars = spec.name.chars().count();
    if spec.name.trim().is_empty() || name_chars > MAX_NAME_CHARS {
        return Err(AutotaskError::InvalidSpec {
            message: format!(
                "the webhook name must be 1 to {MAX_NAME_CHARS} characters, it has {name_chars}"
            ),
        });
    }
    for (what, url) in [
        ("webhook", &spec.webhook_url),
        ("deactivation", &spec.deactivation_url),
    ] {
        let absolute = url::Url::parse(url).is_ok_and(|u| matches!(u.scheme(), "https" | "http"));
        if url.len() > 500 || !absolute {
            return Err(AutotaskError::InvalidSpec {
                message: format!("the {what} URL {url:?} is not an absolute http(s) URL of at most 500 characters"),
            });
        }
    }
    Ok(())
}

/// Asks Autotask up front whether this API user may create webhooks and use tickets, so each
/// permission problem is reported precisely instead of as a failed creation or a silent webhook.
async fn preflight(client: &AutotaskClient) -> Result<(), AutotaskError> {
    let hooks = client
        .get(
            Op::WebhookEntityInformation,
            "TicketWebhooks/entityInformation",
        )
        .await?;
    if denied(&hooks, "Create") {
        return Err(AutotaskError::CannotCreateWebhooks {
            message: "TicketWebhooks/entityInformation says this API user may not create webhooks"
                .into(),
        });
    }
    let tickets = client
        .get(Op::TicketEntityInformation, "Tickets/entityInformation")
        .await?;
    let missing: Vec<&str> = ["Query", "Update"]
        .into_iter()
        .filter(|action| denied(&tickets, action))
        .collect();
    if !missing.is_empty() {
        return Err(AutotaskError::NoTicketPermission {
            message: format!(
                "Tickets/entityInformation says this API user may not {} tickets",
                missing.join(" or ").to_ascii_lowercase()
            ),
        });
    }
    Ok(())
}

/// `can{Action}` says whether the entity supports the action at all, `userAccessFor{Action}`
/// whether this user's security level may do it ("None" when not). Absent flags deny nothing:
/// creation itself will then report the problem.
fn denied(answer: &Value, action: &str) -> bool {
    let info = answer.get("info").unwrap_or(answer);
    let unsupported = info.get(format!("can{action}")).and_then(Value::as_bool) == Some(false);
    let no_access = info
        .get(format!("userAccessFor{action}"))
        .and_then(Value::as_str)
        .is_some_and(|access| access.eq_ignore_ascii_case("none"));
    unsupported || no_access
}

fn create_body(spec: &WebhookSpec) -> Value {
    let mut body = json!({
        "name": spec.name,
        "webhookUrl": spec.webhook_url,
        "deactivationUrl": spec.deactivation_url,
        "secretKey": spec.secret.expose(),
        "isActive": true,
        "isSubscribedToCreateEvents": false,
        "isSubscribedToUpdateEvents": true,
        "isSubscribedToDeleteEvents": false,
        "sendThresholdExceededNotification": spec.notification_email.is_some(),
    });
    if let Some(email) = &spec.notification_email {
        body["notificationEmailAddress"] = json!(email);
    }
    body
}

/// Creates the webhook. When creation fails for a reason a leftover could explain (Autotask's
/// duplicate text is undocumented, so the wording is not trusted), looks for webhooks at our
/// URL; if there are any, deletes them and tries once more.
async fn create_with_recovery(
    client: &AutotaskClient,
    spec: &WebhookSpec,
) -> Result<WebhookId, AutotaskError> {
    let body = create_body(spec);
    let first = match client
        .post(Op::WebhookCreate, "TicketWebhooks", &body)
        .await
    {
        Ok(answer) => return item_id(Op::WebhookCreate, &answer),
        Err(error) => error,
    };
    if matches!(
        first.class(),
        ErrorClass::CredentialsRejected | ErrorClass::CannotCreateWebhooks | ErrorClass::Throttled
    ) {
        return Err(first);
    }
    if delete_all_at_url(client, &spec.webhook_url).await? == RemoveOutcome::AlreadyGone {
        return Err(first);
    }
    tracing::info!(%first, "creation failed with a webhook at our URL; replaced it and retrying");
    match client
        .post(Op::WebhookCreate, "TicketWebhooks", &body)
        .await
    {
        Ok(answer) => item_id(Op::WebhookCreate, &answer),
        Err(second) if !find_at_url(client, &spec.webhook_url).await?.is_empty() => {
            Err(AutotaskError::DuplicateWebhook {
                message: second.to_string(),
            })
        }
        Err(second) => Err(second),
    }
}

async fn subscribe_and_confirm(
    client: &AutotaskClient,
    id: WebhookId,
    fields: &[ResolvedField],
) -> Result<RegisteredWebhook, AutotaskError> {
    let path = format!("TicketWebhooks/{id}/Fields");
    for resolved in fields {
        client
            .post(Op::FieldCreate, &path, &field_body(id, resolved))
            .await?;
    }
    confirm(client, id, "just created").await
}

/// Reads the webhook back and requires Autotask to report it active and ready.
async fn confirm(
    client: &AutotaskClient,
    id: WebhookId,
    what: &str,
) -> Result<RegisteredWebhook, AutotaskError> {
    let item = get_webhook(client, id)
        .await?
        .ok_or_else(|| AutotaskError::NotFound {
            what: format!("the webhook {id} {what}"),
        })?;
    let (is_active, is_ready) = (bool_of(&item, "isActive"), bool_of(&item, "isReady"));
    if !(is_active && is_ready) {
        return Err(AutotaskError::NotReady {
            is_active,
            is_ready,
        });
    }
    Ok(RegisteredWebhook {
        id,
        guid: guid_of(&item),
        is_active,
        is_ready,
    })
}

/// Ids of the webhooks at `url` (Autotask compares URLs case-insensitively for duplicates).
pub async fn find_at_url(
    client: &AutotaskClient,
    url: &str,
) -> Result<Vec<WebhookId>, AutotaskError> {
    let items = client
        .query(
            Op::WebhookQuery,
            "TicketWebhooks",
            json!([{"op": "eq", "field": "webhookUrl", "value": url}]),
        )
        .await?;
    Ok(items
        .iter()
        .filter(|item| {
            item.get("webhookUrl")
                .and_then(Value::as_str)
                .is_some_and(|u| u.eq_ignore_ascii_case(url))
        })
        .filter_map(|item| item.get("id").and_then(Value::as_i64).map(WebhookId))
        .collect())
}

/// Deletes the webhook `id`, or without an id every webhook at the spec's URL.
pub async fn remove(
    client: &AutotaskClient,
    id: Option<WebhookId>,
    spec: &WebhookSpec,
) -> Result<RemoveOutcome, AutotaskError> {
    if let Some(id) = id {
        return delete_if_present(client, id).await;
    }
    delete_all_at_url(client, &spec.webhook_url).await
}

/// Deletes every webhook at `url`: `Removed` if any was deleted.
async fn delete_all_at_url(
    client: &AutotaskClient,
    url: &str,
) -> Result<RemoveOutcome, AutotaskError> {
    let mut outcome = RemoveOutcome::AlreadyGone;
    for found in find_at_url(client, url).await? {
        if delete_if_present(client, found).await? == RemoveOutcome::Removed {
            outcome = RemoveOutcome::Removed;
        }
    }
    Ok(outcome)
}

/// Compares the webhook `id` in Autotask with `spec`: existence, active, ready, URLs, fields.
pub async fn check(
    client: &AutotaskClient,
    catalog: &FieldCatalog,
    id: WebhookId,
    spec: &WebhookSpec,
) -> Result<WebhookCheck, AutotaskError> {
    let Some(item) = get_webhook(client, id).await? else {
        return Ok(WebhookCheck::default());
    };
    let wanted = catalog.resolve(client).await?;
    let present = field_children(client, id).await?;
    let missing_fields = wanted
        .iter()
        .filter(|w| !present.iter().any(|child| child.serves(w)))
        .map(|w| w.field.name.to_owned())
        .collect();
    let text = |name: &str| item.get(name).and_then(Value::as_str).unwrap_or_default();
    Ok(WebhookCheck {
        exists: true,
        is_active: bool_of(&item, "isActive"),
        is_ready: bool_of(&item, "isReady"),
        update_events: bool_of(&item, "isSubscribedToUpdateEvents"),
        url_matches: text("webhookUrl").eq_ignore_ascii_case(&spec.webhook_url),
        deactivation_url_matches: text("deactivationUrl")
            .eq_ignore_ascii_case(&spec.deactivation_url),
        missing_fields,
        guid: guid_of(&item),
    })
}

/// Fixes a drifted webhook where it stands: re-adds field subscriptions and re-activates it,
/// then confirms it is active and ready. A webhook that is gone, points elsewhere or listens to
/// other events is recreated instead: our URL and events are what make it ours.
pub async fn repair(
    client: &AutotaskClient,
    catalog: &FieldCatalog,
    id: WebhookId,
    found: &WebhookCheck,
) -> Result<RepairOutcome, AutotaskError> {
    let drifts = found.drifts();
    let recreate = [
        Drift::Deleted,
        Drift::Url,
        Drift::DeactivationUrl,
        Drift::Events,
    ];
    if drifts.iter().any(|drift| recreate.contains(drift)) {
        return Ok(RepairOutcome::Recreate);
    }
    if drifts.contains(&Drift::Fields) {
        resubscribe(client, catalog, id).await?;
    }
    if drifts.contains(&Drift::Inactive) {
        let body = json!({"id": id.0, "isActive": true});
        client
            .patch(Op::WebhookUpdate, "TicketWebhooks", &body)
            .await?;
    }
    confirm(client, id, "being repaired")
        .await
        .map(RepairOutcome::Repaired)
}

/// Adds each wanted field subscription that is missing; one with the wrong role is deleted and
/// added again (Autotask keeps one entry per field).
async fn resubscribe(
    client: &AutotaskClient,
    catalog: &FieldCatalog,
    id: WebhookId,
) -> Result<(), AutotaskError> {
    let wanted = catalog.resolve(client).await?;
    let present = field_children(client, id).await?;
    let path = format!("TicketWebhooks/{id}/Fields");
    for resolved in &wanted {
        let existing = present.iter().find(|child| child.field_id == resolved.id);
        match existing {
            Some(child) if child.serves(resolved) => continue,
            Some(child) => {
                let child_path = format!("{path}/{}", child.id);
                client.delete(Op::FieldDelete, &child_path).await?;
            }
            None => {}
        }
        client
            .post(Op::FieldCreate, &path, &field_body(id, resolved))
            .await?;
    }
    Ok(())
}

/// One TicketWebhookFields entry of a webhook.
#[derive(Debug, Clone, Copy)]
struct FieldChild {
    id: i64,
    field_id: i64,
    subscribed: bool,
    display_always: bool,
}

impl FieldChild {
    /// Present with at least the roles `wanted` needs.
    fn serves(&self, wanted: &ResolvedField) -> bool {
        self.field_id == wanted.id
            && (!wanted.field.subscribed || self.subscribed)
            && (!wanted.field.display_always || self.display_always)
    }
}

async fn field_children(
    client: &AutotaskClient,
    id: WebhookId,
) -> Result<Vec<FieldChild>, AutotaskError> {
    Ok(client
        .get(Op::FieldList, &format!("TicketWebhooks/{id}/Fields"))
        .await?
        .get("items")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|f| {
            Some(FieldChild {
                id: f.get("id").and_then(Value::as_i64)?,
                field_id: f.get("fieldID").and_then(Value::as_i64)?,
                subscribed: bool_of(f, "isSubscribedField"),
                display_always: bool_of(f, "isDisplayAlwaysField"),
            })
        })
        .collect())
}

fn field_body(id: WebhookId, resolved: &ResolvedField) -> Value {
    json!({
        "webhookID": id.0,
        "fieldID": resolved.id,
        "isSubscribedField": resolved.field.subscribed,
        "isDisplayAlwaysField": resolved.field.display_always,
    })
}

fn bool_of(item: &Value, name: &str) -> bool {
    item.get(name).and_then(Value::as_bool).unwrap_or(false)
}

fn guid_of(item: &Value) -> Option<WebhookGuid> {
    item.get("webhookGUID")
        .and_then(Value::as_str)
        .filter(|g| !g.is_empty())
        .map(WebhookGuid::new)
}

fn item_id(op: Op, answer: &Value) -> Result<WebhookId, AutotaskError> {
    answer
        .get("itemId")
        .and_then(Value::as_i64)
        .map(WebhookId)
        .ok_or_else(|| AutotaskError::Unexpected {
            op,
            // The answer is not quoted: it could echo the webhook's secret.
            message: "the answer has no itemId".into(),
        })
}
