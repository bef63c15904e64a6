//! The HTTP face of the simulator: one catch-all service doing its own case-insensitive routing.

mod auth;
mod control;
mod fields;
mod incoming;
mod meta;
mod pipeline;
mod query;
mod reply;
mod route;
mod tickets;
mod verbose;
mod webhooks;

use crate::shared::Shared;
use crate::store::webhook::Webhook;
use crate::store::{Database, UserRecord};
use actix_web::dev::Server;
use actix_web::{web, App, HttpServer};
use std::net::TcpListener;
use std::sync::Arc;

/// What an authenticated handler gets.
pub struct Ctx<'a> {
    pub shared: &'a Shared,
    pub user: UserRecord,
    pub query_string: &'a str,
}

impl Ctx<'_> {
    /// Whether this user may see a webhook: its own always, others' unless configured hidden.
    pub fn sees(&self, w: &Webhook) -> bool {
        self.shared.config.other_users_webhooks_visible
            || w.owner_resource_id == self.user.user.resource_id
    }

    /// A webhook of `db` by id, if it exists and this user may see it.
    pub fn visible<'d>(&self, db: &'d Database, id: i64) -> Option<&'d Webhook> {
        db.webhooks.get(&id).filter(|w| self.sees(w))
    }
}

/// Builds the actix server on an already bound listener; the caller drives the future.
pub fn server(listener: TcpListener, shared: Arc<Shared>) -> std::io::Result<Server> {
    let data = web::Data::from(shared);
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .app_data(web::PayloadConfig::new(4 * 1024 * 1024))
            .default_service(web::to(pipeline::entry))
    })
    .workers(2)
    // A client that hangs up loses its connection at once, as on IIS; the work it started
    // still completes (see `pipeline::entry`).
    .h1_allow_half_closed(false)
    .disable_signals()
    .listen(listener)?
    .run();
    Ok(server)
}
