//! Knowledge groups and their documents: CRUD, the multipart upload, a download URL, and a
//! search over the text of the group's `READY` documents with a simple score (the share of the
//! query's words a chunk holds). A new document answers `PROCESSING` to a number of reads of it
//! (`MockServer::set_document_reads_until_ready`, 1 by default), then `READY`, or `FAILED` when
//! its file name starts with `fail` or a test failed it (`MockServer::fail_document`).

use anam_api::facts::{
    check_create_knowledge_group, check_search_knowledge_group, check_update_knowledge_document,
    check_update_knowledge_group,
};
use anam_api::types::{
    KnowledgeDocument, KnowledgeDocumentDownload, KnowledgeDocumentStatus, KnowledgeDocumentUpdate, KnowledgeGroup,
    KnowledgeGroupCreate, KnowledgeGroupUpdate, KnowledgeSearchRequest, KnowledgeSearchResult,
};
use axum::body::Bytes;
use serde_json::json;

use crate::avatars::missing;
use crate::collection::Keyed;
use crate::input::{Input, Part, check_file_size};
use crate::reply::{Answer, created, no_content, not_found, ok};
use crate::state::{State, new_id, now};
use crate::validate::{Invalid, out_of_range, patch, read, to_map};

/// The file types Anam accepts, by extension, with the MIME type the fake reports for each.
const FILE_TYPES: [(&str, &str); 5] = [
    ("pdf", "application/pdf"),
    ("txt", "text/plain"),
    ("md", "text/markdown"),
    ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("csv", "text/csv"),
];

/// The file-name prefix that makes a document end `FAILED` instead of `READY`.
pub(crate) const FAILING_PREFIX: &str = "fail";

/// The chunk size of an upload that names none, in characters.
const DEFAULT_CHUNK_SIZE: i64 = 1000;
/// The characters a chunk shares with the next, for an upload that names none.
const DEFAULT_CHUNK_OVERLAP: i64 = 200;

/// A stored document: its record, the text a search reads, and how it moves on.
#[derive(Debug, Clone)]
pub(crate) struct Document {
    pub record: KnowledgeDocument,
    /// The file's text (empty for a file that is not UTF-8, such as a PDF: the fake extracts nothing).
    pub text: String,
    /// The file as uploaded, which its download URL serves (`own::storage`).
    pub data: Bytes,
    /// The secret part of its download URL: the storage answers only a URL that holds it, as a
    /// presigned URL works without the API key but not without its signature.
    pub signature: String,
    pub chunk_size: usize,
    pub chunk_overlap: usize,
    /// How many more reads answer `PROCESSING`.
    pub reads_left: u32,
}

impl Keyed for Document {
    fn key(&self) -> &str {
        self.record.id.as_str()
    }
}

impl Document {
    /// A document of `record` with the file's bytes as its data and, when they are UTF-8, its
    /// text; a new download signature; `reads_left` reads before it moves on from `PROCESSING`.
    pub fn new(
        record: KnowledgeDocument,
        data: Bytes,
        chunk_size: usize,
        chunk_overlap: usize,
        reads_left: u32,
    ) -> Self {
        Document {
            record,
            text: String::from_utf8(data.to_vec()).unwrap_or_default(),
            data,
            signature: uuid::Uuid::new_v4().simple().to_string(),
            chunk_size,
            chunk_overlap,
            reads_left,
        }
    }

    /// A document of `record` chunked as an upload that names no chunking is.
    pub fn with_default_chunks(record: KnowledgeDocument, data: Bytes, reads_left: u32) -> Self {
        let (size, overlap) = (DEFAULT_CHUNK_SIZE as usize, DEFAULT_CHUNK_OVERLAP as usize);
        Document::new(record, data, size, overlap, reads_left)
    }

    fn group(&self) -> &str {
        self.record.knowledge_folder_id.as_ref().map_or("", |g| g.as_str())
    }

