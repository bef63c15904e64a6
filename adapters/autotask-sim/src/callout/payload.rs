//! An order-preserving JSON tree for callout bodies, rendered escaped (.NET) or plain.

use crate::escape::{dotnet_escaped_json, write_string};
use serde_json::Value;

/// JSON whose object keys keep insertion order (serde_json's Map sorts them).
#[derive(Clone, Debug)]
pub enum OJson {
    Val(Value),
    Obj(Vec<(String, OJson)>),
}

impl OJson {
    /// Compact text; `escaped` selects System.Text.Json escaping over serde_json's.
    pub fn render(&self, escaped: bool) -> String {
        let mut out = String::new();
        self.write(escaped, &mut out);
        out
    }

    fn write(&self, escaped: bool, out: &mut String) {
        match self {
            OJson::Val(v) if escaped => out.push_str(&dotnet_escaped_json(v)),
            OJson::Val(v) => out.push_str(&v.to_string()),
            OJson::Obj(entries) => {
                out.push('{');
                for (i, (k, v)) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    if escaped {
                        write_string(out, k);
                    } else {
                        out.push_str(&Value::String(k.clone()).to_string());
                    }
                    out.push(':');
                    v.write(escaped, out);
                }
                out.push('}');
            }
        }
    }
}
