//! `/api/v1/tenants/{tenant_id}/autotask`: connect (PUT), status (GET), removal (DELETE) and
//! Retry Webhook Setup.

use std::time::Duration;

use actix::Addr;
use actix_web::{web, HttpResponse};
use chrono::Utc;
use psa_autotask::generate_secret;
use psa_proto::{HookToken, TenantId, WebhookState};
use rand::distributions::{Alphanumeric, DistString};
use serde::Deserialize;
use utoipa::ToSchema;

use super::auth::Admin;
use super::error::{ApiError, ErrorCode};
use super::object::Object;
use super::responses::{
    BadRequest, Conflict, InternalError, NotFound, PayloadTooLarge, Unavailable,
    UnsupportedMediaType,
};
use super::schema;
use super::status::ConnectionStatus;
use super::AdminState;
use crate::actors::{ConnectionActor, Removal, Remove, Setup, Start, UnreadableGone};
use crate::store::{ConnectionRecord, CredentialUpdate, Credentials, StoreError};

/// The Autotask API user's credentials. Lengths count characters of the value as sent;
/// surrounding spaces are dropped from all but `secret` before it is stored.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConnectRequest {
    /// The API user's email-style username (it must contain `@`).
    #[schema(max_length = 320, pattern = "@", example = "api-user@msp.example")]
    username: String,
    /// The API user's secret, stored sealed and never shown again.
    #[schema(min_length = 1, max_length = 1024, example = "example-secret-1")]
    secret: String,
    /// The API tracking identifier (integration code); not blank. The class is what Rust's
    /// `trim` drops, spelt out because regex engines disagree on `\s`.
    #[schema(
        max_length = 256,
        example = "EXAMPLEINTEGRATIONCODE1",
        pattern = r"[^\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]"
    )]
    integration_code: String,
    /// Where Autotask sends its own notices about the webhook (it must contain `@`); blank or
    /// null for none. A new address means a new webhook.
    #[serde(default)]
    #[schema(
        max_length = 320,
        pattern = r"^[\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$|@"
    )]
    notification_email: Option<String>,
    /// `false` stores the connection without setting up its webhook, as a connection that
    /// predates the webhook feature looks (it shows the blue banner). Default `true`.
    #[serde(default)]
    setup_webhook: Option<bool>,
}

impl std::fmt::Debug for ConnectRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectRequest")
            .field("username", &self.username)
            .field("secret", &"[redacted]")
            .field("integration_code", &"[redacted]")
            .field("notification_email", &self.notification_email)
            .field("setup_webhook", &self.setup_webhook)
            .finish()
    }
}

pub fn tenant_id(raw: &str) -> Result<TenantId, ApiError> {
    TenantId::parse(raw)
        .map_err(|e| ApiError::bad_request(ErrorCode::InvalidTenantId, format!("tenant_id: {e}")))
}

