//! `/api/v1/tenants/{tenant_id}/{psa}`: connect (PUT), status (GET), removal (DELETE) and
//! Retry Webhook Setup, the same for every PSA; the PSA's provider reads the PUT body.

use std::time::Duration;

use actix::Addr;
use actix_web::{web, HttpResponse};
use chrono::Utc;
use psa_proto::{
    ConnectionInput, ConnectionRejected, HookToken, PsaName, TenantId, WebhookSecret, WebhookState,
};
use rand::distributions::{Alphanumeric, DistString};
use serde_json::{Map, Value};

use super::auth::Admin;
use super::error::{ApiError, ErrorCode};
use super::object::Members;
use super::responses::{
    BadRequest, Conflict, InternalError, NotFound, PayloadTooLarge, Unavailable,
    UnsupportedMediaType,
};
use super::schema;
use super::status::ConnectionStatus;
use super::AdminState;
use crate::actors::{ConnectionActor, Removal, Remove, Setup, Start, UnreadableGone};
use crate::psa::Psa;
use crate::store::{ConnectionKey, ConnectionRecord, CredentialUpdate, StoreError};

/// The PSA a concrete route serves (each concrete path serves one).
#[derive(Debug, Clone, Copy)]
pub struct RoutePsa(pub PsaName);

/// The hub's own field of every PUT body; the rest is the provider's.
const SETUP_WEBHOOK: &str = "setup_webhook";

pub fn tenant_id(raw: &str) -> Result<TenantId, ApiError> {
    TenantId::parse(raw)
        .map_err(|e| ApiError::bad_request(ErrorCode::InvalidTenantId, format!("tenant_id: {e}")))
}

/// Creates or updates the tenant's connection to the PSA and sets up its webhook.
///
/// Waits up to `admin.setup_wait_seconds` for the setup, then answers the current status
/// (`registering` while it goes on). The same PUT again on an active connection changes
/// nothing; new secrets are stored without touching the webhook; another webhook owner (another
/// API user, site or company) or `notification_email` means a new webhook (the old one is
/// deleted). The body is the PSA's own (see each PSA's path), plus `setup_webhook`: `false`
/// stores the connection without setting up its webhook (it shows the blue banner).
#[utoipa::path(
    put,
    path = "/api/v1/tenants/{tenant_id}/{psa}",
    tag = "connection",
    params(("tenant_id" = schema::TenantId, Path)),
    request_body(content = Object, description = "The PSA's connection fields"),
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
    route: web::Data<RoutePsa>,
    path: web::Path<String>,
    body: web::Json<Members>,
) -> Result<HttpResponse, ApiError> {
    let key = key_of(&route, &path)?;
    let psa = psa_of(&state, &key)?;
    let Members(mut body) = body.into_inner();
    let setup = take_setup_flag(&mut body)?;
    let input = psa.provider.parse_connection(&body).map_err(rejected)?;
    let existing = state.store.connection(&key).await?;
    let (created, needs_setup) = match existing {
        Some(old) if old.state == WebhookState::Removing => {
            return Err(ApiError::conflict(
                ErrorCode::ConnectionBeingRemoved,
                "the connection is being removed; repeat the PUT once the DELETE has answered",
            ))
        }
        Some(old) if old.state != WebhookState::Orphaned => {
            (false, update_existing(&state, &old, &input, setup).await?)
        }
        orphan => {
            if orphan.is_some() && !state.store.delete_orphaned(&key).await? {
                return Err(ApiError::concurrent_change());
            }
            let record = new_record(key.clone(), input, setup)?;
            if !state.store.insert_connection(&record).await? {
                return Err(ApiError::concurrent_change());
            }
            state.routes.insert(&record);
            (true, setup)
        }
    };
    let actor = actor_for(&state, &key).await?;
    if needs_setup {
        run_setup(&actor, Setup::now(), state.setup_wait).await?;
    }
    let status = current_status(&state, &key).await?;
    Ok(if created {
        HttpResponse::Created().json(status)
    } else {
        HttpResponse::Ok().json(status)
    })
}

