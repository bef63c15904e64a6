//! API members: the key pair a client authenticates with and the security-role rights that matter.

/// An API member of one company. Build with [`ApiMember::new`] and adjust the public fields.
#[derive(Clone, Debug)]
pub struct ApiMember {
    /// Member identifier (e.g. `"PsaHubApi"`): `memberId` of callback bodies, `_info.updatedBy`.
    pub identifier: String,
    pub public_key: String,
    pub private_key: String,
    /// May list, create, change and delete callback entries (the permission's name is the
    /// `callbacks_permission` setting; System › Table Setup is a guess).
    pub can_manage_callbacks: bool,
    /// May read service tickets and their notes (Service Desk › Service Tickets, inquire level).
    pub can_read_tickets: bool,
    /// May add, change and delete service tickets and notes (same area, add/edit levels).
    pub can_edit_tickets: bool,
    /// A locked or inactive member answers exactly like bad keys.
    pub inactive: bool,
    /// The member's record id (`memberId` of callback entries); 0 lets the simulator assign one.
    pub rec_id: i64,
}

impl ApiMember {
    /// An active member with every right this simulator checks.
    pub fn new(identifier: &str, public_key: &str, private_key: &str) -> ApiMember {
        ApiMember {
            identifier: identifier.to_string(),
            public_key: public_key.to_string(),
            private_key: private_key.to_string(),
            can_manage_callbacks: true,
            can_read_tickets: true,
            can_edit_tickets: true,
            inactive: false,
            rec_id: 0,
        }
    }
}
