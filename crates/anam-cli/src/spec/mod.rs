//! What a file describes: each kind of resource, by name, with the settings people write and
//! review. Every section is optional; a section that is absent is not managed at all (not even
//! by `--prune`), an empty one (`tools: []`) says there is none.
//!
//! ```yaml
//! knowledgeGroups:
//!   - name: Handbook
//!     documents: [handbook/opening-hours.md]   # paths relative to the file
//! tools:
//!   - name: search_handbook
//!     type: knowledge
//!     description: Search the handbook.
//!     knowledgeGroups: [Handbook]               # by name
//! personas:
//!   - name: Front desk
//!     tools: [search_handbook]
//! shareLinks:
//!   - persona: Front desk
//! ```
//!
//! The checks here need no server: names present and unique per kind, and each kind's own
//! rules (the SDK's builders check the spec's ranges). References between resources are
//! resolved when planning, against the file and the server.

pub mod knowledge;
pub mod persona;
pub mod share_link;
pub mod tool;

use std::path::Path;

use anam::ValidationError;
use serde::{Deserialize, Serialize};

pub use knowledge::KnowledgeGroupSpec;
pub use persona::{Detection, Generation, PersonaSpec};
pub use share_link::ShareLinkSpec;
pub use tool::ToolSpec;

use crate::problems::{Problem, Problems};
use crate::text;

/// The whole file, its sections in the order `apply` creates them.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct File {
    /// Knowledge groups, each by its name, with their documents.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub knowledge_groups: Option<Vec<KnowledgeGroupSpec>>,
    /// Tools, each by its name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tools: Option<Vec<ToolSpec>>,
    /// Personas, each by its name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub personas: Option<Vec<PersonaSpec>>,
    /// Share links, each by the name of the persona it opens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub share_links: Option<Vec<ShareLinkSpec>>,
}

impl File {
    /// The file's knowledge groups (none when the section is absent).
    pub fn groups(&self) -> &[KnowledgeGroupSpec] {
        self.knowledge_groups.as_deref().unwrap_or_default()
    }

    /// The file's tools.
    pub fn tools(&self) -> &[ToolSpec] {
        self.tools.as_deref().unwrap_or_default()
    }

    /// The file's personas.
    pub fn personas(&self) -> &[PersonaSpec] {
        self.personas.as_deref().unwrap_or_default()
    }

    /// The file's share links.
    pub fn share_links(&self) -> &[ShareLinkSpec] {
        self.share_links.as_deref().unwrap_or_default()
    }

    /// Whether the file has the section of `kind` (an empty one counts).
    pub fn has(&self, kind: Kind) -> bool {
        match kind {
            Kind::KnowledgeGroup | Kind::Document => self.knowledge_groups.is_some(),
            Kind::Tool => self.tools.is_some(),
            Kind::Persona => self.personas.is_some(),
            Kind::ShareLink => self.share_links.is_some(),
        }
    }

    /// Whether `kind` may be pruned: only with its section in the file, since pruning a kind
    /// the file does not describe would delete all of it. The error says what to write instead.
    pub fn prunable(&self, kind: Kind) -> Result<(), String> {
        if self.has(kind) {
            return Ok(());
        }
        let section = kind.section();
        Err(format!("the file has no `{section}:` section; write `{section}: []` to delete every {}", kind.noun()))
    }
}

/// The kinds of resource a file manages, in the order `apply` creates them (and deletes them
/// in reverse): what a resource refers to comes before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, clap::ValueEnum)]
pub enum Kind {
    /// Knowledge groups (`knowledgeGroups:`), with their documents.
    #[value(name = "knowledgeGroups")]
    KnowledgeGroup,
    /// A group's `documents:` (pruned with their group's section: `--prune=knowledgeGroups`).
    #[value(skip)]
    Document,
    /// Tools (`tools:`).
    #[value(name = "tools")]
    Tool,
    /// Personas (`personas:`).
    #[value(name = "personas")]
    Persona,
    /// Share links (`shareLinks:`).
    #[value(name = "shareLinks")]
    ShareLink,
}

