//! Routes outside the versioned API: company info and key URLs (no authentication), and
//! `/system/info`, the cheapest authenticated call.

use super::reply::Reply;
use super::Ctx;
use crate::ids::CompanyId;
use crate::settings::UnknownCompany;
use crate::shared::Shared;
use serde_json::{json, Value};

/// `GET /login/companyinfo/{companyId}` (reference §1).
pub fn company_info(shared: &Shared, id: &str) -> Reply {
    let cfg = &shared.config;
    let store = shared.store.lock();
    let Some(c) = store.company(&CompanyId::new(id)) else {
        return match cfg.unknown_company {
            UnknownCompany::NullBody => Reply::ok(Value::Null),
            UnknownCompany::NotFound => {
                Reply::error(404, "NotFound", format!("Company {id} not found"))
            }
        };
    };
    let is_cloud = if cfg.is_cloud_as_text {
        Value::from(if cfg.is_cloud { "True" } else { "False" })
    } else {
        Value::from(cfg.is_cloud)
    };
    Reply::ok(json!({
        "CompanyName": c.name,
        "Codebase": cfg.codebase,
        "VersionCode": cfg.version_code,
        "VersionNumber": cfg.version_number,
        "CompanyID": c.id.as_str(),
        "IsCloud": is_cloud,
    }))
}

/// `GET …/system/callbackkey/index.rails?companyName=…&id=…` → `{"signing_key": …}`.
pub fn callback_key(shared: &Shared, query: &str) -> Reply {
    let find = |name: &str| {
        url::form_urlencoded::parse(query.as_bytes())
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.into_owned())
    };
    let (Some(company), Some(id)) = (find("companyName"), find("id")) else {
        return Reply::bad_request("companyName and id are required.");
    };
    match shared.store.lock().served_key(&company, &id) {
        Some(key) => Reply::ok(json!({"signing_key": key})),
        None => Reply::error(404, "NotFound", "Callback key not found"),
    }
}

/// `GET /system/info`.
pub fn system_info(ctx: &Ctx) -> Reply {
    let cfg = &ctx.shared.config;
    Reply::ok(json!({
        "version": cfg.version_number,
        "isCloud": cfg.is_cloud,
        "serverTimeZone": "Eastern Standard Time",
        "cloudRegion": if cfg.is_cloud { "NA" } else { "" },
    }))
}
