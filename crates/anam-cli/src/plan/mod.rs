//! `plan`: what applying a file would change, kind by kind and field by field.
//!
//! Each resource of the file is matched with the server's of the same name (a share link with
//! its persona's), and only the fields the file writes are compared (numbers by value, lists
//! of references as sets, documents by content hash). References by name resolve to what the
//! file describes first, then to the server's: a reference to something the file creates is
//! [`Id::New`] until `apply` has created it. With `--prune`, what the server holds of a pruned
//! kind and the file does not name is deleted.
//!
//! One module per kind builds its actions (`persona`, `tool`, `knowledge`, `share_link`);
//! `compare` holds what they share. The plan's order is the kinds' ([`Kind`]), each in the
//! file's order, then its deletes.

pub mod compare;
pub mod knowledge;
pub mod persona;
pub mod share_link;
pub mod tool;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};

use anam::Client;
use futures::future::BoxFuture;
use serde_json::Value;

use crate::account::{Account, Wanted, Which};
use crate::file::Loaded;
use crate::gate::Gate;
use crate::resolve::{self, Named};
use crate::spec::{File, Kind};

/// One field that would change.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// As the file names it (`voiceDetection.endOfSpeechSensitivity`, `headers.Authorization`).
    pub field: String,
    /// The server's value (`null` when it has none; `"(secret)"` for a secret it has).
    pub from: Value,
    /// The file's value (`"(secret)"` for a secret).
    pub to: Value,
    /// Whether the values are secrets, shown only as changed.
    pub secret: bool,
}

/// What happens to one resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    /// It is created (a document: uploaded).
    Create,
    /// Its changed fields are sent (a document: uploaded again, then the old one deleted).
    Update,
    /// It is what the file says.
    Unchanged,
    /// It is deleted (`--prune`, or a document the group no longer lists).
    Delete,
}

/// A resource that this run creates, by kind and name: what a reference to it waits for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Ref {
    /// Its kind.
    pub kind: Kind,
    /// Its name in the file.
    pub name: String,
}

/// A reference resolved: an id the server has, or something this run creates first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Id {
    /// An id on the server.
    Known(String),
    /// What the file describes and this run creates.
    New(Ref),
}

impl Id {
    /// The id, once what it stands for exists (`created` holds what this run created).
    pub fn get(&self, created: &Created) -> Result<String, String> {
        match self {
            Id::Known(id) => Ok(id.clone()),
            Id::New(r) => created.get(r).ok_or_else(|| format!("the {} {} was not created", r.kind.noun(), r.name)),
        }
    }

    /// The id as a plan shows it: the id, or `(new) NAME`.
    pub fn shown(&self) -> Value {
        match self {
            Id::Known(id) => Value::from(id.as_str()),
            Id::New(r) => Value::from(format!("(new) {}", r.name)),
        }
    }

    /// What it waits for, if anything.
    pub fn new_ref(&self) -> Option<Ref> {
        match self {
            Id::Known(_) => None,
            Id::New(r) => Some(r.clone()),
        }
    }

    /// The id, or a placeholder of the right shape for a check before anything exists.
    pub fn or_placeholder(&self) -> String {
        match self {
            Id::Known(id) => id.clone(),
            Id::New(_) => PLACEHOLDER.to_owned(),
        }
    }
}

/// The id a check uses for something not created yet.
pub const PLACEHOLDER: &str = "00000000-0000-4000-8000-000000000000";

/// The ids of what a run created, by kind and name, shared by its workers.
#[derive(Debug, Default, Clone)]
pub struct Created(Arc<Mutex<HashMap<Ref, String>>>);

impl Created {
    /// The id created for `r`, if it was.
    pub fn get(&self, r: &Ref) -> Option<String> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).get(r).cloned()
    }

    /// Records what was created.
    pub fn put(&self, r: Ref, id: String) {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).insert(r, id);
    }
}

/// What `apply` sends for an action: given the client and what was created so far, the
/// request(s), whose outcome is the new id (for a create). An `Err` is a reference that could
/// not be resolved (what it needed failed).
pub type Run =
    Arc<dyn Fn(&Client, &Created) -> Result<BoxFuture<'static, anam::Result<Option<String>>>, String> + Send + Sync>;

/// What happens to one resource, with what `apply` needs to carry it out.
#[derive(Clone)]
pub struct Action {
    /// Its kind.
    pub kind: Kind,
    /// Its name (a document's is `GROUP/FILE`, a share link's its persona's).
    pub name: String,
    /// Where the file describes it (`personas[1]`), if it does.
    pub at: Option<String>,
    /// Its id on the server, when it has one.
    pub id: Option<String>,
    /// What happens to it.
    pub verb: Verb,
    /// The fields that change (for a create: the fields it sets, from `null`).
    pub changes: Vec<Change>,
    /// What this run creates that it needs first.
    pub uses: Vec<Ref>,
    /// The ids of the server's resources it refers to now, which must not be deleted before it
    /// changes; `None` when not known (a persona to delete is not read in full).
    pub refers_to: Option<Vec<String>>,
    /// The request(s) to send; `None` when unchanged.
    pub run: Option<Run>,
}

impl std::fmt::Debug for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Action")
            .field("kind", &self.kind)
            .field("name", &self.name)
            .field("id", &self.id)
            .field("verb", &self.verb)
            .field("changes", &self.changes)
            .finish_non_exhaustive()
    }
}

impl Action {
    /// Whether carrying it out changes anything.
    pub fn changes_something(&self) -> bool {
        self.verb != Verb::Unchanged
    }

