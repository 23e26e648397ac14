//! Share links with their public URLs: `share-links list|get|create` are, with `session-token`,
//! the commands that print a link's token, as the URL people open (`SHARE_LINK_URL`).

use anam::api::facts::SHARE_LINK_URL;
use clap::{ArgMatches, Command};
use futures::FutureExt;
use futures::future::BoxFuture;
use serde_json::Value;

use super::{cell, items, time};
use crate::operations::Context;
use crate::{names, output};

/// The help of the commands that print a link's URL.
pub fn command(command: Command) -> Command {
    command.after_help(
        "Prints each link's public URL, which holds its token: whoever has it can talk to the persona while the \
         link is enabled, unexpired and under its limit. These commands and session-token are the only ones that \
         print such a secret.",
    )
}

/// The URL of a link's token.
fn url(token: &str) -> String {
    SHARE_LINK_URL.replace("{token}", token)
}

/// A link, or every link of a list, with its `url` beside its `token`.
pub fn with_urls(mut answer: Value) -> Value {
    let add = |link: &mut Value| {
        if let Some(token) = link.get("token").and_then(Value::as_str).map(str::to_owned)
            && let Some(object) = link.as_object_mut()
        {
            object.insert("url".into(), Value::from(url(&token)));
        }
    };
    match &mut answer {
        Value::Array(links) => links.iter_mut().for_each(add),
        link if link.get("data").is_some() => link["data"].as_array_mut().into_iter().flatten().for_each(add),
        link => add(link),
    }
    answer
}

/// Links: persona, uses, expiry, URL, id.
pub fn show<'a>(context: &'a Context, answer: Value, _: &'a ArgMatches) -> BoxFuture<'a, Result<String, String>> {
    async move {
        let links: Vec<Value> = match answer.get("id") {
            Some(_) => vec![answer.clone()],
            None => items(&answer).to_vec(),
        };
        let need_names = links.iter().any(|l| l.get("personaName").is_none());
        let personas = match need_names {
            true => names::list(context, "PersonaId").await?,
            false => Vec::new(),
        };
        let rows: Vec<Vec<String>> = links
            .iter()
            .map(|link| {
                let persona = match link.get("personaName").and_then(Value::as_str) {
                    Some(name) => name.to_owned(),
                    None => link
                        .get("personaId")
                        .and_then(Value::as_str)
                        .map_or("-".to_owned(), |id| names::name_of(&personas, id)),
                };
                let limit =
                    link.get("usageLimit").filter(|l| !l.is_null()).map_or("no limit".to_owned(), |l| cell(Some(l)));
                let enabled = link.get("enabled").and_then(Value::as_bool) != Some(false);
                vec![
                    persona,
                    format!("{} of {limit}", cell(link.get("usageCount"))),
                    if enabled { time(link.get("expiresAt")) } else { "disabled".to_owned() },
                    link.get("token").and_then(Value::as_str).map_or("-".to_owned(), url),
                    cell(link.get("id")),
                ]
            })
            .collect();
        Ok(output::table(&["PERSONA", "USES", "EXPIRES", "URL", "ID"], &rows))
    }
    .boxed()
}
