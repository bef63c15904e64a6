//! The README's run command: `psa-hub demo` runs the loop end to end and says what happened.

use std::process::Command;

#[test]
fn the_demo_registers_verifies_a_callout_and_cleans_up() {
    let output = Command::new(env!("CARGO_BIN_EXE_psa-hub"))
        .arg("demo")
        .output()
        .expect("the binary runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "stdout:\n{stdout}\nstderr:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("registered (active=true, ready=true"),
        "{stdout}"
    );
    assert!(
        stdout.contains("completed=true resolution=\"Rule removed & password reset\""),
        "{stdout}"
    );
    assert!(stdout.contains("healthy=true"), "{stdout}");
    assert!(stdout.contains("0 webhooks left"), "{stdout}");
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
