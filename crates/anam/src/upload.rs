//! Uploads: [`Upload`] (a file from a path, bytes or a stream) and the `multipart/form-data`
//! bodies the upload operations take ([`Form`]), whose field names are checked against the
//! spec's (`anam_api::facts::FORM_FIELDS`).
//!
//! A file on disk is streamed in chunks, never read whole, so a large document costs one chunk
//! of memory; it is opened again for each attempt, so an upload from a path (or from bytes) can
//! be retried. A stream can be read once: an upload from one is sent once, never retried.
//!
//! Before anything is sent, a path is opened without waiting (a FIFO nobody writes to does not
//! block) and checked, on the opened file, to be a regular file; the content type must be a
//! MIME type, and a size that is known must be within the field's limit (`x-anam-max-bytes`).
//! While it is sent, a file or stream is cut off at that limit (and at the size it declared),
//! which abandons the request. The file name goes into the part's header percent-encoded where
//! it holds `"` or a control character.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use anam_api::Operation;
use anam_api::facts::FormField;
use bytes::Bytes;
use futures::stream::BoxStream;
use futures::{Stream, StreamExt};
use reqwest::multipart::Part;

use crate::error::ValidationError;

/// A file to upload, with its name and content type. The content type is guessed from the
/// file name's extension (`report.pdf` is `application/pdf`) unless given.
///
/// ```
/// let from_disk = anam::Upload::path("docs/handbook.pdf");
/// assert_eq!(from_disk.file_name(), "handbook.pdf");
/// assert_eq!(from_disk.content_type(), "application/pdf");
///
/// let inline = anam::Upload::bytes("notes.md", "# Opening hours\nMonday to Friday.");
/// assert_eq!(inline.content_type(), "text/markdown");
/// let csv = anam::Upload::bytes("prices", "a,b").with_content_type("text/csv");
/// assert_eq!(csv.content_type(), "text/csv");
/// ```
#[derive(Clone)]
pub struct Upload {
    file_name: String,
    content_type: Option<String>,
    source: Source,
}

#[derive(Clone)]
enum Source {
    Path(PathBuf),
    Bytes(Bytes),
    /// Taken by the first attempt; `None` afterwards.
    Stream {
        body: Arc<Mutex<Option<BoxStream<'static, io::Result<Bytes>>>>>,
        length: Option<u64>,
    },
}

impl Upload {
    /// The file at `path`, streamed from disk; its name is the path's last component. It must
    /// be a regular file: a directory, a FIFO or a device is refused before anything is sent.
    pub fn path(path: impl Into<PathBuf>) -> Self {
        let path = path.into();
        let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        Upload { file_name, content_type: None, source: Source::Path(path) }
    }

    /// `bytes`, uploaded as a file named `file_name`.
    pub fn bytes(file_name: impl Into<String>, bytes: impl Into<Bytes>) -> Self {
        Upload { file_name: file_name.into(), content_type: None, source: Source::Bytes(bytes.into()) }
    }

    /// The chunks of `stream`, uploaded as a file named `file_name`; `length` is its size in
    /// bytes when known (servers and storage prefer a known length). A stream is read once, so
    /// such an upload is never retried. It is cut off at the field's size limit (and at
    /// `length`, when given): the request is then abandoned, and the error names the field.
    pub fn stream(
        file_name: impl Into<String>,
        stream: impl Stream<Item = io::Result<Bytes>> + Send + 'static,
        length: Option<u64>,
    ) -> Self {
        let body = Arc::new(Mutex::new(Some(stream.boxed())));
        Upload { file_name: file_name.into(), content_type: None, source: Source::Stream { body, length } }
    }

    /// The same upload under another file name.
    pub fn with_file_name(mut self, name: impl Into<String>) -> Self {
        self.file_name = name.into();
        self
    }

