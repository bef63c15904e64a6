//! Whether a webhook still exists in Autotask. A "not found" answer alone is not trusted: a
//! wrong base URL (a stale zone) answers 404 as well, and believing it would tell an operator
//! a webhook was removed when it was not. A query for the id must confirm it.

use psa_proto::{RemoveOutcome, WebhookId};
use serde_json::{json, Value};

use crate::client::{AutotaskClient, Op};
use crate::error::AutotaskError;

/// The webhook `id`, or `None` when Autotask confirms it does not exist: a 200 answer with
/// `{"item": null}`, or a not-found answer that a query for the id confirms.
pub async fn get_webhook(
    client: &AutotaskClient,
    id: WebhookId,
) -> Result<Option<Value>, AutotaskError> {
    let op = Op::WebhookGet;
    match client.get(op, &format!("TicketWebhooks/{id}")).await {
        Ok(answer) => match answer.get("item") {
            Some(item @ Value::Object(_)) => Ok(Some(item.clone())),
            Some(Value::Null) => Ok(None),
            _ => Err(AutotaskError::Unexpected {
                op,
                message: "the answer has no item".into(),
            }),
        },
        // The query may find it after all (a stray 404 on one route): then it exists.
        Err(not_found @ AutotaskError::NotFound { .. }) => listed(client, id)
            .await
            .map_err(|e| unconfirmed(id, e, not_found)),
        Err(error) => Err(error),
    }
}

/// Deletes the webhook `id`. A not-found answer counts as [`RemoveOutcome::AlreadyGone`] only
/// when a query confirms the webhook is not there.
pub async fn delete_if_present(
    client: &AutotaskClient,
    id: WebhookId,
) -> Result<RemoveOutcome, AutotaskError> {
    let not_found = match client
        .delete(Op::WebhookDelete, &format!("TicketWebhooks/{id}"))
        .await
    {
        Ok(_) => return Ok(RemoveOutcome::Removed),
        Err(not_found @ AutotaskError::NotFound { .. }) => not_found,
        Err(error) => return Err(error),
    };
    match listed(client, id).await {
        Ok(None) => Ok(RemoveOutcome::AlreadyGone),
        Ok(Some(_)) => Err(AutotaskError::GoneUnconfirmed {
            id,
            reason: "Autotask still lists it".into(),
            source: Box::new(not_found),
        }),
        Err(error) => Err(unconfirmed(id, error, not_found)),
    }
}

/// Queries `TicketWebhooks` for `id`: the item if listed, `None` if a well-formed answer does
/// not list it.
async fn listed(client: &AutotaskClient, id: WebhookId) -> Result<Option<Value>, AutotaskError> {
    let filter = json!([{"op": "eq", "field": "id", "value": id.0}]);
    let items = client
        .query(Op::WebhookQuery, "TicketWebhooks", filter)
        .await?;
    Ok(items
        .into_iter()
        .find(|item| item.get("id").and_then(Value::as_i64) == Some(id.0)))
}

/// The error for a not-found answer the confirming query could not back up.
fn unconfirmed(id: WebhookId, query: AutotaskError, not_found: AutotaskError) -> AutotaskError {
    let reason = match &query {
        // A 404 on the query endpoint itself means the address is wrong, not the webhook gone.
        AutotaskError::NotFound { .. } => {
            "the query for it was answered \"not found\" too, as a wrong Autotask address (zone) would be".to_owned()
        }
        other => format!("the query for it failed: {other}"),
    };
    tracing::warn!(webhook_id = %id, %not_found, %query, "a webhook's absence could not be confirmed");
    AutotaskError::GoneUnconfirmed {
        id,
        reason,
        source: Box::new(query),
    }
}
