//! Understanding a ConnectWise callback, defensively: PascalCase envelope keys in any case,
//! numbers possibly as strings, and the ticket as `Entity`, a JSON *string* that may be null
//! (on `deleted`), the whole ticket or a summary (reference §3). The resolution is never in a
//! callback, so a change about a ticket that is or may be closed asks the hub to read the
//! ticket's closure.

use std::collections::HashMap;

use base64::Engine as _;
use psa_proto::{CalloutParseError, ChangeAction, FieldValue, TicketChange, TicketId};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::dates::time;

/// An object's keys folded to lower case, so `MessageId`, `messageId` and `MESSAGEID` match.
struct Folded<'a>(HashMap<String, &'a Value>);

impl<'a> Folded<'a> {
    fn new(map: &'a Map<String, Value>) -> Self {
        Self(
            map.iter()
                .map(|(k, v)| (k.to_ascii_lowercase(), v))
                .collect(),
        )
    }

    fn get(&self, name: &str) -> Option<&'a Value> {
        self.0.get(name).copied().filter(|v| !v.is_null())
    }

    fn text(&self, name: &str) -> Option<&'a str> {
        self.get(name)?
            .as_str()
            .map(str::trim)
            .filter(|t| !t.is_empty())
    }
}

fn envelope(body: &Value) -> Option<Folded<'_>> {
    body.as_object().map(Folded::new)
}

/// `Metadata.key_url`: where the callback's signing key is.
pub fn key_url(body: &Value) -> Option<&str> {
    let metadata = envelope(body)?.get("metadata")?.as_object()?;
    Folded::new(metadata).text("key_url")
}

/// `cw:` and the callback's `MessageId` (the same on every retry of it), else a digest of the
/// body.
pub fn dedupe_key(body: &[u8]) -> String {
    let value: Option<Value> = serde_json::from_slice(body).ok();
    let message_id = value
        .as_ref()
        .and_then(envelope)
        .and_then(|env| env.text("messageid").map(str::to_ascii_lowercase));
    match message_id {
        Some(id) => format!("cw:{id}"),
        None => {
            let digest = Sha256::digest(body);
            let encoded = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest);
            format!("cw-sha256:{encoded}")
        }
    }
}

/// The ticket change a verified callback body reports.
pub fn parse(body: &Value) -> Result<TicketChange, CalloutParseError> {
    let env = envelope(body)
        .ok_or_else(|| CalloutParseError::NotJson("the top level is not an object".into()))?;
    let kind = env
        .text("type")
        .ok_or(CalloutParseError::MissingField("Type"))?;
    if !kind.eq_ignore_ascii_case("ticket") {
        return Err(CalloutParseError::NotATicket(kind.to_ascii_lowercase()));
    }
    let ticket_id = env
        .get("id")
        .ok_or(CalloutParseError::MissingField("ID"))
        .and_then(|id| {
            as_int(id)
                .filter(|id| *id > 0)
                .map(TicketId)
                .ok_or_else(|| bad("ID", "not a positive integer"))
        })?;
    let action = action(env.text("action"))?;
    let entity = entity(env.get("entity"));
    let ticket = entity.as_ref().and_then(Value::as_object).map(Folded::new);
    let closed = ticket
        .as_ref()
        .and_then(|t| t.get("closedflag"))
        .and_then(as_bool);
    let info = ticket
        .as_ref()
        .and_then(|t| t.get("_info"))
        .and_then(Value::as_object)
        .map(Folded::new);
    let field = |name: &str| ticket.as_ref().and_then(|t| t.get(name));
    let info_field = |name: &str| info.as_ref().and_then(|i| i.get(name));
    let closed_at = time(field("closeddate"));
    Ok(TicketChange {
        action,
        webhook_guid: None,
        ticket_id,
        sequence_number: None,
        event_time: time(info_field("lastupdated")),
        person_id: env.get("memberid").and_then(as_int),
        ticket_number: None,
        status: field("status")
            .and_then(|s| s.get("id"))
            .and_then(as_int)
            .map_or(FieldValue::Absent, FieldValue::Set),
        completed_at: match (closed, closed_at) {
            (Some(false), _) => FieldValue::Cleared,
            (_, Some(at)) => FieldValue::Set(at),
            _ => FieldValue::Absent,
        },
        resolution: FieldValue::Absent,
        ticket_created_at: time(field("dateentered").or_else(|| info_field("dateentered")))
            .map_or(FieldValue::Absent, FieldValue::Set),
        // Closed, or a summary that does not say: only the ticket itself tells the resolution.
        needs_lookup: action != ChangeAction::Delete && closed != Some(false),
    })
}

fn action(text: Option<&str>) -> Result<ChangeAction, CalloutParseError> {
    let text = text.ok_or(CalloutParseError::MissingField("Action"))?;
    match text.to_ascii_lowercase().as_str() {
        "added" => Ok(ChangeAction::Create),
        "updated" => Ok(ChangeAction::Update),
        "deleted" => Ok(ChangeAction::Delete),
        _ => Err(bad("Action", "not added, updated or deleted")),
    }
}

/// The ticket `Entity` carries: a JSON string (as ConnectWise sends it) or an object. One that
/// cannot be read counts as absent, so the ticket is looked up rather than the callback lost.
fn entity(value: Option<&Value>) -> Option<Value> {
    match value? {
        Value::String(text) => match serde_json::from_str::<Value>(text) {
            Ok(parsed @ Value::Object(_)) => Some(parsed),
            _ => {
                tracing::warn!("a ConnectWise callback's Entity is not a JSON object; the ticket will be looked up");
                None
            }
        },
        object @ Value::Object(_) => Some(object.clone()),
        _ => None,
    }
}

fn as_int(value: &Value) -> Option<i64> {
    value
        .as_i64()
        .or_else(|| value.as_str().and_then(|s| s.trim().parse().ok()))
}

fn as_bool(value: &Value) -> Option<bool> {
    value.as_bool().or_else(|| match value.as_str()?.trim() {
        t if t.eq_ignore_ascii_case("true") => Some(true),
        t if t.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    })
}

fn bad(field: &'static str, reason: &str) -> CalloutParseError {
    CalloutParseError::BadField {
        field,
        reason: reason.to_owned(),
    }
}

#[cfg(test)]
mod tests;