    /// The same upload with this content type instead of the guessed one. It must be a MIME
    /// type (`type/subtype`, with parameters if any, in printable ASCII), checked before sending.
    pub fn with_content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }

    /// The file name it is uploaded under.
    pub fn file_name(&self) -> &str {
        &self.file_name
    }

    /// Its content type: the one given, else the one its file name's extension suggests, else
    /// `application/octet-stream`.
    pub fn content_type(&self) -> String {
        match &self.content_type {
            Some(given) => given.clone(),
            None => mime_guess::from_path(&self.file_name).first_or_octet_stream().essence_str().to_owned(),
        }
    }

    /// Whether it can be sent again (a path or bytes; not a stream).
    pub(crate) fn is_replayable(&self) -> bool {
        !matches!(self.source, Source::Stream { .. })
    }

    /// Checks, before anything is sent, what can be known: the content type is a MIME type,
    /// a path is a regular file that opens (see [`open_regular`]), and the size, where it is
    /// known, is within `limit` (the size limit of `field`). Returns the size, where known.
    pub(crate) async fn check(&self, field: &str, limit: Option<u64>) -> Result<Option<u64>, crate::Error> {
        self.check_content_type()?;
        let length = match &self.source {
            Source::Path(path) => Some(open_regular(path).await.map_err(|e| file_error(self, &e))?.1),
            Source::Bytes(bytes) => Some(bytes.len() as u64),
            Source::Stream { length, .. } => *length,
        };
        check_length(field, length, limit)?;
        Ok(length)
    }

    /// The content type, refused unless it is a MIME type: it goes into a header.
    fn check_content_type(&self) -> Result<(), ValidationError> {
        let content_type = self.content_type();
        match content_type.parse::<mime::Mime>() {
            Ok(_) => Ok(()),
            Err(_) => Err(content_type_error(&content_type)),
        }
    }

    /// The body for one attempt, with its size where known: the file opened (again) and checked
    /// as [`Self::check`] does, the bytes, or the stream taken. A file or stream is cut off
    /// once it gives more than `limit` or than its own size said ([`OverLimit`]).
    pub(crate) async fn open(&self, field: &'static str, limit: Option<u64>) -> Result<Opened, crate::Error> {
        let (chunks, length) = match &self.source {
            Source::Path(path) => {
                let (file, length) = open_regular(path).await.map_err(|e| file_error(self, &e))?;
                (tokio_util::io::ReaderStream::new(file).boxed(), Some(length))
            }
            Source::Bytes(bytes) => {
                let length = bytes.len() as u64;
                check_length(field, Some(length), limit)?;
                return Ok(Opened { body: reqwest::Body::from(bytes.clone()), length: Some(length) });
            }
            Source::Stream { body, length } => {
                let taken = body.lock().unwrap_or_else(PoisonError::into_inner).take();
                let stream = taken.ok_or_else(|| {
                    crate::Error::InvalidRequest("the upload's stream was already sent once".to_owned())
                })?;
                (stream, *length)
            }
        };
        check_length(field, length, limit)?;
        let body = reqwest::Body::wrap_stream(capped(chunks, field, limit, length));
        Ok(Opened { body, length })
    }

    /// The form part for one attempt: [`Self::open`] with the file's name (as a header can hold
    /// it: [`header_file_name`]), type and length.
    pub(crate) async fn part(&self, field: &FormField) -> Result<Part, crate::Error> {
        let opened = self.open(field.field, field.max_bytes).await?;
        let part = match opened.length {
            Some(length) => Part::stream_with_length(opened.body, length),
            None => Part::stream(opened.body),
        };
        let content_type = self.content_type();
        let part = part.file_name(header_file_name(&self.file_name));
        part.mime_str(&content_type).map_err(|_| content_type_error(&content_type).into())
    }

    fn shown_source(&self) -> String {
        match &self.source {
            Source::Path(path) => path.display().to_string(),
            Source::Bytes(bytes) => format!("{} bytes", bytes.len()),
            Source::Stream { .. } => "a stream".to_owned(),
        }
    }
}

/// The error of a content type that is not a MIME type (it would go into a header).
fn content_type_error(content_type: &str) -> ValidationError {
    let expected = "a MIME type such as text/plain (type/subtype and parameters, in printable ASCII)";
    ValidationError::new("contentType", format!("{content_type:?}"), expected)
}

/// An upload opened for one attempt: its body (cut off at its limit) and its size, where known.
pub(crate) struct Opened {
    /// The body to send.
    pub(crate) body: reqwest::Body,
    /// Its size in bytes, where known before sending.
    pub(crate) length: Option<u64>,
}

/// Refuses a size over `field`'s limit.
fn check_length(field: &str, length: Option<u64>, limit: Option<u64>) -> Result<(), ValidationError> {
    match (length, limit) {
        (Some(length), Some(limit)) if length > limit => {
            Err(ValidationError::new(field, format!("{length} bytes"), format!("at most {limit} bytes")))
        }
        _ => Ok(()),
    }
}

/// Opens `path` for reading without waiting for a FIFO's writer, and checks on the opened
/// handle (not the path, which could be swapped in between) that it is a regular file. Returns
/// the file, blocking again, with its size.
async fn open_regular(path: &Path) -> io::Result<(tokio::fs::File, u64)> {
    let file = open_without_waiting(path).await?;
    let metadata = file.metadata().await?;
    if !metadata.is_file() {
        let message = format!("not a regular file ({})", file_kind(&metadata.file_type()));
        return Err(io::Error::new(io::ErrorKind::InvalidInput, message));
    }
    blocking_again(&file)?;
    Ok((file, metadata.len()))
}

