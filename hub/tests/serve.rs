//! `psa-hub serve`: a clear start-up error for bad settings, and a clean start and stop.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

fn serve() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_psa-hub"));
    command
        .arg("serve")
        .env_remove("PSA_HUB_CONFIG")
        .env("RUST_LOG", "info");
    for (key, _) in std::env::vars() {
        if key.starts_with("PSA_HUB__") {
            command.env_remove(key);
        }
    }
    command
}

#[test]
fn bad_settings_are_all_reported_at_once_without_their_values() {
    let output = serve()
        .env("PSA_HUB__PUBLIC__LISTEN", "nowhere")
        .env("PSA_HUB__ADMIN__TOKENS", "tooshort1")
        .env("PSA_HUB__SECRETS__MASTER_KEY", "bm90LWEta2V5")
        .env("PSA_HUB__DATABASE__URLL", "sqlite://x.db")
        .output()
        .expect("the binary runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    for key in [
        "public.listen",
        "admin.tokens",
        "secrets.master_key",
        "database.urll",
    ] {
        assert!(stderr.contains(key), "{key} not reported:\n{stderr}");
    }
    assert!(!stderr.contains("tooshort1"), "{stderr}");
    assert!(!stderr.contains("bm90LWEta2V5"), "{stderr}");
}

#[test]
fn serve_starts_answers_and_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().expect("temp dir");
    // Port 0: the hub binds free ports itself and logs where, so no port can be taken between
    // choosing it and binding it.
    let mut child = serve()
        .env("PSA_HUB__PUBLIC__LISTEN", "127.0.0.1:0")
        .env("PSA_HUB__PUBLIC__URL", "https://hooks.example.com")
        .env("PSA_HUB__ADMIN__LISTEN", "127.0.0.1:0")
        .env("PSA_HUB__ADMIN__TOKENS", "0123456789abcdef0123456789abcdef")
        .env(
            "PSA_HUB__SECRETS__MASTER_KEY",
            "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        )
        .env(
            "PSA_HUB__DATABASE__URL",
            format!("sqlite://{}", dir.path().join("hub.db").display()),
        )
        .stderr(Stdio::piped())
        .spawn()
        .expect("serve starts");
    let (lines, log) = std::sync::mpsc::channel();
    let stderr = BufReader::new(child.stderr.take().expect("stderr"));
    let reader = std::thread::spawn(move || {
        for line in stderr.lines().map_while(Result::ok) {
            let _ = lines.send(line);
        }
    });
    let mut seen = Vec::new();
    let admin = loop {
        let line = log
            .recv_timeout(Duration::from_secs(30))
            .unwrap_or_else(|_| panic!("never said where it listens: {seen:?}"));
        if let Some(addr) = line
            .contains("psa-hub listening")
            .then(|| field(&line, "admin_addr"))
        {
            seen.push(line);
            break addr.expect("the admin address is logged");
        }
        seen.push(line);
    };
    // It says it listens only once it is ready.
    let ready = get(admin, "/readyz").expect("ready");
    assert!(ready.contains("\"ready\""), "{ready}");
    let metrics = get(admin, "/metrics").expect("metrics");
    assert!(metrics.contains("psa_hub_build_info"), "{metrics}");
    assert!(
        dir.path().join("hub.db").exists(),
        "the database file was created"
    );

    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    let exit = child.wait().expect("serve exits");
    assert!(exit.success(), "{exit:?}");
    reader.join().expect("the log reader ends with the process");
    seen.extend(log.try_iter());
    assert!(
        !seen.iter().any(|l| l.contains("0123456789abcdef")),
        "the admin token never reaches the log"
    );
    assert!(
        !seen.iter().any(|l| l.contains('\u{1b}')),
        "no colour codes in a log that is not a terminal: {seen:?}"
    );
}

/// The value of `name=value` in a log line.
fn field(line: &str, name: &str) -> Option<std::net::SocketAddr> {
    line.split_whitespace()
        .find_map(|part| part.strip_prefix(&format!("{name}=")))
        .and_then(|value| value.parse().ok())
}

/// A minimal HTTP/1.1 GET, so this test needs no HTTP client of its own.
fn get(addr: std::net::SocketAddr, path: &str) -> std::io::Result<String> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr)?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    if response.starts_with("HTTP/1.1 200") {
        Ok(response)
    } else {
        Err(std::io::Error::other(response))
    }
}
