//! A faithful simulator of the Autotask PSA REST API and its ticket webhook callouts.
//!
//! It follows the Autotask reference (`shared/reference/autotask-api.md`, sections 1-7), not any client's
//! expectations. Tests spawn it with [`Simulator::spawn`] on `127.0.0.1:0`.
//!
//! Every REST request is logged when it arrives ([`LoggedRequest::status`] stays `None` until
//! the answer is ready) and is processed to the end even if the client hangs up, as on a real
//! server. [`Simulator::held`] counts requests waiting out an injected `Latency` with their thread
//! slot taken, so tests synchronize on facts, never on sleeps. The `Simulator::*_silently`
//! methods change a webhook as an administrator would in Autotask's UI while the deactivation
//! call gets lost, for tests of self-healing; `Simulator::webhooks` shows each webhook's last
//! `sequence`, which moves as soon as a ticket change queues a callout.
//!
//! # Uncertain facts, as [`SimConfig`] settings
//! The reference marks these as inferred or unknown; each is configurable:
//! - `wire_body` (default `Escaped`): whether the wire bytes carry the .NET escapes; the
//!   signature is always over the escaped form (§4.4).
//! - `numbers_as_strings` (default false): integer `Fields` values typed or as strings (§4.2).
//! - `field_labels` (default `DisplayLabels`): `fieldID` picklist labels (§3.1, open question 8).
//! - `delete_missing` (default 500 "No matching records found"): deleting a missing webhook (§2.1).
//! - `echo_secret_key` (default false): whether GET returns `secretKey` (§2.4).
//! - `get_missing_as_null_item` (default true): GET of a missing id gives 200 `{"item":null}`.
//! - `other_users_webhooks_visible` (default true): whether an API user sees webhooks owned by
//!   other resources is undocumented. When false, queries, counts, GET, PATCH, DELETE and the
//!   Fields routes act as if those did not exist; the duplicate rule still counts them (§5.4).
//! - `echo_request_in_errors` (default false): whether an Autotask error can echo request
//!   fields is unknown. When true, the 401 of a failed authentication and every 5xx the
//!   simulator produces itself (not injected ones) answer `{"Message":"An error has
//!   occurred.","ExceptionMessage":"Request: ApiIntegrationCode=.. UserName=.. Secret=..
//!   <METHOD> <path> failed: <usual text> Body=<request body>","ExceptionType":
//!   "System.Exception"}`, ASP.NET Web API's unhandled-exception shape, with no `errors` key.
//! - `threshold_status` (default 429): thread-limit rejections are "not always 429" (§6.1).
//! - `webhook_limit_error`, `cannot_create_error` (+ `cannot_create_status`, default 403),
//!   `duplicate_error`: no verified texts exist (§6.1).
//! - `ApiUser::zone_url` (default None, the simulator itself): the zone a user's database
//!   lives in; any other URL plays a database moved to another zone, or a wrong base (§1.2).
//! - `technician_resource_id` (default 29682885): `PersonID` of Rust-side ticket changes.
//!
//! Further inferred behaviour, fixed in code: `Guid` is the webhook's `webhookGUID`;
//! `SequenceNumber` counts per webhook from 1; `Fields` keys are PascalCase REST names with
//! cleared values as `null`; `PersonID` is spelled with a capital D; `isReady` needs a
//! *subscribed* field; the deactivationUrl body `{"Action":"Deactivated","Guid","Id","EntityType"}`
//! is our invention (the real one is undocumented, §5.3) and is sent unsigned, on delete, on a
//! PATCH to `isActive:false`, and on auto-disable; queued events of a deleted or inactive
//! webhook are dropped.

mod callout;
mod config;
mod escape;
mod faults;
mod filter;
mod held;
mod http;
mod ids;
mod limits;
mod log;
mod shared;
mod sim;
mod store;
mod user;

pub use config::{DeleteMissing, FieldLabels, SimConfig, WireBody};
pub use escape::{dotnet_escaped_json, sign};
pub use faults::{Fault, FaultKind, Gate};
pub use ids::{DatabaseId, TicketId, WebhookId};
pub use log::{Delivery, DeliveryOutcome, LoggedRequest, Op};
pub use sim::Simulator;
pub use user::ApiUser;
