//! Session report: what happened in the sessions of a period, for a CRM or a dashboard. Lists
//! the sessions that started in the last 7 days, prints each one's transcript and analytics,
//! writes one JSON line per session to a file, and prints the period's aggregated analytics.
//!
//! With `ANAM_API_KEY` set it reads the real account's sessions; without it, it starts the
//! embedded `anam-mock` fake, seeds it with a few sessions (only Anam's engine makes sessions,
//! so a test inserts them), and says so on its first line.
//!
//! ```text
//! cargo run -p anam --example session_report [-- OUTPUT.jsonl]
//! ```

use std::io::Write;

use anam::chrono::{DateTime, Duration, Utc};
use anam::{ListSessions, SessionAnalyticsQuery};
use futures::TryStreamExt;
use serde_json::json;

mod support;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    support::exit(run().await)
}

async fn run() -> support::Outcome {
    let output = std::env::args().nth(1).map_or_else(
        || std::env::temp_dir().join(format!("anam-session-report-{}.jsonl", std::process::id())),
        std::path::PathBuf::from,
    );
    // The fake (when there is one) stops when dropped: keep it for the whole run.
    let (client, _mock) = support::client(", seeded with 3 sessions").await?;
    if let Some(mock) = &_mock {
        seed(mock)?;
    }

    // The list has no date filter: keep the sessions that started in the period.
    let (to, from) = (Utc::now(), Utc::now() - Duration::days(7));
    let all: Vec<_> = client.sessions().stream(ListSessions::new()).try_collect().await?;
    let period: Vec<_> = all.into_iter().filter(|s| s.start_time.is_some_and(|t| t >= from && t <= to)).collect();
    println!("{} session(s) started since {}", period.len(), from.format("%Y-%m-%d %H:%M"));

    let mut lines = std::fs::File::create(&output)?;
    for session in &period {
        let length = session.session_length_ms.map_or_else(|| "running".to_owned(), |ms| format!("{} s", ms / 1000));
        println!("\nsession {} ({length}, {:?})", session.id, session.client_label.clone().unwrap_or_default());
        // A session without transcripts, or without a report yet, answers 404: keep going.
        let transcript = client.sessions().transcript(&session.id).await;
        let messages = match &transcript {
            Ok(transcript) => transcript.messages.clone().unwrap_or_default(),
            Err(error) if error.is_not_found() => Vec::new(),
            Err(error) => return Err(error.to_string().into()),
        };
        for message in &messages {
            let role = message.role.as_ref().map_or_else(|| "?".to_owned(), |r| r.to_string());
            println!("  {role:>7}: {}", message.message.clone().unwrap_or_default());
        }
        let analytics = match client.sessions().analytics(&session.id, false).await {
            Ok(analytics) => Some(analytics),
            Err(error) if error.is_not_found() => None,
            Err(error) => return Err(error.to_string().into()),
        };
        let summary = analytics.as_ref().and_then(|a| a.summary.clone());
        let turns = summary.as_ref().and_then(|s| s.total_turns);
        let latency =
            summary.as_ref().and_then(|s| s.average_latencies.as_ref()).and_then(|l| l.first_audio_latency_seconds);
        match (turns, latency) {
            (Some(turns), Some(latency)) => println!("  {turns} turn(s), {latency:.2} s to the first audio on average"),
            (Some(turns), None) => println!("  {turns} turn(s)"),
            _ => println!("  no analytics (yet)"),
        }
        let line = json!({
            "sessionId": session.id,
            "personaId": session.persona_id,
            "startTime": session.start_time,
            "endTime": session.end_time,
            "clientLabel": session.client_label,
            "messages": messages,
            "analytics": analytics,
        });
        writeln!(lines, "{line}")?;
    }

    let totals = client.sessions().aggregated_analytics(SessionAnalyticsQuery::between(from, to)).await?;
    let count = totals.session_count.unwrap_or_default();
    let turns = totals.turn_count.unwrap_or_default();
    println!("\nthe period: {count} session(s), {turns} turn(s); one JSON line per session in {}", output.display());
    Ok(())
}

/// Three sessions of a support persona: two ended with a transcript and analytics, one running.
fn seed(mock: &anam_mock::MockServer) -> Result<(), Box<dyn std::error::Error>> {
    let persona = "2f1c5b8e-4a3d-4c7e-9b1a-6d0e8f2a7c31";
    let at = |hours_ago: i64| Utc::now() - Duration::hours(hours_ago);
    let conversations = [
        (30, Some(95), "When are you open?", "Nine to five, Monday to Friday."),
        (5, Some(40), "Can I book a haircut?", "Yes: tomorrow at ten is free."),
        (0, None, "Hello?", "Hi! How can I help?"),
    ];
    for (index, (hours_ago, seconds, question, answer)) in conversations.into_iter().enumerate() {
        let start: DateTime<Utc> = at(hours_ago);
        let end = seconds.map(|s| start + Duration::seconds(s));
        let session = serde_json::from_value(json!({
            "id": format!("00000000-0000-4000-8000-00000000000{index}"),
            "personaId": persona,
            "clientLabel": "web",
            "startTime": start,
            "endTime": end,
            "sessionLengthMs": seconds.map(|s| s * 1000),
            "exitStatus": end.map(|_| "NORMAL_EXIT"),
            "clientMetadata": {}, "personaConfig": {}, "organizationId": "org-example", "createdAt": start,
        }))?;
        let messages = serde_json::from_value(json!([
            {"role": "user", "message": question, "timestamp": start + Duration::seconds(2), "speakingDurationSeconds": 1.5},
            {"role": "persona", "message": answer, "timestamp": start + Duration::seconds(4), "speakingDurationSeconds": 2.0, "wasInterrupted": false},
        ]))?;
        let turns = serde_json::from_value(json!([{
            "turnIndex": 0, "userMessage": question, "assistantMessage": answer,
            "transcriptionLatencySeconds": 0.21, "llmTimeToFirstOutputSeconds": 0.42,
            "firstAudioLatencySeconds": 0.93, "finishReason": "completed", "wasInterrupted": false,
        }]))?;
        let mut record = anam_mock::SessionRecord::new(session).transcript(messages);
        if end.is_some() {
            record = record.turns(turns);
        }
        mock.insert_session(record);
    }
    Ok(())
}
