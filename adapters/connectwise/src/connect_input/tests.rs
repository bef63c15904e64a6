//! The PUT body: what it becomes, how it is refused, and that the schema says exactly that.

use proptest::prelude::*;

use super::*;

fn body(value: Value) -> Map<String, Value> {
    value.as_object().cloned().expect("an object")
}

fn valid() -> Value {
    json!({
        "site": "https://NA.myconnectwise.net/", "company_id": "Acme_Co",
        "public_key": "5QBrF9Eobsojjl19", "private_key": "gNfvfMd:PxIAPOIvB"
    })
}

#[test]
fn a_valid_body_becomes_credentials_an_owner_and_public_fields() {
    let input = parse(&body(valid()), false).expect("valid");
    assert_eq!(input.owner, "na.myconnectwise.net/acme_co");
    assert_eq!(
        Value::Object(input.public.clone()),
        json!({"site": "https://na.myconnectwise.net", "company_id": "Acme_Co",
               "public_key": "5QBrF9Eobsojjl19"})
    );
    assert_eq!(input.notification_email, None);
    assert_eq!(
        input.credentials.expose(),
        &json!({"site": "https://na.myconnectwise.net", "company_id": "Acme_Co",
                "public_key": "5QBrF9Eobsojjl19", "private_key": "gNfvfMd:PxIAPOIvB"})
    );
    let (site, keys) = from_document(&input.credentials, false).expect("readable");
    assert_eq!(site.origin(), "https://na.myconnectwise.net");
    assert_eq!(keys.private_key, "gNfvfMd:PxIAPOIvB");
}

#[test]
fn the_api_host_and_the_web_host_are_one_owner() {
    let mut other = valid();
    other["site"] = json!("https://api-na.myconnectwise.net");
    other["company_id"] = json!("ACME_CO");
    let a = parse(&body(valid()), false).expect("valid");
    let b = parse(&body(other), false).expect("valid");
    assert_eq!(a.owner, b.owner);
    let mut eu = valid();
    eu["site"] = json!("https://eu.myconnectwise.net");
    assert_ne!(parse(&body(eu), false).expect("valid").owner, a.owner);
}

#[test]
fn every_problem_is_told_at_once_without_repeating_a_value() {
    let sent = json!({
        "site": "http://cw.secret-host.example/path", "company_id": "acme co!",
        "public_key": "pub:LEAKED1", "private_key": "priv LEAKED2"
    });
    match parse(&body(sent), false) {
        Err(ConnectionRejected::Values(problems)) => {
            assert_eq!(problems.len(), 4, "{problems:?}");
            let all = problems.join(" | ");
            for value in ["secret-host", "acme co", "LEAKED1", "LEAKED2"] {
                assert!(!all.contains(value), "{value} in {all}");
            }
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn http_sites_only_when_allowed() {
    let mut local = valid();
    local["site"] = json!("http://127.0.0.1:4100");
    assert!(matches!(
        parse(&body(local.clone()), false),
        Err(ConnectionRejected::Values(_))
    ));
    let input = parse(&body(local), true).expect("allowed");
    assert_eq!(input.owner, "127.0.0.1:4100/acme_co");
    assert!(from_document(&input.credentials, false).is_none());
    assert!(from_document(&input.credentials, true).is_some());
}

#[test]
fn shape_problems_are_body_errors_without_values() {
    let mut extra = valid();
    extra["notification_email"] = json!("ops@msp.example");
    match parse(&body(extra), false) {
        Err(ConnectionRejected::Body(message)) => assert!(message.contains("notification_email")),
        other => panic!("{other:?}"),
    }
    let mut typed = valid();
    typed["private_key"] = json!(987654321);
    match parse(&body(typed), false) {
        Err(ConnectionRejected::Body(message)) => assert!(!message.contains("987654321")),
        other => panic!("{other:?}"),
    }
    let mut missing = valid();
    missing.as_object_mut().expect("object").remove("site");
    assert!(matches!(
        parse(&body(missing), false),
        Err(ConnectionRejected::Body(_))
    ));
}

#[test]
fn the_schema_names_every_field_and_nothing_else() {
    for allow_http in [false, true] {
        let schema = schema(allow_http);
        assert_eq!(schema["additionalProperties"], json!(false));
        let required: Vec<&str> = schema["required"]
            .as_array()
            .expect("required")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        let properties: Vec<&str> = schema["properties"]
            .as_object()
            .expect("properties")
            .keys()
            .map(String::as_str)
            .collect();
        let mut sorted = required.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, properties);
        for field in &properties {
            let example = &schema["properties"][field]["example"];
            let mut sent = valid();
            sent[field] = example.clone();
            assert!(parse(&body(sent), allow_http).is_ok(), "example of {field}");
        }
    }
}

fn matches(pattern: &str, text: &str) -> bool {
    regex_lite::Regex::new(pattern)
        .expect("pattern compiles")
        .is_match(text)
}

proptest! {
    #[test]
    fn the_value_patterns_accept_exactly_what_parse_accepts(
        text in "[ -~é\t]{0,3}|[!-~]{0,130}|[A-Za-z0-9_ :-]{0,66}"
    ) {
        prop_assert_eq!(matches(COMPANY_PATTERN, &text), company_ok(&text), "{:?}", text);
        prop_assert_eq!(matches(PUBLIC_KEY_PATTERN, &text), key_ok(&text, false), "{:?}", text);
        prop_assert_eq!(matches(PRIVATE_KEY_PATTERN, &text), key_ok(&text, true), "{:?}", text);
    }
}
