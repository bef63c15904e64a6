//! A request body that must be a JSON object. serde lets a derived struct also be read from an
//! array of its field values in order (`["a@b", "secret", "code"]`), which the API does not
//! take: its document says `type: object`, and positional bodies would bypass field names.

use std::fmt;
use std::marker::PhantomData;

use serde::de::value::MapAccessDeserializer;
use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

/// `T` read from a JSON object only.
#[derive(Debug)]
pub struct Object<T>(pub T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Object<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(ObjectVisitor(PhantomData))
    }
}

struct ObjectVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjectVisitor<T> {
    type Value = Object<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        T::deserialize(MapAccessDeserializer::new(map)).map(Object)
    }
}

/// A JSON object's members, each name at most once. serde_json's own map keeps the last of
/// repeated names silently; a body whose meaning depends on which copy wins is refused.
#[derive(Debug, Default)]
pub struct Members(pub serde_json::Map<String, serde_json::Value>);

impl<'de> Deserialize<'de> for Members {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(MembersVisitor)
    }
}

struct MembersVisitor;

impl<'de> Visitor<'de> for MembersVisitor {
    type Value = Members;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut members = serde_json::Map::new();
        while let Some(name) = map.next_key::<String>()? {
            let value = map.next_value()?;
            if members.contains_key(&name) {
                return Err(serde::de::Error::custom(format_args!(
                    "duplicate field `{name}`"
                )));
            }
            members.insert(name, value);
        }
        Ok(Members(members))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Pair {
        a: String,
        b: i64,
    }

    #[test]
    fn only_objects_are_read() {
        let pair: Object<Pair> = serde_json::from_str(r#"{"a": "x", "b": 2}"#).expect("object");
        assert_eq!((pair.0.a.as_str(), pair.0.b), ("x", 2));
        let error = serde_json::from_str::<Object<Pair>>(r#"["x", 2]"#).expect_err("array");
        assert!(
            error.to_string().contains("expected a JSON object"),
            "{error}"
        );
        let error = serde_json::from_str::<Object<Pair>>(r#"{"a": "x", "c": 1}"#).expect_err("c");
        assert!(error.to_string().contains("unknown field `c`"), "{error}");
    }

    #[test]
    fn members_refuse_a_repeated_name() {
        let members: Members = serde_json::from_str(r#"{"a": 1, "b": [2]}"#).expect("object");
        assert_eq!(members.0.len(), 2);
        let error = serde_json::from_str::<Members>(r#"{"a": 1, "a": 2}"#).expect_err("twice");
        assert!(error.to_string().contains("duplicate field `a`"), "{error}");
        assert!(serde_json::from_str::<Members>("[1]").is_err());
    }
}
