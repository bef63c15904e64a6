//! The site grammar, its schema pattern and the cloud host rules.

use proptest::prelude::*;

use super::*;

fn site(text: &str) -> Site {
    Site::parse(text, true).expect("a valid site")
}

#[test]
fn cloud_sites_get_their_api_host_and_are_one_site_with_it() {
    let plain = site("https://NA.myconnectwise.net/");
    assert_eq!(plain.origin(), "https://na.myconnectwise.net");
    assert_eq!(plain.api_origin(), "https://api-na.myconnectwise.net");
    let api = site("https://api-na.myconnectwise.net");
    assert_eq!(api.api_origin(), "https://api-na.myconnectwise.net");
    assert_eq!(plain.identity(), api.identity());
    assert_eq!(api.identity(), "na.myconnectwise.net");
    assert!(plain.serves("api-na.myconnectwise.net", Some(443), true));
    assert!(api.serves("NA.myconnectwise.net", None, true));
    assert!(!plain.serves("eu.myconnectwise.net", None, true));
    assert!(!plain.serves("sandbox-na.myconnectwise.net", None, true));
    for (given, api) in [
        (
            "https://eu.myconnectwise.net",
            "https://api-eu.myconnectwise.net",
        ),
        (
            "https://au.myconnectwise.net",
            "https://api-au.myconnectwise.net",
        ),
        (
            "https://staging.connectwisedev.com",
            "https://api-staging.connectwisedev.com",
        ),
        (
            "https://api-staging.connectwisedev.com",
            "https://api-staging.connectwisedev.com",
        ),
    ] {
        assert_eq!(site(given).api_origin(), api, "{given}");
    }
}

#[test]
fn other_hosts_stay_as_they_are() {
    for given in [
        "https://cw.msp.example",
        "https://api-cw.msp.example",
        "https://za.myconnectwise.net",
        "https://connectwisedev.com",
        "http://127.0.0.1:8080",
        "http://localhost:9000",
    ] {
        let parsed = site(given);
        assert_eq!(parsed.api_origin(), given);
        assert_eq!(parsed.origin(), given);
    }
    let onprem = site("https://api-cw.msp.example");
    assert!(!onprem.serves("cw.msp.example", None, true));
}

#[test]
fn default_ports_go_and_others_stay_part_of_the_site() {
    assert_eq!(
        site("https://na.myconnectwise.net:443").origin(),
        "https://na.myconnectwise.net"
    );
    let local = site("http://127.0.0.1:8080/");
    assert_eq!(local.identity(), "127.0.0.1:8080");
    assert!(local.serves("127.0.0.1", Some(8080), false));
    assert!(!local.serves("127.0.0.1", Some(8081), false));
    assert!(!local.serves("127.0.0.1", None, false));
}

#[test]
fn each_wrong_site_is_refused_for_its_reason() {
    use SiteProblem as P;
    for (text, allow_http, problem) in [
        ("http://na.myconnectwise.net", false, P::Scheme),
        ("na.myconnectwise.net", true, P::Scheme),
        ("HTTPS://na.myconnectwise.net", true, P::Scheme),
        ("ftp://na.myconnectwise.net", true, P::Scheme),
        ("https://na.myconnectwise.net/v4_6_release", true, P::Path),
        ("https://na.myconnectwise.net//", true, P::Path),
        ("https://na.myconnectwise.net?x=1", true, P::Path),
        ("https://na.myconnectwise.net#top", true, P::Path),
        ("https://user:pw@na.myconnectwise.net", true, P::Userinfo),
        ("https://na.myconnectwise.net:0", true, P::Port),
        ("https://na.myconnectwise.net:65536", true, P::Port),
        ("https://na.myconnectwise.net:080", true, P::Port),
        ("https://na.myconnectwise.net:", true, P::Port),
        ("https://[::1]:8080", true, P::Host),
        ("https://1.2.3", true, P::Host),
        ("https://256.1.1.1", true, P::Host),
        ("https://01.1.1.1", true, P::Host),
        ("https://na..myconnectwise.net", true, P::Host),
        ("https://", true, P::Host),
        ("https://host.0x1f", true, P::Host),
        ("https://na_x.myconnectwise.net", true, P::Host),
    ] {
        assert_eq!(Site::parse(text, allow_http), Err(problem), "{text}");
    }
    let long = format!("https://{}.example", "a".repeat(250));
    assert_eq!(Site::parse(&long, true), Err(P::TooLong));
}

/// Strings near the grammar: pieces of valid sites and the characters that break them.
fn near_sites() -> impl Strategy<Value = String> {
    let piece = prop::sample::select(vec![
        "https://",
        "http://",
        "HTTPS://",
        "na",
        "api-na",
        ".",
        "myconnectwise",
        "net",
        "-",
        "x",
        "0",
        "1",
        "25",
        "255",
        "256",
        "01",
        ":",
        "8080",
        "65535",
        "65536",
        "/",
        "?",
        "#",
        "@",
        "[",
        "]",
        "_",
        " ",
        "é",
        "0x1f",
        "\\",
    ]);
    prop::collection::vec(piece, 1..12).prop_map(|pieces| pieces.concat())
}

proptest! {
    #[test]
    fn the_schema_pattern_accepts_exactly_what_parse_accepts(text in near_sites()) {
        for allow_http in [false, true] {
            let regex = regex_lite::Regex::new(&pattern(allow_http)).expect("pattern compiles");
            let parsed = Site::parse(&text, allow_http);
            prop_assert_eq!(regex.is_match(&text), parsed.is_ok(), "{} http={}", text, allow_http);
            if let Ok(site) = parsed {
                // A URL parser reads the site exactly as it was normalized.
                let url = url::Url::parse(&text).expect("an accepted site is a URL");
                prop_assert_eq!(url.host_str(), Some(site.host()));
                prop_assert_eq!(url.port(), site.port());
                prop_assert_eq!(url.path(), "/");
            }
        }
    }
}

#[test]
fn typical_sites_match_the_pattern() {
    let regex = regex_lite::Regex::new(&pattern(false)).expect("pattern compiles");
    for text in [
        "https://na.myconnectwise.net",
        "https://api-na.myconnectwise.net/",
        "https://cw.msp.example:8443",
        "https://10.0.0.5",
    ] {
        assert!(
            regex.is_match(text) && Site::parse(text, false).is_ok(),
            "{text}"
        );
    }
}

#[test]
fn internal_addresses_are_told_apart_from_public_ones() {
    for internal in [
        "https://127.0.0.1",
        "https://10.0.0.8",
        "https://172.16.5.4",
        "https://192.168.1.1",
        "https://169.254.169.254",
        "https://0.0.0.0",
        "https://100.64.0.1",
        "https://localhost",
        "https://api.localhost",
    ] {
        assert!(site(internal).is_internal(), "{internal}");
    }
    for public in [
        "https://na.myconnectwise.net",
        "https://cw.msp.example",
        "https://8.8.8.8",
        "https://172.32.0.1",
    ] {
        assert!(!site(public).is_internal(), "{public}");
    }
}
