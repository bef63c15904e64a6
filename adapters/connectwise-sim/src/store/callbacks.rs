//! Creating, replacing and deleting callback entries, with the duplicate rule (reference §2).

use super::callback::{Callback, CallbackInput};
use super::{Company, Store};
use crate::ids::CompanyId;
use crate::json::now_text;
use crate::member::ApiMember;
use crate::settings::{DuplicateRule, MatchField, SigningKeys};
use serde_json::Value;

/// Why a callback write was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum CallbackError {
    NotFound,
    /// A "matching" entry exists (400 `ObjectExists`).
    Duplicate,
}

impl Store {
    /// Stores a new entry owned by `member`; returns its REST form.
    pub fn create_callback(
        &mut self,
        company: &CompanyId,
        member: &ApiMember,
        input: CallbackInput,
    ) -> Result<Value, CallbackError> {
        let rule = self.config.duplicate_rule.clone();
        let per_callback_key = self.config.signing_keys == SigningKeys::PerCallback;
        let key_id = per_callback_key.then(|| self.make_key(company));
        let c = self
            .company_mut(company)
            .map_err(|_| CallbackError::NotFound)?;
        if duplicate(c, &rule, &input, member.rec_id, None) {
            return Err(CallbackError::Duplicate);
        }
        let id = Company::take_id(&mut c.next_callback);
        let entry = Callback {
            id,
            input,
            member_id: member.rec_id,
            creator: member.identifier.clone(),
            connectwise_id: uuid::Uuid::new_v4().to_string(),
            last_updated: now_text(),
            updated_by: member.identifier.clone(),
            key_id,
            disabled: false,
            failing_since: None,
            queued: 0,
        };
        let json = entry.to_json();
        c.callbacks.insert(id, entry);
        Ok(json)
    }

    /// Replaces the writable fields of an entry (PUT, and PATCH after applying its operations).
    /// Saving an entry also lifts a silent disabling, as re-saving it in the UI would.
    pub fn replace_callback(
        &mut self,
        company: &CompanyId,
        id: i64,
        member: &ApiMember,
        input: CallbackInput,
    ) -> Result<Value, CallbackError> {
        let rule = self.config.duplicate_rule.clone();
        let c = self
            .company_mut(company)
            .map_err(|_| CallbackError::NotFound)?;
        let owner = c
            .callbacks
            .get(&id)
            .ok_or(CallbackError::NotFound)?
            .member_id;
        if duplicate(c, &rule, &input, owner, Some(id)) {
            return Err(CallbackError::Duplicate);
        }
        let entry = c.callbacks.get_mut(&id).ok_or(CallbackError::NotFound)?;
        entry.input = input;
        entry.last_updated = now_text();
        entry.updated_by = member.identifier.clone();
        entry.disabled = false;
        entry.failing_since = None;
        Ok(entry.to_json())
    }

    pub fn callback_json(&self, company: &CompanyId, id: i64) -> Option<Value> {
        Some(self.company(company)?.callbacks.get(&id)?.to_json())
    }

    /// Removes an entry; false if there was none. Its queued messages are dropped.
    pub fn delete_callback(&mut self, company: &CompanyId, id: i64) -> bool {
        self.company_mut(company)
            .is_ok_and(|c| c.callbacks.remove(&id).is_some())
    }
}

/// Whether another entry "matches" `input` under the rule (inactive entries count too).
fn duplicate(
    c: &Company,
    rule: &DuplicateRule,
    input: &CallbackInput,
    member_id: i64,
    except: Option<i64>,
) -> bool {
    if rule.fields.is_empty() {
        return false;
    }
    c.callbacks
        .values()
        .filter(|e| Some(e.id) != except)
        .any(|e| {
            rule.fields.iter().all(|f| match f {
                MatchField::Type => e.input.kind == input.kind,
                MatchField::Level => e.input.level == input.level,
                MatchField::ObjectId => e.input.object_id == input.object_id,
                MatchField::Url if rule.url_case_insensitive => {
                    e.input.url.eq_ignore_ascii_case(&input.url)
                }
                MatchField::Url => e.input.url == input.url,
                MatchField::Member => e.member_id == member_id,
                MatchField::Description => e.input.description == input.description,
            })
        })
}
