//! The fixed service boards and statuses every simulated company has, and the client company
//! tickets belong to unless a caller names another.

use serde_json::{json, Value};

/// A service board.
#[derive(Clone, Copy, Debug)]
pub struct Board {
    pub id: i64,
    pub name: &'static str,
}

/// A board status; `closed` is BoardStatus `closedStatus`.
#[derive(Clone, Copy, Debug)]
pub struct Status {
    pub id: i64,
    pub board_id: i64,
    pub name: &'static str,
    pub closed: bool,
    /// The status a new ticket on the board starts in.
    pub default: bool,
}

pub const BOARDS: &[Board] = &[
    Board {
        id: 1,
        name: "Help Desk",
    },
    Board {
        id: 2,
        name: "Security Alerts",
    },
];

const fn status(id: i64, board_id: i64, name: &'static str, closed: bool, default: bool) -> Status {
    Status {
        id,
        board_id,
        name,
        closed,
        default,
    }
}

/// Each board has its own status records, as in ConnectWise; two of them are closed statuses.
pub const STATUSES: &[Status] = &[
    status(1, 1, "New", false, true),
    status(2, 1, "In Progress", false, false),
    status(3, 1, "Waiting Customer", false, false),
    status(4, 1, "Completed", true, false),
    status(5, 1, ">Closed", true, false),
    status(11, 2, "New", false, true),
    status(12, 2, "Investigating", false, false),
    status(13, 2, "Waiting Customer", false, false),
    status(14, 2, "Resolved", true, false),
    status(15, 2, ">Closed", true, false),
];

/// The client company new tickets belong to unless the caller names one.
pub fn default_company() -> Value {
    json!({"id": 19298, "identifier": "ClientCo", "name": "Client Co"})
}

pub fn default_priority() -> Value {
    json!({"id": 4, "name": "Priority 3 - Normal Response", "sort": 6})
}

/// A board by reference `{"id": …}` or `{"name": …}`.
pub fn board(reference: &Value) -> Option<Board> {
    let id = reference.get("id").and_then(as_int);
    let name = reference.get("name").and_then(Value::as_str);
    BOARDS.iter().copied().find(|b| match (id, name) {
        (Some(id), _) => b.id == id,
        (None, Some(name)) => b.name.eq_ignore_ascii_case(name),
        _ => false,
    })
}

/// A status of `board_id` by reference `{"id": …}` or `{"name": …}`.
pub fn status_on(board_id: i64, reference: &Value) -> Option<Status> {
    let id = reference.get("id").and_then(as_int);
    let name = reference.get("name").and_then(Value::as_str);
    statuses_of(board_id).find(|s| match (id, name) {
        (Some(id), _) => s.id == id,
        (None, Some(name)) => s.name.eq_ignore_ascii_case(name),
        _ => false,
    })
}

pub fn statuses_of(board_id: i64) -> impl Iterator<Item = Status> {
    STATUSES
        .iter()
        .copied()
        .filter(move |s| s.board_id == board_id)
}

/// The status a new ticket starts in.
pub fn default_status(board_id: i64) -> Option<Status> {
    statuses_of(board_id).find(|s| s.default)
}

/// The status closing a ticket moves it to: the board's `>Closed`.
pub fn closing_status(board_id: i64) -> Option<Status> {
    statuses_of(board_id).filter(|s| s.closed).last()
}

/// Integers as JSON numbers or numeric strings, as ConnectWise's deserializer accepts.
pub fn as_int(v: &Value) -> Option<i64> {
    v.as_i64()
        .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
}

impl Board {
    pub fn reference(self) -> Value {
        json!({"id": self.id, "name": self.name})
    }
}

impl Status {
    pub fn reference(self) -> Value {
        json!({"id": self.id, "name": self.name})
    }

    /// The `/service/boards/{id}/statuses` record.
    pub fn to_json(self) -> Value {
        json!({
            "id": self.id,
            "name": self.name,
            "board": {"id": self.board_id},
            "sortOrder": self.id,
            "displayOnBoard": true,
            "inactive": false,
            "closedStatus": self.closed,
            "timeEntryNotAllowed": false,
            "defaultFlag": self.default,
            "escalationStatus": "NotResponded",
            "customerPortalFlag": false,
        })
    }
}
