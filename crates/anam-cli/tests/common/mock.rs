//! The fake in this process, on a runtime of its own (its tasks run while a test waits for the
//! binary), a folder for files, and the `anam` binary run against it as a user would.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Output;

use anam_mock::MockServer;
use assert_cmd::Command;

/// A fake, a folder, and a runtime that keeps the fake serving.
pub struct Setup {
    /// The fake.
    pub mock: MockServer,
    /// A folder for files the commands read.
    pub dir: tempfile::TempDir,
    _runtime: tokio::runtime::Runtime,
}

impl Setup {
    /// An empty fake (with Anam's stock catalogue).
    pub fn new() -> Setup {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
        let mock = runtime.block_on(MockServer::start());
        Setup { mock, dir: tempfile::tempdir().unwrap(), _runtime: runtime }
    }

    /// Writes `text` to the file `name` in the folder.
    pub fn file(&self, name: &str, text: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    /// Runs the binary with `args` against the fake.
    pub fn anam<S: AsRef<OsStr>>(&self, args: &[S]) -> Output {
        self.anam_in(Path::new("."), args)
    }

    /// Runs the binary in the folder `dir`.
    pub fn anam_in<S: AsRef<OsStr>>(&self, dir: &Path, args: &[S]) -> Output {
        let mut command = Command::cargo_bin("anam").unwrap();
        command.env("ANAM_API_URL", self.mock.base_url()).env("ANAM_API_KEY", self.mock.api_key()).args(args);
        command.current_dir(dir).output().unwrap()
    }
}
