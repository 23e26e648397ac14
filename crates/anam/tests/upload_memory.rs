//! An upload from a path streams the file: a document of the spec's largest size (50 MB) goes out
//! while the process's peak memory grows by a small fraction of it. Alone in its test binary, so
//! that the peak (`VmHWM` of /proc/self/status) is this test's own.

#![cfg(target_os = "linux")]

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// The process's peak resident memory so far, in bytes.
fn peak_memory() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    let kib: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kib * 1024
}

/// A server that reads one request, discards its body as it arrives, and answers 201; returns
/// its URL and the number of body bytes it read.
async fn discarding_server() -> (String, tokio::task::JoinHandle<u64>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") {
            socket.read_exact(&mut byte).await.unwrap();
            head.push(byte[0]);
        }
        let head = String::from_utf8_lossy(&head).to_lowercase();
        let length: u64 = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .map(|v| v.trim().parse().unwrap())
            .expect("an upload of known size declares its length");
        let mut buffer = vec![0u8; 64 * 1024];
        let mut read = 0u64;
        while read < length {
            let n = socket.read(&mut buffer).await.unwrap();
            assert!(n > 0, "the body ended early");
            read += n as u64;
        }
        let body = r#"{"id":"d-1","status":"PROCESSING"}"#;
        let answer = format!(
            "HTTP/1.1 201 Created\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
        socket.write_all(answer.as_bytes()).await.unwrap();
        read
    });
    (url, task)
}

#[tokio::test(flavor = "current_thread")]
async fn a_50_mb_document_is_streamed_not_read_into_memory() {
    const SIZE: u64 = 52_428_800;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("manual.pdf");
    std::fs::File::create(&path).unwrap().set_len(SIZE).unwrap(); // sparse: costs no disk
    let (url, server) = discarding_server().await;
    let client = anam::Client::builder().base_url(url).api_key("sk-test-0123456789").build().unwrap();
    let before = peak_memory();
    let document = anam::UploadDocument::new(anam::Upload::path(&path));
    let created = client.knowledge_groups().upload("g-1", document).await.unwrap();
    let grown = peak_memory().saturating_sub(before);
    assert_eq!(created.id, "d-1");
    let sent = server.await.unwrap();
    assert!(sent > SIZE, "the whole file went out ({sent} bytes)");
    assert!(grown < SIZE / 4, "peak memory grew by {grown} bytes for a {SIZE}-byte file");
}