/// `path` opened for reading with `O_NONBLOCK`, so that opening a FIFO nobody writes to does
/// not wait for a writer.
#[cfg(unix)]
async fn open_without_waiting(path: &Path) -> io::Result<tokio::fs::File> {
    let flags = nix::fcntl::OFlag::O_NONBLOCK.bits();
    tokio::fs::OpenOptions::new().read(true).custom_flags(flags).open(path).await
}

/// `path` opened for reading (FIFOs are a Unix matter).
#[cfg(not(unix))]
async fn open_without_waiting(path: &Path) -> io::Result<tokio::fs::File> {
    tokio::fs::File::open(path).await
}

/// Clears `O_NONBLOCK` again: only the open must not wait.
#[cfg(unix)]
fn blocking_again(file: &tokio::fs::File) -> io::Result<()> {
    use nix::fcntl::{FcntlArg, OFlag, fcntl};
    let flags = OFlag::from_bits_truncate(fcntl(file, FcntlArg::F_GETFL)?);
    fcntl(file, FcntlArg::F_SETFL(flags - OFlag::O_NONBLOCK))?;
    Ok(())
}

#[cfg(not(unix))]
fn blocking_again(_file: &tokio::fs::File) -> io::Result<()> {
    Ok(())
}

/// What a file that is not a regular file is, for an error.
fn file_kind(file_type: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a FIFO";
        }
        if file_type.is_socket() {
            return "a socket";
        }
        if file_type.is_char_device() {
            return "a character device";
        }
        if file_type.is_block_device() {
            return "a block device";
        }
    }
    if file_type.is_dir() { "a directory" } else { "not a file of data" }
}

/// A file name as a form part's `filename="..."` carries it: `"`, CR, LF (as browsers encode
/// them, after RFC 7578) and every other control character percent-encoded, so that no name
/// can end the quoted text, the header or the part. Anything else is kept as it is.
pub(crate) fn header_file_name(name: &str) -> String {
    let mut encoded = String::with_capacity(name.len());
    for c in name.chars() {
        if c == '"' || c.is_ascii_control() {
            encoded.push_str(&format!("%{:02X}", c as u32));
        } else {
            encoded.push(c);
        }
    }
    encoded
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The error a body gives once it grows past what its field takes, or past the size it
/// declared: the request is abandoned there (the rest is never read, the body never ends).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OverLimit {
    field: &'static str,
    limit: u64,
    /// Whether `limit` is the size the upload declared (which is then within the field's own
    /// limit).
    declared: bool,
}

impl OverLimit {
    /// The error a caller gets: the field, and what it takes.
    pub(crate) fn to_validation(&self) -> ValidationError {
        let limit = self.limit;
        if self.declared {
            let value = format!("a stream longer than the {limit} bytes it declared");
            ValidationError::new(self.field, value, "no longer than its declared length")
        } else {
            ValidationError::new(self.field, format!("more than {limit} bytes"), format!("at most {limit} bytes"))
        }
    }

    /// The [`OverLimit`] among the causes of `error`, if a body was cut off.
    pub(crate) fn find<'a>(error: &'a (dyn std::error::Error + 'static)) -> Option<&'a OverLimit> {
        let mut cause = Some(error);
        while let Some(error) = cause {
            if let Some(over) = error.downcast_ref::<OverLimit>() {
                return Some(over);
            }
            cause = error.source();
        }
        None
    }
}

impl fmt::Display for OverLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.to_validation().fmt(f)
    }
}

impl std::error::Error for OverLimit {}

/// `chunks` cut off with an [`OverLimit`] (and nothing after it) before the chunk that would
/// take them past `limit`, or past `declared`, their own size.
fn capped(
    chunks: BoxStream<'static, io::Result<Bytes>>,
    field: &'static str,
    limit: Option<u64>,
    declared: Option<u64>,
) -> impl Stream<Item = Result<Bytes, BoxError>> + Send + 'static {
    let cap = match (limit, declared) {
        (Some(limit), Some(declared)) => Some(limit.min(declared)),
        (limit, declared) => limit.or(declared),
    };
    let over = cap.map(|cap| OverLimit { field, limit: cap, declared: declared == Some(cap) });
    chunks.scan(Some(0u64), move |sent, chunk| {
        let item = match (sent.as_mut(), chunk) {
            (None, _) => None,
            (Some(_), Err(error)) => Some(Err(BoxError::from(error))),
            (Some(count), Ok(chunk)) => {
                *count = count.saturating_add(chunk.len() as u64);
                match &over {
                    Some(over) if *count > over.limit => {
                        *sent = None;
                        Some(Err(BoxError::from(over.clone())))
                    }
                    _ => Some(Ok(chunk)),
                }
            }
        };
        std::future::ready(item)
    })
}