/// Takes the hub's `setup_webhook` out of a PUT body (default `true`).
fn take_setup_flag(body: &mut Map<String, Value>) -> Result<bool, ApiError> {
    match body.remove(SETUP_WEBHOOK) {
        None | Some(Value::Null) => Ok(true),
        Some(Value::Bool(setup)) => Ok(setup),
        Some(_) => Err(ApiError::bad_request(
            ErrorCode::InvalidBody,
            "the JSON body is invalid: setup_webhook must be true, false or null",
        )),
    }
}

fn rejected(rejection: ConnectionRejected) -> ApiError {
    match rejection {
        ConnectionRejected::Body(message) => ApiError::bad_request(ErrorCode::InvalidBody, message),
        ConnectionRejected::Values(_) => {
            ApiError::bad_request(ErrorCode::InvalidConnection, rejection.to_string())
        }
    }
}

/// Applies a PUT to an existing connection; says whether it needs a setup now.
async fn update_existing(
    state: &AdminState,
    old: &ConnectionRecord,
    input: &ConnectionInput,
    setup: bool,
) -> Result<bool, ApiError> {
    let change = Change::between(old, input);
    let needs_setup = change.needs_setup(old.state, setup);
    if change.any() || needs_setup {
        // The old owner's webhook is deleted with its own credentials, durably: the new owner
        // may not even see it (and then could not register beside it).
        let replaced = (change.owner && old.webhook_id.is_some()).then_some(old);
        let update = CredentialUpdate {
            key: &old.key,
            expected_version: old.credentials_version,
            credentials: &input.credentials,
            owner: &input.owner,
            public: &input.public,
            notification_email: input.notification_email.as_deref(),
            setup_pending: needs_setup,
            replaced,
        };
        if !state.store.update_credentials(update).await? {
            return Err(ApiError::concurrent_change());
        }
        // Before the setup registers the new owner's webhook, whose callouts are checked
        // against it.
        state.routes.set_public(&old.hook_token, &input.public);
    }
    Ok(needs_setup)
}

/// What a PUT changes on an existing connection.
#[derive(Debug, Clone, Copy)]
struct Change {
    /// Another owner (API user, site or company): the webhook belongs to its owner.
    owner: bool,
    /// The notification address is part of the webhook.
    email: bool,
    /// New secrets (or another spelling of the same owner): stored, the webhook stays.
    secret: bool,
}

impl Change {
    fn between(old: &ConnectionRecord, new: &ConnectionInput) -> Self {
        Self {
            owner: old.owner != new.owner,
            email: old.notification_email != new.notification_email,
            secret: old.credentials != new.credentials || old.public != new.public,
        }
    }

    fn any(self) -> bool {
        self.owner || self.email || self.secret
    }

    /// `setup` is the request's `setup_webhook` (default true).
    fn needs_setup(self, state: WebhookState, setup: bool) -> bool {
        match state {
            WebhookState::Active => self.owner || self.email,
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
    path = "/api/v1/tenants/{tenant_id}/{psa}",
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
    route: web::Data<RoutePsa>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let key = key_of(&route, &path)?;
    Ok(HttpResponse::Ok().json(current_status(&state, &key).await?))
}

/// Retry Webhook Setup: registers the webhook again (leftovers of ours are deleted first).
#[utoipa::path(
    post,
    path = "/api/v1/tenants/{tenant_id}/{psa}/webhook/retry",
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
    route: web::Data<RoutePsa>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let key = key_of(&route, &path)?;
    let record = stored(&state, &key).await?;
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
    let actor = actor_for(&state, &key).await?;
    run_setup(&actor, Setup::now(), state.setup_wait).await?;
    Ok(HttpResponse::Ok().json(current_status(&state, &key).await?))
}

/// Removes the webhook in the PSA, then the connection. Where the PSA refuses the stored
/// credentials the connection stays `orphaned` and `manual_cleanup` says what to delete by hand.
#[utoipa::path(
    delete,
    path = "/api/v1/tenants/{tenant_id}/{psa}",
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
    route: web::Data<RoutePsa>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let key = key_of(&route, &path)?;
    match state.store.connection(&key).await {
        Ok(Some(_)) => {}
        Ok(None) => return Err(no_connection(&state, &key)),
        Err(StoreError::Sealed(_)) => return delete_unreadable(&state, &key).await,
        Err(error) => return Err(error.into()),
    }
    let actor = actor_for(&state, &key).await?;
    // Spawned, so the removal finishes even if the caller hangs up.
    let removal = actix_web::rt::spawn(actor.send(Remove))
        .await
        .map_err(|_| ApiError::unavailable("the removal was interrupted; repeat the DELETE"))???;
    let removal = removal.ok_or_else(|| no_connection(&state, &key))?;
    Ok(HttpResponse::Ok().json(removal))
}

