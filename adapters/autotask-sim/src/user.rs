//! API-only users and the security-level settings that matter for webhooks.

/// An API-only user. Build with [`ApiUser::new`] and adjust the public fields.
#[derive(Clone, Debug)]
pub struct ApiUser {
    pub username: String,
    pub secret: String,
    pub integration_code: String,
    /// "Can create WebHooks" on the user's API-only security level.
    pub can_create_webhooks: bool,
    /// Maximum webhook limit of the security level.
    pub webhook_limit: u32,
    /// Entity-level permission to read and update Tickets; webhooks of users without it never fire.
    pub ticket_access: bool,
    /// A locked account answers 401 exactly like bad credentials.
    pub locked: bool,
    /// Resource id; 0 means "let the simulator assign one".
    pub resource_id: i64,
    /// The `url` zone discovery answers for this user; None means this simulator's own
    /// `{base}/ATServicesRest/`. Set it to a path the simulator does not serve (e.g.
    /// `{base}/elsewhere/ATServicesRest/`) to play a database moved to another zone.
    pub zone_url: Option<String>,
}

impl ApiUser {
    /// A user with webhook creation allowed, a webhook limit of 1 and ticket access.
    pub fn new(username: &str, secret: &str, integration_code: &str) -> ApiUser {
        ApiUser {
            username: username.to_string(),
            secret: secret.to_string(),
            integration_code: integration_code.to_string(),
            can_create_webhooks: true,
            webhook_limit: 1,
            ticket_access: true,
            locked: false,
            resource_id: 0,
            zone_url: None,
        }
    }
}
