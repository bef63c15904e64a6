//! Understanding a verified Autotask callout, defensively: key casing varies, numbers may come as
//! strings, cleared values may be null or empty (reference §4.2, §8).

use std::borrow::Cow;
use std::collections::HashMap;

use chrono::{DateTime, NaiveDateTime, Utc};
use psa_proto::{
    CalloutFormat, CalloutParseError, ChangeAction, FieldValue, SignatureForm, TicketChange,
    TicketId, Verified, VerifyError, WebhookGuid, WebhookSecret,
};
use serde_json::{Map, Value};

use crate::canonical::dotnet_canonical;
use crate::signature;

/// Autotask's callout format: HMAC-SHA1 signatures and the `Action`/`Guid`/`Fields` envelope.
#[derive(Debug, Clone, Copy, Default)]
pub struct AutotaskCallouts;

impl CalloutFormat for AutotaskCallouts {
    fn check_signature(
        &self,
        secret: &WebhookSecret,
        header: Option<&str>,
        body: &[u8],
    ) -> Result<SignatureForm, VerifyError> {
        signature::verify(secret, header, body)
    }

    fn parse(&self, callout: &Verified<'_>) -> Result<TicketChange, CalloutParseError> {
        parse_callout(callout.body())
    }

    /// The .NET-escaped canonical form: the signature accepts any body with the same one, so a
    /// replay with other whitespace or escapes must look the same to deduplication.
    fn dedupe_form<'a>(&self, body: &'a [u8]) -> Cow<'a, [u8]> {
        match dotnet_canonical(body) {
            Some(canonical) => Cow::Owned(canonical),
            None => Cow::Borrowed(body),
        }
    }
}

/// Autotask's deactivation notice: `{"Action":"Deactivated", ...}`, sent without a signature.
pub fn is_deactivation_notice(body: &[u8]) -> bool {
    serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|value| {
            value.as_object().and_then(|object| {
                object
                    .iter()
                    .find(|(key, _)| key.eq_ignore_ascii_case("action"))
                    .and_then(|(_, value)| {
                        value
                            .as_str()
                            .map(|s| s.eq_ignore_ascii_case("deactivated"))
                    })
            })
        })
        .unwrap_or(false)
}

/// An object's keys folded to lower case, so `PersonID`, `PersonId` and `personId` all match.
struct Folded<'a>(HashMap<String, &'a Value>);

impl<'a> Folded<'a> {
    fn new(map: &'a Map<String, Value>) -> Self {
        Self(
            map.iter()
                .map(|(k, v)| (k.to_ascii_lowercase(), v))
                .collect(),
        )
    }

    fn get(&self, names: &[&str]) -> Option<&'a Value> {
        names.iter().find_map(|name| self.0.get(*name).copied())
    }
}

fn parse_callout(body: &[u8]) -> Result<TicketChange, CalloutParseError> {
    let value: Value =
        serde_json::from_slice(body).map_err(|e| CalloutParseError::NotJson(e.to_string()))?;
    let object = value
        .as_object()
        .ok_or_else(|| CalloutParseError::NotJson("the top level is not an object".into()))?;
    let env = Folded::new(object);

    let action = parse_action(env.get(&["action"]))?;
    if let Some(entity) = env.get(&["entitytype"]).and_then(Value::as_str) {
        let entity = entity.trim().to_ascii_lowercase();
        if entity != "ticket" && entity != "tickets" {
            return Err(CalloutParseError::NotATicket(entity));
        }
    }
    let id = env
        .get(&["id"])
        .ok_or(CalloutParseError::MissingField("Id"))?;
    let ticket_id = as_int(id)
        .filter(|id| *id > 0)
        .map(TicketId)
        .ok_or_else(|| bad("Id", "not a positive integer"))?;
    let webhook_guid = env
        .get(&["guid"])
        .and_then(Value::as_str)
        .filter(|g| !g.trim().is_empty())
        .map(|g| WebhookGuid::new(g.trim()));
    let sequence_number = optional(env.get(&["sequencenumber"]), "SequenceNumber", as_int)?;
    let person_id = optional(env.get(&["personid"]), "PersonID", as_int)?;
    let event_time = optional(env.get(&["eventtime"]), "EventTime", as_time)?;

    let fields_map;
    let fields = match env.get(&["fields"]) {
        Some(Value::Object(map)) => Folded::new(map),
        Some(Value::Array(items)) => {
            // A `[{name, value}]` shape has been seen only in invented examples; accept it anyway.
            fields_map = name_value_pairs(items);
            Folded::new(&fields_map)
        }
        Some(Value::Null) | None => Folded(HashMap::new()),
        Some(_) => return Err(bad("Fields", "not an object")),
    };

    Ok(TicketChange {
        action,
        webhook_guid,
        ticket_id,
        sequence_number,
        event_time,
        person_id,
        ticket_number: fields
            .get(&["ticketnumber"])
            .and_then(Value::as_str)
            .map(str::to_owned),
        status: field(fields.get(&["status"]), "Status", as_int)?,
        completed_at: field(
            fields.get(&["completeddate", "completeddatetime"]),
            "CompletedDate",
            as_time,
        )?,
        resolution: match fields.get(&["resolution"]) {
            None => FieldValue::Absent,
            Some(Value::Null) => FieldValue::Cleared,
            Some(Value::String(text)) => FieldValue::Set(text.clone()),
            Some(other) => FieldValue::Set(other.to_string()),
        },
        ticket_created_at: field(
            fields.get(&["createdate", "ticketcreatedate", "createdatetime"]),
            "CreateDate",
            as_time,
        )?,
        // Autotask's callout carries the completion and its resolution (display fields).
        needs_lookup: false,
    })
}

