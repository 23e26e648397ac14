//! What the account holds, read through the [`Gate`]: Anam's catalogue, the tools, personas,
//! knowledge groups (with the documents of the groups asked for) and share links. The lists are
//! read at once (each list's pages one after another), then the personas asked for in full and
//! the groups' documents, up to `--parallelism` at a time.

use std::collections::{HashMap, HashSet};

use anam::types::{KnowledgeDocument, KnowledgeGroup, PersonaShareLink};
use anam::{Client, ListKnowledgeGroups, ListPersonas, ListShareLinks, ListTools, Persona, PersonaSummary, Tool};
use futures::StreamExt;

use crate::gate::Gate;
use crate::resolve::{Catalog, Named};

/// Which items to read in more detail: none, those with these names, or all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Which {
    /// None.
    #[default]
    None,
    /// Those whose name is one of these.
    Named(HashSet<String>),
    /// Every one.
    All,
}

impl Which {
    /// Whether an item named `name` is one of them.
    fn takes(&self, name: Option<&str>) -> bool {
        match self {
            Which::None => false,
            Which::Named(names) => name.is_some_and(|n| names.contains(n)),
            Which::All => true,
        }
    }
}

/// What to read beyond the lists.
#[derive(Debug, Clone, Default)]
pub struct Wanted {
    /// The personas to read in full (a list holds only their summaries).
    pub personas: Which,
    /// The knowledge groups whose documents to list.
    pub documents: Which,
    /// Whether to list the share links (paged by 20, so not read unless needed).
    pub share_links: bool,
}

/// What the account holds.
#[derive(Debug, Default)]
pub struct Account {
    /// Anam's avatars, voices and LLMs.
    pub catalog: Catalog,
    /// The account's tools, in full.
    pub tools: Vec<Tool>,
    /// The account's personas, as listed.
    pub personas: Vec<PersonaSummary>,
    /// The personas read in full, by id.
    pub full: HashMap<String, Persona>,
    /// The account's knowledge groups.
    pub groups: Vec<KnowledgeGroup>,
    /// The documents of the groups listed, by group id.
    pub documents: HashMap<String, Vec<KnowledgeDocument>>,
    /// The account's share links (empty unless asked for).
    pub share_links: Vec<PersonaShareLink>,
}

impl Account {
    /// Reads the account: the lists at once, then what `wanted` asks for in parallel.
    pub async fn load(client: &Client, gate: &Gate, wanted: &Wanted) -> anam::Result<Account> {
        let tools = gate.collect(client.tools().stream(ListTools::new()));
        let personas = gate.collect(client.personas().stream(ListPersonas::new()));
        let groups = gate.collect(client.knowledge_groups().stream(ListKnowledgeGroups::new()));
        let links = async {
            match wanted.share_links {
                true => gate.collect(client.share_links().stream(ListShareLinks::new())).await,
                false => Ok(Vec::new()),
            }
        };
        let (catalog, tools, personas, groups, share_links) =
            futures::future::try_join5(Catalog::load(client, gate), tools, personas, groups, links).await?;
        let full_ids: Vec<_> =
            personas.iter().filter(|p| wanted.personas.takes(p.name.as_deref())).map(|p| p.id.clone()).collect();
        let group_ids: Vec<_> =
            groups.iter().filter(|g| wanted.documents.takes(g.name.as_deref())).map(|g| g.id.clone()).collect();
        let full = gate.all(full_ids, |id| client.personas().get(id));
        let documents = gate.all(group_ids.clone(), |id| client.knowledge_groups().documents(id));
        let (full, documents) = futures::future::try_join(full, documents).await?;
        let full = full.into_iter().map(|p| (p.id.to_string(), p)).collect();
        let documents = group_ids.iter().map(|g| g.to_string()).zip(documents).collect();
        Ok(Account { catalog, tools, personas, full, groups, documents, share_links })
    }

    /// The tools, as names resolve against them.
    pub fn tool_names(&self) -> Vec<Named> {
        self.tools.iter().map(|t| Named { id: t.id.to_string(), name: t.name.clone(), ..Named::default() }).collect()
    }

    /// The knowledge groups, as names resolve against them.
    pub fn group_names(&self) -> Vec<Named> {
        self.groups.iter().map(|g| Named { id: g.id.to_string(), name: g.name.clone(), ..Named::default() }).collect()
    }

    /// The personas, as names resolve against them.
    pub fn persona_names(&self) -> Vec<Named> {
        self.personas.iter().map(|p| Named { id: p.id.to_string(), name: p.name.clone(), ..Named::default() }).collect()
    }
}

impl Gate {
    /// Runs `call` for each item through the gate, up to its parallelism at once, and returns
    /// the answers in the items' order (`buffered`), or the first error.
    pub async fn all<I, T, F>(&self, items: I, call: impl Fn(I::Item) -> F) -> anam::Result<Vec<T>>
    where
        I: IntoIterator,
        F: Future<Output = anam::Result<T>>,
    {
        let calls = futures::stream::iter(items).map(|item| self.call(call(item)));
        let answers: Vec<anam::Result<T>> = calls.buffered(self.parallelism()).collect().await;
        answers.into_iter().collect()
    }
}
