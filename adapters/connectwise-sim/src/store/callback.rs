//! The callback entry record, its REST form and validation of create/replace bodies (reference §2).

use crate::json::{get_ci, FieldError};
use crate::store::catalog::as_int;
use serde_json::{json, Map, Value};
use std::time::Instant;

/// Callback types ConnectWise offers; only `ticket` callbacks ever fire here.
const TYPES: &[&str] = &[
    "activity",
    "agreement",
    "company",
    "configuration",
    "contact",
    "expense",
    "invoice",
    "member",
    "opportunity",
    "product",
    "project",
    "projectticket",
    "purchaseorder",
    "schedule",
    "ticket",
    "time",
];

const LEVEL_ERROR: &str =
    "Unrecognized level for type, see documentation for supported levels for each type";

/// The writable fields of a callback entry, validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallbackInput {
    pub description: Option<String>,
    pub url: String,
    pub object_id: i64,
    /// Lower-cased, as ConnectWise answers.
    pub kind: String,
    /// Lower-cased.
    pub level: String,
    pub payload_version: Option<String>,
    pub inactive: bool,
    pub soap: bool,
    pub self_suppressed: bool,
}

/// One stored callback entry.
#[derive(Clone, Debug)]
pub struct Callback {
    pub id: i64,
    pub input: CallbackInput,
    /// `memberId`: record id of the creating member (read-only).
    pub member_id: i64,
    /// Identifier of the creating member, for self-suppression.
    pub creator: String,
    pub connectwise_id: String,
    pub last_updated: String,
    pub updated_by: String,
    /// GUID of this entry's own signing key (per-callback keys).
    pub key_id: Option<String>,
    /// Stopped by failing deliveries, whether or not `inactiveFlag` shows it.
    pub disabled: bool,
    /// Start of the current run of failed messages.
    pub failing_since: Option<Instant>,
    /// Messages queued for this entry so far.
    pub queued: u64,
}

impl Callback {
    /// Whether ticket events can reach this entry at all.
    pub fn live(&self) -> bool {
        !self.input.inactive && !self.disabled
    }

    /// The REST representation.
    pub fn to_json(&self) -> Value {
        let i = &self.input;
        let mut v = json!({
            "id": self.id,
            "url": i.url,
            "objectId": i.object_id,
            "type": i.kind,
            "level": i.level,
            "memberId": self.member_id,
            "inactiveFlag": i.inactive,
            "isSoapCallbackFlag": i.soap,
            "isSelfSuppressedFlag": i.self_suppressed,
            "connectWiseID": self.connectwise_id,
            "_info": {"lastUpdated": self.last_updated, "updatedBy": self.updated_by},
        });
        if let Some(d) = &i.description {
            v["description"] = d.clone().into();
        }
        if let Some(p) = &i.payload_version {
            v["payloadVersion"] = p.clone().into();
        }
        v
    }
}

impl CallbackInput {
    /// Validates a create or replace body, collecting every field error as ConnectWise does.
    pub fn from_body(
        body: &Map<String, Value>,
        ticket_levels: &[String],
    ) -> Result<CallbackInput, Vec<FieldError>> {
        let mut errors = Vec::new();
        let description = text(body, "description", &mut errors);
        if description
            .as_ref()
            .is_some_and(|d| d.chars().count() > 100)
        {
            errors.push(FieldError::too_long("description", 100));
        }
        let url = text(body, "url", &mut errors).filter(|u| !u.trim().is_empty());
        match &url {
            None => errors.push(FieldError::required("url")),
            Some(u) if !valid_url(u) => errors.push(FieldError::invalid("url", "Invalid URL")),
            Some(_) => {}
        }
        let object_id = object_id(body, &mut errors);
        let kind = lower(text(body, "type", &mut errors));
        let level = lower(text(body, "level", &mut errors));
        check_type_and_level(
            kind.as_deref(),
            level.as_deref(),
            ticket_levels,
            &mut errors,
        );
        let payload_version = text(body, "payloadVersion", &mut errors);
        let inactive = flag(body, "inactiveFlag", &mut errors);
        let soap = flag(body, "isSoapCallbackFlag", &mut errors);
        let self_suppressed = flag(body, "isSelfSuppressedFlag", &mut errors);
        match (url, object_id, kind, level) {
            (Some(url), Some(object_id), Some(kind), Some(level)) if errors.is_empty() => {
                Ok(CallbackInput {
                    description,
                    url,
                    object_id,
                    kind,
                    level,
                    payload_version,
                    inactive,
                    soap,
                    self_suppressed,
                })
            }
            _ => Err(errors),
        }
    }
}

/// The required integer `objectId` (1 for level owner, else the board, status… id).
fn object_id(body: &Map<String, Value>, errors: &mut Vec<FieldError>) -> Option<i64> {
    match get_ci(body, "objectId") {
        None | Some(Value::Null) => {
            errors.push(FieldError::required("objectId"));
            None
        }
        Some(v) => as_int(v).or_else(|| {
            errors.push(FieldError::invalid(
                "objectId",
                "objectId must be an integer.",
            ));
            None
        }),
    }
}

fn check_type_and_level(
    kind: Option<&str>,
    level: Option<&str>,
    ticket_levels: &[String],
    errors: &mut Vec<FieldError>,
) {
    let Some(kind) = kind else {
        push_required(errors, "type");
        return;
    };
    if !TYPES.contains(&kind) {
        errors.push(FieldError::new(
            "InvalidObject",
            format!("Unrecognized type {kind}"),
            "type",
        ));
        return;
    }
    let Some(level) = level else {
        push_required(errors, "level");
        return;
    };
    let known = if kind == "ticket" {
        ticket_levels.iter().any(|l| l.eq_ignore_ascii_case(level))
    } else {
        level == "owner"
    };
    if !known {
        errors.push(FieldError::new("InvalidObject", LEVEL_ERROR, "level"));
    }
}

/// "Required" unless the field already has an error (e.g. it was not a string).
fn push_required(errors: &mut Vec<FieldError>, field: &str) {
    if !errors.iter().any(|e| e.field == field) {
        errors.push(FieldError::required(field));
    }
}

fn valid_url(u: &str) -> bool {
    url::Url::parse(u)
        .is_ok_and(|p| matches!(p.scheme(), "http" | "https") && p.host_str().is_some())
}

fn lower(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_ascii_lowercase())
        .filter(|s| !s.is_empty())
}

/// An optional string member; another JSON type is a field error.
fn text(body: &Map<String, Value>, key: &str, errors: &mut Vec<FieldError>) -> Option<String> {
    match get_ci(body, key) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            errors.push(FieldError::invalid(key, format!("{key} must be a string.")));
            None
        }
    }
}

/// An optional boolean member, false when absent.
fn flag(body: &Map<String, Value>, key: &str, errors: &mut Vec<FieldError>) -> bool {
    match get_ci(body, key) {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            errors.push(FieldError::invalid(
                key,
                format!("{key} must be a boolean."),
            ));
            false
        }
    }
}
