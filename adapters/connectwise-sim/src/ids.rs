//! Id types that cross the simulator's Rust API.

/// The company id a member types at login (e.g. `"cobalt"`): it names one simulated
/// ConnectWise database. Compared case-insensitively, as the login form does.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CompanyId(pub String);

impl CompanyId {
    pub fn new(id: &str) -> CompanyId {
        CompanyId(id.to_string())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key the store files a company under.
    pub(crate) fn key(&self) -> String {
        self.0.to_ascii_lowercase()
    }
}

impl From<&str> for CompanyId {
    fn from(id: &str) -> CompanyId {
        CompanyId::new(id)
    }
}

/// A service ticket id within one company.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TicketId(pub i64);

/// A callback entry id (`/system/callbacks/{id}`) within one company.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CallbackId(pub i64);

/// A ticket note id within one company.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NoteId(pub i64);
