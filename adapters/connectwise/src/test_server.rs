//! A one-answer HTTP server on a random local port for unit tests: it answers every request
//! with the same canned response and records each request's first line.

use std::sync::Arc;

use parking_lot::Mutex;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

#[derive(Debug, Clone)]
pub struct TestServer {
    pub base: String,
    pub requests: Arc<Mutex<Vec<String>>>,
}

impl TestServer {
    /// Serves `response` (a whole HTTP/1.1 answer) to every request.
    pub async fn start(response: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("address"));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = requests.clone();
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let (seen, response) = (seen.clone(), response.clone());
                tokio::spawn(async move {
                    let mut head = Vec::new();
                    let mut buf = [0u8; 1024];
                    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                        match socket.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => head.extend_from_slice(&buf[..n]),
                        }
                    }
                    let text = String::from_utf8_lossy(&head);
                    seen.lock()
                        .push(text.lines().next().unwrap_or_default().to_owned());
                    let _ = socket.write_all(response.as_bytes()).await;
                    let _ = socket.shutdown().await;
                });
            }
        });
        Self { base, requests }
    }

    /// An answer with `status` (e.g. "200 OK"), extra header lines and a JSON body.
    pub fn answer(status: &str, headers: &str, body: &str) -> String {
        format!(
            "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
             connection: close\r\n{headers}\r\n{body}",
            body.len()
        )
    }

    pub fn hits(&self) -> usize {
        self.requests.lock().len()
    }
}
