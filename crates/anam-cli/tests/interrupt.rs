//! An apply interrupted while requests are under way, against the fake's own program (with a
//! latency, so that requests are under way when the signal comes): Ctrl-C (SIGINT) or SIGTERM
//! starts no change any more, lets those under way finish and says what was done (each change
//! on stdout as it was done), what failed and what was not attempted, with exit 130; a second
//! one abandons what is under way and says so.

#![cfg(unix)]

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

#[path = "common/fake.rs"]
mod fake;
use fake::Fake;

/// An account file of `n` new personas.
fn personas(dir: &Path, n: usize) -> std::path::PathBuf {
    let text: String = (1..=n).map(|i| format!("  - name: Persona {i}\n")).collect();
    let path = dir.join("anam.yaml");
    std::fs::write(&path, format!("personas:\n{text}")).unwrap();
    path
}

/// `anam ARGS` against `fake`, its outputs piped.
fn anam(fake: &Fake, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_anam"));
    command.env("ANAM_API_URL", &fake.url).env("ANAM_API_KEY", fake::API_KEY).args(args);
    command.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    command
}

/// Starts `anam apply -f FILE --yes --parallelism 2` and returns it once its plan is printed
/// (the changes start right after), with the plan's lines.
fn start_apply(fake: &Fake, file: &Path) -> (Child, BufReader<std::process::ChildStdout>, Vec<String>) {
    let mut child =
        anam(fake, &["apply", "-f", file.to_str().unwrap(), "--yes", "--parallelism", "2"]).spawn().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    match read_plan(&mut stdout) {
        Ok(plan) => (child, stdout, plan),
        Err(plan) => {
            let _ = child.kill();
            let status = child.wait();
            panic!("the plan ended early ({status:?}): {plan:?}")
        }
    }
}

/// The lines of a plan up to its total (`Plan: ...`), or those there were when the output ended.
fn read_plan(stdout: &mut impl BufRead) -> Result<Vec<String>, Vec<String>> {
    let mut plan = Vec::new();
    loop {
        let mut line = String::new();
        if stdout.read_line(&mut line).unwrap() == 0 {
            return Err(plan);
        }
        plan.push(line.clone());
        if line.starts_with("Plan: ") {
            return Ok(plan);
        }
    }
}

/// Sends `signal` to the child.
fn send(child: &Child, signal: Signal) {
    kill(Pid::from_raw(child.id() as i32), signal).unwrap();
}

/// The child's exit code and the rest of its stdout and its stderr.
fn finish(mut child: Child, mut stdout: impl Read) -> (i32, String, String) {
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    let status = child.wait().unwrap();
    (status.code().unwrap_or(-1), rest, stderr)
}

/// The names of the personas the fake holds, through `anam personas list --json`.
fn held(fake: &Fake) -> Vec<String> {
    let out = anam(fake, &["personas", "list", "--json"]).output().unwrap();
    let all: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut names: Vec<String> =
        all.as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap().to_owned()).collect();
    names.sort();
    names
}

/// One interruption, by `signal`: what was under way finishes, nothing else starts, and the
/// report says so.
fn interrupted_once(signal: Signal) {
    let fake = Fake::start("1s");
    let dir = tempfile::tempdir().unwrap();
    let file = personas(dir.path(), 6);
    let (child, stdout, _) = start_apply(&fake, &file);
    fake.wait_for_a_request_under_way();
    send(&child, signal);
    let (code, stdout, stderr) = finish(child, stdout);
    assert_eq!(code, 130, "{stdout}{stderr}");
    let done: Vec<&str> = stdout.lines().filter(|l| l.starts_with("created persona ")).collect();
    let skipped: Vec<&str> = stderr.lines().filter(|l| l.starts_with("not attempted: create persona ")).collect();
    assert!(
        !done.is_empty() && !skipped.is_empty(),
        "what was under way finished, the rest did not start:\n{stdout}{stderr}"
    );
    assert_eq!(done.len() + skipped.len(), 6, "{stdout}{stderr}");
    assert!(stderr.starts_with("interrupted: no change starts any more; waiting for the "), "{stderr}");
    let summary = format!(
        "error: apply interrupted after {} of 6 change(s) were done (each printed on standard output as it was): 0 \
         failed, {} not attempted\n",
        done.len(),
        skipped.len()
    );
    assert!(stderr.contains(&summary), "{stderr}");
    assert!(!stdout.contains("Applied"), "{stdout}");
    let mut names: Vec<String> =
        done.iter().map(|l| l.trim_start_matches("created persona ").split(" (").next().unwrap().to_owned()).collect();
    names.sort();
    assert_eq!(held(&fake), names, "the server holds what was said to be done, and only that");
    assert!(stderr.lines().all(|l| l.chars().count() <= 300 && !l.chars().any(char::is_control)), "{stderr}");
}

