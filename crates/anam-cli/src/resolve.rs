//! Names to ids in an account file: the avatars, voices, LLMs, tools and knowledge groups a file
//! names by id or name. A name that matches two things is an error that lists their ids. (The
//! command line's names are found by `names`.)

use anam::{Client, ListAvatars, ListLlms, ListVoices};
use futures::{StreamExt, TryStreamExt};

use crate::gate::Gate;
use crate::names;

/// An item of a list, as names are resolved against it, with what `plan` checks of it.
#[derive(Debug, Clone, Default)]
pub struct Named {
    /// Its id.
    pub id: String,
    /// Its display name.
    pub name: Option<String>,
    /// A voice's provider (`ELEVENLABS`, ...), for the engine of its settings.
    pub provider: Option<String>,
    /// An avatar's `availableVersions`: the models it offers (`cara-3`), or internal ids in
    /// older answers.
    pub versions: Vec<String>,
}

/// Everything of Anam's catalogue a persona can reference, read once: avatars, voices and LLMs
/// (tools are the account's, in `account`).
#[derive(Debug, Default)]
pub struct Catalog {
    /// The avatars, with the models each offers.
    pub avatars: Vec<Named>,
    /// The voices, with their providers.
    pub voices: Vec<Named>,
    /// The LLMs, Anam's built-in ones included.
    pub llms: Vec<Named>,
}

impl Catalog {
    /// Reads every avatar, voice and LLM (Anam's built-in ones included), the three lists at
    /// once, each in one slot of `gate`.
    pub async fn load(client: &Client, gate: &Gate) -> anam::Result<Catalog> {
        let avatars = client.avatars().stream(ListAvatars::new()).map_ok(|a| Named {
            id: a.id.to_string(),
            name: a.display_name,
            versions: a.available_versions.unwrap_or_default(),
            ..Named::default()
        });
        let voices = client.voices().stream(ListVoices::new()).map_ok(|v| Named {
            id: v.id.to_string(),
            name: v.display_name,
            provider: v.provider.map(|p| p.to_string()),
            ..Named::default()
        });
        let llms = client.llms().stream(ListLlms::new().include_defaults(true));
        let llms = llms.map_ok(|l| Named { id: l.id.to_string(), name: l.display_name, ..Named::default() });
        let (avatars, voices, llms) = futures::future::try_join3(
            gate.collect(avatars.boxed()),
            gate.collect(voices.boxed()),
            gate.collect(llms.boxed()),
        )
        .await?;
        Ok(Catalog { avatars, voices, llms })
    }
}

/// The id `text` stands for among `items`, as the command line finds one (`names::find`): an
/// item with that id, else the one item with that name, exactly or else in any case. `what`
/// names the kind (`avatar`) in errors.
pub fn resolve(items: &[Named], what: &str, text: &str) -> Result<String, String> {
    let named: Vec<names::Named> =
        items.iter().map(|item| names::Named { id: item.id.clone(), name: item.name.clone() }).collect();
    names::find(&named, what, text)
}

/// What an export writes for an id: the item's name when it resolves back to that id, else the id.
pub fn label(items: &[Named], id: &str) -> String {
    let name = items.iter().find(|item| item.id == id).and_then(|item| item.name.clone());
    match name {
        Some(name) if resolve(items, "", &name).as_deref() == Ok(id) => name,
        _ => id.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(id: &str, name: &str) -> Named {
        Named { id: id.into(), name: Some(name.into()), ..Named::default() }
    }

    #[test]
    fn ids_win_over_names_and_a_shared_name_lists_the_ids() {
        let items = [item("a-1", "Cara"), item("a-2", "Liv"), item("a-3", "Liv"), item("Cara", "odd")];
        assert_eq!(resolve(&items, "avatar", "a-2").unwrap(), "a-2");
        assert_eq!(resolve(&items, "avatar", "Cara").unwrap(), "Cara", "an id beats a name");
        assert_eq!(
            resolve(&items, "avatar", "Liv").unwrap_err(),
            "\"Liv\" matches 2 avatars: a-2, a-3; give one of these ids instead of the name"
        );
        assert_eq!(resolve(&items, "avatar", "Ada").unwrap_err(), "no avatar has the id or name \"Ada\"");
        assert_eq!(label(&items, "a-2"), "a-2", "Liv is ambiguous, so the id is written");
        assert_eq!(label(&items, "a-1"), "a-1", "the name Cara finds another item (by its id)");
        assert_eq!(label(&items, "Cara"), "odd");
    }
}
