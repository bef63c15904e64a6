//! The HTTP face of the simulator: one catch-all service doing its own case-insensitive routing.

mod auth;
mod boards;
mod callbacks;
mod control;
mod dispatch;
mod incoming;
mod listing;
mod notes;
mod patch;
mod pipeline;
mod reply;
mod route;
mod site;
mod tickets;

use crate::ids::CompanyId;
use crate::member::ApiMember;
use crate::shared::Shared;
use actix_web::dev::Server;
use actix_web::{web, App, HttpServer};
use reply::Reply;
use std::net::TcpListener;
use std::sync::Arc;

/// What an authenticated handler gets.
pub struct Ctx<'a> {
    pub shared: &'a Shared,
    pub company: CompanyId,
    pub member: ApiMember,
    pub path: &'a str,
    pub query: &'a str,
}

impl Ctx<'_> {
    /// 403 naming the missing right unless `has` holds.
    pub fn need(&self, has: bool, permission: &str) -> Result<(), Reply> {
        if has {
            Ok(())
        } else {
            Err(Reply::spec(&self.shared.config.forbidden, permission))
        }
    }

    pub fn need_callbacks(&self) -> Result<(), Reply> {
        let cfg = &self.shared.config;
        self.need(self.member.can_manage_callbacks, &cfg.callbacks_permission)
    }

    pub fn need_ticket_read(&self) -> Result<(), Reply> {
        let cfg = &self.shared.config;
        self.need(self.member.can_read_tickets, &cfg.tickets_permission)
    }

    pub fn need_ticket_edit(&self) -> Result<(), Reply> {
        let cfg = &self.shared.config;
        self.need(
            self.member.can_read_tickets && self.member.can_edit_tickets,
            &cfg.tickets_permission,
        )
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
    // A client that hangs up loses its connection at once; the work it started still
    // completes (see `pipeline::entry`).
    .h1_allow_half_closed(false)
    .disable_signals()
    .listen(listener)?
    .run();
    Ok(server)
}