    /// One read: a processing document uses up one of its reads, then is done.
    fn advance(&mut self) {
        if self.record.status != Some(KnowledgeDocumentStatus::Processing) {
            return;
        }
        if self.reads_left > 0 {
            self.reads_left -= 1;
            return;
        }
        let failing = self.record.filename.as_deref().is_some_and(|n| n.starts_with(FAILING_PREFIX));
        if failing {
            self.fail(&format!("The fake fails documents whose file name starts with {FAILING_PREFIX:?}"));
        } else {
            self.record.status = Some(KnowledgeDocumentStatus::Ready);
            self.record.updated_at = Some(now());
        }
    }

    /// Ends processing as `FAILED` with `message`.
    pub fn fail(&mut self, message: &str) {
        self.record.status = Some(KnowledgeDocumentStatus::Failed);
        self.record.error_message = Some(message.to_owned());
        self.record.updated_at = Some(now());
    }
}

/// A group as answered, with its current document count.
pub(crate) fn group_answer(state: &State, group: &KnowledgeGroup) -> KnowledgeGroup {
    let count = state.documents.iter().filter(|d| d.group() == group.id.as_str()).count();
    KnowledgeGroup { document_count: Some(i64::try_from(count).unwrap_or(i64::MAX)), ..group.clone() }
}

fn find_group<'a>(state: &'a State, id: &str) -> Result<&'a KnowledgeGroup, crate::reply::Failure> {
    state.groups.get(id).ok_or_else(|| not_found("RAG group"))
}

pub(crate) fn list_groups(state: &mut State, _input: &Input) -> Answer {
    ok(state.groups.iter().map(|g| group_answer(state, g)).collect::<Vec<_>>())
}

pub(crate) fn create_group(state: &mut State, input: &Input) -> Answer {
    let request: KnowledgeGroupCreate = read(&input.json()?)?;
    check_create_knowledge_group(&request).map_err(out_of_range)?;
    let group = KnowledgeGroup {
        id: new_id().into(),
        name: Some(request.name),
        description: request.description,
        document_count: Some(0),
        created_at: Some(now()),
        updated_at: Some(now()),
    };
    state.groups.insert(group.clone());
    created(group)
}

pub(crate) fn get_group(state: &mut State, input: &Input) -> Answer {
    ok(group_answer(state, find_group(state, &input.id)?))
}

pub(crate) fn update_group(state: &mut State, input: &Input) -> Answer {
    let body = input.json()?;
    let request: KnowledgeGroupUpdate = read(&body)?;
    check_update_knowledge_group(&request).map_err(out_of_range)?;
    let group = patch(find_group(state, &input.id)?, to_map(request), &body, &[])?;
    state.groups.insert(group.clone());
    ok(group_answer(state, &group))
}

/// Deletes a group with its documents, and takes it out of every knowledge tool's
/// `documentFolderIds` (Anam does not say what becomes of either).
pub(crate) fn delete_group(state: &mut State, input: &Input) -> Answer {
    state.groups.remove(&input.id).ok_or_else(|| not_found("RAG group"))?;
    state.documents.remove_where(|d| d.group() == input.id);
    for tool in state.catalog.tools.iter_mut() {
        if let Some(ids) = tool.config.as_mut().and_then(|c| c.document_folder_ids.as_mut()) {
            ids.retain(|id| id.as_str() != input.id);
        }
    }
    no_content()
}

/// The chunks of the group's `READY` documents that hold any of the query's words, the most
/// similar first (score: the share of the query's distinct words the chunk holds).
pub(crate) fn search(state: &mut State, input: &Input) -> Answer {
    let request: KnowledgeSearchRequest = read(&input.json()?)?;
    check_search_knowledge_group(&request).map_err(out_of_range)?;
    find_group(state, &input.id)?;
    let terms = words(&request.query);
    let mut results: Vec<KnowledgeSearchResult> = Vec::new();
    let ready = state
        .documents
        .iter()
        .filter(|d| d.group() == input.id && d.record.status == Some(KnowledgeDocumentStatus::Ready));
    for document in ready {
        for (index, chunk) in chunks(&document.text, document.chunk_size, document.chunk_overlap).enumerate() {
            let found = words(&chunk);
            let hits = terms.iter().filter(|t| found.contains(t)).count();
            if hits > 0 {
                results.push(KnowledgeSearchResult {
                    document_id: Some(document.record.id.clone()),
                    filename: document.record.filename.clone(),
                    content: Some(chunk),
                    score: Some(hits as f64 / terms.len() as f64),
                    chunk_index: Some(i64::try_from(index).unwrap_or(i64::MAX)),
                    metadata: Some(to_map(json!({"chunkSize": document.chunk_size}))),
                });
            }
        }
    }
    // A stable sort keeps documents and chunks in order among equal scores.
    results.sort_by(|a, b| b.score.unwrap_or(0.0).total_cmp(&a.score.unwrap_or(0.0)));
    results.truncate(usize::try_from(request.limit.get()).unwrap_or(usize::MAX));
    ok(results)
}

