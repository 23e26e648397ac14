//! Quickstart: create, list, get, update and delete a persona.
//!
//! With `ANAM_API_KEY` set it talks to the real API (and creates, then deletes, one persona);
//! without it, it starts the embedded `anam-mock` fake and says so on its first line.
//!
//! ```text
//! cargo run -p anam --example quickstart
//! ```

use anam::{Client, CreatePersona, ListPersonas, Persona, UpdatePersona};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    // Keep the mock alive for the whole run: it stops when dropped.
    let mut _mock = None;
    let client = if std::env::var(anam::API_KEY_ENV).is_ok_and(|key| !key.trim().is_empty()) {
        let client = Client::from_env()?;
        println!("Using the Anam API at {} (ANAM_API_KEY is set).", client.base_url());
        client
    } else {
        let mock = anam_mock::MockServer::start().await;
        println!("ANAM_API_KEY is not set: using the embedded anam-mock fake at {}.", mock.base_url());
        let client = Client::builder().base_url(mock.base_url()).api_key(mock.api_key()).build()?;
        _mock = Some(mock);
        client
    };
    let personas = client.personas();

    // 1. Create Anam's documented example persona.
    let request = CreatePersona::documented_example().description("Created by the anam-rs quickstart");
    let created = personas.create(request).await?;
    println!("1. created   {}", describe(&created));

    // 2. List the first page.
    let page = personas.list(ListPersonas::new().per_page(10)).await?;
    println!("2. listed    {} of {} persona(s) on page {}:", page.data.len(), page.meta.total, page.meta.current_page);
    for persona in &page.data {
        println!("             - {} {}", persona.id, persona.name.as_deref().unwrap_or("(no name)"));
    }

    // 3. Get it back.
    let fetched = personas.get(&created.id).await?;
    println!("3. fetched   {}", describe(&fetched));

    // 4. Update: rename, and clear the avatar model so the avatar's default applies.
    let update = UpdatePersona::new().name("Cara (quickstart)").clear_avatar_model();
    let updated = personas.update(&created.id, update).await?;
    println!("4. updated   {}", describe(&updated));

    // 5. Delete it; a second look finds nothing.
    personas.delete(&created.id).await?;
    let gone = personas.get_opt(&created.id).await?.is_none();
    println!("5. deleted   {} (get_opt now returns None: {gone})", created.id);
    Ok(())
}

fn describe(persona: &Persona) -> String {
    let model = persona.avatar_model.as_ref().map_or("avatar default".to_string(), |m| m.to_string());
    let prompt = persona.brain.as_ref().and_then(|b| b.system_prompt.as_deref()).unwrap_or("-");
    format!(
        "{} \"{}\" (model: {model}; voice: {}; prompt: {prompt:?})",
        persona.id,
        persona.name.as_deref().unwrap_or(""),
        persona.voice.as_ref().map_or("-", |v| v.id.as_str()),
    )
}
