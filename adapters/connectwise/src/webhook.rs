//! The ticket callback's lifecycle in ConnectWise PSA: register (clearing our leftovers, with
//! duplicate recovery), check against the wanted spec, repair in place, and remove
//! (reference §2).

use psa_proto::{
    Drift, RegisteredWebhook, RemoveOutcome, RepairOutcome, WebhookCheck, WebhookId, WebhookSpec,
};
use serde_json::{json, Value};

use crate::client::ConnectWiseClient;
use crate::error::ConnectWiseError;
use crate::op::Op;
use crate::presence::{delete_if_present, get_callback, CALLBACKS};

/// What follows our webhook URL in the callback's `url`. ConnectWise appends the record id (and,
/// the Developer Guide says, the action) to the URL *text* and recommends ending the URL so
/// that the id lands in a parameter (reference §2; AMP uses exactly this). Without it the id
/// would be glued to our hook token and the callout would miss its route. The hub routes on
/// the path alone, so whatever ConnectWise appends stays in the query.
pub const RECORD_ID_SUFFIX: &str = "?recordId=";
/// A callback about tickets...
pub const CALLBACK_TYPE: &str = "ticket";
/// ...of every ticket of the company (`owner` level, whose object id is 1).
pub const CALLBACK_LEVEL: &str = "owner";
pub const CALLBACK_OBJECT_ID: i64 = 1;
/// The callback payload version AMP registers with, whose body shape (an `Entity` JSON
/// string, `Metadata.key_url`) the callout parser reads. Unverified beyond AMP's fixtures.
pub const PAYLOAD_VERSION: &str = "3.0.0";
/// ConnectWise's limit on a callback description.
pub const MAX_DESCRIPTION_CHARS: usize = 100;
/// Our own bound on the URL we register.
const MAX_URL_CHARS: usize = 1000;

/// The `url` registered for `spec`.
pub fn callback_url(spec: &WebhookSpec) -> String {
    format!("{}{RECORD_ID_SUFFIX}", spec.webhook_url)
}

/// Makes `spec`'s callback exist: checks the member may read tickets, clears our leftovers at
/// its URL, creates the callback (recovering from a duplicate once) and confirms it is active
/// at our URL. A callback that does not confirm is deleted before the error returns.
pub async fn register(
    client: &ConnectWiseClient,
    spec: &WebhookSpec,
) -> Result<RegisteredWebhook, ConnectWiseError> {
    validate(spec)?;
    can_read_tickets(client).await?;
    if delete_ours(client, spec).await? == RemoveOutcome::Removed {
        tracing::info!("deleted leftover callbacks at our URL before creating ours");
    }
    let id = create_with_recovery(client, spec).await?;
    match confirm(client, id, spec, "just created").await {
        Ok(registered) => Ok(registered),
        Err(error) => {
            if let Err(cleanup) = delete_if_present(client, id).await {
                tracing::warn!(callback_id = %id, %cleanup, "could not delete an unconfirmed callback");
            }
            Err(error)
        }
    }
}

fn validate(spec: &WebhookSpec) -> Result<(), ConnectWiseError> {
    let chars = spec.name.chars().count();
    if spec.name.trim().is_empty() || chars > MAX_DESCRIPTION_CHARS {
        return Err(ConnectWiseError::InvalidSpec {
            message: format!(
                "the callback description must be 1 to {MAX_DESCRIPTION_CHARS} characters, it has {chars}"
            ),
        });
    }
    let plain = url::Url::parse(&spec.webhook_url).is_ok_and(|u| {
        matches!(u.scheme(), "https" | "http") && u.query().is_none() && u.fragment().is_none()
    });
    // Quotes would end the `conditions` string our leftovers are listed with.
    let quotable = !spec.webhook_url.contains(['"', '\\']);
    if !plain || !quotable || callback_url(spec).chars().count() > MAX_URL_CHARS {
        return Err(ConnectWiseError::InvalidSpec {
            message: format!(
                "the webhook URL {:?} is not an absolute http(s) URL without query or fragment of \
                 at most {MAX_URL_CHARS} characters",
                spec.webhook_url
            ),
        });
    }
    Ok(())
}

