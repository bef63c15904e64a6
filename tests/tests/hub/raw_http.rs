//! HTTP/1.1 over a bare TCP stream, for requests an HTTP client would "fix": `..`, `.` and
//! `%2e%2e` path segments (URL parsers resolve them before sending) and bodies sent exactly.

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

#[derive(Debug)]
pub struct RawResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl RawResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Sends one request to `base` (`http://host:port`) with `target` as written, and reads the
/// whole answer (the connection is closed after it).
pub async fn send(
    base: &str,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> RawResponse {
    let authority = base.strip_prefix("http://").expect("an http:// base");
    let mut stream = TcpStream::connect(authority).await.expect("connects");
    let mut head =
        format!("{method} {target} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    stream.write_all(head.as_bytes()).await.expect("writes");
    stream.write_all(body).await.expect("writes the body");
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.expect("reads");
    parse(&answer)
}

fn parse(answer: &[u8]) -> RawResponse {
    let split = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete head");
    let head = String::from_utf8_lossy(&answer[..split]);
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|line| line.split(' ').nth(1))
        .and_then(|code| code.parse().ok())
        .expect("a status line");
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let response = RawResponse {
        status,
        headers,
        body: answer[split + 4..].to_vec(),
    };
    assert!(
        response.header("transfer-encoding").is_none(),
        "chunked answers are not expected from the admin API"
    );
    response
}
