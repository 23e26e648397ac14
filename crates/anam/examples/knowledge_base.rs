//! Knowledge base: a persona that answers from your documents. Creates a knowledge group,
//! uploads two documents from files, waits until they are processed, searches them, creates a
//! knowledge tool on the group and a persona with that tool, mints a session token for it, and
//! deletes everything it made.
//!
//! With `ANAM_API_KEY` set it talks to the real API (and cleans up on that account); without
//! it, it starts the embedded `anam-mock` fake and says so on its first line.
//!
//! ```text
//! cargo run -p anam --example knowledge_base
//! ```

use anam::{
    CreateKnowledgeGroup, CreatePersona, CreateSessionToken, CreateTool, SearchKnowledge, Upload, UploadDocument,
    WaitForDocument,
};

mod support;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    support::exit(run().await)
}

async fn run() -> support::Outcome {
    // The fake (when there is one) stops when dropped: keep it for the whole run.
    let (client, _mock) = support::client("").await?;

    // The documents, as files on disk (a real app has them already).
    let dir = std::env::temp_dir().join(format!("anam-knowledge-base-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let hours = dir.join("opening-hours.md");
    std::fs::write(&hours, "# Opening hours\n\nWe open at nine and close at five, Monday to Friday.\n")?;
    let prices = dir.join("prices.csv");
    std::fs::write(&prices, "service,price\nhaircut,25\ncolour,60\n")?;

    let group = client
        .knowledge_groups()
        .create(CreateKnowledgeGroup::new("Salon handbook (example)").description("Hours and prices"))
        .await?;
    println!("1. group     {} {:?}", group.id, group.name.clone().unwrap_or_default());

    let mut documents = Vec::new();
    for path in [&hours, &prices] {
        let document = client.knowledge_groups().upload(&group.id, UploadDocument::new(Upload::path(path))).await?;
        println!(
            "2. uploaded  {} {:?} ({})",
            document.id,
            document.filename.clone().unwrap_or_default(),
            status(&document)
        );
        documents.push(document);
    }
    for document in &documents {
        let ready = client.knowledge_documents().wait_until_processed(&document.id, WaitForDocument::default()).await?;
        println!("3. processed {} ({})", ready.id, status(&ready));
    }

    let hits = client.knowledge_groups().search(&group.id, SearchKnowledge::new("When do you open?").limit(3)).await?;
    println!("4. search    {} result(s) for \"When do you open?\"", hits.len());
    for hit in &hits {
        let text = hit.content.clone().unwrap_or_default().split_whitespace().collect::<Vec<_>>().join(" ");
        println!(
            "             {:.2} {:?}: {}",
            hit.score.unwrap_or_default(),
            hit.filename.clone().unwrap_or_default(),
            text
        );
    }

    let tool = client
        .tools()
        .create(CreateTool::knowledge("salon_handbook", "Look up the salon's opening hours and prices.", [&group.id]))
        .await?;
    println!("5. tool      {} {:?} on the group", tool.id, tool.name.clone().unwrap_or_default());

    let persona = client
        .personas()
        .create(
            CreatePersona::cara()
                .name("Salon front desk (example)")
                .system_prompt("You answer questions about the salon, using the handbook tool.")
                .tool_ids([&tool.id]),
        )
        .await?;
    println!("6. persona   {} with the tool", persona.id);

    let token = client.sessions().token(CreateSessionToken::persona(&persona.id)).await?;
    let text = token.session_token.expose_secret();
    let prefix: String = text.chars().take(12).collect();
    println!("7. token     {prefix}... ({} characters; only a prefix is printed)", text.chars().count());

    client.personas().delete(&persona.id).await?;
    client.tools().delete(&tool.id).await?;
    for document in &documents {
        client.knowledge_documents().delete(&document.id).await?;
    }
    client.knowledge_groups().delete(&group.id).await?;
    std::fs::remove_dir_all(&dir)?;
    let gone = client.knowledge_groups().get_opt(&group.id).await?.is_none();
    println!("8. deleted   the persona, the tool, {} documents and the group (gone: {gone})", documents.len());
    Ok(())
}

/// A document's processing status for people.
fn status(document: &anam::types::KnowledgeDocument) -> String {
    document.status.as_ref().map_or_else(|| "no status".to_owned(), |s| s.to_string())
}
