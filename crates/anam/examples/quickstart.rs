//! Quickstart: pick an avatar, a voice and an LLM, create a persona with them, mint a session
//! token for it, list, update and delete it.
//!
//! With `ANAM_API_KEY` set it talks to the real API (and creates, then deletes, one persona on
//! that account); without it, it starts the embedded `anam-mock` fake and says so on its first
//! line.
//!
//! ```text
//! cargo run -p anam --example quickstart
//! ```

use anam::{
    CreatePersona, CreateSessionToken, ListAvatars, ListLlms, ListPersonas, ListVoices, Persona, UpdatePersona,
    VoiceDetection,
};

/// The names the quickstart looks for; it takes the first of each list when none matches.
const AVATAR: &str = "Cara";
const VOICE: &str = "Cara";
const LLM: &str = "GPT-4o-mini";

mod support;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    support::exit(run().await)
}

async fn run() -> support::Outcome {
    // The fake (when there is one) stops when dropped: keep it for the whole run.
    let (client, _mock) = support::client("").await?;

    // 1. Choose what the persona is built from, by name.
    let avatars = client.avatars().list(ListAvatars::new().search(AVATAR)).await?.data;
    let avatars = if avatars.is_empty() { client.avatars().list(ListAvatars::new()).await?.data } else { avatars };
    let avatar = choose(avatars, AVATAR, |a| a.display_name.as_deref()).ok_or("the account lists no avatar")?;
    let voices = client.voices().list(ListVoices::new().search(VOICE)).await?.data;
    let voices = if voices.is_empty() { client.voices().list(ListVoices::new()).await?.data } else { voices };
    let voice = choose(voices, VOICE, |v| v.display_name.as_deref()).ok_or("the account lists no voice")?;
    let llms = client.llms().list(ListLlms::new().include_defaults(true).search(LLM)).await?.data;
    let llms =
        if llms.is_empty() { client.llms().list(ListLlms::new().include_defaults(true)).await?.data } else { llms };
    let llm = choose(llms, LLM, |l| l.display_name.as_deref()).ok_or("the account lists no LLM")?;
    let name = |text: Option<&str>| text.unwrap_or("(no name)").to_string();
    println!("1. chose     avatar {} {:?}", avatar.id, name(avatar.display_name.as_deref()));
    println!("             voice  {} {:?}", voice.id, name(voice.display_name.as_deref()));
    println!("             LLM    {} {:?}", llm.id, name(llm.display_name.as_deref()));

    // 2. Create the persona with them.
    let request = CreatePersona::new()
        .name("Cara (quickstart)")
        .description("Created by the anam-rs quickstart")
        .avatar_id(&avatar.id)
        .voice_id(&voice.id)
        .llm_id(&llm.id)
        .system_prompt("You are a helpful assistant")
        .voice_detection(VoiceDetection::new().end_of_speech_sensitivity(0.5).silence_before_session_end_seconds(60.0));
    let created = client.personas().create(request).await?;
    println!("2. created   {}", describe(&created));

    // 3. Mint a session token for it: what a server hands to the browser that streams the avatar.
    let token = client.sessions().token(CreateSessionToken::persona(&created.id).client_label("quickstart")).await?;
    let secret = token.session_token.expose_secret();
    let prefix: String = secret.chars().take(12).collect();
    println!("3. token     {prefix}... ({} characters, valid for an hour; only a prefix is printed)", secret.len());

    // 4. List the first page.
    let page = client.personas().list(ListPersonas::new().per_page(10)).await?;
    println!("4. listed    {} of {} persona(s) on page {}:", page.data.len(), page.meta.total, page.meta.current_page);
    for persona in &page.data {
        println!("             - {} {}", persona.id, persona.name.as_deref().unwrap_or("(no name)"));
    }

    // 5. Update: a new prompt, and clear the avatar model so the avatar's default applies.
    let update = UpdatePersona::new().system_prompt("You are a concise assistant").clear_avatar_model();
    let updated = client.personas().update(&created.id, update).await?;
    println!("5. updated   {}", describe(&updated));

    // 6. Delete it; a second look finds nothing.
    client.personas().delete(&created.id).await?;
    let gone = client.personas().get_opt(&created.id).await?.is_none();
    println!("6. deleted   {} (get_opt now returns None: {gone})", created.id);
    Ok(())
}

/// The item whose name is `wanted`, else the first one.
fn choose<T>(items: Vec<T>, wanted: &str, name: impl Fn(&T) -> Option<&str>) -> Option<T> {
    let at = items.iter().position(|item| name(item).is_some_and(|n| n.eq_ignore_ascii_case(wanted))).unwrap_or(0);
    items.into_iter().nth(at)
}

fn describe(persona: &Persona) -> String {
    let model = persona.avatar_model.as_ref().map_or("avatar default".to_string(), |m| m.to_string());
    let prompt = persona.brain.as_ref().and_then(|b| b.system_prompt.as_deref()).unwrap_or("-");
    format!(
        "{} \"{}\" (model: {model}; avatar: {}; voice: {}; prompt: {prompt:?})",
        persona.id,
        persona.name.as_deref().unwrap_or(""),
        persona.avatar.as_ref().map_or("-", |a| a.id.as_str()),
        persona.voice.as_ref().map_or("-", |v| v.id.as_str()),
    )
}
