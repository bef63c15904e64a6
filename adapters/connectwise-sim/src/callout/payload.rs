//! The callback message body: PascalCase members in the order of the recorded samples, with the
//! record as a JSON string in `Entity`.

use serde_json::Value;

/// What one message says.
#[derive(Debug)]
pub struct Message<'a> {
    pub message_id: &'a str,
    pub from_url: &'a str,
    pub company_id: &'a str,
    pub member_id: &'a str,
    pub action: &'a str,
    pub record_id: i64,
    pub product_instance_id: &'a str,
    pub partner_id: &'a str,
    /// The record's JSON text; `None` (JSON `null`) on `deleted`.
    pub entity: Option<String>,
    pub key_url: &'a str,
    pub callback_id: i64,
}

impl Message<'_> {
    /// Compact JSON with the members in a fixed order (serde_json's maps would sort them).
    pub fn render(&self) -> String {
        let s = |v: &str| Value::String(v.to_string());
        let metadata = format!("{{\"key_url\":{}}}", s(self.key_url));
        let entity = self.entity.as_deref().map_or(Value::Null, s);
        let members: [(&str, String); 12] = [
            ("MessageId", s(self.message_id).to_string()),
            ("FromUrl", s(self.from_url).to_string()),
            ("CompanyId", s(self.company_id).to_string()),
            ("MemberId", s(self.member_id).to_string()),
            ("Action", s(self.action).to_string()),
            ("Type", s("ticket").to_string()),
            ("ID", self.record_id.to_string()),
            ("ProductInstanceId", s(self.product_instance_id).to_string()),
            ("PartnerId", s(self.partner_id).to_string()),
            ("Entity", entity.to_string()),
            ("Metadata", metadata),
            ("CallbackObjectRecId", self.callback_id.to_string()),
        ];
        let inner: Vec<String> = members
            .iter()
            .map(|(k, v)| format!("\"{k}\":{v}"))
            .collect();
        format!("{{{}}}", inner.join(","))
    }
}