/// A connection whose credentials cannot be opened cannot call its PSA: it is deleted, and the
/// answer says what to delete by hand.
async fn delete_unreadable(
    state: &AdminState,
    key: &ConnectionKey,
) -> Result<HttpResponse, ApiError> {
    let psa = psa_of(state, key)?;
    let (webhook, token) = state
        .store
        .delete_unreadable(key)
        .await?
        .ok_or_else(|| no_connection(state, key))?;
    state.routes.remove(&token);
    state.registry.do_send(UnreadableGone { key: key.clone() });
    let manual = format!(
        "The stored credentials could not be read, so psa-hub could not delete the webhook \
         itself. {}",
        state.psas.manual_cleanup(psa, webhook, &token)
    );
    Ok(HttpResponse::Ok().json(Removal {
        webhook_removed: false,
        manual_cleanup: Some(manual),
        retained: false,
    }))
}

pub(super) async fn current_status(
    state: &AdminState,
    key: &ConnectionKey,
) -> Result<ConnectionStatus, ApiError> {
    let psa = psa_of(state, key)?;
    let record = stored(state, key).await?;
    let cleanups = state.store.cleanups(key).await?;
    Ok(ConnectionStatus::of(&record, &state.psas, psa, &cleanups))
}

/// The stored connection, or the 404 that says how to create one.
async fn stored(state: &AdminState, key: &ConnectionKey) -> Result<ConnectionRecord, ApiError> {
    state
        .store
        .connection(key)
        .await?
        .ok_or_else(|| no_connection(state, key))
}

fn key_of(route: &RoutePsa, raw_tenant: &str) -> Result<ConnectionKey, ApiError> {
    Ok(ConnectionKey {
        tenant: tenant_id(raw_tenant)?,
        psa: route.0,
    })
}

/// Routes exist only for the hub's PSAs, so this fails only on a wiring mistake.
fn psa_of<'a>(state: &'a AdminState, key: &ConnectionKey) -> Result<&'a Psa, ApiError> {
    state.psas.get(key.psa).ok_or_else(|| {
        ApiError::internal(&format!(
            "no provider is wired for the route's PSA {}",
            key.psa
        ))
    })
}

/// The connection's actor, started if it is not running. It is told what to do next, so it
/// does not resume work by itself (that is for hub start and restarts after a crash).
async fn actor_for(
    state: &AdminState,
    key: &ConnectionKey,
) -> Result<Addr<ConnectionActor>, ApiError> {
    let start = Start {
        key: key.clone(),
        resume: false,
    };
    state
        .registry
        .send(start)
        .await?
        .ok_or_else(|| ApiError::unavailable("the connection's worker could not start; repeat"))
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

fn no_connection(state: &AdminState, key: &ConnectionKey) -> ApiError {
    let display = state
        .psas
        .get(key.psa)
        .map_or(key.psa.as_str(), |psa| psa.provider.display_name());
    ApiError::not_found(
        ErrorCode::ConnectionNotFound,
        format!(
            "tenant {} has no {display} connection; create it with PUT",
            key.tenant
        ),
    )
}

fn new_record(
    key: ConnectionKey,
    input: ConnectionInput,
    setup: bool,
) -> Result<ConnectionRecord, ApiError> {
    let mut rng = rand::thread_rng();
    let hook_token = HookToken::parse(Alphanumeric.sample_string(&mut rng, 32))
        .map_err(|e| ApiError::internal(&e))?;
    let webhook_secret = WebhookSecret::new(Alphanumeric.sample_string(&mut rng, 40));
    let now = Utc::now();
    Ok(ConnectionRecord {
        key,
        credentials: input.credentials,
        owner: input.owner,
        public: input.public,
        notification_email: input.notification_email,
        hook_token,
        webhook_secret,
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
