//! Knowledge bases: groups of documents a persona searches through a knowledge tool.
//!
//! The generic handles give groups their list, get, create, update and delete
//! (`client.knowledge_groups()`) and documents their get, rename and delete
//! (`client.knowledge_documents()`). This module adds what the spec cannot say: uploads from a
//! path, bytes or a stream ([`UploadDocument`]), the group's documents and its search, a
//! document's download URL, and waiting until a document is processed ([`WaitForDocument`]).

use std::time::Duration;

use anam_api::types::{
    KnowledgeDocument, KnowledgeDocumentDownload, KnowledgeDocumentStatus, KnowledgeGroupCreate,
    KnowledgeSearchRequest, KnowledgeSearchResult,
};
use anam_api::{Operation, resources};
use futures::FutureExt;
use futures::future::BoxFuture;

use crate::checks::not_blank;
use crate::error::{Error, Result, ValidationError};
use crate::ids::{KnowledgeDocumentId, KnowledgeGroupId};
use crate::request::send_form;
use crate::resource::{IntoBody, Resource};
use crate::upload::{Form, Upload};

/// A knowledge group to create: a name (not blank) and an optional description.
///
/// ```
/// let group = anam::CreateKnowledgeGroup::new("Handbook").description("Opening hours and prices");
/// assert_eq!(group.build().unwrap().name, "Handbook");
/// assert_eq!(anam::CreateKnowledgeGroup::new(" ").build().unwrap_err().field, "name");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct CreateKnowledgeGroup {
    body: KnowledgeGroupCreate,
}

impl CreateKnowledgeGroup {
    /// A group named `name`.
    pub fn new(name: impl Into<String>) -> Self {
        CreateKnowledgeGroup { body: KnowledgeGroupCreate { name: name.into(), description: None } }
    }

    /// `description`: what the group holds, for people.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.body.description = Some(description.into());
        self
    }

    /// The checked wire form.
    pub fn build(self) -> Result<KnowledgeGroupCreate, ValidationError> {
        not_blank("name", &self.body.name, "a name that is not blank")?;
        Ok(self.body)
    }
}

impl IntoBody<KnowledgeGroupCreate> for CreateKnowledgeGroup {
    fn into_body(self) -> Result<KnowledgeGroupCreate, ValidationError> {
        self.build()
    }
}

/// A document to upload into a knowledge group (`multipart/form-data`: `file`, `chunkSize`,
/// `chunkOverlap`). Unset chunk settings are the server's (1000 and 200 by the spec's
/// defaults, in a unit Anam does not document). The file's size is checked against the spec's
/// limit (50 MB) before anything is sent, where it is known.
///
/// ```
/// let handbook = anam::UploadDocument::new(anam::Upload::path("docs/handbook.pdf")).chunk_size(800);
/// let note = anam::UploadDocument::new(anam::Upload::bytes("hours.md", "Open 9 to 5."));
/// # drop((handbook, note));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct UploadDocument {
    file: Upload,
    chunk_size: Option<u64>,
    chunk_overlap: Option<u64>,
}

impl UploadDocument {
    /// The document in `file` (PDF, TXT, MD, DOCX or CSV, as Anam lists them).
    pub fn new(file: Upload) -> Self {
        UploadDocument { file, chunk_size: None, chunk_overlap: None }
    }

    /// `chunkSize`: how large the chunks the document is cut into are.
    pub fn chunk_size(mut self, size: u64) -> Self {
        self.chunk_size = Some(size);
        self
    }

    /// `chunkOverlap`: how much consecutive chunks overlap.
    pub fn chunk_overlap(mut self, overlap: u64) -> Self {
        self.chunk_overlap = Some(overlap);
        self
    }

    /// The form, its field names checked against the spec's. The overlap must be smaller than
    /// the chunk when both are given.
    fn form(self) -> Result<Form, ValidationError> {
        if self.chunk_size == Some(0) {
            return Err(ValidationError::new("chunkSize", 0, "at least 1"));
        }
        if let (Some(size), Some(overlap)) = (self.chunk_size, self.chunk_overlap)
            && overlap >= size
        {
            return Err(ValidationError::new("chunkOverlap", overlap, format!("less than chunkSize ({size})")));
        }
        let mut form = Form::new(Operation::UploadKnowledgeGroupDocument).file("file", self.file)?;
        if let Some(size) = self.chunk_size {
            form = form.text("chunkSize", size)?;
        }
        if let Some(overlap) = self.chunk_overlap {
            form = form.text("chunkOverlap", overlap)?;
        }
        Ok(form)
    }
}

