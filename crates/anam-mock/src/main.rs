//! `anam-mock`: the in-memory fake of the Anam personas API as a program, for other tools.
//!
//! ```text
//! cargo run -p anam-mock --features cli -- --port 4010 [--api-key KEY] [--seed N]
//! ```

use anam_api::types::PersonaCreate;
use clap::Parser;

#[derive(Parser)]
#[command(about = "An in-memory fake of the Anam AI personas API on 127.0.0.1")]
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
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args = Args::parse();
    let server = match anam_mock::MockServer::builder().port(args.port).api_key(&args.api_key).start().await {
        Ok(server) => server,
        Err(error) => {
            eprintln!("anam-mock: cannot listen on 127.0.0.1:{}: {error}", args.port);
            return std::process::ExitCode::FAILURE;
        }
    };
    for n in 1..=args.seed {
        server.insert(PersonaCreate { name: Some(format!("Persona {n}")), ..Default::default() });
    }
    println!("anam-mock listening on {} (API key: {}, {} personas)", server.base_url(), server.api_key(), args.seed);
    if let Err(error) = tokio::signal::ctrl_c().await {
        eprintln!("anam-mock: cannot wait for Ctrl-C: {error}");
    }
    std::process::ExitCode::SUCCESS
}