/// The distinct lower-case words of a text.
fn words(text: &str) -> Vec<String> {
    let mut words: Vec<String> =
        text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect();
    words.sort();
    words.dedup();
    words
}

/// The text cut into chunks of `size` characters, each starting `size - overlap` after the last.
fn chunks(text: &str, size: usize, overlap: usize) -> impl Iterator<Item = String> + '_ {
    let characters: Vec<char> = text.chars().collect();
    let (length, step) = (characters.len(), size.saturating_sub(overlap).max(1));
    let starts = (0..length).step_by(step).take_while(move |start| *start == 0 || start + overlap < length);
    starts.map(move |start| characters[start..(start + size).min(length)].iter().collect())
}

pub(crate) fn list_documents(state: &mut State, input: &Input) -> Answer {
    find_group(state, &input.id)?;
    let mut listed = Vec::new();
    for document in state.documents.iter_mut().filter(|d| d.group() == input.id) {
        document.advance();
        listed.push(document.record.clone());
    }
    ok(listed)
}

/// The multipart upload: `file` (PDF, TXT, MD, DOCX or CSV, at most 50 MB), `chunkSize`
/// (default 1000, at least 1) and `chunkOverlap` (default 200, at least 0 and below `chunkSize`).
pub(crate) fn upload(state: &mut State, input: &Input) -> Answer {
    if !matches!(input.body, crate::input::Body::Form(_)) {
        return Err(Invalid::new("", "the body must be multipart/form-data", "invalid_type").into());
    }
    let file = input.file("file").ok_or_else(|| missing("file"))?;
    check_file_size(input.op, file)?;
    let file_type = file_type(file)?;
    let chunk_size = input.form_integer("chunkSize")?.unwrap_or(DEFAULT_CHUNK_SIZE);
    let chunk_overlap = input.form_integer("chunkOverlap")?.unwrap_or(DEFAULT_CHUNK_OVERLAP);
    if !(1..=1_000_000).contains(&chunk_size) {
        return Err(Invalid::new("chunkSize", "must be a whole number from 1 to 1000000", "too_small").into());
    }
    if !(0..chunk_size).contains(&chunk_overlap) {
        return Err(Invalid::new("chunkOverlap", "must be at least 0 and below chunkSize", "too_big").into());
    }
    find_group(state, &input.id)?;
    let id = new_id();
    let filename = file.file_name.clone().unwrap_or_else(|| "document.txt".into());
    let record: KnowledgeDocument = serde_json::from_value(json!({
        "id": id, "knowledgeFolderId": input.id, "filename": filename, "fileType": file_type,
        "fileSize": file.data.len(), "status": "PROCESSING", "errorMessage": null,
        "fileUrl": file_url(&id),
        "createdAt": now(), "updatedAt": now(),
    }))
    .map_err(|e| Invalid::new("", format!("the upload does not make a document: {e}"), "invalid_type"))?;
    let document = Document::new(
        record.clone(),
        file.data.clone(),
        usize::try_from(chunk_size).unwrap_or(1000),
        usize::try_from(chunk_overlap).unwrap_or(0),
        state.reads_until_ready,
    );
    state.documents.insert(document);
    created(record)
}

/// A document's `fileUrl`: on a domain that never resolves, as the fake serves no storage there
/// (its download URL it serves, on its own address).
pub(crate) fn file_url(id: &str) -> String {
    format!("https://storage.anam-mock.invalid/knowledge/{id}")
}