/// The error of a file that cannot be read: its path and why.
pub(crate) fn file_error(upload: &Upload, error: &io::Error) -> crate::Error {
    crate::Error::InvalidRequest(format!("cannot read the upload {}: {error}", upload.shown_source()))
}

impl fmt::Debug for Upload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Upload")
            .field("file_name", &self.file_name)
            .field("content_type", &self.content_type())
            .field("source", &self.shown_source())
            .finish()
    }
}

impl PartialEq for Upload {
    /// The same file name, content type and source (streams are equal only to themselves).
    fn eq(&self, other: &Self) -> bool {
        let same = match (&self.source, &other.source) {
            (Source::Path(a), Source::Path(b)) => a == b,
            (Source::Bytes(a), Source::Bytes(b)) => a == b,
            (Source::Stream { body: a, .. }, Source::Stream { body: b, .. }) => Arc::ptr_eq(a, b),
            _ => false,
        };
        same && self.file_name == other.file_name && self.content_type() == other.content_type()
    }
}

/// A `multipart/form-data` body of `operation`: text fields and one file, each checked to be a
/// field of the operation's form in the spec.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Form {
    operation: Operation,
    texts: Vec<(&'static str, String)>,
    file: Option<(&'static FormField, Upload)>,
}

impl Form {
    pub(crate) fn new(operation: Operation) -> Self {
        Form { operation, texts: Vec::new(), file: None }
    }

    fn field(&self, name: &str) -> Result<&'static FormField, ValidationError> {
        self.operation.form_fields().find(|f| f.field == name).ok_or_else(|| {
            let known: Vec<&str> = self.operation.form_fields().map(|f| f.field).collect();
            ValidationError::new(name, "a field", format!("a field of the form: {}", known.join(", ")))
        })
    }

    /// Adds a text field (numbers and booleans as their JSON text), checked against the
    /// spec's lengths for it.
    pub(crate) fn text(mut self, name: &str, value: impl ToString) -> Result<Self, ValidationError> {
        let field = self.field(name)?;
        let value = value.to_string();
        let length = value.chars().count();
        let too_short = field.min_length.is_some_and(|min| length < min);
        let too_long = field.max_length.is_some_and(|max| length > max);
        if too_short || too_long {
            let expected = match (field.min_length, field.max_length) {
                (Some(min), Some(max)) => format!("{min} to {max} characters"),
                (Some(min), None) => format!("at least {min} characters"),
                (_, max) => format!("at most {} characters", max.unwrap_or_default()),
            };
            return Err(ValidationError::new(field.field, format!("{length} characters long"), expected));
        }
        self.texts.push((field.field, value));
        Ok(self)
    }

    /// Adds the file.
    pub(crate) fn file(mut self, name: &str, upload: Upload) -> Result<Self, ValidationError> {
        let field = self.field(name)?;
        if !field.file {
            return Err(ValidationError::new(name, "a file", "a text field"));
        }
        self.file = Some((field, upload));
        Ok(self)
    }

    /// Checks that every required field is there, and the file as [`Upload::check`] does
    /// (its content type, that a path is a regular file, its size where known).
    pub(crate) async fn check(&self) -> Result<(), crate::Error> {
        for field in self.operation.form_fields().filter(|f| f.required) {
            let present = self.texts.iter().any(|(name, _)| *name == field.field)
                || self.file.as_ref().is_some_and(|(f, _)| f.field == field.field);
            if !present {
                return Err(ValidationError::new(field.field, "unset", "set (the form requires it)").into());
            }
        }
        match &self.file {
            Some((field, upload)) => upload.check(field.field, field.max_bytes).await.map(drop),
            None => Ok(()),
        }
    }

    /// Whether every attempt can send the same body.
    pub(crate) fn is_replayable(&self) -> bool {
        self.file.as_ref().is_none_or(|(_, upload)| upload.is_replayable())
    }

    /// The body for one attempt, or why the file cannot be sent.
    pub(crate) async fn to_multipart(&self) -> Result<reqwest::multipart::Form, crate::Error> {
        let mut form = reqwest::multipart::Form::new();
        for (name, value) in &self.texts {
            form = form.text(*name, value.clone());
        }
        if let Some((field, upload)) = &self.file {
            form = form.part(field.field, upload.part(field).await?);
        }
        Ok(form)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_must_be_the_specs() {
        let form = Form::new(Operation::UploadKnowledgeGroupDocument);
        let err = form.clone().text("chunk_size", 5).unwrap_err();
        assert!(err.expected.contains("chunkSize"), "{err}");
        assert!(form.clone().text("chunkSize", 500).is_ok());
        assert_eq!(form.file("chunkSize", Upload::bytes("a.txt", "x")).unwrap_err().field, "chunkSize");
        let avatar = Form::new(Operation::CreateAvatar);
        let err = avatar.clone().text("displayName", "Al").unwrap_err();
        assert_eq!(err.to_string(), "displayName is 2 characters long, but must be 3 to 50 characters");
        assert!(avatar.text("displayName", "Alex").is_ok());
    }

    #[tokio::test]
    async fn required_fields_and_sizes_are_checked_before_sending() {
        let form = Form::new(Operation::UploadKnowledgeGroupDocument);
        assert_eq!(
            form.check().await.unwrap_err().to_string(),
            "file is unset, but must be set (the form requires it)"
        );
        let big = Upload::stream("big.pdf", futures::stream::empty(), Some(52_428_801));
        let err = form.clone().file("file", big).unwrap().check().await.unwrap_err();
        assert_eq!(err.to_string(), "file is 52428801 bytes, but must be at most 52428800 bytes");
        let ok = form.file("file", Upload::bytes("a.txt", "hello")).unwrap();
        assert!(ok.check().await.is_ok() && ok.is_replayable());
    }

    fn field(operation: Operation, name: &str) -> &'static FormField {
        operation.form_fields().find(|f| f.field == name).unwrap()
    }

    #[tokio::test]
    async fn a_stream_is_sent_once_and_a_file_is_read_again() {
        let file_field = field(Operation::UploadKnowledgeGroupDocument, "file");
        let once = Upload::stream("s.txt", futures::stream::iter([Ok(Bytes::from_static(b"x"))]), None);
        assert!(!once.is_replayable());
        assert!(once.part(file_field).await.is_ok());
        assert!(once.part(file_field).await.is_err(), "the stream was taken");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("doc.txt");
        std::fs::write(&path, "hello").unwrap();
        let file = Upload::path(&path);
        assert_eq!(file.check("file", None).await.unwrap(), Some(5));
        assert!(file.part(file_field).await.is_ok() && file.part(file_field).await.is_ok(), "opened for each attempt");
        let missing = Upload::path(dir.path().join("gone.txt"));
        assert!(missing.part(file_field).await.is_err());
    }

    /// Every chunk a capped stream gives, and the error it ended with, if any.
    async fn drain(chunks: Vec<&'static [u8]>, limit: Option<u64>, declared: Option<u64>) -> (usize, Option<String>) {
        let chunks = futures::stream::iter(chunks.into_iter().map(|c| Ok(Bytes::from_static(c)))).boxed();
        let items: Vec<Result<Bytes, BoxError>> = capped(chunks, "file", limit, declared).collect().await;
        let sent = items.iter().filter_map(|i| i.as_ref().ok()).map(Bytes::len).sum();
        let error = items.iter().find_map(|i| i.as_ref().err()).map(|e| e.to_string());
        assert!(items.iter().position(Result::is_err).is_none_or(|p| p == items.len() - 1), "nothing after an error");
        (sent, error)
    }

    #[tokio::test]
    async fn a_body_is_cut_off_before_the_chunk_that_passes_its_limit() {
        assert_eq!(drain(vec![b"abc", b"de"], Some(5), None).await, (5, None));
        let (sent, error) = drain(vec![b"abc", b"def", b"ghi"], Some(5), None).await;
        assert_eq!((sent, error.as_deref()), (3, Some("file is more than 5 bytes, but must be at most 5 bytes")));
        let (sent, error) = drain(vec![b"abc", b"def"], Some(100), Some(4)).await;
        assert_eq!(sent, 3);
        assert_eq!(
            error.as_deref(),
            Some(
                "file is a stream longer than the 4 bytes it declared, but must be no longer than its declared length"
            )
        );
        assert_eq!(drain(vec![b"abc"; 4], None, None).await, (12, None), "no limit, no cut");
    }

    #[test]
    fn a_file_name_cannot_end_its_header() {
        assert_eq!(header_file_name("lf\nX-Evil: 2.md"), "lf%0AX-Evil: 2.md");
        assert_eq!(header_file_name("a\r\n\"b\u{0}\t\u{7f}.md"), "a%0D%0A%22b%00%09%7F.md");
        assert_eq!(header_file_name("Prix; été 50%.csv"), "Prix; été 50%.csv", "the rest is kept");
    }
}
