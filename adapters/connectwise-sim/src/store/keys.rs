//! Signing keys and their key URLs: which key signs a message depends on `signing_keys`, and a
//! key_url answers its key without authentication until `key_url_ttl` runs out (reference §3).

use super::Store;
use crate::ids::CompanyId;
use crate::settings::SigningKeys;
use crate::signing::new_key;
use std::time::Instant;

/// One signing key, served at the key_url naming its GUID.
#[derive(Clone, Debug)]
pub struct SigningKey {
    /// Lower-cased company id it belongs to.
    pub company: String,
    pub key: String,
    pub made: Instant,
}

impl Store {
    /// Makes a key for a company; returns the GUID its key_url names.
    pub fn make_key(&mut self, company: &CompanyId) -> String {
        let guid = uuid::Uuid::new_v4().to_string();
        let key = SigningKey {
            company: company.key(),
            key: new_key(),
            made: Instant::now(),
        };
        self.keys.insert(guid.clone(), key);
        guid
    }

    /// The key a key_url asks for, if `companyName` owns it and it has not expired.
    pub fn served_key(&self, company_name: &str, guid: &str) -> Option<&str> {
        let k = self.keys.get(&guid.to_ascii_lowercase())?;
        if !k.company.eq_ignore_ascii_case(company_name) {
            return None;
        }
        let expired = self
            .config
            .key_url_ttl
            .is_some_and(|ttl| k.made.elapsed() >= self.config.scaled(ttl));
        (!expired).then_some(k.key.as_str())
    }

    /// The key GUID a new message of this callback is signed with, per `signing_keys`.
    pub fn message_key(&mut self, company: &CompanyId, callback_id: i64) -> Option<String> {
        match self.config.signing_keys {
            SigningKeys::PerMessage => Some(self.make_key(company)),
            SigningKeys::PerCallback => {
                let existing = self
                    .company(company)?
                    .callbacks
                    .get(&callback_id)?
                    .key_id
                    .clone();
                match existing {
                    Some(id) => Some(id),
                    None => {
                        let id = self.make_key(company);
                        let c = self
                            .company_mut(company)
                            .ok()?
                            .callbacks
                            .get_mut(&callback_id)?;
                        c.key_id = Some(id.clone());
                        Some(id)
                    }
                }
            }
            SigningKeys::PerCompany => {
                if let Some(id) = self.company(company)?.key_id.clone() {
                    return Some(id);
                }
                let id = self.make_key(company);
                self.company_mut(company).ok()?.key_id = Some(id.clone());
                Some(id)
            }
        }
    }

    /// `{origin}/{codebase}/system/callbackkey/index.rails?companyName=…&id=…`; the codebase's own
    /// trailing slash makes the double slash of the real example.
    pub fn key_url(&self, company: &CompanyId, guid: &str) -> String {
        let origin = self
            .config
            .key_url_base
            .as_deref()
            .unwrap_or(&self.base_url)
            .trim_end_matches('/');
        let name: String = url::form_urlencoded::byte_serialize(company.0.as_bytes()).collect();
        format!(
            "{origin}/{}/system/callbackkey/index.rails?companyName={name}&id={guid}",
            self.config.codebase
        )
    }

    /// The key behind a GUID, for tests.
    pub fn key_text(&self, guid: &str) -> Option<String> {
        self.keys.get(guid).map(|k| k.key.clone())
    }
}
