//! The knowledge groups' plan, with their documents. A group of the file is matched with the
//! server's group of the same name; when it writes `documents`, they are the group's whole set:
//! each is matched with the group's document of the same file name, and compared by content
//! (`docs`): a server document of another size has changed; one of the same size is
//! downloaded and hashed. A changed document is uploaded again and the old one deleted (Anam
//! cannot replace a document's file); a document the file no longer lists is deleted.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use anam::types::{KnowledgeDocument, KnowledgeGroup, KnowledgeGroupUpdate};
use anam::{Client, CreateKnowledgeGroup, Upload, UploadDocument};
use futures::FutureExt;
use serde_json::Value;

use crate::docs::{self, Downloads, Local};
use crate::file::Loaded;
use crate::gate::Gate;
use crate::plan::{Action, Change, Id, Ref, Refs, Run, Verb};
use crate::spec::{Kind, KnowledgeGroupSpec};

/// The groups' actions, each group followed by its documents', in the file's order; then with
/// `prune` a delete for every group of the server the file does not name (with its documents).
pub async fn plan(
    client: &Client,
    gate: &Gate,
    loaded: &Loaded,
    refs: &Refs<'_>,
    prune: &HashSet<Kind>,
    downloads: &Downloads,
) -> Result<Vec<Action>, String> {
    let account = refs.account();
    let hashes = server_hashes(client, gate, loaded, &account.groups, &account.documents, downloads).await?;
    let (mut actions, mut problems) = (Vec::new(), Vec::new());
    for (i, spec) in loaded.file.groups().iter().enumerate() {
        let at = |problem: String| format!("{}: knowledgeGroups[{i}].{problem}", loaded.shown);
        let same: Vec<&KnowledgeGroup> =
            account.groups.iter().filter(|g| g.name.as_deref() == Some(&spec.name)).collect();
        let server = match same.as_slice() {
            [] => None,
            [one] => Some(*one),
            many => {
                let ids: Vec<String> = many.iter().map(|g| g.id.to_string()).collect();
                problems.push(at(format!(
                    "name: {:?} matches {} knowledge groups on the server: {}; rename one (anam api \
                     updateKnowledgeGroup) or delete one (anam api deleteKnowledgeGroup)",
                    spec.name,
                    many.len(),
                    ids.join(", ")
                )));
                continue;
            }
        };
        actions.push(group_action(i, spec, server));
        if spec.documents.is_some() {
            let group = match server {
                Some(g) => Id::Known(g.id.to_string()),
                None => Id::New(Ref { kind: Kind::KnowledgeGroup, name: spec.name.clone() }),
            };
            let held = server.and_then(|g| account.documents.get(g.id.as_str())).map(Vec::as_slice).unwrap_or_default();
            let locals = loaded.documents.get(i).map(Vec::as_slice).unwrap_or_default();
            actions.extend(document_actions(i, spec, &group, locals, held, &hashes));
        }
    }
    if prune.contains(&Kind::KnowledgeGroup) {
        for group in &account.groups {
            if !loaded.file.groups().iter().any(|g| group.name.as_deref() == Some(g.name.as_str())) {
                actions.push(delete_group(group));
            }
        }
    }
    super::all_or_problems(actions, problems)
}

/// The SHA-256 of each server document that has the file name and size of a document of the
/// file (the only ones whose content must be read to compare), by document id.
async fn server_hashes(
    client: &Client,
    gate: &Gate,
    loaded: &Loaded,
    groups: &[KnowledgeGroup],
    documents: &HashMap<String, Vec<KnowledgeDocument>>,
    downloads: &Downloads,
) -> Result<HashMap<String, String>, String> {
    let mut candidates = Vec::new();
    for (spec, locals) in loaded.file.groups().iter().zip(&loaded.documents) {
        let Some(group) = groups.iter().find(|g| g.name.as_deref() == Some(&spec.name)) else { continue };
        for document in documents.get(group.id.as_str()).into_iter().flatten() {
            let alike = locals
                .iter()
                .any(|l| Some(&l.file_name) == document.filename.as_ref() && Some(l.size as i64) == document.file_size);
            if alike {
                candidates.push(document.id.to_string());
            }
        }
    }
    let hashes = futures::stream::iter(candidates.iter().map(|id| downloads.sha256(client, gate, id)));
    let hashes: Vec<Result<String, String>> =
        futures::StreamExt::collect(futures::StreamExt::buffered(hashes, gate.parallelism())).await;
    candidates.into_iter().zip(hashes).map(|(id, hash)| hash.map(|h| (id, h))).collect()
}