/// A search of a knowledge group: the query and how many results (1 to 20; the server's
/// default is 5). Only processed (`READY`) documents are searched.
///
/// ```
/// let search = anam::SearchKnowledge::new("When are you open?").limit(3);
/// assert!(search.build().is_ok());
/// assert_eq!(anam::SearchKnowledge::new("x").limit(21).build().unwrap_err().field, "limit");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct SearchKnowledge {
    query: String,
    limit: Option<u64>,
}

impl SearchKnowledge {
    /// A search for `query`.
    pub fn new(query: impl Into<String>) -> Self {
        SearchKnowledge { query: query.into(), limit: None }
    }

    /// `limit`: how many results at most, from 1 to 20 (the spec's range).
    pub fn limit(mut self, limit: u64) -> Self {
        self.limit = Some(limit);
        self
    }

    /// The checked wire form.
    pub fn build(self) -> Result<KnowledgeSearchRequest, ValidationError> {
        not_blank("query", &self.query, "a query that is not blank")?;
        let mut body = anam_api::types::builder::KnowledgeSearchRequest::default().query(self.query);
        if let Some(limit) = self.limit {
            let Some(nonzero) = std::num::NonZeroU64::new(limit) else {
                return Err(zero_limit());
            };
            body = body.limit(nonzero);
        }
        let body = KnowledgeSearchRequest::try_from(body).map_err(|e| ValidationError::new("body", e, "a search"))?;
        anam_api::facts::check_search_knowledge_group(&body).map_err(ValidationError::from)?;
        Ok(body)
    }
}

/// The error of a limit of 0, which the type cannot hold; it names the spec's range.
fn zero_limit() -> ValidationError {
    let bound = Operation::SearchKnowledgeGroup.bound(anam_api::facts::Location::Body, "limit");
    ValidationError::new("limit", 0, bound.map_or_else(|| "a valid limit".to_owned(), |b| b.expected()))
}

/// How long [`WaitForDocument`] polls, and how often: every `first_interval` at first, doubling
/// up to `max_interval`, until `timeout` has passed. Defaults: 1 s, 10 s, 10 minutes.
///
/// ```
/// use std::time::Duration;
/// let wait = anam::WaitForDocument::default().timeout(Duration::from_secs(120));
/// # drop(wait);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WaitForDocument {
    timeout: Duration,
    first_interval: Duration,
    max_interval: Duration,
}

impl Default for WaitForDocument {
    fn default() -> Self {
        WaitForDocument {
            timeout: Duration::from_secs(600),
            first_interval: Duration::from_secs(1),
            max_interval: Duration::from_secs(10),
        }
    }
}

impl WaitForDocument {
    /// How long to wait at most.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The first pause between two reads.
    pub fn first_interval(mut self, interval: Duration) -> Self {
        self.first_interval = interval;
        self
    }

    /// The longest pause between two reads.
    pub fn max_interval(mut self, interval: Duration) -> Self {
        self.max_interval = interval;
        self
    }
}

impl Resource<resources::KnowledgeGroup> {
    /// Every document of a group (`GET /v1/knowledge/groups/{id}/documents`; not paged).
    pub fn documents(&self, group: impl Into<KnowledgeGroupId>) -> BoxFuture<'static, Result<Vec<KnowledgeDocument>>> {
        let (client, group) = (self.client().clone(), group.into());
        async move { Ok(client.send(client.api().list_knowledge_group_documents().id(group)).await?.0) }.boxed()
    }

    /// Uploads a document into a group (`POST /v1/knowledge/groups/{id}/documents`,
    /// `multipart/form-data`), streaming a file from disk in bounded memory. The document
    /// starts being processed; [`Resource::wait_until_processed`] waits until it can be
    /// searched. Like every `POST`, it is retried only when it never reached the server, and
    /// an upload from a stream is never retried.
    pub fn upload(
        &self,
        group: impl Into<KnowledgeGroupId>,
        document: UploadDocument,
    ) -> BoxFuture<'static, Result<KnowledgeDocument>> {
        let (client, group, form) = (self.client().clone(), group.into(), document.form());
        async move { send_form(&client, Operation::UploadKnowledgeGroupDocument, Some(&group), form?).await }.boxed()
    }

    /// The group's chunks most similar to the query, best first
    /// (`POST /v1/knowledge/groups/{id}/search`).
    pub fn search(
        &self,
        group: impl Into<KnowledgeGroupId>,
        search: SearchKnowledge,
    ) -> BoxFuture<'static, Result<Vec<KnowledgeSearchResult>>> {
        let (client, group, body) = (self.client().clone(), group.into(), search.build());
        async move { Ok(client.send(client.api().search_knowledge_group().id(group).body(body?)).await?.0) }.boxed()
    }
}

