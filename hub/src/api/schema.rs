//! OpenAPI schemas of the shared `psa-proto` types the admin API shows. utoipa cannot derive
//! them there (psa-proto stays free of documentation dependencies), so they are described here,
//! enum values taken from the types themselves so the document cannot drift from them.

use std::borrow::Cow;

use psa_proto::{Drift, WebhookState};
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::RefOr;
use utoipa::{PartialSchema, ToSchema};

/// The id charset of `psa_proto::ids` (letters, digits, `.`, `_`, `-`, 1 to 128 characters),
/// without `.` and `..`, which URLs would treat as path segments.
pub const ID_PATTERN: &str = r"^(?!\.\.?$)[A-Za-z0-9._-]{1,128}$";

fn id_schema(what: &str, example: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .examples([example])
        .description(Some(format!(
            "{what}: 1 to 128 letters, digits, `.`, `_` or `-`; not `.` or `..`"
        )))
        .min_length(Some(1))
        .max_length(Some(128))
        .pattern(Some(ID_PATTERN))
        .into()
}

fn string_enum(description: &str, values: impl IntoIterator<Item = &'static str>) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
        .enum_values(Some(values))
        .into()
}

/// `psa_proto::TenantId`.
#[derive(Debug)]
pub struct TenantId;

impl PartialSchema for TenantId {
    fn schema() -> RefOr<Schema> {
        id_schema("A tenant (MSP) of the alerting product", "demo-msp")
    }
}

impl ToSchema for TenantId {
    fn name() -> Cow<'static, str> {
        "TenantId".into()
    }
}

/// `psa_proto::EventId`.
#[derive(Debug)]
pub struct EventId;

impl PartialSchema for EventId {
    fn schema() -> RefOr<Schema> {
        id_schema("A security-alert event of the alerting product", "evt-1001")
    }
}

impl ToSchema for EventId {
    fn name() -> Cow<'static, str> {
        "EventId".into()
    }
}

/// The `after` cursor of a paged list: the last id of the previous page.
#[derive(Debug)]
pub struct PageAfter;

impl PartialSchema for PageAfter {
    fn schema() -> RefOr<Schema> {
        id_schema("The last id of the previous page", "demo-msp")
    }
}

impl ToSchema for PageAfter {
    fn name() -> Cow<'static, str> {
        "PageAfter".into()
    }
}

/// `psa_proto::WebhookState`.
#[derive(Debug)]
pub struct WebhookStateSchema;

impl PartialSchema for WebhookStateSchema {
    fn schema() -> RefOr<Schema> {
        string_enum(
            "Where the connection's webhook is in its lifecycle (see the README)",
            WebhookState::ALL.map(WebhookState::as_str),
        )
    }
}

impl ToSchema for WebhookStateSchema {
    fn name() -> Cow<'static, str> {
        "WebhookState".into()
    }
}

/// `psa_proto::Drift`.
#[derive(Debug)]
pub struct DriftSchema;

impl PartialSchema for DriftSchema {
    fn schema() -> RefOr<Schema> {
        string_enum(
            "One way the webhook in the PSA differed from what it should be",
            Drift::ALL.map(Drift::as_str),
        )
    }
}

impl ToSchema for DriftSchema {
    fn name() -> Cow<'static, str> {
        "Drift".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_enums_serialize_as_their_documented_values() {
        for state in WebhookState::ALL {
            assert_eq!(
                serde_json::to_value(state).ok(),
                Some(state.as_str().into())
            );
        }
        for drift in Drift::ALL {
            assert_eq!(
                serde_json::to_value(drift).ok(),
                Some(drift.as_str().into())
            );
        }
    }
}