fn bad(field: &'static str, reason: &str) -> CalloutParseError {
    CalloutParseError::BadField {
        field,
        reason: reason.to_owned(),
    }
}

fn parse_action(value: Option<&Value>) -> Result<ChangeAction, CalloutParseError> {
    let text = value
        .ok_or(CalloutParseError::MissingField("Action"))?
        .as_str()
        .ok_or_else(|| bad("Action", "not a string"))?;
    match text.trim().to_ascii_lowercase().as_str() {
        "create" => Ok(ChangeAction::Create),
        "update" => Ok(ChangeAction::Update),
        "delete" => Ok(ChangeAction::Delete),
        "deactivated" | "deactivate" => Ok(ChangeAction::Deactivated),
        _ => Err(bad(
            "Action",
            "expected Create, Update, Delete or Deactivated",
        )),
    }
}

/// Null, absent and empty strings are "no value" for envelope fields.
fn optional<T>(
    value: Option<&Value>,
    name: &'static str,
    convert: fn(&Value) -> Option<T>,
) -> Result<Option<T>, CalloutParseError> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(v) => convert(v)
            .map(Some)
            .ok_or_else(|| bad(name, "unreadable value")),
    }
}

fn field<T>(
    value: Option<&Value>,
    name: &'static str,
    convert: fn(&Value) -> Option<T>,
) -> Result<FieldValue<T>, CalloutParseError> {
    match value {
        None => Ok(FieldValue::Absent),
        Some(Value::Null) => Ok(FieldValue::Cleared),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(FieldValue::Cleared),
        Some(v) => convert(v)
            .map(FieldValue::Set)
            .ok_or_else(|| bad(name, "unreadable value")),
    }
}

/// Integers arrive as numbers or as strings ("5"); integral floats are accepted too.
fn as_int(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64().or_else(|| {
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && f.abs() < 9e15)
                .map(|f| f as i64)
        }),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// UTC datetimes, with or without the zone suffix and fractional seconds.
fn as_time(value: &Value) -> Option<DateTime<Utc>> {
    let text = value.as_str()?.trim();
    if let Ok(time) = DateTime::parse_from_rfc3339(text) {
        return Some(time.with_timezone(&Utc));
    }
    [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
    ]
    .iter()
    .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
    .map(|naive| naive.and_utc())
}