/// The MIME type of a file named `name`, by its extension, when it is one Anam accepts.
pub(crate) fn type_of_name(name: &str) -> Option<&'static str> {
    let extension = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase())?;
    FILE_TYPES.iter().find(|(ext, _)| extension == *ext).map(|(_, mime)| *mime)
}

/// The type of an uploaded file: by its name's extension, or by its content type when the
/// name has no known extension; anything else is refused.
fn file_type(file: &Part) -> Result<&'static str, Invalid> {
    let by_name = file.file_name.as_deref().and_then(type_of_name);
    let by_type =
        FILE_TYPES.iter().find(|(_, mime)| file.content_type.as_deref() == Some(*mime)).map(|(_, mime)| *mime);
    by_name.or(by_type).ok_or_else(|| {
        Invalid::new("file", "must be a PDF, TXT, MD, DOCX or CSV file (by its name or content type)", "invalid_type")
    })
}

pub(crate) fn get_document(state: &mut State, input: &Input) -> Answer {
    let document = state.documents.get_mut(&input.id).ok_or_else(|| not_found("Document"))?;
    document.advance();
    ok(document.record.clone())
}

/// Renames a document; its text and chunks do not change.
pub(crate) fn update_document(state: &mut State, input: &Input) -> Answer {
    let body = input.json()?;
    let request: KnowledgeDocumentUpdate = read(&body)?;
    check_update_knowledge_document(&request).map_err(out_of_range)?;
    let document = state.documents.get_mut(&input.id).ok_or_else(|| not_found("Document"))?;
    document.record = patch(&document.record, to_map(request), &body, &[])?;
    ok(document.record.clone())
}

pub(crate) fn delete_document(state: &mut State, input: &Input) -> Answer {
    state.documents.remove(&input.id).ok_or_else(|| not_found("Document"))?;
    no_content()
}

/// A presigned-style download URL on the fake's own address (`/_mock/storage/...`, served by
/// `own::storage` without the API key, but only with the document's signature).
pub(crate) fn download(state: &mut State, input: &Input) -> Answer {
    let document = state.documents.get(&input.id).ok_or_else(|| not_found("Document"))?;
    let url = crate::own::storage_url(&state.base_url, document.record.id.as_str(), &document.signature);
    ok(KnowledgeDocumentDownload { download_url: url.into(), filename: document.record.filename.clone() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_cut_into_overlapping_chunks() {
        let cut: Vec<String> = chunks("abcdefghij", 4, 1).collect();
        assert_eq!(cut, ["abcd", "defg", "ghij"]);
        assert_eq!(chunks("", 4, 1).count(), 0);
        assert_eq!(chunks("abc", 10, 2).collect::<Vec<_>>(), ["abc"]);
        assert_eq!(chunks("ab", 1, 0).collect::<Vec<_>>(), ["a", "b"]);
    }

    #[test]
    fn words_are_distinct_and_lower_case() {
        assert_eq!(words("Reset, my PASSWORD: reset!"), ["my", "password", "reset"]);
    }

    #[test]
    fn a_document_is_processing_for_its_reads_then_ready_or_failed() {
        let record: KnowledgeDocument =
            serde_json::from_value(json!({"id": "d", "status": "PROCESSING", "filename": "a.txt"})).unwrap();
        let mut document = Document {
            record,
            text: String::new(),
            data: Bytes::new(),
            signature: String::new(),
            chunk_size: 10,
            chunk_overlap: 0,
            reads_left: 2,
        };
        document.advance();
        document.advance();
        assert_eq!(document.record.status, Some(KnowledgeDocumentStatus::Processing));
        document.advance();
        assert_eq!(document.record.status, Some(KnowledgeDocumentStatus::Ready));
        document.record.status = Some(KnowledgeDocumentStatus::Processing);
        document.record.filename = Some("failing.txt".into());
        document.advance();
        assert_eq!(document.record.status, Some(KnowledgeDocumentStatus::Failed));
        assert!(document.record.error_message.as_deref().is_some_and(|m| m.contains("fail")));
    }
}