#[test]
fn ctrl_c_lets_what_is_under_way_finish_and_says_what_was_done_and_not_attempted() {
    interrupted_once(Signal::SIGINT);
}

#[test]
fn sigterm_does_the_same() {
    interrupted_once(Signal::SIGTERM);
}

#[test]
fn a_second_ctrl_c_abandons_what_is_under_way_and_says_so() {
    let fake = Fake::start("3s");
    let dir = tempfile::tempdir().unwrap();
    let file = personas(dir.path(), 4);
    let (mut child, stdout, _) = start_apply(&fake, &file);
    fake.wait_for_a_request_under_way();
    send(&child, Signal::SIGINT);
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut first = String::new();
    stderr.read_line(&mut first).unwrap();
    assert!(first.starts_with("interrupted: no change starts any more; waiting for the "), "{first}");
    send(&child, Signal::SIGINT);
    let mut rest = String::new();
    stderr.read_to_string(&mut rest).unwrap();
    let (code, stdout, _) = finish_without_stderr(child, stdout);
    assert_eq!(code, 130, "{stdout}{rest}");
    let abandoned = rest.lines().filter(|l| l.starts_with("abandoned: create persona ")).count();
    let skipped = rest.lines().filter(|l| l.starts_with("not attempted: create persona ")).count();
    let done = stdout.lines().filter(|l| l.starts_with("created persona ")).count();
    assert!(abandoned >= 1, "{stdout}{rest}");
    assert_eq!(done + abandoned + skipped, 4, "{stdout}{rest}");
    assert!(rest.contains(&format!("{abandoned} abandoned under way")), "{rest}");
    assert!(rest.contains("it may or may not have been done; run plan"), "{rest}");
}

#[test]
fn on_a_terminal_the_progress_bar_is_cleared_before_the_report() {
    let fake = Fake::start("1s");
    let dir = tempfile::tempdir().unwrap();
    let file = personas(dir.path(), 6);
    let size = nix::pty::Winsize { ws_row: 24, ws_col: 100, ws_xpixel: 0, ws_ypixel: 0 };
    let pty = nix::pty::openpty(Some(&size), None).unwrap();
    let mut command = anam(&fake, &["apply", "-f", file.to_str().unwrap(), "--yes", "--parallelism", "2"]);
    let mut child = command.stderr(Stdio::from(pty.slave)).spawn().unwrap();
    drop(command);
    // The terminal's side, read as the binary writes it (a full terminal would block it), until
    // it closes its end.
    let mut master = std::fs::File::from(pty.master);
    let terminal = std::thread::spawn(move || {
        let mut screen = Vec::new();
        let _ = master.read_to_end(&mut screen);
        String::from_utf8_lossy(&screen).into_owned()
    });
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let plan = read_plan(&mut stdout);
    fake.wait_for_a_request_under_way();
    send(&child, Signal::SIGINT);
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();
    let status = child.wait().unwrap();
    let screen = terminal.join().unwrap();
    assert!(plan.is_ok() && status.code() == Some(130), "{plan:?} {status:?} {rest} {screen:?}");
    let bar = screen.rfind("/6 ").unwrap_or_else(|| panic!("a bar was drawn: {screen:?}"));
    let report = screen.find("error: apply interrupted").unwrap_or_else(|| panic!("{screen:?}"));
    assert!(bar < report, "no bar after the report: {screen:?}");
    assert!(screen[bar..report].contains("\u{1b}[2K"), "the bar's line is cleared before the report: {screen:?}");
    assert!(!screen[report..].contains("/6 "), "{screen:?}");
}

/// The child's exit code and the rest of its stdout (its stderr already read).
fn finish_without_stderr(mut child: Child, mut stdout: impl Read) -> (i32, String, ()) {
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();
    let status = child.wait().unwrap();
    (status.code().unwrap_or(-1), rest, ())
}
