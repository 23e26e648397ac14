//! Uploads given what a caller (or whoever wrote the file names and paths it passes on) should
//! not give: a FIFO, a directory, a file name or content type that would break the part's
//! headers, a stream past its field's limit. Each is refused before anything is sent, or cut off
//! so that the server never receives a complete body; wiremock and a raw socket on 127.0.0.1
//! show what arrived.

use std::path::Path;
use std::time::Duration;

use anam::{Client, Error, Upload, UploadAvatar, UploadDocument, UploadVoice};
use bytes::Bytes;
use futures::StreamExt;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use wiremock::matchers::{any, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const KEY: &str = "sk-test-0123456789";

fn client(base_url: &str) -> Client {
    Client::builder().api_key(KEY).base_url(base_url).build().unwrap()
}

/// A server that answers every upload, the presigned one included, with success: whatever is
/// refused is refused by the client.
async fn accepting_server() -> MockServer {
    let server = MockServer::start().await;
    let storage = format!("{}/storage/clip.wav", server.uri());
    Mock::given(method("POST"))
        .and(path("/v1/voices/presigned-upload"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"uploadUrl": storage, "audioKey": "k"})))
        .mount(&server)
        .await;
    let made = json!({"id": "x-1", "knowledgeFolderId": "g-1", "filename": "f", "status": "PROCESSING"});
    Mock::given(any()).respond_with(ResponseTemplate::new(201).set_body_json(made)).mount(&server).await;
    server
}

/// Each kind of upload of the file at `file`: a document, a voice (inline and presigned) and an
/// avatar, with the error each ended with.
async fn every_kind_of_upload(client: &Client, file: &Path) -> Vec<(&'static str, Error)> {
    let upload = Upload::path(file);
    let (documents, voices, avatars) = (client.knowledge_groups(), client.voices(), client.avatars());
    let document = documents.upload("g-1", UploadDocument::new(upload.clone()));
    let voice = voices.upload(UploadVoice::new("Me", upload.clone()));
    let large = voices.upload_large(UploadVoice::new("Me", upload.clone().with_content_type("audio/wav")));
    let avatar = avatars.upload(UploadAvatar::new("Alex", upload.clone()));
    vec![
        ("document", guarded(file, async move { document.await.map(drop) }).await),
        ("voice", guarded(file, async move { voice.await.map(drop) }).await),
        ("large voice", guarded(file, async move { large.await.map(drop) }).await),
        ("avatar", guarded(file, async move { avatar.await.map(drop) }).await),
    ]
}

/// The error `call` ends with. A hang is the defect under test (an open that waits for a FIFO's
/// writer): the guard then opens the FIFO for writing, which releases the waiting open, and
/// fails the test, instead of a test that never ends. A correct upload is refused at once.
async fn guarded(file: &Path, call: impl std::future::Future<Output = anam::Result<()>>) -> Error {
    match tokio::time::timeout(Duration::from_secs(60), call).await {
        Ok(outcome) => outcome.unwrap_err(),
        Err(_) => {
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                let flags = nix::fcntl::OFlag::O_NONBLOCK.bits();
                drop(std::fs::OpenOptions::new().write(true).custom_flags(flags).open(file));
            }
            panic!("the upload of {} waited instead of being refused", file.display());
        }
    }
}

async fn assert_refused_before_sending(server: &MockServer, file: &Path, why: &str) {
    for (kind, err) in every_kind_of_upload(&client(&server.uri()), file).await {
        let expected =
            format!("invalid request: cannot read the upload {}: not a regular file ({why})", file.display());
        assert_eq!(err.to_string(), expected, "{kind}");
        assert!(matches!(err, Error::InvalidRequest(_)), "{kind}: {err:?}");
    }
    assert!(server.received_requests().await.unwrap().is_empty(), "nothing was sent, not even a presigned request");
}

#[cfg(unix)]
#[tokio::test]
async fn an_upload_from_a_fifo_is_refused_at_once_before_anything_is_sent() {
    let server = accepting_server().await;
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("recording.wav");
    nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::S_IRWXU).unwrap();
    assert_refused_before_sending(&server, &fifo, "a FIFO").await;
}

