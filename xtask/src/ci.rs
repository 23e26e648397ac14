//! `cargo xtask ci`: every check and test in one command, with a summary at the end.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

/// One step: a name and the command line (run in the workspace root).
struct Step {
    name: &'static str,
    argv: &'static [&'static str],
    env: &'static [(&'static str, &'static str)],
}

const STEPS: &[Step] = &[
    Step { name: "codegen --check", argv: &["cargo", "xtask", "codegen", "--check"], env: &[] },
    Step { name: "fmt", argv: &["cargo", "fmt", "--all", "--", "--check"], env: &[] },
    Step {
        name: "clippy",
        argv: &[
            "cargo",
            "clippy",
            "--workspace",
            "--all-targets",
            "--features",
            "anam-mock/cli",
            "--locked",
            "--",
            "-D",
            "warnings",
        ],
        env: &[],
    },
    Step { name: "test", argv: &["cargo", "test", "--workspace", "--locked"], env: &[] },
    Step {
        name: "quickstart",
        argv: &["cargo", "run", "--quiet", "--locked", "-p", "anam", "--example", "quickstart"],
        // An empty key makes the quickstart use the embedded fake, whatever the environment holds.
        env: &[("ANAM_API_KEY", "")],
    },
    Step {
        name: "knowledge_base",
        argv: &["cargo", "run", "--quiet", "--locked", "-p", "anam", "--example", "knowledge_base"],
        env: &[("ANAM_API_KEY", "")],
    },
    Step {
        name: "session_report",
        argv: &["cargo", "run", "--quiet", "--locked", "-p", "anam", "--example", "session_report"],
        env: &[("ANAM_API_KEY", "")],
    },
    Step { name: "readme blocks", argv: &["cargo", "xtask", "readme"], env: &[] },
    Step {
        name: "doc",
        argv: &["cargo", "doc", "--workspace", "--no-deps", "--locked"],
        env: &[("RUSTDOCFLAGS", "-D warnings")],
    },
    // The benches build (and link) in the dev profile, from the test step's artifacts; clippy
    // --all-targets has type-checked them already. `cargo bench` runs them in release.
    Step { name: "benches build", argv: &["cargo", "build", "--workspace", "--benches", "--locked"], env: &[] },
    Step { name: "msrv", argv: &["cargo", "xtask", "msrv"], env: &[] },
    Step { name: "package", argv: &["cargo", "xtask", "package"], env: &[] },
    Step { name: "contract", argv: &["cargo", "xtask", "contract"], env: &[] },
];

/// Runs every step, even after a failure, and fails if any step failed.
pub fn run(root: &Path) -> Result<(), String> {
    let mut summary = Vec::new();
    for step in STEPS {
        println!("\n==> {}: {}", step.name, step.argv.join(" "));
        let started = Instant::now();
        let status = Command::new(step.argv[0])
            .args(&step.argv[1..])
            .envs(step.env.iter().copied())
            .current_dir(root)
            .status()
            .map_err(|e| format!("cannot start {}: {e}", step.argv[0]))?;
        summary.push((step.name, status.success(), started.elapsed()));
    }
    println!("\nci summary:");
    for (name, ok, took) in &summary {
        println!("  {:<18} {:<4} {:>6.1} s", name, if *ok { "ok" } else { "FAIL" }, took.as_secs_f64());
    }
    let failed: Vec<&str> = summary.iter().filter(|(_, ok, _)| !ok).map(|(n, _, _)| *n).collect();
    if failed.is_empty() { Ok(()) } else { Err(format!("failed: {}", failed.join(", "))) }
}
