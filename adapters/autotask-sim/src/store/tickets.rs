//! Ticket records: creation, field changes with Autotask's side effects, and change detection.

use super::{catalog, Store};
use crate::callout::Action;
use crate::ids::DatabaseId;
use serde_json::{Map, Value};

/// Status id of the system "Complete" status (reference §7).
pub const STATUS_COMPLETE: i64 = 5;

/// Fields the API never lets a caller set.
const READ_ONLY: &[&str] = &["id", "ticketNumber", "createDate", "lastActivityDate"];

/// REST timestamps: UTC, second precision, `Z` suffix.
pub fn now_text() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Maps incoming keys to canonical camelCase names so PascalCase input works too.
fn canonical_key(key: &str) -> String {
    if let Some(f) = catalog::by_rest_name(key) {
        return f.rest_name.to_string();
    }
    let mut c = key.chars();
    match c.next() {
        Some(first) => first.to_ascii_lowercase().to_string() + c.as_str(),
        None => String::new(),
    }
}

impl Store {
    /// Creates a ticket from REST-style fields; fires Create callouts.
    pub fn create_ticket(
        &mut self,
        db: DatabaseId,
        fields: &Map<String, Value>,
        person: i64,
    ) -> Result<i64, String> {
        let title = fields
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("title"))
            .and_then(|(_, v)| v.as_str())
            .filter(|t| !t.trim().is_empty())
            .ok_or_else(|| "title is required".to_string())?
            .to_string();
        let database = self.dbs.get_mut(&db).ok_or("unknown database")?;
        let id = database.next_ticket;
        database.next_ticket += 1;
        database.ticket_numbers += 1;
        let now = now_text();
        let number = format!(
            "T{}.{:04}",
            chrono::Utc::now().format("%Y%m%d"),
            database.ticket_numbers
        );
        let mut t = Map::new();
        for key in [
            "assignedResourceID",
            "companyID",
            "completedByResourceID",
            "completedDate",
            "description",
            "dueDateTime",
            "resolution",
            "resolvedDateTime",
        ] {
            t.insert(key.to_string(), Value::Null);
        }
        t.insert("id".into(), id.into());
        t.insert("ticketNumber".into(), number.into());
        t.insert("title".into(), title.into());
        t.insert("status".into(), 1.into());
        t.insert("priority".into(), 2.into());
        t.insert("queueID".into(), 29_682_833.into());
        t.insert("createDate".into(), now.clone().into());
        t.insert("lastActivityDate".into(), now.into());
        for (k, v) in fields {
            let key = canonical_key(k);
            if !READ_ONLY.contains(&key.as_str()) {
                t.insert(key, v.clone());
            }
        }
        database.tickets.insert(id, t);
        self.fire(db, id, Action::Create, &[], person);
        Ok(id)
    }

    /// Applies changes; returns Err for unknown tickets. Fires Update callouts for changed fields.
    pub fn change_ticket(
        &mut self,
        db: DatabaseId,
        id: i64,
        changes: &Map<String, Value>,
        person: i64,
    ) -> Result<(), String> {
        let database = self.dbs.get_mut(&db).ok_or("unknown database")?;
        let ticket = database
            .tickets
            .get_mut(&id)
            .ok_or("No matching records found")?;
        let before = ticket.clone();
        for (k, v) in changes {
            let key = canonical_key(k);
            if !READ_ONLY.contains(&key.as_str()) {
                ticket.insert(key, v.clone());
            }
        }
        let old_status = before.get("status").and_then(Value::as_i64);
        let new_status = ticket.get("status").and_then(Value::as_i64);
        if new_status == Some(STATUS_COMPLETE) && old_status != Some(STATUS_COMPLETE) {
            let now = now_text();
            if matches!(ticket.get("completedDate"), None | Some(Value::Null)) {
                ticket.insert("completedDate".into(), now.clone().into());
            }
            ticket.insert("completedByResourceID".into(), person.into());
            ticket.insert("resolvedDateTime".into(), now.into());
        } else if old_status == Some(STATUS_COMPLETE) && new_status != Some(STATUS_COMPLETE) {
            // Reopening clears the completion stamp, which is what a reopen callout shows.
            ticket.insert("completedDate".into(), Value::Null);
            ticket.insert("completedByResourceID".into(), Value::Null);
        }
        let mut changed: Vec<String> = ticket
            .iter()
            .filter(|(k, v)| before.get(*k) != Some(*v))
            .map(|(k, _)| k.clone())
            .collect();
        if changed.is_empty() {
            return Ok(());
        }
        ticket.insert("lastActivityDate".into(), now_text().into());
        if before.get("lastActivityDate") != ticket.get("lastActivityDate") {
            changed.push("lastActivityDate".into());
        }
        self.fire(db, id, Action::Update, &changed, person);
        Ok(())
    }
}