/// Asks for one ticket id: a member that may not read tickets would register a callback whose
/// closures psa-hub could never read the resolution of (and, on some sites, one that never
/// fires), so that is reported at setup, with its fix, rather than at the first closure.
async fn can_read_tickets(client: &ConnectWiseClient) -> Result<(), ConnectWiseError> {
    let query = [("fields", "id"), ("pageSize", "1")];
    client
        .get(Op::TicketList, "service/tickets", &query)
        .await
        .map(drop)
}

fn create_body(spec: &WebhookSpec) -> Value {
    json!({
        "description": spec.name,
        "url": callback_url(spec),
        "objectId": CALLBACK_OBJECT_ID,
        "type": CALLBACK_TYPE,
        "level": CALLBACK_LEVEL,
        "inactiveFlag": false,
        "isSoapCallbackFlag": false,
        // Self-suppression would hide the changes the API member makes itself, and the
        // product may close tickets through the same member.
        "isSelfSuppressedFlag": false,
        "payloadVersion": PAYLOAD_VERSION,
    })
}

/// Creates the callback. On ConnectWise's `ObjectExists` code (never its wording), deletes
/// ours at the URL and tries once more; a duplicate that is not ours is reported as such.
async fn create_with_recovery(
    client: &ConnectWiseClient,
    spec: &WebhookSpec,
) -> Result<WebhookId, ConnectWiseError> {
    let body = create_body(spec);
    let first = match client.post(Op::CallbackCreate, CALLBACKS, &body).await {
        Ok(answer) => return created_id(&answer),
        Err(ConnectWiseError::ObjectExists { message }) => message,
        Err(error) => return Err(error),
    };
    if delete_ours(client, spec).await? == RemoveOutcome::AlreadyGone {
        return Err(ConnectWiseError::DuplicateCallback { message: first });
    }
    tracing::info!(%first, "creation found a matching callback of ours; replaced it and retrying");
    match client.post(Op::CallbackCreate, CALLBACKS, &body).await {
        Ok(answer) => created_id(&answer),
        Err(ConnectWiseError::ObjectExists { message }) => {
            Err(ConnectWiseError::DuplicateCallback { message })
        }
        Err(error) => Err(error),
    }
}

fn created_id(answer: &Value) -> Result<WebhookId, ConnectWiseError> {
    answer
        .get("id")
        .and_then(Value::as_i64)
        .map(WebhookId)
        .ok_or_else(|| ConnectWiseError::Unexpected {
            op: Op::CallbackCreate,
            message: "the answer has no id".into(),
        })
}

/// Reads the callback back and requires it active at our URL.
async fn confirm(
    client: &ConnectWiseClient,
    id: WebhookId,
    spec: &WebhookSpec,
    what: &str,
) -> Result<RegisteredWebhook, ConnectWiseError> {
    let item = get_callback(client, id)
        .await?
        .ok_or_else(|| ConnectWiseError::NotFound {
            what: format!("the callback {id} {what}"),
        })?;
    let (active, url_matches) = (is_active(&item), url_matches(&item, spec));
    if !(active && url_matches) {
        return Err(ConnectWiseError::NotReady {
            active,
            url_matches,
        });
    }
    Ok(RegisteredWebhook {
        id,
        guid: None,
        is_active: true,
        is_ready: true,
    })
}

fn text<'a>(item: &'a Value, name: &str) -> &'a str {
    item.get(name).and_then(Value::as_str).unwrap_or_default()
}

fn is_active(item: &Value) -> bool {
    item.get("inactiveFlag").and_then(Value::as_bool) != Some(true)
}

/// Exactly our callback URL (ConnectWise may change the case of nothing we know of, but hosts
/// are case-insensitive, so case is not held against it).
fn url_matches(item: &Value, spec: &WebhookSpec) -> bool {
    text(item, "url").eq_ignore_ascii_case(&callback_url(spec))
}

