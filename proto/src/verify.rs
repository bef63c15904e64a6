//! The `Verified` typestate: a callout body can only be parsed after its signature checked out.

use std::borrow::Cow;

use crate::change::TicketChange;
use crate::webhook::WebhookSecret;

/// Which form of the body the signature matched; logged so live traffic shows what the PSA signs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SignatureForm {
    /// The bytes exactly as received.
    Raw,
    /// A canonical re-serialization of the body (e.g. .NET-escaped compact JSON).
    Canonical,
}

impl SignatureForm {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Raw => "raw",
            Self::Canonical => "canonical",
        }
    }
}

/// Why a callout's signature was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("the callout carries no signature header")]
    MissingSignature,
    #[error("the signature header is not of the expected form")]
    MalformedSignature,
    #[error("the signature does not match the body")]
    Mismatch,
    /// The callout names where to fetch its signing key, and that is not the tenant's own PSA:
    /// nothing is fetched.
    #[error("the callout's signing key is not the connection's own")]
    UntrustedKey,
}

/// Why a verified callout could not be understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalloutParseError {
    #[error("the callout body is not a JSON object: {0}")]
    NotJson(String),
    #[error("the callout has no {0} field")]
    MissingField(&'static str),
    #[error("the callout field {field} is invalid: {reason}")]
    BadField { field: &'static str, reason: String },
    #[error("the callout is about a {0}, not a ticket")]
    NotATicket(String),
}

/// A PSA's callout format: how it signs and what its bodies look like.
pub trait CalloutFormat {
    /// Checks `signature` (the header value, if any) over `body` with `secret`.
    fn check_signature(
        &self,
        secret: &WebhookSecret,
        signature: Option<&str>,
        body: &[u8],
    ) -> Result<SignatureForm, VerifyError>;

    /// Understands a body whose signature already checked out.
    fn parse(&self, callout: &Verified<'_>) -> Result<TicketChange, CalloutParseError>;

    /// The bytes that identify a body for deduplication. Every body the signature check accepts
    /// as the same callout (e.g. the same canonical form, whatever its whitespace and
    /// escapes) must map to the same bytes, or a re-encoded replay would count as new.
    fn dedupe_form<'a>(&self, body: &'a [u8]) -> Cow<'a, [u8]> {
        Cow::Borrowed(body)
    }
}

/// A callout body whose signature matched one of the connection's secrets.
#[derive(Debug, Clone, Copy)]
pub struct Verified<'a> {
    body: &'a [u8],
    form: SignatureForm,
}

impl<'a> Verified<'a> {
    /// The only way to obtain a `Verified`: the format must accept the signature with one of
    /// `secrets` (several during a secret rotation's grace window).
    pub fn check(
        format: &impl CalloutFormat,
        secrets: &[&WebhookSecret],
        signature: Option<&str>,
        body: &'a [u8],
    ) -> Result<Self, VerifyError> {
        let mut last = VerifyError::Mismatch;
        for secret in secrets {
            match format.check_signature(secret, signature, body) {
                Ok(form) => return Ok(Self { body, form }),
                Err(error @ (VerifyError::MissingSignature | VerifyError::MalformedSignature)) => {
                    return Err(error)
                }
                Err(error) => last = error,
            }
        }
        Err(last)
    }

    pub fn body(&self) -> &'a [u8] {
        self.body
    }

    pub fn form(&self) -> SignatureForm {
        self.form
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A format whose signature is the secret itself, to test the typestate alone.
    struct Echo;

    impl CalloutFormat for Echo {
        fn check_signature(
            &self,
            secret: &WebhookSecret,
            signature: Option<&str>,
            _body: &[u8],
        ) -> Result<SignatureForm, VerifyError> {
            match signature {
                None => Err(VerifyError::MissingSignature),
                Some(sig) if sig == secret.expose() => Ok(SignatureForm::Raw),
                Some(_) => Err(VerifyError::Mismatch),
            }
        }

        fn parse(&self, _callout: &Verified<'_>) -> Result<TicketChange, CalloutParseError> {
            Err(CalloutParseError::MissingField("Id"))
        }
    }

    #[test]
    fn any_current_secret_verifies_and_none_fails() {
        let old = WebhookSecret::new("old");
        let new = WebhookSecret::new("new");
        assert!(Verified::check(&Echo, &[&old, &new], Some("new"), b"{}").is_ok());
        assert_eq!(
            Verified::check(&Echo, &[&old], Some("new"), b"{}").err(),
            Some(VerifyError::Mismatch)
        );
        assert_eq!(
            Verified::check(&Echo, &[&old], None, b"{}").err(),
            Some(VerifyError::MissingSignature)
        );
        assert_eq!(
            Verified::check(&Echo, &[], Some("x"), b"{}").err(),
            Some(VerifyError::Mismatch)
        );
    }
}