#[tokio::test]
async fn an_upload_from_a_directory_is_refused_before_anything_is_sent() {
    let server = accepting_server().await;
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("handbook.md");
    std::fs::create_dir(&folder).unwrap();
    assert_refused_before_sending(&server, &folder, "a directory").await;
}

#[tokio::test]
async fn a_missing_file_is_refused_before_anything_is_sent() {
    let server = accepting_server().await;
    let missing = Path::new("/nonexistent/recording.wav");
    for (kind, err) in every_kind_of_upload(&client(&server.uri()), missing).await {
        let text = err.to_string();
        assert!(
            text.starts_with("invalid request: cannot read the upload /nonexistent/recording.wav: "),
            "{kind}: {text}"
        );
    }
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_content_type_that_is_not_a_mime_type_is_refused_naming_it() {
    let server = accepting_server().await;
    let upload = Upload::bytes("clip.wav", "RIFF").with_content_type("audio/wav\r\nX-Evil: 1");
    let expected = "contentType is \"audio/wav\\r\\nX-Evil: 1\", but must be a MIME type such as text/plain \
                    (type/subtype and parameters, in printable ASCII)";
    let client = client(&server.uri());
    let document = client.knowledge_groups().upload("g-1", UploadDocument::new(upload.clone())).await;
    let voice = client.voices().upload(UploadVoice::new("Me", upload.clone())).await;
    let large = client.voices().upload_large(UploadVoice::new("Me", upload.clone())).await;
    let avatar = client.avatars().upload(UploadAvatar::new("Alex", upload)).await;
    for err in [document.unwrap_err(), voice.unwrap_err(), large.unwrap_err(), avatar.unwrap_err()] {
        assert_eq!(err.to_string(), expected);
        assert!(matches!(err, Error::Validation(ref v) if v.field == "contentType"), "{err:?}");
    }
    assert!(server.received_requests().await.unwrap().is_empty());
}

/// The `Content-Disposition` line of the form part named `name` in a multipart body.
fn disposition(body: &[u8], name: &str) -> String {
    let text = String::from_utf8_lossy(body);
    let start = text.find(&format!("Content-Disposition: form-data; name=\"{name}\"")).expect("the part");
    text[start..].split("\r\n").next().unwrap().to_owned()
}

#[tokio::test]
async fn a_file_name_cannot_end_or_add_a_header_of_its_part() {
    let server = accepting_server().await;
    let client = client(&server.uri());
    let names = [
        ("lf\nX-Evil: 2.md", "lf%0AX-Evil: 2.md"),
        ("crlf\r\nX-Evil: 3.md", "crlf%0D%0AX-Evil: 3.md"),
        ("nul\0.md", "nul%00.md"),
        ("quote\".md", "quote%22.md"),
        ("Prix; été.md", "Prix; été.md"),
    ];
    for (name, _) in names {
        let upload = UploadDocument::new(Upload::bytes(name, "# Hours"));
        client.knowledge_groups().upload("g-1", upload).await.unwrap();
    }
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), names.len());
    for (request, (_, sent)) in requests.iter().zip(names) {
        let line = disposition(&request.body, "file");
        assert_eq!(line, format!("Content-Disposition: form-data; name=\"file\"; filename=\"{sent}\""));
        let headers = String::from_utf8_lossy(&request.body);
        assert!(!headers.contains("\nX-Evil"), "no header was added: {headers:?}");
        assert!(!request.body.contains(&0), "no NUL byte reached the server");
    }
}

/// A raw HTTP server that reads one request until the client gives up on it, or until it is
/// complete (its closing multipart boundary arrived) or longer than `enough` bytes, which it
/// answers with a 500: the number of bytes that arrived, and whether the body was complete.
async fn counting_server(enough: usize) -> (String, tokio::task::JoinHandle<(usize, bool)>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let counted = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut buffer = vec![0u8; 64 * 1024];
        let (mut received, mut tail) = (0usize, Vec::new());
        while let Ok(read) = socket.read(&mut buffer).await {
            if read == 0 {
                break;
            }
            received += read;
            tail.extend_from_slice(&buffer[..read]);
            let keep = tail.len().saturating_sub(256);
            tail.drain(..keep);
            if received > enough || tail.ends_with(b"--\r\n") || tail.ends_with(b"--\r\n\r\n0\r\n\r\n") {
                let answer = b"HTTP/1.1 500 Internal Server Error\r\ncontent-length: 0\r\nconnection: close\r\n\r\n";
                let _ = socket.write_all(answer).await;
                break;
            }
        }
        let text = String::from_utf8_lossy(&tail);
        (received, text.contains("--\r\n"))
    });
    (url, counted)
}