impl Resource<resources::KnowledgeDocument> {
    /// Where to download a document (`GET /v1/knowledge/documents/{id}/download`): a presigned
    /// URL (a [`Secret`](crate::Secret): whoever holds it can read the document) whose lifetime
    /// Anam does not document, so fetch it right before use. The SDK never downloads the file
    /// itself.
    pub fn download_url(
        &self,
        id: impl Into<KnowledgeDocumentId>,
    ) -> BoxFuture<'static, Result<KnowledgeDocumentDownload>> {
        let (client, id) = (self.client().clone(), id.into());
        async move { client.send(client.api().get_knowledge_document_download().id(id)).await }.boxed()
    }

    /// Reads the document until it is processed (`READY`: it can be searched) and returns it;
    /// fails with [`Error::Processing`] when it is `FAILED` (with Anam's reason) or still not
    /// ready when `wait`'s timeout has passed. Dropping the future stops the polling.
    ///
    /// ```no_run
    /// # async fn demo(client: anam::Client, doc: anam::KnowledgeDocumentId) -> anam::Result<()> {
    /// let ready = client.knowledge_documents().wait_until_processed(&doc, anam::WaitForDocument::default()).await?;
    /// println!("{} is ready", ready.filename.unwrap_or_default());
    /// # Ok(()) }
    /// ```
    pub fn wait_until_processed(
        &self,
        id: impl Into<KnowledgeDocumentId>,
        wait: WaitForDocument,
    ) -> BoxFuture<'static, Result<KnowledgeDocument>> {
        let (documents, id) = (self.clone(), id.into());
        async move {
            let started = tokio::time::Instant::now();
            let mut interval = wait.first_interval;
            loop {
                let document = documents.get(&id).await?;
                match document.status {
                    Some(KnowledgeDocumentStatus::Ready) => return Ok(document),
                    Some(KnowledgeDocumentStatus::Failed) => {
                        return Err(ProcessingError::new(&document, started.elapsed(), true).into());
                    }
                    _ => {}
                }
                let waited = started.elapsed();
                if waited >= wait.timeout {
                    return Err(ProcessingError::new(&document, waited, false).into());
                }
                tokio::time::sleep(interval.min(wait.timeout - waited)).await;
                interval = interval.saturating_mul(2).min(wait.max_interval.max(wait.first_interval));
            }
        }
        .boxed()
    }
}

/// A document that did not become ready: processing failed, or did not end in time.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.describe())]
#[non_exhaustive]
pub struct ProcessingError {
    /// The document.
    pub id: KnowledgeDocumentId,
    /// Its file name, when known.
    pub filename: Option<String>,
    /// Whether Anam said it failed (`FAILED`); otherwise the wait timed out.
    pub failed: bool,
    /// Its last status, as Anam sent it.
    pub status: Option<KnowledgeDocumentStatus>,
    /// Anam's reason, for a failed document.
    pub reason: Option<String>,
    /// How long the SDK waited.
    pub waited: Duration,
}

impl ProcessingError {
    fn new(document: &KnowledgeDocument, waited: Duration, failed: bool) -> Self {
        ProcessingError {
            id: document.id.clone(),
            filename: document.filename.clone(),
            failed,
            status: document.status.clone(),
            reason: document.error_message.clone(),
            waited,
        }
    }

    fn describe(&self) -> String {
        let name = crate::error::one_line(self.filename.as_deref().unwrap_or("(no name)"), 80);
        let status = self.status.as_ref().map_or_else(|| "no status".to_owned(), |s| s.to_string());
        if self.failed {
            let reason = crate::error::one_line(self.reason.as_deref().unwrap_or("Anam gave no reason"), 160);
            format!("knowledge document {} ({name}) failed to process: {reason}", self.id)
        } else {
            format!(
                "knowledge document {} ({name}) is still {status} after {} s; wait longer or check it in Anam Lab",
                self.id,
                self.waited.as_secs()
            )
        }
    }
}

impl From<ProcessingError> for Error {
    fn from(error: ProcessingError) -> Self {
        Error::Processing(Box::new(error))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_search_names_the_field_and_the_spec_range() {
        for limit in [0, 21] {
            let err = SearchKnowledge::new("hours").limit(limit).build().unwrap_err();
            assert_eq!((err.field.as_str(), err.value.as_str()), ("limit", limit.to_string().as_str()));
            assert!(err.expected.contains("20"), "{err}");
        }
        assert_eq!(SearchKnowledge::new(" \n").build().unwrap_err().field, "query");
        assert_eq!(SearchKnowledge::new("hours").limit(20).build().unwrap().limit.get(), 20);
    }
}
