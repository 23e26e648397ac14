//! A knowledge group as the file describes it (`knowledgeGroups:`): a name, a description, and
//! its documents as paths relative to the file. When `documents` is written it is the group's
//! whole set: a document of the group on the server that the file does not list is deleted.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::docs;

/// One knowledge group.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct KnowledgeGroupSpec {
    /// The key: a group is found by its name.
    pub name: String,
    /// What the group holds, for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Its documents: paths relative to the file, inside the file's folder (`None`: not managed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub documents: Option<Vec<String>>,
}

/// Checks a group and reads its documents (each hashed): a document is a PDF, TXT, MD, DOCX or
/// CSV file inside the file's folder `dir`, at most 50 MB (the spec's limit), and two documents of a group do not
/// share a file name (the server knows a document by its name). Returns the documents read, in
/// the file's order, and every problem (each starting with its field: `documents[1]: ...`).
pub fn check(group: &KnowledgeGroupSpec, dir: &Path) -> (Vec<docs::Local>, Vec<String>) {
    let mut problems = Vec::new();
    let mut request = anam::CreateKnowledgeGroup::new(group.name.clone());
    if let Some(description) = &group.description {
        request = request.description(description.clone());
    }
    if let Err(e) = request.build() {
        problems.push(crate::spec::in_file_terms(&e, str::to_owned));
    }
    let mut read: Vec<(usize, docs::Local)> = Vec::new();
    for (i, path) in group.documents.iter().flatten().enumerate() {
        let document = match docs::Local::read(dir, path) {
            Ok(document) => document,
            Err(e) => {
                problems.push(format!("documents[{i}]: {e}"));
                continue;
            }
        };
        if let Some((j, _)) = read.iter().find(|(_, d)| d.file_name == document.file_name) {
            problems.push(format!(
                "documents[{i}]: {path:?} has the file name of documents[{j}]; the server knows a document by its \
                 file name, so they must differ"
            ));
            continue;
        }
        read.push((i, document));
    }
    (read.into_iter().map(|(_, d)| d).collect(), problems)
}