/// A stream of `chunks` chunks of 64 KiB each, made as it is read (one chunk in memory).
fn lazy_stream(chunks: usize) -> impl futures::Stream<Item = std::io::Result<Bytes>> + Send + 'static {
    static CHUNK: [u8; 64 * 1024] = [b'a'; 64 * 1024];
    futures::stream::iter(0..chunks).map(|_| Ok(Bytes::from_static(&CHUNK)))
}

#[tokio::test]
async fn a_stream_of_unknown_length_is_cut_off_at_its_fields_limit_and_the_request_abandoned() {
    let limit = anam::Operation::CreateVoice.form_fields().find(|f| f.field == "audioFile").unwrap();
    let limit = limit.max_bytes.unwrap();
    let (url, counted) = counting_server(limit as usize + 64 * 1024).await;
    let chunks = (2 * limit as usize).div_ceil(64 * 1024);
    let upload = UploadVoice::new("Me", Upload::stream("long.wav", lazy_stream(chunks), None));
    let err = client(&url).voices().upload(upload).await.unwrap_err();
    assert_eq!(err.to_string(), format!("audioFile is more than {limit} bytes, but must be at most {limit} bytes"));
    assert!(matches!(err, Error::Validation(_)), "{err:?}");
    let (received, complete) = counted.await.unwrap();
    assert!(!complete, "the body was abandoned before its end");
    assert!((received as u64) < limit + 64 * 1024, "{received} bytes arrived, the limit is {limit}");
}

#[tokio::test]
async fn a_stream_longer_than_it_declared_is_cut_off_at_its_declared_length() {
    let (url, counted) = counting_server(100_000 + 16 * 1024).await;
    let upload = UploadDocument::new(Upload::stream("long.md", lazy_stream(4), Some(100_000)));
    let err = client(&url).knowledge_groups().upload("g-1", upload).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "file is a stream longer than the 100000 bytes it declared, but must be no longer than its declared length"
    );
    let (received, complete) = counted.await.unwrap();
    assert!(!complete && received < 100_000 + 16 * 1024, "{received} bytes arrived");
}

#[tokio::test]
async fn a_large_voice_goes_to_storage_with_its_length_and_never_past_it() {
    let server = accepting_server().await;
    let client = client(&server.uri());
    let voice = UploadVoice::new("Me", Upload::bytes("clip.wav", "RIFF-audio!"));
    client.voices().upload_large(voice).await.unwrap();
    let requests = server.received_requests().await.unwrap();
    let put = requests.iter().find(|r| r.method.as_str() == "PUT").expect("the storage upload");
    assert_eq!(put.headers.get("content-length").unwrap(), "11", "storage services refuse a body of unknown length");
    assert!(put.headers.get("transfer-encoding").is_none());
    assert_eq!(put.body, b"RIFF-audio!");

    let (url, counted) = counting_server(1000 + 1024).await;
    let api = accepting_server_pointing_at(&url).await;
    let lying = Upload::stream("long.wav", lazy_stream(4), Some(1000));
    let err = crate::client(&api.uri()).voices().upload_large(UploadVoice::new("Me", lying)).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "fileSize is a stream longer than the 1000 bytes it declared, but must be no longer than its declared length"
    );
    let (received, _) = counted.await.unwrap();
    assert!(received < 1000 + 1024, "{received} bytes arrived");
}

/// A server whose presigned upload sends the recording to `storage`.
async fn accepting_server_pointing_at(storage: &str) -> MockServer {
    let server = MockServer::start().await;
    let target = json!({"uploadUrl": format!("{storage}/clip.wav"), "audioKey": "k"});
    Mock::given(method("POST"))
        .and(path("/v1/voices/presigned-upload"))
        .respond_with(ResponseTemplate::new(200).set_body_json(target))
        .mount(&server)
        .await;
    server
}