/// Creates or updates the tenant's Autotask connection and sets up its webhook.
///
/// Waits up to `admin.setup_wait_seconds` for the setup, then answers the current status
/// (`registering` while it goes on). The same PUT again on an active connection changes
/// nothing; a new secret or integration code is stored without touching the webhook; another
/// username or `notification_email` means a new webhook (the old one is deleted).
#[utoipa::path(
    put,
    path = "/api/v1/tenants/{tenant_id}/autotask",
    tag = "connection",
    params(("tenant_id" = schema::TenantId, Path)),
    request_body = ConnectRequest,
    responses(
        (status = 200, description = "The connection existed; its status", body = ConnectionStatus),
        (status = 201, description = "The connection was created; its status", body = ConnectionStatus),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 500, response = InternalError),
        (status = 503, response = Unavailable),
    )
)]
pub async fn put(
    _admin: Admin,
    state: web::Data<AdminState>,
    path: web::Path<String>,
    body: web::Json<Object<ConnectRequest>>,
) -> Result<HttpResponse, ApiError> {
    let tenant = tenant_id(&path)?;
    let Object(request) = body.into_inner();
    validate(&request)?;
    let credentials = Credentials {
        username: request.username.trim().to_owned(),
        secret: request.secret,
        integration_code: request.integration_code.trim().to_owned(),
    };
    let email = request
        .notification_email
        .map(|e| e.trim().to_owned())
        .filter(|e| !e.is_empty());
    let setup = request.setup_webhook.unwrap_or(true);
    let existing = state.store.connection(&tenant).await?;
    let (created, needs_setup) = match existing {
        Some(old) if old.state == WebhookState::Removing => {
            return Err(ApiError::conflict(
                ErrorCode::ConnectionBeingRemoved,
                "the connection is being removed; repeat the PUT once the DELETE has answered",
            ))
        }
        Some(old) if old.state != WebhookState::Orphaned => {
            let needs_setup =
                update_existing(&state, &old, &credentials, email.as_deref(), setup).await?;
            (false, needs_setup)
        }
        orphan => {
            if orphan.is_some() && !state.store.delete_orphaned(&tenant).await? {
                return Err(ApiError::concurrent_change());
            }
            let record = new_record(tenant.clone(), credentials, email, setup)?;
            if !state.store.insert_connection(&record).await? {
                return Err(ApiError::concurrent_change());
            }
            state.routes.insert(&record);
            (true, setup)
        }
    };
    let actor = actor_for(&state, &tenant).await?;
    if needs_setup {
        run_setup(&actor, Setup::now(), state.setup_wait).await?;
    }
    let status = current_status(&state, &tenant).await?;
    Ok(if created {
        HttpResponse::Created().json(status)
    } else {
        HttpResponse::Ok().json(status)
    })
}

/// Applies a PUT to an existing connection; says whether it needs a setup now.
async fn update_existing(
    state: &AdminState,
    old: &ConnectionRecord,
    credentials: &Credentials,
    email: Option<&str>,
    setup: bool,
) -> Result<bool, ApiError> {
    let change = Change::between(old, credentials, email);
    let needs_setup = change.needs_setup(old.state, setup);
    if change.any() || needs_setup {
        // The old API user's webhook is deleted with its own credentials, durably: the new
        // user may not even see it (and then could not register beside it).
        let replaced = (change.username && old.webhook_id.is_some()).then_some(old);
        let update = CredentialUpdate {
            tenant: &old.tenant_id,
            expected_version: old.credentials_version,
            credentials,
            notification_email: email,
            setup_pending: needs_setup,
            replaced,
        };
        if !state.store.update_credentials(update).await? {
            return Err(ApiError::concurrent_change());
        }
    }
    Ok(needs_setup)
}

/// What a PUT changes on an existing connection.
#[derive(Debug, Clone, Copy)]
struct Change {
    /// Another API user: the webhook belongs to its user.
    username: bool,
    /// The notification address is part of the webhook.
    email: bool,
    /// A new secret or integration code: stored, the webhook stays.
    secret: bool,
}

impl Change {
    fn between(old: &ConnectionRecord, new: &Credentials, email: Option<&str>) -> Self {
        Self {
            username: old.credentials.username != new.username,
            email: old.notification_email.as_deref() != email,
            secret: old.credentials.secret != new.secret
                || old.credentials.integration_code != new.integration_code,
        }
    }

    fn any(self) -> bool {
        self.username || self.email || self.secret
    }

    /// `setup` is the request's `setup_webhook` (default true).
    fn needs_setup(self, state: WebhookState, setup: bool) -> bool {
        match state {
            WebhookState::Active => self.username || self.email,
            // Either a setup is running (then it may have read the old values, and a second
            // one after it costs a few calls) or the one asked for was lost (then nothing else
            // would ever pick it up before a restart).
            WebhookState::Registering => true,
            WebhookState::SetupIncomplete | WebhookState::NotConfigured => setup,
            WebhookState::Failed | WebhookState::Deactivated => setup || self.any(),
            WebhookState::Removing | WebhookState::Orphaned => false,
        }
    }
}

