//! The ticket record and the rules a save applies: board and status references resolved,
//! closing and reopening stamped, read-only fields kept (reference §5).

use super::catalog::{self, Status};
use crate::json::FieldError;
use serde_json::{Map, Value};

/// One service ticket.
#[derive(Clone, Debug)]
pub struct Ticket {
    /// The REST form without `_info`; null members are left out, as ConnectWise does.
    pub fields: Map<String, Value>,
    pub date_entered: String,
    pub entered_by: String,
    pub last_updated: String,
    pub updated_by: String,
}

/// Keys the caller never sets: they are kept from before the save.
const READ_ONLY: &[&str] = &["id", "_info"];
/// Keys a save derives from the status.
const STAMPS: &[&str] = &["closedDate", "closedBy", "dateResolved", "resolvedBy"];

/// Lower-cases the first letter of top-level keys (ConnectWise binds members case-insensitively)
/// and drops nulls.
pub fn canonical(map: Map<String, Value>) -> Map<String, Value> {
    map.into_iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| {
            let mut c = k.chars();
            let key = match c.next() {
                Some(f) => f.to_ascii_lowercase().to_string() + c.as_str(),
                None => k,
            };
            (key, v)
        })
        .collect()
}

/// Applies the save rules to `t`; `before` is `None` for a new ticket.
pub fn settle(
    before: Option<&Map<String, Value>>,
    t: &mut Map<String, Value>,
    actor: &str,
    now: &str,
) -> Result<(), Vec<FieldError>> {
    for key in READ_ONLY.iter().chain(STAMPS) {
        t.remove(*key);
        if let Some(v) = before.and_then(|b| b.get(*key)) {
            t.insert(key.to_string(), v.clone());
        }
    }
    let mut errors = Vec::new();
    match t.get("summary").and_then(Value::as_str) {
        None => errors.push(FieldError::required("summary")),
        Some(s) if s.trim().is_empty() => errors.push(FieldError::required("summary")),
        Some(s) if s.chars().count() > 100 => errors.push(FieldError::too_long("summary", 100)),
        Some(_) => {}
    }
    let status = resolve_board_and_status(before, t, &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    if let Some(status) = status {
        stamp_closure(before, t, status, actor, now);
    }
    Ok(())
}

/// Sets `board` and `status` to full references; a board change without a status change
/// starts the ticket in the new board's default status.
fn resolve_board_and_status(
    before: Option<&Map<String, Value>>,
    t: &mut Map<String, Value>,
    errors: &mut Vec<FieldError>,
) -> Option<Status> {
    let board_ref = t.get("board").cloned().unwrap_or(Value::Null);
    let board = if board_ref.is_null() {
        catalog::BOARDS.first().copied()
    } else {
        catalog::board(&board_ref)
    };
    let Some(board) = board else {
        errors.push(FieldError::invalid("board", "Board not found."));
        return None;
    };
    t.insert("board".into(), board.reference());
    let old = |k: &str| before.and_then(|b| b.get(k)).cloned();
    let board_changed = old("board").is_some_and(|b| b != board.reference());
    let status_given = t
        .get("status")
        .filter(|s| Some(*s) != old("status").as_ref());
    let mut status = match (status_given, t.get("status")) {
        (Some(r), _) => catalog::status_on(board.id, r),
        (None, Some(_)) if board_changed => catalog::default_status(board.id),
        (None, Some(r)) => catalog::status_on(board.id, r),
        (None, None) => catalog::default_status(board.id),
    };
    let Some(found) = status else {
        errors.push(FieldError::invalid(
            "status",
            "Status is not valid for this board.",
        ));
        return None;
    };
    // Setting closedFlag itself moves the ticket to a matching status.
    let asked = t.get("closedFlag").and_then(Value::as_bool);
    let had = old("closedFlag").and_then(|v| v.as_bool()).unwrap_or(false);
    match asked {
        Some(true) if !had && !found.closed => status = catalog::closing_status(board.id),
        Some(false) if had && found.closed => status = catalog::default_status(board.id),
        _ => {}
    }
    let status = status?;
    t.insert("status".into(), status.reference());
    Some(status)
}

/// closedFlag follows the status; closing stamps who and when, reopening clears the stamps.
fn stamp_closure(
    before: Option<&Map<String, Value>>,
    t: &mut Map<String, Value>,
    status: Status,
    actor: &str,
    now: &str,
) {
    let was_closed = before
        .and_then(|b| b.get("closedFlag"))
        .and_then(Value::as_bool)
        .unwrap_or(false);
    t.insert("closedFlag".into(), status.closed.into());
    if status.closed && !was_closed {
        t.insert("closedDate".into(), now.into());
        t.insert("closedBy".into(), actor.into());
        t.insert("dateResolved".into(), now.into());
        t.insert("resolvedBy".into(), actor.into());
    } else if !status.closed && was_closed {
        for key in STAMPS {
            t.remove(*key);
        }
    }
}
