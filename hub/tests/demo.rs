//! The README's run command: `psa-hub demo` runs the loop end to end and says what happened.
//! (`--exit` stops after the walkthrough; without it the demo keeps serving.)

use std::process::Command;

#[test]
fn the_demo_connects_a_tenant_and_closes_its_event_from_a_signed_callout() {
    let output = Command::new(env!("CARGO_BIN_EXE_psa-hub"))
        .args(["demo", "--exit"])
        .output()
        .expect("the binary runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "stdout:\n{stdout}\nstderr:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for expected in [
        "state=\"setup_incomplete\" banner=\"new_feature_available\" (\"blue\")",
        "Retry Webhook Setup: state=\"active\" banner=null",
        "named \"SaaS Alerts Ticket Monitor\"",
        "status=\"open\"",
        "status=\"closed\" resolution=\"Rule removed & password reset\"",
        "Authorization: Bearer ",
    ] {
        assert!(
            stdout.contains(expected),
            "missing {expected:?} in:\n{stdout}"
        );
    }
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
