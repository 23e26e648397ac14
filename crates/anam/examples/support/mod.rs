//! What the offline examples share: the client they talk through (the real API when
//! `ANAM_API_KEY` is set, else the embedded `anam-mock` fake, said on the first line) and the
//! exit code of their run.

use std::error::Error;
use std::process::ExitCode;

/// What an example's run gives.
pub type Outcome = Result<(), Box<dyn Error>>;

/// The client, and the fake it talks to when `ANAM_API_KEY` is not set (keep it alive for the
/// whole run: it stops when dropped). `fake_note` ends the first line on the fake.
pub async fn client(fake_note: &str) -> Result<(anam::Client, Option<anam_mock::MockServer>), Box<dyn Error>> {
    if std::env::var(anam::API_KEY_ENV).is_ok_and(|key| !key.trim().is_empty()) {
        let client = anam::Client::from_env()?;
        println!("Using the Anam API at {} (ANAM_API_KEY is set).", client.base_url());
        return Ok((client, None));
    }
    let mock = anam_mock::MockServer::start().await;
    println!("ANAM_API_KEY is not set: using the embedded anam-mock fake at {}{fake_note}.", mock.base_url());
    let client = anam::Client::builder().base_url(mock.base_url()).api_key(mock.api_key()).build()?;
    Ok((client, Some(mock)))
}

/// 0 for a run that succeeded, else 1 with its error on stderr.
pub fn exit(outcome: Outcome) -> ExitCode {
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}
