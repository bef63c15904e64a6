//! `psa-hub serve`: a clear start-up error for bad settings, and a clean start and stop.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

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
    let free = || {
        TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
    };
    let (public, admin) = (free(), free());
    let mut child = serve()
        .env("PSA_HUB__PUBLIC__LISTEN", public.to_string())
        .env("PSA_HUB__PUBLIC__URL", "https://hooks.example.com")
        .env("PSA_HUB__ADMIN__LISTEN", admin.to_string())
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
    let started = Instant::now();
    let ready = loop {
        if let Ok(body) = get(admin, "/readyz") {
            break body;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "never ready");
        std::thread::sleep(Duration::from_millis(50));
    };
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
    let log: Vec<String> = BufReader::new(child.stderr.take().expect("stderr"))
        .lines()
        .map_while(Result::ok)
        .collect();
    assert!(
        log.iter().any(|l| l.contains("psa-hub listening")),
        "{log:?}"
    );
    assert!(
        !log.iter()
            .any(|l| l.contains("0123456789abcdef0123456789abcdef")),
        "the admin token never reaches the log"
    );
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