    /// An action that changes nothing.
    pub fn unchanged(kind: Kind, name: &str, at: String, id: &str) -> Action {
        let at = Some(at);
        let (name, id) = (name.to_owned(), Some(id.to_owned()));
        Action {
            kind,
            name,
            at,
            id,
            verb: Verb::Unchanged,
            changes: Vec::new(),
            uses: Vec::new(),
            refers_to: None,
            run: None,
        }
    }
}

/// How names in the file resolve: to the file's own resources first (the server's of that name,
/// or [`Id::New`]), then to the server's by id or name. A reference to a server resource of a
/// kind being pruned that the file does not describe is an error: it would be deleted.
pub struct Refs<'a> {
    file: &'a File,
    account: &'a Account,
    prune: &'a HashSet<Kind>,
    tools: Vec<Named>,
    groups: Vec<Named>,
    personas: Vec<Named>,
}

impl<'a> Refs<'a> {
    /// The references of `file` against `account`, with the kinds `prune` deletes.
    pub fn new(file: &'a File, account: &'a Account, prune: &'a HashSet<Kind>) -> Refs<'a> {
        let (tools, groups, personas) = (account.tool_names(), account.group_names(), account.persona_names());
        Refs { file, account, prune, tools, groups, personas }
    }

    /// A tool by name or id.
    pub fn tool(&self, text: &str) -> Result<Id, String> {
        let in_file = self.file.tools().iter().any(|t| t.name == text);
        self.find(Kind::Tool, in_file, &self.tools, text)
    }

    /// A knowledge group by name or id.
    pub fn group(&self, text: &str) -> Result<Id, String> {
        let in_file = self.file.groups().iter().any(|g| g.name == text);
        self.find(Kind::KnowledgeGroup, in_file, &self.groups, text)
    }

    /// A persona by name or id.
    pub fn persona(&self, text: &str) -> Result<Id, String> {
        let in_file = self.file.personas().iter().any(|p| p.name == text);
        self.find(Kind::Persona, in_file, &self.personas, text)
    }

    /// The account it resolves against.
    pub fn account(&self) -> &Account {
        self.account
    }

    /// `text` among the server's `server` of `kind`, or the file's own (`in_file`).
    fn find(&self, kind: Kind, in_file: bool, server: &[Named], text: &str) -> Result<Id, String> {
        if in_file {
            let same: Vec<&Named> = server.iter().filter(|n| n.name.as_deref() == Some(text)).collect();
            return match same.as_slice() {
                [] => Ok(Id::New(Ref { kind, name: text.to_owned() })),
                [one] => Ok(Id::Known(one.id.clone())),
                _ => resolve::resolve(server, kind.noun(), text).map(Id::Known),
            };
        }
        let id = resolve::resolve(server, kind.noun(), text)?;
        if self.prune.contains(&kind) {
            return Err(format!(
                "{text:?} is not in the file's {}, so --prune deletes it; add it there, or do not prune {}",
                kind.section(),
                kind.section()
            ));
        }
        Ok(Id::Known(id))
    }
}

/// What to read of the account for a plan of `file`.
fn wanted(file: &File, prune: &HashSet<Kind>) -> Wanted {
    let names = |names: Vec<&str>| Which::Named(names.into_iter().map(str::to_owned).collect());
    let with_documents = file.groups().iter().filter(|g| g.documents.is_some()).map(|g| g.name.as_str()).collect();
    Wanted {
        personas: names(file.personas().iter().map(|p| p.name.as_str()).collect()),
        documents: names(with_documents),
        share_links: file.share_links.is_some() || prune.contains(&Kind::ShareLink),
    }
}

/// The plan for the loaded file: an action per resource of the file, in the kinds' order and
/// the file's, and a delete for what `prune` deletes. `http` downloads server documents to
/// hash them (see `docs`).
pub async fn plan(
    client: &Client,
    gate: &Gate,
    loaded: &Loaded,
    prune: &HashSet<Kind>,
    downloads: &crate::docs::Downloads,
) -> Result<Vec<Action>, String> {
    let account =
        Account::load(client, gate, &wanted(&loaded.file, prune)).await.map_err(|e| crate::advice::sdk(&e))?;
    let refs = Refs::new(&loaded.file, &account, prune);
    let kinds = [
        knowledge::plan(client, gate, loaded, &refs, prune, downloads).await,
        tool::plan(&loaded.file, &refs, &loaded.shown, prune),
        persona::plan(&loaded.file, &refs, &loaded.shown, prune),
        share_link::plan(&loaded.file, &refs, &loaded.shown, prune),
    ];
    let (mut actions, mut problems) = (Vec::new(), Vec::new());
    for kind in kinds {
        match kind {
            Ok(more) => actions.extend(more),
            Err(found) => problems.extend(found.split('\n').map(str::to_owned)),
        }
    }
    if problems.len() > crate::problems::MAX_SHOWN {
        let more = problems.len() - crate::problems::MAX_SHOWN;
        problems.truncate(crate::problems::MAX_SHOWN);
        problems.push(format!("{}: {more} more problem(s) not shown; fix these first", loaded.shown));
    }
    all_or_problems(actions, problems)
}

/// The actions, or when something could not be planned, every problem found (one a line, in
/// the file's order): a kind's plan says all of its problems, not the first.
pub fn all_or_problems(actions: Vec<Action>, problems: Vec<String>) -> Result<Vec<Action>, String> {
    match problems.is_empty() {
        true => Ok(actions),
        false => Err(problems.join("\n")),
    }
}
