//! The REST query filter language (reference §6.3) evaluated over JSON items.

use serde_json::{Map, Value};
use std::cmp::Ordering;

/// True when `item` satisfies every top-level condition (they are ANDed).
pub fn matches_all(item: &Value, filter: &[Value]) -> Result<bool, String> {
    for cond in filter {
        if !matches(item, cond)? {
            return Ok(false);
        }
    }
    Ok(true)
}

fn key<'a>(cond: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    cond.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
}

fn field<'a>(item: &'a Value, name: &str) -> Option<&'a Value> {
    item.as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
}

/// Evaluates one condition or and/or group.
pub fn matches(item: &Value, cond: &Value) -> Result<bool, String> {
    let cond = cond
        .as_object()
        .ok_or("Invalid query syntax: each filter item must be an object.")?;
    let op = key(cond, "op")
        .and_then(Value::as_str)
        .ok_or("Invalid query syntax: op is required.")?
        .to_ascii_lowercase();
    if op == "and" || op == "or" {
        let items = key(cond, "items")
            .and_then(Value::as_array)
            .ok_or("Invalid query syntax: and/or needs items.")?;
        let mut results = Vec::with_capacity(items.len());
        for i in items {
            results.push(matches(item, i)?);
        }
        return Ok(if op == "and" {
            results.iter().all(|b| *b)
        } else {
            results.iter().any(|b| *b)
        });
    }
    let name = key(cond, "field")
        .and_then(Value::as_str)
        .ok_or("Invalid query syntax: field is required.")?;
    if item.as_object().is_some_and(|o| !o.is_empty()) && field(item, name).is_none() {
        return Err(format!("Invalid query: unknown field {name}."));
    }
    let actual = field(item, name).unwrap_or(&Value::Null);
    let present = !actual.is_null();
    let value = key(cond, "value").unwrap_or(&Value::Null);
    Ok(match op.as_str() {
        "exist" => present,
        "notexist" => !present,
        "eq" => compare(actual, value) == Some(Ordering::Equal),
        "noteq" => compare(actual, value) != Some(Ordering::Equal),
        "gt" => compare(actual, value) == Some(Ordering::Greater),
        "gte" => matches!(
            compare(actual, value),
            Some(Ordering::Greater | Ordering::Equal)
        ),
        "lt" => compare(actual, value) == Some(Ordering::Less),
        "lte" => matches!(
            compare(actual, value),
            Some(Ordering::Less | Ordering::Equal)
        ),
        "beginswith" => text(actual).starts_with(&text(value)) && present,
        "endswith" => text(actual).ends_with(&text(value)) && present,
        "contains" => text(actual).contains(&text(value)) && present,
        "in" | "notin" => {
            let list = value
                .as_array()
                .ok_or("Invalid query syntax: in/notIn needs an array value.")?;
            let hit = list
                .iter()
                .any(|v| compare(actual, v) == Some(Ordering::Equal));
            hit == (op == "in")
        }
        other => return Err(format!("Invalid query syntax: unknown operator {other}.")),
    })
}

/// Lower-cased text form for string operators.
fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.to_lowercase(),
        Value::Null => String::new(),
        other => other.to_string().to_lowercase(),
    }
}

/// Numbers compare numerically (strings holding numbers too), strings case-insensitively.
fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Null, _) | (_, Value::Null) => None,
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(y)),
        (Value::Number(_), _) | (_, Value::Number(_)) => {
            let x = num(a)?;
            let y = num(b)?;
            x.partial_cmp(&y)
        }
        (Value::Bool(x), Value::String(s)) | (Value::String(s), Value::Bool(x)) => {
            s.parse::<bool>().ok().map(|y| x.cmp(&y))
        }
        _ => Some(text(a).cmp(&text(b))),
    }
}

fn num(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn groups_and_ops() {
        let item = json!({"id": 7, "name": "Acme Tenant 42", "isActive": false});
        let f = |v: Value| matches_all(&item, v.as_array().expect("array"));
        assert_eq!(
            f(json!([{"op":"beginsWith","field":"NAME","value":"acme"}])),
            Ok(true)
        );
        assert_eq!(
            f(json!([{"op":"eq","field":"isActive","value":false}])),
            Ok(true)
        );
        assert_eq!(
            f(
                json!([{"op":"or","items":[{"op":"gt","field":"id","value":9},{"op":"in","field":"id","value":[1,7]}]}])
            ),
            Ok(true)
        );
        assert_eq!(
            f(json!([{"op":"notIn","field":"id","value":["7"]}])),
            Ok(false)
        );
        assert!(f(json!([{"op":"weird","field":"id","value":1}])).is_err());
    }
}
