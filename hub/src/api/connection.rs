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

use super::auth::Admin;
use super::error::ApiError;
use super::status::ConnectionStatus;
use super::AdminState;
use crate::actors::{manual_cleanup_text, ConnectionActor, Remove, Setup, Start};
use crate::store::{ConnectionRecord, CredentialUpdate, Credentials};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConnectRequest {
    username: String,
    secret: String,
    integration_code: String,
    #[serde(default)]
    notification_email: Option<String>,
    /// `false` stores the connection without setting up its webhook, as a connection that
    /// predates the webhook feature looks (it shows the blue banner).
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
        .map_err(|e| ApiError::bad_request("invalid_tenant_id", format!("tenant_id: {e}")))
}

pub async fn put(
    _admin: Admin,
    state: web::Data<AdminState>,
    path: web::Path<String>,
    body: web::Json<ConnectRequest>,
) -> Result<HttpResponse, ApiError> {
    let tenant = tenant_id(&path)?;
    let request = body.into_inner();
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
                "connection_being_removed",
                "the connection is being removed; repeat the PUT once the DELETE has answered",
            ))
        }
        Some(old) if old.state != WebhookState::Orphaned => {
            let change = Change::between(&old, &credentials, email.as_deref());
            let needs_setup = change.needs_setup(old.state, setup);
            if change.any() || needs_setup {
                // The old API user's webhook is deleted with its own credentials, durably: the
                // new user may not even see it (and then could not register beside it).
                let replaced = (change.username && old.webhook_id.is_some()).then_some(&old);
                let update = CredentialUpdate {
                    tenant: &tenant,
                    expected_version: old.credentials_version,
                    credentials: &credentials,
                    notification_email: email.as_deref(),
                    setup_pending: needs_setup,
                    replaced,
                };
                if !state.store.update_credentials(update).await? {
                    return Err(concurrent_change());
                }
            }
            (false, needs_setup)
        }
        orphan => {
            if orphan.is_some() && !state.store.delete_orphaned(&tenant).await? {
                return Err(concurrent_change());
            }
            let record = new_record(tenant.clone(), credentials, email, setup)?;
            if !state.store.insert_connection(&record).await? {
                return Err(concurrent_change());
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

fn concurrent_change() -> ApiError {
    ApiError::conflict(
        "concurrent_change",
        "another request changed this connection at the same time; repeat the request",
    )
}

pub async fn get(
    _admin: Admin,
    state: web::Data<AdminState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let tenant = tenant_id(&path)?;
    Ok(HttpResponse::Ok().json(current_status(&state, &tenant).await?))
}

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
            "connection_removed",
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

pub async fn delete(
    _admin: Admin,
    state: web::Data<AdminState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let tenant = tenant_id(&path)?;
    stored(&state, &tenant).await?;
    let actor = actor_for(&state, &tenant).await?;
    // Spawned, so the removal finishes even if the caller hangs up.
    let removal = actix_web::rt::spawn(actor.send(Remove))
        .await
        .map_err(|_| ApiError::unavailable("the removal was interrupted; repeat the DELETE"))???;
    let removal = removal.ok_or_else(|| no_connection(&tenant))?;
    Ok(HttpResponse::Ok().json(removal))
}

pub(super) async fn current_status(
    state: &AdminState,
    tenant: &TenantId,
) -> Result<ConnectionStatus, ApiError> {
    let record = stored(state, tenant).await?;
    let cleanups = state.store.cleanups(tenant).await?;
    Ok(ConnectionStatus::of(
        &record,
        &state.webhook,
        &cleanups,
        |cleanup| {
            manual_cleanup_text(
                &state.webhook.name,
                Some(cleanup.webhook_id),
                cleanup.hook_token.as_str(),
            )
        },
    ))
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
        "connection_not_found",
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
    let hook_token = HookToken::parse(token)
        .map_err(|e| ApiError::bad_request("internal_token", e.to_string()))?;
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

/// Every problem at once, so a caller fixes the request in one go.
fn validate(request: &ConnectRequest) -> Result<(), ApiError> {
    let mut problems = Vec::new();
    for (field, value, max) in [
        ("username", request.username.trim(), 320),
        ("secret", request.secret.as_str(), 1024),
        ("integration_code", request.integration_code.trim(), 256),
    ] {
        if value.is_empty() {
            problems.push(format!("{field} must not be empty"));
        } else if value.len() > max {
            problems.push(format!("{field} must be at most {max} characters"));
        }
    }
    if !request.username.trim().contains('@') && !request.username.trim().is_empty() {
        problems.push("username must be the API user's email-style username (user@domain)".into());
    }
    if let Some(email) = request.notification_email.as_deref().map(str::trim) {
        if !email.is_empty() && (!email.contains('@') || email.len() > 320) {
            problems.push("notification_email must be an email address".into());
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(ApiError::bad_request(
            "invalid_connection",
            problems.join("; "),
        ))
    }
}
