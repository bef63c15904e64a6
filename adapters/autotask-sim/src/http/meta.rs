//! Zone discovery, threshold information and entityInformation metadata.

use super::reply::Reply;
use super::route::Entity;
use super::Ctx;
use crate::shared::Shared;
use crate::store::catalog;
use serde_json::{json, Value};
use std::collections::HashMap;

/// `zoneInformation?user=`: no auth; an unknown user gets nulls, not an error (reference §1.2).
pub fn zone(shared: &Shared, query: &str) -> Reply {
    let params = actix_web::web::Query::<HashMap<String, String>>::from_query(query)
        .map(|q| q.into_inner())
        .unwrap_or_default();
    let Some(user) = params
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("user"))
        .map(|(_, v)| v)
    else {
        return Reply::error(400, "The user parameter is required.");
    };
    let store = shared.store.lock();
    match store.user(user) {
        Some(rec) => Reply::ok(json!({
            "zoneName": "Simulated Zone",
            "url": rec.user.zone_url.clone()
                .unwrap_or_else(|| format!("{}/ATServicesRest/", shared.base_url)),
            "webUrl": format!("{}/", shared.base_url),
            "ci": rec.db.0,
        })),
        None => Reply::ok(json!({"zoneName": null, "url": null, "webUrl": null, "ci": 0})),
    }
}

pub fn threshold(ctx: &Ctx) -> Reply {
    let cfg = &ctx.shared.config;
    let count = ctx
        .shared
        .threshold
        .count(ctx.user.db, cfg.threshold_window());
    Reply::ok(json!({
        "externalRequestThreshold": cfg.requests_per_hour,
        "requestThresholdTimeframe": 60,
        "currentTimeframeRequestCount": count,
    }))
}

/// `can*` say what the entity supports through the API at all; `userAccessFor*` say what this
/// API user's security level may do with it ("All" or "None" here; Autotask also knows
/// restricted levels).
pub fn entity_info(ctx: &Ctx, entity: Entity) -> Reply {
    let (name, allowed) = match entity {
        Entity::Webhooks => ("TicketWebhook", ctx.user.user.can_create_webhooks),
        Entity::WebhookFields => ("TicketWebhookField", ctx.user.user.can_create_webhooks),
        Entity::Tickets => ("Ticket", ctx.user.user.ticket_access),
        Entity::ErrorLogs => ("WebhookEventErrorLog", true),
    };
    let writable = entity != Entity::ErrorLogs;
    let access = |supported: bool| if supported && allowed { "All" } else { "None" };
    let deletable = writable && entity != Entity::Tickets;
    Reply::ok(json!({"info": {
        "name": name,
        "canCreate": writable,
        "canDelete": deletable,
        "canQuery": true,
        "canUpdate": writable,
        "userAccessForCreate": access(writable),
        "userAccessForDelete": access(deletable),
        "userAccessForQuery": access(true),
        "userAccessForUpdate": access(writable),
        "hasUserDefinedFields": false,
        "supportsWebhookCallouts": entity == Entity::Tickets,
    }}))
}

fn field_info(name: &str, data_type: &str, read_only: bool, picklist: Option<Vec<Value>>) -> Value {
    json!({
        "name": name,
        "dataType": data_type,
        "length": 0,
        "isRequired": !read_only,
        "isReadOnly": read_only,
        "isQueryable": true,
        "isReference": name == "webhookID",
        "referenceEntityType": if name == "webhookID" { "TicketWebhook" } else { "" },
        "isPickList": picklist.is_some(),
        "picklistValues": picklist,
        "picklistParentValueField": "",
        "isSupportedWebhookField": false,
    })
}

pub fn entity_fields(ctx: &Ctx, entity: Entity) -> Reply {
    let fields = match entity {
        Entity::WebhookFields => {
            let labels = ctx.shared.config.field_labels;
            let picklist = catalog::FIELDS
                .iter()
                .enumerate()
                .map(|(i, f)| {
                    json!({
                        "value": f.id.to_string(),
                        "label": f.label_for(labels),
                        "isDefaultValue": false,
                        "sortOrder": i,
                        "parentValue": "",
                        "isActive": true,
                        "isSystem": true,
                    })
                })
                .collect();
            vec![
                field_info("id", "long", true, None),
                field_info("webhookID", "integer", false, None),
                field_info("fieldID", "integer", false, Some(picklist)),
                field_info("isSubscribedField", "boolean", false, None),
                field_info("isDisplayAlwaysField", "boolean", false, None),
            ]
        }
        Entity::Tickets => catalog::FIELDS
            .iter()
            .map(|f| {
                let mut v = field_info(f.rest_name, "string", false, None);
                v["isSupportedWebhookField"] = Value::Bool(true);
                v
            })
            .collect(),
        Entity::Webhooks | Entity::ErrorLogs => Vec::new(),
    };
    Reply::ok(json!({ "fields": fields }))
}
