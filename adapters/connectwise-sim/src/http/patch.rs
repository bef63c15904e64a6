//! PATCH bodies: a JSON-patch array such as `[{"op":"replace","path":"inactiveFlag","value":false}]`.
//! Paths may start with `/`, use `/` between levels and match member names case-insensitively.

use crate::json::{get_ci, FieldError};
use serde_json::{Map, Value};

/// Applies every operation to `target`, or reports the first bad one.
pub fn apply(target: &mut Map<String, Value>, ops: Option<&Value>) -> Result<(), Vec<FieldError>> {
    let Some(ops) = ops.and_then(Value::as_array) else {
        return Err(vec![FieldError::invalid(
            "patch",
            "The request body must be an array of patch operations.",
        )]);
    };
    for op in ops {
        one(target, op).map_err(|e| vec![e])?;
    }
    Ok(())
}

fn one(target: &mut Map<String, Value>, op: &Value) -> Result<(), FieldError> {
    let map = op
        .as_object()
        .ok_or_else(|| FieldError::invalid("patch", "A patch operation must be an object."))?;
    let kind = get_ci(map, "op")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let path = get_ci(map, "path")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let Some((last, parents)) = segs.split_last() else {
        return Err(FieldError::invalid(
            "path",
            "A patch operation needs a path.",
        ));
    };
    let parent = walk(target, parents);
    let key = existing_key(parent, last);
    match kind.to_ascii_lowercase().as_str() {
        "replace" | "add" => {
            let value = get_ci(map, "value").cloned().unwrap_or(Value::Null);
            parent.insert(key, value);
            Ok(())
        }
        "remove" => {
            parent.remove(&key);
            Ok(())
        }
        other => Err(FieldError::invalid(
            path,
            format!("Unsupported patch operation '{other}'."),
        )),
    }
}

/// The object at `segs`, created on the way where missing or not an object.
fn walk<'a>(mut map: &'a mut Map<String, Value>, segs: &[&str]) -> &'a mut Map<String, Value> {
    for seg in segs {
        let key = existing_key(map, seg);
        let slot = map.entry(key).or_insert_with(|| Value::Object(Map::new()));
        if !slot.is_object() {
            *slot = Value::Object(Map::new());
        }
        map = match slot {
            Value::Object(m) => m,
            _ => unreachable!("just made an object"),
        };
    }
    map
}

/// The member name as stored if one matches case-insensitively, else `seg` as given.
fn existing_key(map: &Map<String, Value>, seg: &str) -> String {
    map.keys()
        .find(|k| k.eq_ignore_ascii_case(seg))
        .cloned()
        .unwrap_or_else(|| seg.to_string())
}