/// At our webhook URL: the URL itself, or it followed by a query (any suffix we ever used).
fn is_ours(item: &Value, spec: &WebhookSpec) -> bool {
    let url = text(item, "url");
    let prefix = spec.webhook_url.as_str();
    url.get(..prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
        && matches!(url.as_bytes().get(prefix.len()), None | Some(b'?'))
}

/// Type, level and object of a callback about every ticket (case-insensitive: clients have
/// sent `Ticket`/`Owner` and lower case alike).
fn kind_matches(item: &Value) -> bool {
    let object = item.get("objectId").and_then(Value::as_i64);
    text(item, "type").eq_ignore_ascii_case(CALLBACK_TYPE)
        && text(item, "level").eq_ignore_ascii_case(CALLBACK_LEVEL)
        && !matches!(object, Some(id) if id != CALLBACK_OBJECT_ID)
}

/// Ids of our callbacks at `spec`'s URL.
pub async fn find_ours(
    client: &ConnectWiseClient,
    spec: &WebhookSpec,
) -> Result<Vec<WebhookId>, ConnectWiseError> {
    let conditions = format!("url contains \"{}\"", spec.webhook_url);
    let items = client
        .list(Op::CallbackList, CALLBACKS, &conditions)
        .await?;
    Ok(items
        .iter()
        .filter(|item| is_ours(item, spec))
        .filter_map(|item| item.get("id").and_then(Value::as_i64).map(WebhookId))
        .collect())
}

/// Deletes every callback of ours at `spec`'s URL: `Removed` if any was deleted.
async fn delete_ours(
    client: &ConnectWiseClient,
    spec: &WebhookSpec,
) -> Result<RemoveOutcome, ConnectWiseError> {
    let mut outcome = RemoveOutcome::AlreadyGone;
    for id in find_ours(client, spec).await? {
        if delete_if_present(client, id).await? == RemoveOutcome::Removed {
            outcome = RemoveOutcome::Removed;
        }
    }
    Ok(outcome)
}

/// Deletes the callback `id`, or without an id every one of ours at the spec's URL.
pub async fn remove(
    client: &ConnectWiseClient,
    id: Option<WebhookId>,
    spec: &WebhookSpec,
) -> Result<RemoveOutcome, ConnectWiseError> {
    match id {
        Some(id) => delete_if_present(client, id).await,
        None => delete_ours(client, spec).await,
    }
}

/// Compares the callback `id` with `spec`: existence, active, URL, and type/level/object (as
/// "update events": a callback of another kind would not tell us of ticket closures).
pub async fn check(
    client: &ConnectWiseClient,
    id: WebhookId,
    spec: &WebhookSpec,
) -> Result<WebhookCheck, ConnectWiseError> {
    let Some(item) = get_callback(client, id).await? else {
        return Ok(WebhookCheck::default());
    };
    Ok(WebhookCheck {
        exists: true,
        is_active: is_active(&item),
        // ConnectWise has no readiness, field subscriptions or deactivation URL.
        is_ready: true,
        update_events: kind_matches(&item),
        url_matches: url_matches(&item, spec),
        deactivation_url_matches: true,
        missing_fields: Vec::new(),
        guid: None,
    })
}

/// Re-activates an inactive callback in place and confirms it; one that is gone, points
/// elsewhere or is of another kind is recreated instead: URL and kind are what make it ours.
pub async fn repair(
    client: &ConnectWiseClient,
    id: WebhookId,
    spec: &WebhookSpec,
    found: &WebhookCheck,
) -> Result<RepairOutcome, ConnectWiseError> {
    let drifts = found.drifts();
    let recreate = [
        Drift::Deleted,
        Drift::Url,
        Drift::Events,
        Drift::DeactivationUrl,
    ];
    if drifts.iter().any(|drift| recreate.contains(drift)) {
        return Ok(RepairOutcome::Recreate);
    }
    if drifts.contains(&Drift::Inactive) {
        let body = json!([{"op": "replace", "path": "inactiveFlag", "value": false}]);
        client
            .patch(Op::CallbackUpdate, &format!("{CALLBACKS}/{id}"), &body)
            .await?;
    }
    confirm(client, id, spec, "being repaired")
        .await
        .map(RepairOutcome::Repaired)
}

#[cfg(test)]
mod tests;