/// The connection's status: webhook state, banner, last error with its fix.
#[utoipa::path(
    get,
    path = "/api/v1/tenants/{tenant_id}/autotask",
    tag = "connection",
    params(("tenant_id" = schema::TenantId, Path)),
    responses(
        (status = 200, description = "The connection's status", body = ConnectionStatus),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 500, response = InternalError),
    )
)]
pub async fn get(
    _admin: Admin,
    state: web::Data<AdminState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let tenant = tenant_id(&path)?;
    Ok(HttpResponse::Ok().json(current_status(&state, &tenant).await?))
}

/// Retry Webhook Setup: registers the webhook again (leftovers of ours are deleted first).
#[utoipa::path(
    post,
    path = "/api/v1/tenants/{tenant_id}/autotask/webhook/retry",
    tag = "connection",
    params(("tenant_id" = schema::TenantId, Path)),
    responses(
        (status = 200, description = "The connection's status after the setup (or while it runs)", body = ConnectionStatus),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 500, response = InternalError),
        (status = 503, response = Unavailable),
    )
)]
pub async fn retry(
    _admin: Admin,
    state: web::Data<AdminState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let tenant = tenant_id(&path)?;
    let record = stored(&state, &tenant).await?;
    if matches!(
        record.state,
        WebhookState::Removing | WebhookState::Orphaned
    ) {
        return Err(ApiError::conflict(
            ErrorCode::ConnectionRemoved,
            format!(
                "the connection is {}; connect it again with PUT first",
                record.state
            ),
        ));
    }
    let actor = actor_for(&state, &tenant).await?;
    run_setup(&actor, Setup::now(), state.setup_wait).await?;
    Ok(HttpResponse::Ok().json(current_status(&state, &tenant).await?))
}

/// Removes the webhook in Autotask, then the connection. Where Autotask refuses the stored
/// credentials the connection stays `orphaned` and `manual_cleanup` says what to delete by hand.
#[utoipa::path(
    delete,
    path = "/api/v1/tenants/{tenant_id}/autotask",
    tag = "connection",
    params(("tenant_id" = schema::TenantId, Path)),
    responses(
        (status = 200, description = "What the removal achieved", body = Removal),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 500, response = InternalError),
        (status = 503, response = Unavailable),
    )
)]
pub async fn delete(
    _admin: Admin,
    state: web::Data<AdminState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let tenant = tenant_id(&path)?;
    match state.store.connection(&tenant).await {
        Ok(Some(_)) => {}
        Ok(None) => return Err(no_connection(&tenant)),
        Err(StoreError::Sealed(_)) => return delete_unreadable(&state, &tenant).await,
        Err(error) => return Err(error.into()),
    }
    let actor = actor_for(&state, &tenant).await?;
    // Spawned, so the removal finishes even if the caller hangs up.
    let removal = actix_web::rt::spawn(actor.send(Remove))
        .await
        .map_err(|_| ApiError::unavailable("the removal was interrupted; repeat the DELETE"))???;
    let removal = removal.ok_or_else(|| no_connection(&tenant))?;
    Ok(HttpResponse::Ok().json(removal))
}

/// A connection whose credentials cannot be opened cannot call its PSA: it is deleted, and the
/// answer says what to delete by hand.
async fn delete_unreadable(
    state: &AdminState,
    tenant: &TenantId,
) -> Result<HttpResponse, ApiError> {
    let (webhook, token) = state
        .store
        .delete_unreadable(tenant)
        .await?
        .ok_or_else(|| no_connection(tenant))?;
    state.routes.remove(&token);
    state.registry.do_send(UnreadableGone {
        tenant: tenant.clone(),
    });
    let manual = format!(
        "The stored credentials could not be read, so psa-hub could not delete the webhook \
         itself. {}",
        state.webhook.manual_cleanup_of(webhook, &token)
    );
    Ok(HttpResponse::Ok().json(Removal {
        webhook_removed: false,
        manual_cleanup: Some(manual),
        retained: false,
    }))
}