fn name_value_pairs(items: &[Value]) -> Map<String, Value> {
    items
        .iter()
        .filter_map(|item| {
            let pair = Folded::new(item.as_object()?);
            let name = pair.get(&["name", "fieldname"])?.as_str()?.to_owned();
            Some((name, pair.get(&["value"]).cloned().unwrap_or(Value::Null)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reference_completion_example() {
        let body = br#"{"Action":"Update","Guid":"D0046A73-76a0-41c4-a634-4b7fce7e43ec","EntityType":"Ticket","Id":351182,"Fields":{"CompletedDate":"2025-09-15T15:10:00Z","Status":5,"Resolution":"Replaced PSU \u0026 rebooted","CreateDate":"2025-09-14T08:02:11Z","TicketNumber":"T20250914.0007"},"EventTime":"2025-09-15T15:10:03Z","SequenceNumber":2,"PersonID":30691780}"#;
        let change = parse_callout(body).expect("parses");
        assert_eq!(change.action, ChangeAction::Update);
        assert_eq!(change.ticket_id, TicketId(351182));
        assert!(change.is_completion());
        assert_eq!(change.status, FieldValue::Set(5));
        assert_eq!(
            change.resolution.as_set().map(String::as_str),
            Some("Replaced PSU & rebooted")
        );
        assert_eq!(change.sequence_number, Some(2));
        assert_eq!(change.person_id, Some(30691780));
        assert_eq!(
            change.webhook_guid,
            Some(WebhookGuid::new("d0046a73-76a0-41c4-a634-4b7fce7e43ec"))
        );
        assert_eq!(change.ticket_number.as_deref(), Some("T20250914.0007"));
        assert!(change.ticket_created_at.as_set().is_some());
    }

    #[test]
    fn tolerates_casing_strings_and_missing_zones() {
        let body = br#"{"action":"update","entityType":"Tickets","id":"42","fields":{"completedDate":"2025-09-15T15:10:00.123","status":"5"},"PersonId":"7","sequenceNumber":"3"}"#;
        let change = parse_callout(body).expect("parses");
        assert_eq!(change.ticket_id, TicketId(42));
        assert_eq!(change.status, FieldValue::Set(5));
        assert_eq!(change.person_id, Some(7));
        assert_eq!(change.sequence_number, Some(3));
        assert!(change.is_completion());
    }

    #[test]
    fn reopen_and_delete_shapes() {
        let reopen = parse_callout(
            br#"{"Action":"Update","Id":1,"Fields":{"Status":8,"CompletedDate":null}}"#,
        )
        .expect("parses");
        assert!(reopen.is_reopening());
        let delete = parse_callout(br#"{"Action":"Delete","Id":1,"Fields":{}}"#).expect("parses");
        assert_eq!(delete.action, ChangeAction::Delete);
        let pairs = parse_callout(
            br#"{"Action":"Update","Id":1,"Fields":[{"Name":"CompletedDate","Value":"2025-01-01T00:00:00Z"}]}"#,
        )
        .expect("parses");
        assert!(pairs.is_completion());
    }

    #[test]
    fn refuses_what_it_cannot_understand() {
        assert!(matches!(
            parse_callout(b"not json"),
            Err(CalloutParseError::NotJson(_))
        ));
        assert!(matches!(
            parse_callout(b"[1]"),
            Err(CalloutParseError::NotJson(_))
        ));
        assert_eq!(
            parse_callout(br#"{"Action":"Update"}"#),
            Err(CalloutParseError::MissingField("Id"))
        );
        assert!(matches!(
            parse_callout(br#"{"Action":"Update","Id":-3}"#),
            Err(CalloutParseError::BadField { field: "Id", .. })
        ));
        assert!(matches!(
            parse_callout(br#"{"Action":"Update","Id":3,"EntityType":"Contact"}"#),
            Err(CalloutParseError::NotATicket(_))
        ));
        assert!(matches!(
            parse_callout(br#"{"Action":"Update","Id":3,"Fields":{"CompletedDate":"yesterday"}}"#),
            Err(CalloutParseError::BadField {
                field: "CompletedDate",
                ..
            })
        ));
    }

    #[test]
    fn re_encoded_bodies_share_one_dedupe_form() {
        let escaped = br#"{"Id":1,"Fields":{"Resolution":"A \u0026 B"}}"#;
        let spaced = br#"{ "Id": 1, "Fields": { "Resolution": "A & B" } }"#;
        let format = AutotaskCallouts;
        assert_eq!(format.dedupe_form(escaped), format.dedupe_form(spaced));
        let other = br#"{"Id":2,"Fields":{"Resolution":"A & B"}}"#;
        assert_ne!(format.dedupe_form(other), format.dedupe_form(spaced));
        assert_eq!(
            format.dedupe_form(b"{\"broken"),
            Cow::Borrowed(&b"{\"broken"[..])
        );
    }
}
