//! The choices behind [`SimConfig`](crate::SimConfig) settings where the reference is uncertain.

/// An error answer whose real status, code or text is not verified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErrorSpec {
    pub status: u16,
    pub code: String,
    /// `{permission}` is replaced by the missing permission's name where one applies.
    pub message: String,
}

impl ErrorSpec {
    pub fn new(status: u16, code: &str, message: &str) -> ErrorSpec {
        ErrorSpec {
            status,
            code: code.to_string(),
            message: message.to_string(),
        }
    }
}

/// How an error body without field errors carries `errors` (AMP's recorded bodies omit it,
/// the Developer Guide's example has `null`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum EmptyErrors {
    #[default]
    Omitted,
    Null,
}

/// The answer of `/login/companyinfo/{id}` for a company the site does not know.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum UnknownCompany {
    /// 200 with the JSON text `null`.
    #[default]
    NullBody,
    /// 404 `{"code":"NotFound","message":"Company {id} not found"}`.
    NotFound,
}

/// What ConnectWise does to the registered URL before it posts ("PSA appends the record id
/// and action"; the exact form is unverified).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum CallbackUrlForm {
    /// `{url}{id}`: the id appended to the text as it is, so `…?recordId=` ends `…?recordId=42`.
    #[default]
    AppendId,
    /// `{url}{id}&action={action}`.
    AppendIdAndAction,
    /// `{url}?recordId={id}&action={action}` (`&` instead of `?` when the URL has a query).
    QueryParameters,
    /// The URL exactly as registered.
    Unchanged,
}

/// How much of the ticket the `Entity` string carries (unverified for tickets).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum EntityForm {
    /// The ticket as `GET /service/tickets/{id}` returns it.
    #[default]
    Full,
    /// `id`, `summary`, `board`, `status`, `company`, `closedFlag` and `_info` only.
    Summary,
}

/// Key casing inside the `Entity` string (unverified for tickets; the contact sample is camelCase).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum EntityCasing {
    #[default]
    Camel,
    Pascal,
}

/// Which signing key a message is signed with, and so which `key_url` it names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum SigningKeys {
    /// One key per callback entry, made when the entry is created.
    #[default]
    PerCallback,
    /// One key per company for all its callbacks.
    PerCompany,
    /// A fresh key (and key_url) for every message: keys that rotate all the time.
    PerMessage,
}

/// Whether a callback's messages go out one at a time in order (a failing message holding
/// back the later ones through its retries) or each on its own. Undocumented.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum DeliveryOrder {
    #[default]
    PerCallback,
    Concurrent,
}

/// A field that makes two callback entries "matching" for the duplicate rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MatchField {
    Type,
    Level,
    ObjectId,
    Url,
    /// The creating member: with it, two members (vendors) may hold equal entries.
    Member,
    Description,
}

/// Which fields define a "matching" callback entry (unknown; the default is a guess).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DuplicateRule {
    /// All must be equal; an empty list turns the rule off.
    pub fields: Vec<MatchField>,
    pub url_case_insensitive: bool,
}

impl Default for DuplicateRule {
    fn default() -> Self {
        DuplicateRule {
            fields: vec![
                MatchField::Type,
                MatchField::Level,
                MatchField::ObjectId,
                MatchField::Url,
            ],
            url_case_insensitive: true,
        }
    }
}
