//! The fixed catalog of ticket fields that TicketWebhookFields can reference (the `fieldID` picklist).

use crate::config::FieldLabels;

/// One webhook-capable ticket field.
#[derive(Clone, Copy, Debug)]
pub struct CatalogField {
    /// Internal Autotask field id (deliberately not in alphabetical order).
    pub id: i64,
    /// REST (camelCase) name, the key in ticket JSON.
    pub rest_name: &'static str,
    /// UI display label.
    pub label: &'static str,
}

impl CatalogField {
    /// PascalCase key used inside callout `Fields`.
    pub fn pascal(&self) -> String {
        let mut c = self.rest_name.chars();
        match c.next() {
            Some(first) => first.to_ascii_uppercase().to_string() + c.as_str(),
            None => String::new(),
        }
    }

    /// Picklist label according to the configured labelling.
    pub fn label_for(&self, labels: FieldLabels) -> &'static str {
        match labels {
            FieldLabels::RestNames => self.rest_name,
            FieldLabels::DisplayLabels => self.label,
        }
    }
}

/// Picklist order is by id, as Autotask sorts it; labels therefore come out unsorted.
pub const FIELDS: &[CatalogField] = &[
    f(2, "ticketNumber", "Ticket Number"),
    f(3, "title", "Title"),
    f(5, "description", "Description"),
    f(7, "companyID", "Company"),
    f(9, "priority", "Priority"),
    f(12, "assignedResourceID", "Primary Resource"),
    f(14, "resolution", "Resolution"),
    f(19, "dueDateTime", "Due Date"),
    f(27, "status", "Status"),
    f(33, "queueID", "Queue"),
    f(41, "createDate", "Create Date"),
    f(56, "completedDate", "Completed Date"),
    f(58, "completedByResourceID", "Completed By"),
    f(61, "lastActivityDate", "Last Activity Date"),
    f(64, "resolvedDateTime", "Resolved Date Time"),
];

const fn f(id: i64, rest_name: &'static str, label: &'static str) -> CatalogField {
    CatalogField {
        id,
        rest_name,
        label,
    }
}

/// Looks a field up by its numeric id.
pub fn by_id(id: i64) -> Option<&'static CatalogField> {
    FIELDS.iter().find(|f| f.id == id)
}

/// Looks a field up by REST name, case-insensitively.
pub fn by_rest_name(name: &str) -> Option<&'static CatalogField> {
    FIELDS
        .iter()
        .find(|f| f.rest_name.eq_ignore_ascii_case(name))
}
