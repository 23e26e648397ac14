//! `anam-mock`: the in-memory fake of the Anam personas API as a program, for other tools.
//!
//! ```text
//! cargo run -p anam-mock --features cli -- --port 4010 [--api-key KEY] [--seed N | --demo] [--latency 50ms]
//! ```
//!
//! It prints one line when it listens (its URL, key, personas and latency; with `--demo`, what
//! the demo account holds and the `ANAM_API_URL=... ANAM_API_KEY=...` to export), serves until
//! Ctrl-C, then prints how many API requests it answered and the most it had in flight at once
//! (also at `GET /_mock/stats` while it runs).

use std::time::Duration;

use anam_api::types::PersonaCreate;
use clap::Parser;

#[derive(Parser)]
#[command(version, about = "An in-memory fake of the Anam AI API on 127.0.0.1")]
struct Args {
    /// The port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 4010)]
    port: u16,
    /// The API key the fake accepts as `Authorization: Bearer <key>`.
    #[arg(long, default_value = anam_mock::DEFAULT_API_KEY)]
    api_key: String,
    /// Create this many personas ("Persona 1", "Persona 2", ...) before serving.
    #[arg(long, default_value_t = 0)]
    seed: usize,
    /// Start with the demo account: 3 personas, tools, a knowledge group with 3 documents,
    /// 7 sessions of the last 7 days with transcripts and analytics, a share link, 2 meeting invites.
    #[arg(long, conflicts_with = "seed")]
    demo: bool,
    /// Delay every answer by this long, e.g. `50ms`, `1.5s` or `250us` (for benchmarks).
    #[arg(long, value_parser = parse_duration, default_value = "0ms")]
    latency: Duration,
}

/// A duration written as a number and a unit: `us`, `ms` or `s`.
fn parse_duration(text: &str) -> Result<Duration, String> {
    let split = text.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: f64 = number.parse().map_err(|_| format!("{text:?} does not start with a number"))?;
    let seconds = match unit {
        "us" => number / 1e6,
        "ms" => number / 1e3,
        "s" => number,
        _ => return Err(format!("{text:?} has no unit: write it as 50ms, 1.5s or 250us")),
    };
    Duration::try_from_secs_f64(seconds).map_err(|e| format!("{text:?}: {e}"))
}

/// `text` as one word of a POSIX shell: as it is when it holds only characters no shell
/// treats specially, else in single quotes (a `'` in it written `'\''`).
fn shell_word(text: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_.,:/@%+=".contains(c);
    if !text.is_empty() && text.chars().all(plain) {
        return text.to_owned();
    }
    format!("'{}'", text.replace('\'', "'\\''"))
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args = Args::parse();
    let builder = anam_mock::MockServer::builder().port(args.port).api_key(&args.api_key).latency(args.latency);
    let server = match builder.start().await {
        Ok(server) => server,
        Err(error) => {
            eprintln!("anam-mock: cannot listen on 127.0.0.1:{}: {error}", args.port);
            return std::process::ExitCode::FAILURE;
        }
    };
    for n in 1..=args.seed {
        server.insert(PersonaCreate { name: Some(format!("Persona {n}")), ..Default::default() });
    }
    if args.demo {
        if let Err(error) = anam_mock::demo::seed(&server) {
            eprintln!("anam-mock: {error}");
            return std::process::ExitCode::FAILURE;
        }
        println!(
            "anam-mock listening on {} with the demo account ({} personas, {} tools, {} documents, {} sessions; \
             latency {:?}); to use it: export ANAM_API_URL={} ANAM_API_KEY={}",
            server.base_url(),
            server.personas().len(),
            server.tools().len(),
            server.knowledge_documents().len(),
            server.sessions().len(),
            args.latency,
            server.base_url(),
            shell_word(server.api_key())
        );
    } else {
        println!(
            "anam-mock listening on {} (API key: {}, {} personas, latency {:?})",
            server.base_url(),
            server.api_key(),
            args.seed,
            args.latency
        );
    }
    if let Err(error) = tokio::signal::ctrl_c().await {
        eprintln!("anam-mock: cannot wait for Ctrl-C: {error}");
    }
    println!(
        "anam-mock stopped after {} API requests, at most {} in flight at once",
        server.total_requests(),
        server.max_in_flight()
    );
    std::process::ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_need_a_number_and_a_unit() {
        assert_eq!(parse_duration("50ms"), Ok(Duration::from_millis(50)));
        assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("250us"), Ok(Duration::from_micros(250)));
        assert!(parse_duration("50").unwrap_err().contains("no unit"));
        assert!(parse_duration("ms").is_err());
        assert!(parse_duration("-1s").is_err());
    }

    #[test]
    fn a_key_is_quoted_for_a_shell_only_when_it_must_be() {
        assert_eq!(shell_word("mock-api-key"), "mock-api-key");
        assert_eq!(shell_word("a b"), "'a b'");
        assert_eq!(shell_word("it's$x"), "'it'\\''s$x'");
        assert_eq!(shell_word(""), "''");
    }
}