/// The action for the file's group `i`: a create, or an update of (or no change to) `server`.
fn group_action(i: usize, spec: &KnowledgeGroupSpec, server: Option<&KnowledgeGroup>) -> Action {
    let at = format!("knowledgeGroups[{i}]");
    let description = spec.description.clone();
    let Some(server) = server else {
        let mut changes = vec![Change {
            field: "name".into(),
            from: Value::Null,
            to: Value::from(spec.name.as_str()),
            secret: false,
        }];
        changes.extend(description.iter().map(|d| Change {
            field: "description".into(),
            from: Value::Null,
            to: Value::from(d.as_str()),
            secret: false,
        }));
        let mut request = CreateKnowledgeGroup::new(spec.name.clone());
        if let Some(d) = &description {
            request = request.description(d.clone());
        }
        let run: Run = Arc::new(move |client, _| {
            let (groups, request) = (client.knowledge_groups(), request.clone());
            Ok(async move { groups.create(request).await.map(|g| Some(g.id.to_string())) }.boxed())
        });
        let name = spec.name.clone();
        return Action {
            kind: Kind::KnowledgeGroup,
            name,
            at: Some(at),
            id: None,
            verb: Verb::Create,
            changes,
            uses: Vec::new(),
            refers_to: Some(Vec::new()),
            run: Some(run),
        };
    };
    let id = server.id.to_string();
    let changed = description.as_ref().filter(|d| server.description.as_ref() != Some(*d));
    let Some(wanted) = changed.cloned() else {
        return Action::unchanged(Kind::KnowledgeGroup, &spec.name, at, &id);
    };
    let from = server.description.clone().map_or(Value::Null, Value::from);
    let changes = vec![Change { field: "description".into(), from, to: Value::from(wanted.as_str()), secret: false }];
    let run_id = id.clone();
    let run: Run = Arc::new(move |client, _| {
        let (groups, id) = (client.knowledge_groups(), run_id.clone());
        let body = KnowledgeGroupUpdate { description: Some(wanted.clone()), name: None };
        Ok(async move { groups.update(id, body).await.map(|_| None) }.boxed())
    });
    let name = spec.name.clone();
    Action {
        kind: Kind::KnowledgeGroup,
        name,
        at: Some(at),
        id: Some(id),
        verb: Verb::Update,
        changes,
        uses: Vec::new(),
        refers_to: Some(Vec::new()),
        run: Some(run),
    }
}