impl Kind {
    /// The kind in a few words, as plans and messages say it (`knowledge group`).
    pub fn noun(self) -> &'static str {
        match self {
            Kind::KnowledgeGroup => "knowledge group",
            Kind::Document => "document",
            Kind::Tool => "tool",
            Kind::Persona => "persona",
            Kind::ShareLink => "share link",
        }
    }

    /// The kind as JSON output names it (`knowledgeGroup`).
    pub fn key(self) -> &'static str {
        match self {
            Kind::KnowledgeGroup => "knowledgeGroup",
            Kind::Document => "document",
            Kind::Tool => "tool",
            Kind::Persona => "persona",
            Kind::ShareLink => "shareLink",
        }
    }

    /// The file's section of the kind (`knowledgeGroups`).
    pub fn section(self) -> &'static str {
        match self {
            Kind::KnowledgeGroup | Kind::Document => "knowledgeGroups",
            Kind::Tool => "tools",
            Kind::Persona => "personas",
            Kind::ShareLink => "shareLinks",
        }
    }
}

/// Checks every section of `file` (read from `dir`): names present and unique within their
/// kind, each item's own rules, and the documents' paths (each read and hashed). Adds every
/// problem to `problems`, each at its path in the file (`tools[1].url`), and returns the
/// documents read, group by group.
pub fn check(file: &File, dir: &Path, problems: &mut Problems) -> Vec<Vec<crate::docs::Local>> {
    let mut names = |section: &str, names: Vec<&str>, what: &str| {
        for (i, name) in names.iter().enumerate() {
            let at = format!("{section}[{i}].{what}");
            if name.trim().is_empty() {
                problems.push(Problem::new(&at, format!("{at} is empty, but each item needs one")));
            } else if let Some(j) = names[..i].iter().position(|n| n == name) {
                problems.push(Problem::new(
                    &at,
                    format!("{at} {name:?} is also the {what} of {section}[{j}]; {what}s must be unique"),
                ));
            }
        }
    };
    names("personas", file.personas().iter().map(|p| p.name.as_str()).collect(), "name");
    names("tools", file.tools().iter().map(|t| t.name.as_str()).collect(), "name");
    names("knowledgeGroups", file.groups().iter().map(|g| g.name.as_str()).collect(), "name");
    names("shareLinks", file.share_links().iter().map(|l| l.persona.as_str()).collect(), "persona");
    for (i, persona) in file.personas().iter().enumerate() {
        for problem in persona::check(persona) {
            problems.push(Problem::in_item(&format!("personas[{i}]"), &problem));
        }
    }
    for (i, tool) in file.tools().iter().enumerate() {
        if let Err(problem) = tool::check(tool) {
            problems.push(Problem::in_item(&format!("tools[{i}]"), &problem));
        }
    }
    for (i, link) in file.share_links().iter().enumerate() {
        for problem in share_link::check(link) {
            problems.push(Problem::in_item(&format!("shareLinks[{i}]"), &problem));
        }
    }
    let mut documents = Vec::new();
    for (i, group) in file.groups().iter().enumerate() {
        let (read, found) = knowledge::check(group, dir);
        for problem in found {
            problems.push(Problem::in_item(&format!("knowledgeGroups[{i}]"), &problem));
        }
        documents.push(read);
    }
    documents
}

/// Adds a problem for every number of the file that is not finite (`.nan` and `.inf` are YAML
/// numbers): the JSON its variables are replaced in cannot hold them, and no field takes one.
pub fn finite(file: &File, problems: &mut Problems) {
    let mut numbers: Vec<(String, f64)> = Vec::new();
    for (i, persona) in file.personas().iter().enumerate() {
        for (field, value) in persona.numbers() {
            numbers.push((format!("personas[{i}].{field}"), value));
        }
    }
    for (i, tool) in file.tools().iter().enumerate() {
        numbers.extend(tool.tool_timeout_seconds.map(|v| (format!("tools[{i}].toolTimeoutSeconds"), v)));
    }
    for (field, value) in numbers.into_iter().filter(|(_, v)| !v.is_finite()) {
        problems.push(Problem::new(&field, format!("{field} is {value}, but must be a finite number")));
    }
}

/// A validation error of the SDK as `field is VALUE, but must be EXPECTED`, its field named as
/// the file names it by `field` (from the wire name).
pub fn in_file_terms(error: &ValidationError, field: impl Fn(&str) -> String) -> String {
    format!("{} is {}, but must be {}", field(&error.field), text::shorten(&error.value), error.expected)
}
