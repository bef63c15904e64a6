//! Callback changes made behind the client's back (an administrator in the UI, or ConnectWise
//! itself), for tests of self-healing: ConnectWise never tells anyone about them.

use super::callback::Callback;
use super::Store;
use crate::ids::CompanyId;

impl Store {
    pub fn callback_mut(&mut self, company: &CompanyId, id: i64) -> Result<&mut Callback, String> {
        self.company_mut(company)?
            .callbacks
            .get_mut(&id)
            .ok_or_else(|| format!("no callback {id} in {}", company.0))
    }

    /// Sets `inactiveFlag`; activating also lifts a failure disabling.
    pub fn set_callback_inactive(
        &mut self,
        company: &CompanyId,
        id: i64,
        inactive: bool,
    ) -> Result<(), String> {
        let cb = self.callback_mut(company, id)?;
        cb.input.inactive = inactive;
        if !inactive {
            cb.disabled = false;
            cb.failing_since = None;
        }
        Ok(())
    }

    /// Points the entry at another URL; later messages and retries go there.
    pub fn set_callback_url(
        &mut self,
        company: &CompanyId,
        id: i64,
        url: &str,
    ) -> Result<(), String> {
        self.callback_mut(company, id)?.input.url = url.to_string();
        Ok(())
    }

    /// Disables the entry as failing deliveries would (see `disable_sets_inactive_flag`).
    pub fn disable_callback(&mut self, company: &CompanyId, id: i64) -> Result<(), String> {
        let sets_flag = self.config.disable_sets_inactive_flag;
        disable(self.callback_mut(company, id)?, sets_flag);
        Ok(())
    }
}

/// Stops an entry: visibly through `inactiveFlag`, or silently.
pub fn disable(cb: &mut Callback, sets_flag: bool) {
    if sets_flag {
        cb.input.inactive = true;
    } else {
        cb.disabled = true;
    }
    cb.failing_since = None;
}
