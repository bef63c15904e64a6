//! The README's run command: `psa-hub demo` runs the loop end to end and says what happened,
//! for Autotask (the default) and for ConnectWise PSA (`--psa connectwise`). (`--exit` stops
//! after the walkthrough; without it the demo keeps serving.)

use std::process::Command;

fn demo(args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_psa-hub"))
        .args(["demo", "--exit"])
        .args(args)
        .output()
        .expect("the binary runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "stdout:\n{stdout}\nstderr:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

fn assert_story(stdout: &str, display: &str, psa: &str) {
    for expected in [
        format!("1. simulated {display} at http://127.0.0.1:"),
        "state=\"setup_incomplete\" banner=\"new_feature_available\" (\"blue\")".to_owned(),
        "Retry Webhook Setup: state=\"active\" banner=null".to_owned(),
        "named \"SaaS Alerts Ticket Monitor\"".to_owned(),
        format!("linked to {display} ticket"),
        "status=\"open\"".to_owned(),
        "status=\"closed\" resolution=\"Rule removed & password reset\"".to_owned(),
        "Authorization: Bearer ".to_owned(),
        format!("/api/v1/tenants/demo-msp/{psa}"),
    ] {
        assert!(
            stdout.contains(&expected),
            "missing {expected:?} in:\n{stdout}"
        );
    }
}

#[test]
fn the_demo_connects_a_tenant_and_closes_its_event_from_a_signed_callout() {
    assert_story(&demo(&[]), "Autotask", "autotask");
}

#[test]
fn the_connectwise_demo_closes_its_event_from_a_signed_callback() {
    let stdout = demo(&["--psa", "connectwise"]);
    assert_story(&stdout, "ConnectWise PSA", "connectwise");
}

#[test]
fn an_unknown_command_is_refused_with_usage() {
    let output = Command::new(env!("CARGO_BIN_EXE_psa-hub"))
        .arg("serve-everything")
        .output()
        .expect("the binary runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("Usage"));
}
