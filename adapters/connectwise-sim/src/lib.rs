//! A faithful simulator of the ConnectWise PSA (Manage) REST API and its signed ticket callbacks.
//!
//! It follows the ConnectWise reference (`shared/reference/connectwise-api.md`), not any
//! client's expectations. Tests spawn it with [`Simulator::spawn`] on `127.0.0.1:0`; its base
//! URL plays the tenant's "site": `GET /login/companyinfo/{companyId}` (no auth), the API under
//! `/{codebase}apis/3.0/...` (paths case-insensitive), and the key URLs of callback messages.
//!
//! Every request is logged when it arrives ([`LoggedRequest::status`] stays `None` until the
//! answer is ready) and is processed to the end even if the client hangs up, as on a real
//! server. [`Simulator::held`] counts requests waiting out an injected `Latency` or `Hold`, so
//! tests synchronize on facts, never on sleeps. [`CallbackSnapshot::queued`] moves while a
//! ticket change is saved, so a test sees at once that a change queued no message, and
//! [`Simulator::dropped_messages`] counts messages given up because their entry went away
//! (the marker that no more attempts will come). The
//! `Simulator::*_silently` methods change callback entries behind the client's back (as
//! ConnectWise never notifies anyone), for tests of self-healing.
//!
//! # What it models
//! - Authentication: `Authorization: Basic base64("{companyId}+{publicKey}:{privateKey}")` and
//!   a `clientId` header on every API call; the version `Accept` header is accepted whatever it
//!   says. API members ([`ApiMember`]) carry the rights that matter: manage callbacks, read and
//!   edit tickets, inactive. A missing right answers 403 naming it.
//! - Callback entries (`/system/callbacks`): list with `conditions`, `fields`, `page` and
//!   `pageSize` (25 by default, at most 1000, `Link` header to next/last), `/count`, create,
//!   get, PUT, JSON-patch PATCH, DELETE (204); field validation in ConnectWise's
//!   `InvalidObject` shape; the duplicate rule answering 400 `ObjectExists`.
//! - Service tickets and notes: list (e.g. `conditions=id in (1,2)&fields=id,closedFlag`),
//!   `/count`, `POST /search`, create (201), get, PATCH, PUT, DELETE; `/notes` list, get and
//!   add; `/service/boards` and their statuses (two boards, each with two closed statuses).
//!   Closing stamps `closedFlag`, `closedDate`, `closedBy`, `dateResolved`; reopening clears
//!   them. `initialDescription`/`initialInternalAnalysis`/`initialResolution` of a create body
//!   become the first notes.
//! - Callback messages: every live `ticket` entry whose level matches (owner: all; board,
//!   status, company: that id) gets one message per add, update and delete, rendered and
//!   signed when the change is saved: `x-content-signature` = base64(HMAC-SHA256(key =
//!   SHA-256 of the signing key's UTF-8 bytes, message = the raw body)). The key is served
//!   without auth at `Metadata.key_url`. Delivery: per-request timeout, retries only on the
//!   listed statuses after the listed delays, a callback disabled once it has failed for
//!   `disable_after`; all delays are multiplied by `time_scale`. Each attempt is recorded
//!   ([`Simulator::deliveries`]).
//! - A per-company rate limit: 429 with `Retry-After` (seconds) and the guide's body
//!   `{"error":"ConnectWiseAPI","message":"Too many requests. Please try again in N seconds."}`.
//! - Faults per [`Op`]: `Status`, `CreateThenFail`, `Latency`, `Hold(Gate)`, N times.
//! - `/_sim/...`: a small control API for the binary (create, close and reopen tickets, list
//!   callbacks and requests); not part of ConnectWise.
//!
//! # Uncertain facts, as [`SimConfig`] settings
//! The reference marks these as unverified, inferred or unknown; each is configurable:
//! - `codebase` (default `"v4_6_release/"`), `is_cloud` (false), `is_cloud_as_text` (true:
//!   `"IsCloud":"False"` as in the reference's example, else a JSON boolean). `v4_6_release`
//!   is always served too, as cloud serves it next to each release's codebase.
//! - `unknown_company` (default `NullBody`: 200 `null`; or 404 `NotFound`): company info of a
//!   company the site does not know.
//! - `client_ids` (default empty: any non-empty clientId), `missing_client_id` and
//!   `unknown_client_id` (default 400 `{"code":"InvalidClientId","message":"clientId is
//!   required."}` / `"clientId is invalid."`; the real answer is unverified, one integrator's
//!   guide reports a 400 mentioning clientId).
//! - `bad_credentials` (default 401 `{"code":"ConnectWiseApi","message":"UserNotAuthenticated"}`,
//!   as a PowerShell client reports; set `status` to 404 for what cloud may do).
//! - `forbidden` (default 403 `{"code":"Forbidden","message":"You do not have the security
//!   permissions needed for this request: {permission}."}`), with `callbacks_permission`
//!   (default `"System › Table Setup"`, a guess) and `tickets_permission` (default
//!   `"Service Desk › Service Tickets"`).
//! - `empty_errors` (default `Omitted`): AMP's recorded error bodies leave `errors` out, the
//!   guide's example has `"errors": null`.
//! - `create_status` (default 201; AMP mocks 200) of `POST /system/callbacks`.
//! - `duplicate_rule` (default type + level + objectId + url, url case-insensitive): which
//!   fields make an entry "matching"; add `Member` to let two members hold equal entries.
//! - `ticket_levels` (default owner, board, status; add `"company"` to accept it): the full
//!   list is unverified. Other types accept level `owner` only and never fire.
//! - `honour_self_suppression` (default true): `isSelfSuppressedFlag` hides events caused by
//!   the entry's creating member.
//! - `creator_must_read_tickets` (default false): whether an entry only fires while its creator
//!   is active and may read tickets.
//! - `url_form` (default `AppendId`: the record id appended to the URL text as it is, so
//!   `…?recordId=` ends `…?recordId=42`; or `AppendIdAndAction`, `QueryParameters`,
//!   `Unchanged`): "PSA appends the record id and action", exact form unknown.
//! - `entity` (default `Full`, the ticket as GET returns it; or `Summary`) and
//!   `entity_casing` (default camelCase; or PascalCase) of the `Entity` string.
//! - `signing_keys` (default `PerCallback`; or `PerCompany`, `PerMessage` for keys that rotate
//!   with every message) and `key_url_ttl` (default none; an expired key_url answers 404).
//! - `key_url_base` (default the site) and `from_url` (default `host:port`): the key_url host
//!   form for cloud (`na` vs `api-na`) is unverified.
//! - `callback_timeout` (5 s), `retry_statuses` (404, 409, 419, 429), `retry_delays` (2 s, 4 s),
//!   `disable_after` (3 days), `disable_sets_inactive_flag` (default true; when false a
//!   disabled entry keeps `inactiveFlag: false` and stays silent until saved again).
//! - `delivery_order` (default `PerCallback`: one message at a time per entry, in order, a
//!   failing one holding back the rest through its retries; or `Concurrent`): undocumented.
//! - `note_fires_ticket_update` (default false): whether adding a note fires `updated`.
//! - `return_initial_resolution` (default false): whether a ticket read carries
//!   `initialResolution` (the first resolution note's text).
//! - `requests_per_window` (default 1000) per `rate_window` (one minute): the guide only says
//!   integrations above about 1,000 requests a minute "will likely" be limited.
//! - `max_url_length` (default 2000): longer URLs answer 414, as AMP has seen.
//!
//! Further choices, fixed in code: `type` and `level` are stored lower-cased; a message's
//! `MemberId` is the identifier of the member whose change caused it (the `technician` setting
//! for Rust-side changes); `CallbackObjectRecId` is the entry's `id`; `ProductInstanceId` and
//! `PartnerId` are opaque per-company ids; `FromUrl` is a host without scheme; a message's
//! body and signature are fixed when the change is saved, while its URL is read afresh for
//! every attempt (a deleted or inactive entry drops its queued messages); timeouts and
//! connection errors are not retried; saving an entry (PUT or PATCH) lifts a silent
//! disabling; setting a ticket's `closedFlag` moves it to its board's `>Closed` status (true)
//! or first status (false); not-found bodies read `{"code":"NotFound","message":"Ticket 5 not
//! found"}`; unknown API paths answer 404 `{"code":"ConnectWiseApi","message":"The endpoint
//! does not exist."}` after authentication; malformed query or body answers 400
//! `{"code":"BadRequest",…}`.

mod callout;
mod conditions;
mod config;
mod faults;
mod held;
mod http;
mod ids;
mod json;
mod limits;
mod log;
mod member;
mod settings;
mod shared;
mod signing;
mod sim;
mod store;

pub use config::SimConfig;
pub use faults::{Fault, FaultKind, Gate};
pub use ids::{CallbackId, CompanyId, NoteId, TicketId};
pub use log::{Delivery, DeliveryOutcome, LoggedRequest, Op};
pub use member::ApiMember;
pub use settings::{
    CallbackUrlForm, DeliveryOrder, DuplicateRule, EmptyErrors, EntityCasing, EntityForm,
    ErrorSpec, MatchField, SigningKeys, UnknownCompany,
};
pub use signing::sign;
pub use sim::{CallbackSnapshot, NoteKind, Simulator};
