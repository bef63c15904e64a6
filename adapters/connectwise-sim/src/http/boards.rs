//! `/service/boards` and `/service/boards/{id}/statuses`: which statuses close a ticket.

use super::listing::{self, params};
use super::reply::Reply;
use super::Ctx;
use crate::store::catalog;

pub fn list(ctx: &Ctx) -> Result<Reply, Reply> {
    let boards = catalog::BOARDS.iter().map(|b| b.reference()).collect();
    let p = params(ctx.query, None)?;
    Ok(listing::page(ctx, boards, &p))
}

pub fn statuses(ctx: &Ctx, board: i64) -> Result<Reply, Reply> {
    if !catalog::BOARDS.iter().any(|b| b.id == board) {
        return Err(Reply::not_found("Board", board));
    }
    let statuses = catalog::statuses_of(board).map(|s| s.to_json()).collect();
    let p = params(ctx.query, None)?;
    Ok(listing::page(ctx, statuses, &p))
}