/// The documents' actions of the file's group `i` (`group` on the server, or created first):
/// each local document uploaded, uploaded again, or unchanged, then a delete for each server
/// document the file does not list (or a duplicate of one it lists).
fn document_actions(
    i: usize,
    spec: &KnowledgeGroupSpec,
    group: &Id,
    locals: &[Local],
    held: &[KnowledgeDocument],
    hashes: &HashMap<String, String>,
) -> Vec<Action> {
    let mut actions = Vec::new();
    let mut kept: HashSet<String> = HashSet::new();
    for (j, local) in locals.iter().enumerate() {
        let at = format!("knowledgeGroups[{i}].documents[{j}]");
        let name = format!("{}/{}", spec.name, local.file_name);
        let same_name: Vec<&KnowledgeDocument> =
            held.iter().filter(|d| d.filename.as_ref() == Some(&local.file_name)).collect();
        let same = same_name.iter().find(|d| hashes.get(d.id.as_str()) == Some(&local.sha256));
        if let Some(same) = same {
            kept.insert(same.id.to_string());
            let mut unchanged = Action::unchanged(Kind::Document, &name, at, same.id.as_str());
            unchanged.refers_to = Some(group_ids(group));
            actions.push(unchanged);
            continue;
        }
        let old: Vec<String> = same_name.iter().map(|d| d.id.to_string()).collect();
        kept.extend(old.iter().cloned());
        let from = match same_name.first() {
            None => Value::Null,
            Some(d) => hashes.get(d.id.as_str()).map_or_else(
                || Value::from(format!("{} bytes", d.file_size.unwrap_or(0))),
                |h| Value::from(docs::short(h)),
            ),
        };
        let to = Value::from(format!("{} ({} bytes)", docs::short(&local.sha256), local.size));
        let changes = vec![Change { field: "content".into(), from, to, secret: false }];
        let verb = if old.is_empty() { Verb::Create } else { Verb::Update };
        actions.push(upload_action(name, at, group, local, old, verb, changes));
    }
    for document in held {
        if !kept.contains(document.id.as_str()) {
            let name = format!("{}/{}", spec.name, document.filename.as_deref().unwrap_or("-"));
            actions.push(delete_document(name, document.id.to_string(), group_ids(group)));
        }
    }
    actions
}

/// The server ids an action on a document of `group` refers to: the group's, if it has one.
fn group_ids(group: &Id) -> Vec<String> {
    match group {
        Id::Known(id) => vec![id.clone()],
        Id::New(_) => Vec::new(),
    }
}

/// The action that uploads `local` into `group`, then deletes the documents it replaces (`old`).
fn upload_action(
    name: String,
    at: String,
    group: &Id,
    local: &Local,
    old: Vec<String>,
    verb: Verb,
    changes: Vec<Change>,
) -> Action {
    let (group_run, path, old_run) = (group.clone(), local.path.clone(), old.clone());
    let run: Run = Arc::new(move |client, created| {
        let group = group_run.get(created)?;
        let (groups, documents) = (client.knowledge_groups(), client.knowledge_documents());
        let (path, old) = (path.clone(), old_run.clone());
        Ok(async move {
            let uploaded = groups.upload(group, UploadDocument::new(Upload::path(path))).await?;
            for id in old {
                documents.delete(id).await?;
            }
            Ok(Some(uploaded.id.to_string()))
        }
        .boxed())
    });
    let id = old.first().cloned();
    let uses = group.new_ref().into_iter().collect();
    Action {
        kind: Kind::Document,
        name,
        at: Some(at),
        id,
        verb,
        changes,
        uses,
        refers_to: Some(group_ids(group)),
        run: Some(run),
    }
}

/// The action that deletes a document its group no longer lists.
fn delete_document(name: String, id: String, refers_to: Vec<String>) -> Action {
    let run_id = id.clone();
    let run: Run = Arc::new(move |client, _| {
        let (documents, id) = (client.knowledge_documents(), run_id.clone());
        Ok(async move { documents.delete(id).await.map(|()| None) }.boxed())
    });
    Action {
        kind: Kind::Document,
        name,
        at: None,
        id: Some(id),
        verb: Verb::Delete,
        changes: Vec::new(),
        uses: Vec::new(),
        refers_to: Some(refers_to),
        run: Some(run),
    }
}

/// The action that deletes a group the file does not name (`--prune`), with its documents.
fn delete_group(group: &KnowledgeGroup) -> Action {
    let id = group.id.to_string();
    let run_id = id.clone();
    let run: Run = Arc::new(move |client, _| {
        let (groups, id) = (client.knowledge_groups(), run_id.clone());
        Ok(async move { groups.delete(id).await.map(|()| None) }.boxed())
    });
    let name = group.name.clone().unwrap_or_default();
    Action {
        kind: Kind::KnowledgeGroup,
        name,
        at: None,
        id: Some(id),
        verb: Verb::Delete,
        changes: Vec::new(),
        uses: Vec::new(),
        refers_to: Some(Vec::new()),
        run: Some(run),
    }
}
