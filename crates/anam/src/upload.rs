//! Uploads: [`Upload`] (a file from a path, bytes or a stream) and the `multipart/form-data`
//! bodies the upload operations take ([`Form`]), whose field names are checked against the
//! spec's (`anam_api::facts::FORM_FIELDS`).
//!
//! A file on disk is streamed in chunks, never read whole, so a large document costs one chunk
//! of memory; it is opened again for each attempt, so an upload from a path (or from bytes) can
//! be retried. A stream can be read once: an upload from one is sent once, never retried.

use std::fmt;
use std::io;
use std::path::PathBuf;
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
    /// The file at `path`, streamed from disk; its name is the path's last component.
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
    /// such an upload is never retried.
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

    /// The same upload with this content type instead of the guessed one.
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

    /// Its size in bytes, where it is known before sending (a path's file is asked for it).
    pub(crate) async fn length(&self) -> io::Result<Option<u64>> {
        Ok(match &self.source {
            Source::Path(path) => Some(tokio::fs::metadata(path).await?.len()),
            Source::Bytes(bytes) => Some(bytes.len() as u64),
            Source::Stream { length, .. } => *length,
        })
    }

    /// The body for one attempt: the file opened (again) and streamed, the bytes, or the stream
    /// taken.
    pub(crate) async fn body(&self) -> io::Result<reqwest::Body> {
        Ok(match &self.source {
            Source::Path(path) => {
                let file = tokio::fs::File::open(path).await?;
                reqwest::Body::wrap_stream(tokio_util::io::ReaderStream::new(file))
            }
            Source::Bytes(bytes) => reqwest::Body::from(bytes.clone()),
            Source::Stream { body, .. } => {
                let taken = body.lock().unwrap_or_else(PoisonError::into_inner).take();
                let stream = taken.ok_or_else(|| io::Error::other("the upload's stream was already sent once"))?;
                reqwest::Body::wrap_stream(stream)
            }
        })
    }

    /// The form part for one attempt: [`Self::body`] with the file's name, type and length.
    pub(crate) async fn part(&self) -> io::Result<Part> {
        let body = self.body().await?;
        let part = match self.length().await? {
            Some(length) => Part::stream_with_length(body, length),
            None => Part::stream(body),
        };
        part.file_name(self.file_name.clone())
            .mime_str(&self.content_type())
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "the content type is not a MIME type"))
    }

    /// Checks the file against `field`'s documented size limit, where its size is known.
    pub(crate) async fn check_size(&self, field: &FormField) -> Result<(), crate::Error> {
        let Some(limit) = field.max_bytes else { return Ok(()) };
        let length = self.length().await.map_err(|e| file_error(self, &e))?;
        match length {
            Some(length) if length > limit => {
                Err(ValidationError::new(field.field, format!("{length} bytes"), format!("at most {limit} bytes"))
                    .into())
            }
            _ => Ok(()),
        }
    }

    fn shown_source(&self) -> String {
        match &self.source {
            Source::Path(path) => path.display().to_string(),
            Source::Bytes(bytes) => format!("{} bytes", bytes.len()),
            Source::Stream { .. } => "a stream".to_owned(),
        }
    }
}

/// The error of a file that cannot be read: its path and why.
pub(crate) fn file_error(upload: &Upload, error: &io::Error) -> crate::Error {
    crate::Error::InvalidRequest(file_message(upload, error))
}

fn file_message(upload: &Upload, error: &io::Error) -> String {
    format!("cannot read the upload {}: {error}", upload.shown_source())
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

    /// Checks that every required field is there, and the file's size.
    pub(crate) async fn check(&self) -> Result<(), crate::Error> {
        for field in self.operation.form_fields().filter(|f| f.required) {
            let present = self.texts.iter().any(|(name, _)| *name == field.field)
                || self.file.as_ref().is_some_and(|(f, _)| f.field == field.field);
            if !present {
                return Err(ValidationError::new(field.field, "unset", "set (the form requires it)").into());
            }
        }
        match &self.file {
            Some((field, upload)) => upload.check_size(field).await,
            None => Ok(()),
        }
    }

    /// Whether every attempt can send the same body.
    pub(crate) fn is_replayable(&self) -> bool {
        self.file.as_ref().is_none_or(|(_, upload)| upload.is_replayable())
    }

    /// The body for one attempt, or why the file cannot be read.
    pub(crate) async fn to_multipart(&self) -> Result<reqwest::multipart::Form, String> {
        let mut form = reqwest::multipart::Form::new();
        for (name, value) in &self.texts {
            form = form.text(*name, value.clone());
        }
        if let Some((field, upload)) = &self.file {
            form = form.part(field.field, upload.part().await.map_err(|e| file_message(upload, &e))?);
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

    #[tokio::test]
    async fn a_stream_is_sent_once_and_a_file_is_read_again() {
        let once = Upload::stream("s.txt", futures::stream::iter([Ok(Bytes::from_static(b"x"))]), None);
        assert!(!once.is_replayable());
        assert!(once.part().await.is_ok());
        assert!(once.part().await.is_err(), "the stream was taken");
        let dir = std::env::temp_dir().join(format!("anam-upload-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("doc.txt");
        std::fs::write(&path, "hello").unwrap();
        let file = Upload::path(&path);
        assert_eq!(file.length().await.unwrap(), Some(5));
        assert!(file.part().await.is_ok() && file.part().await.is_ok(), "opened for each attempt");
        let _ = std::fs::remove_dir_all(&dir);
        let missing = Upload::path(dir.join("gone.txt"));
        assert!(missing.part().await.is_err());
    }
}