pub(super) async fn current_status(
    state: &AdminState,
    tenant: &TenantId,
) -> Result<ConnectionStatus, ApiError> {
    let record = stored(state, tenant).await?;
    let cleanups = state.store.cleanups(tenant).await?;
    Ok(ConnectionStatus::of(&record, &state.webhook, &cleanups))
}

/// The tenant's stored connection, or the 404 that says how to create one.
async fn stored(state: &AdminState, tenant: &TenantId) -> Result<ConnectionRecord, ApiError> {
    state
        .store
        .connection(tenant)
        .await?
        .ok_or_else(|| no_connection(tenant))
}

/// The tenant's connection actor, started if it is not running. It is told what to do next,
/// so it does not resume work by itself (that is for hub start and restarts after a crash).
async fn actor_for(
    state: &AdminState,
    tenant: &TenantId,
) -> Result<Addr<ConnectionActor>, ApiError> {
    let start = Start {
        tenant: tenant.clone(),
        resume: false,
    };
    Ok(state.registry.send(start).await?)
}

/// Waits for setup up to `wait`; after that the answer shows `registering` and setup goes on.
async fn run_setup(
    actor: &Addr<ConnectionActor>,
    setup: Setup,
    wait: Duration,
) -> Result<(), ApiError> {
    // Spawned: when the wait ends first, the queued setup must still run (dropping the
    // request would make actix discard it).
    let pending = actix_web::rt::spawn(actor.send(setup));
    match tokio::time::timeout(wait, pending).await {
        Ok(Ok(result)) => Ok(result??),
        Ok(Err(_)) => Err(ApiError::unavailable(
            "the setup was interrupted; call Retry",
        )),
        Err(_) => Ok(()),
    }
}

fn no_connection(tenant: &TenantId) -> ApiError {
    ApiError::not_found(
        ErrorCode::ConnectionNotFound,
        format!("tenant {tenant} has no Autotask connection; create it with PUT"),
    )
}

fn new_record(
    tenant: TenantId,
    credentials: Credentials,
    email: Option<String>,
    setup: bool,
) -> Result<ConnectionRecord, ApiError> {
    let token = Alphanumeric.sample_string(&mut rand::thread_rng(), 32);
    let hook_token = HookToken::parse(token).map_err(|e| ApiError::internal(&e))?;
    let now = Utc::now();
    Ok(ConnectionRecord {
        tenant_id: tenant,
        credentials,
        notification_email: email,
        hook_token,
        webhook_secret: generate_secret(),
        state: if setup {
            WebhookState::Registering
        } else {
            WebhookState::SetupIncomplete
        },
        webhook_id: None,
        webhook_guid: None,
        zone: None,
        last_error: None,
        last_delivery_at: None,
        created_at: now,
        updated_at: now,
        credentials_version: 0,
        failing_since: None,
        last_check_at: None,
        last_repair: None,
    })
}

/// Every problem at once, so a caller fixes the request in one go. Lengths are counted in
/// characters of the value as sent, as the OpenAPI document's `maxLength` counts them.
fn validate(request: &ConnectRequest) -> Result<(), ApiError> {
    let mut problems = Vec::new();
    for (field, value, max) in [
        ("username", request.username.as_str(), 320),
        ("secret", request.secret.as_str(), 1024),
        ("integration_code", request.integration_code.as_str(), 256),
    ] {
        // A secret may begin or end with a space; the other fields are trimmed when stored.
        let blank = if field == "secret" {
            value.is_empty()
        } else {
            value.trim().is_empty()
        };
        if blank {
            problems.push(format!("{field} must not be empty"));
        } else if value.chars().count() > max {
            problems.push(format!("{field} must be at most {max} characters"));
        }
    }
    if !request.username.contains('@') && !request.username.trim().is_empty() {
        problems.push("username must be the API user's email-style username (user@domain)".into());
    }
    if let Some(email) = request.notification_email.as_deref() {
        let blank = email.trim().is_empty();
        if email.chars().count() > 320 || (!blank && !email.contains('@')) {
            problems.push("notification_email must be an email address".into());
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(ApiError::bad_request(
            ErrorCode::InvalidConnection,
            problems.join("; "),
        ))
    }
}
