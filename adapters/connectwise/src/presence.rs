//! Whether a callback still exists. A "not found" answer alone is not trusted: a wrong API root
//! (a stale codebase, a wrong host) answers 404 as well, and so may ConnectWise cloud to keys it
//! rejects; believing it would tell an operator a callback was removed when it was not. A
//! listing of the callback's id must confirm it.

use psa_proto::{RemoveOutcome, WebhookId};
use serde_json::Value;

use crate::client::ConnectWiseClient;
use crate::error::ConnectWiseError;
use crate::op::Op;

pub(crate) const CALLBACKS: &str = "system/callbacks";

/// The callback `id`, or `None` when ConnectWise confirms it does not exist.
pub async fn get_callback(
    client: &ConnectWiseClient,
    id: WebhookId,
) -> Result<Option<Value>, ConnectWiseError> {
    let op = Op::CallbackGet;
    match client.get(op, &format!("{CALLBACKS}/{id}"), &[]).await {
        Ok(item) if item.get("id").and_then(Value::as_i64) == Some(id.0) => Ok(Some(item)),
        Ok(_) => Err(ConnectWiseError::Unexpected {
            op,
            message: format!("the answer is not the callback {id}"),
        }),
        // The listing may find it after all (a stray 404 on one route): then it exists.
        Err(not_found @ ConnectWiseError::NotFound { .. }) => listed(client, id)
            .await
            .map_err(|query| unconfirmed(id, query, &not_found)),
        Err(error) => Err(error),
    }
}

/// Deletes the callback `id`. A not-found answer counts as [`RemoveOutcome::AlreadyGone`]
/// only when a listing confirms the callback is not there.
pub async fn delete_if_present(
    client: &ConnectWiseClient,
    id: WebhookId,
) -> Result<RemoveOutcome, ConnectWiseError> {
    let not_found = match client
        .delete(Op::CallbackDelete, &format!("{CALLBACKS}/{id}"))
        .await
    {
        Ok(_) => return Ok(RemoveOutcome::Removed),
        Err(not_found @ ConnectWiseError::NotFound { .. }) => not_found,
        Err(error) => return Err(error),
    };
    match listed(client, id).await {
        Ok(None) => Ok(RemoveOutcome::AlreadyGone),
        Ok(Some(_)) => Err(ConnectWiseError::GoneUnconfirmed {
            id,
            reason: "ConnectWise still lists it".into(),
            source: Box::new(not_found),
        }),
        Err(query) => Err(unconfirmed(id, query, &not_found)),
    }
}

/// Lists callbacks with `id = {id}`: the item if listed, `None` if a well-formed list does not
/// hold it.
async fn listed(
    client: &ConnectWiseClient,
    id: WebhookId,
) -> Result<Option<Value>, ConnectWiseError> {
    let items = client
        .list(Op::CallbackList, CALLBACKS, &format!("id={id}"))
        .await?;
    Ok(items
        .into_iter()
        .find(|item| item.get("id").and_then(Value::as_i64) == Some(id.0)))
}

/// The error for a not-found answer the listing could not back up.
fn unconfirmed(
    id: WebhookId,
    query: ConnectWiseError,
    not_found: &ConnectWiseError,
) -> ConnectWiseError {
    let reason = match &query {
        // A 404 on the listing itself means the address (or, on cloud, the keys) is wrong.
        ConnectWiseError::NotFound { .. } => "the listing of callbacks was answered \"not found\" \
            too, as a wrong API address or (on ConnectWise cloud) rejected keys would be"
            .to_owned(),
        other => format!("the listing of callbacks failed: {other}"),
    };
    tracing::warn!(callback_id = %id, %not_found, %query, "a callback's absence could not be confirmed");
    ConnectWiseError::GoneUnconfirmed {
        id,
        reason,
        source: Box::new(query),
    }
}
