//! Documents compared by content: a SHA-256 of the file the file names, and of the one the server
//! holds.
//!
//! The server side's hash is not stored anywhere: Anam's document has a name, a size and a
//! download URL, and nothing else that tells its content. So when a server document has the
//! file's name and size (a document of another size has changed, without a download), it is
//! downloaded through its presigned URL and hashed as it streams. This keeps no state to lose
//! or to share between machines and accounts (a state file would be stale after a change made
//! in Anam Lab, and one per environment), at the cost of one download per unchanged document
//! per plan. The download uses a client of its own that never sends the API key (the URL
//! carries its own signature), follows no redirect, and never shows the URL, which is a secret.

use std::io::Read;
use std::path::{Component, Path, PathBuf};
use std::time::Duration;

use sha2::{Digest, Sha256};

use crate::gate::Gate;

/// The largest document Anam takes, in bytes: the spec's `x-anam-max-bytes` on the upload's
/// file (50 MB).
pub fn max_bytes() -> u64 {
    let file = anam::Operation::UploadKnowledgeGroupDocument.form_fields().find(|f| f.file);
    file.and_then(|f| f.max_bytes).unwrap_or(u64::MAX)
}

/// [`max_bytes`] in words, for messages (`52428800 bytes`).
fn too_large() -> String {
    format!("larger than {} bytes, the largest document Anam takes", max_bytes())
}

/// The file types Anam takes, by extension.
pub const EXTENSIONS: [&str; 5] = ["pdf", "txt", "md", "docx", "csv"];

/// A document of the file: where it is, its name on the server, its size and hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Local {
    /// The file on disk.
    pub path: PathBuf,
    /// As the file writes it (relative to the file).
    pub written: String,
    /// Its file name: the document's name on the server.
    pub file_name: String,
    /// Its size in bytes.
    pub size: u64,
    /// Its SHA-256, in hex.
    pub sha256: String,
}

impl Local {
    /// Reads and hashes the document at `written`, relative to `dir` (the file's folder). It must
    /// stay inside that folder (no absolute path, no `..`, no symbolic link out of it), so that a
    /// file from a pull request cannot upload a file from elsewhere on the machine, be a regular
    /// file of a type Anam takes, and be at most [`max_bytes`]. The file is opened without
    /// waiting for a FIFO's writer and checked on the opened handle (not the path, which could
    /// be swapped in between).
    pub fn read(dir: &Path, written: &str) -> Result<Local, String> {
        let shown = crate::text::shorten(written);
        let relative = Path::new(written);
        let inside = relative.components().all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
        if written.is_empty() || !inside {
            return Err(format!(
                "{shown:?} is not a path inside the file's folder (write it relative to the file, without ..)"
            ));
        }
        let path = dir.join(relative);
        let real = path.canonicalize().map_err(|e| format!("{shown:?} cannot be read: {e}"))?;
        let root = dir.canonicalize().map_err(|e| format!("the file's folder cannot be read: {e}"))?;
        if !real.starts_with(&root) {
            return Err(format!("{shown:?} leads outside the file's folder (through a symbolic link)"));
        }
        let file_name = real.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_owned();
        let extension = file_name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
        if !EXTENSIONS.contains(&extension.as_str()) {
            return Err(format!("{shown:?} is not a PDF, TXT, MD, DOCX or CSV file (by its name), which Anam takes"));
        }
        let file = crate::file::open_without_waiting(&real).map_err(|e| format!("{shown:?} cannot be read: {e}"))?;
        let metadata = file.metadata().map_err(|e| format!("{shown:?} cannot be read: {e}"))?;
        if !metadata.is_file() {
            return Err(format!("{shown:?} is not a regular file"));
        }
        let limit = max_bytes();
        if metadata.len() > limit {
            return Err(format!("{shown:?} is {}", too_large()));
        }
        let (size, sha256) =
            hash_reader(file.take(limit.saturating_add(1))).map_err(|e| format!("{shown:?} cannot be read: {e}"))?;
        if size > limit {
            return Err(format!("{shown:?} is {}", too_large()));
        }
        Ok(Local { path: real, written: written.to_owned(), file_name, size, sha256 })
    }
}

/// The size and SHA-256 (hex) of what `reader` holds, read in chunks.
fn hash_reader(mut reader: impl Read) -> std::io::Result<(u64, String)> {
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 64 * 1024];
    let mut size = 0u64;
    loop {
        let read = reader.read(&mut buffer)?;
        if read == 0 {
            return Ok((size, hex(&hasher.finalize())));
        }
        size += read as u64;
        hasher.update(&buffer[..read]);
    }
}

/// Bytes as lower-case hex.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A hash as plans show it: `sha256:` and its first 12 hex digits.
pub fn short(sha256: &str) -> String {
    format!("sha256:{}", sha256.get(..12).unwrap_or(sha256))
}

/// Downloads of the server's documents, to hash them.
#[derive(Debug, Clone)]
pub struct Downloads {
    http: reqwest::Client,
    allow_insecure_http: bool,
}

impl Downloads {
    /// The client that downloads documents: no API key, no redirects, a minute per download;
    /// plain http only to loopback unless `allow_insecure_http` (`--allow-insecure-http`).
    pub fn new(allow_insecure_http: bool) -> Result<Downloads, String> {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(60))
            .build()
            .map_err(|e| format!("cannot make the client that downloads documents: {}", e.without_url()))?;
        Ok(Downloads { http, allow_insecure_http })
    }

    /// The SHA-256 of the server's document `id`: its download URL (an API call), then the
    /// download, each through `gate`.
    pub async fn sha256(&self, client: &anam::Client, gate: &Gate, id: &str) -> Result<String, String> {
        let download =
            gate.call(client.knowledge_documents().download_url(id)).await.map_err(|e| crate::advice::sdk(&e))?;
        let _slot = gate.admit().await;
        let answer = fetch(&self.http, download.download_url.expose_secret(), self.allow_insecure_http).await?;
        let mut hasher = Sha256::new();
        read_body(answer, |chunk| {
            hasher.update(chunk);
            Ok(())
        })
        .await?;
        Ok(hex(&hasher.finalize()))
    }

    /// Downloads the server's document `id` to `path` (its folders made), for `export`: into a
    /// temporary file in the same folder, renamed over `path` once whole. Something at `path`
    /// that is not a regular file (a FIFO, a folder, a link) is an error, never replaced.
    pub async fn save(&self, client: &anam::Client, gate: &Gate, id: &str, path: &Path) -> Result<(), String> {
        let shown = crate::text::file_name(path);
        let download =
            gate.call(client.knowledge_documents().download_url(id)).await.map_err(|e| crate::advice::sdk(&e))?;
        let _slot = gate.admit().await;
        let answer = fetch(&self.http, download.download_url.expose_secret(), self.allow_insecure_http).await?;
        let folder = path.parent().filter(|f| !f.as_os_str().is_empty()).unwrap_or(Path::new("."));
        std::fs::create_dir_all(folder).map_err(|e| format!("{shown}: cannot make its folder: {e}"))?;
        if std::fs::symlink_metadata(path).is_ok_and(|m| !m.is_file()) {
            return Err(format!("{shown}: cannot write: not a regular file"));
        }
        // Written beside it, then renamed over it: a download cut off leaves no half a document.
        let mut file = tempfile::NamedTempFile::new_in(folder).map_err(|e| format!("{shown}: cannot write: {e}"))?;
        read_body(answer, |chunk| {
            std::io::Write::write_all(&mut file, chunk).map_err(|e| format!("{shown}: cannot write: {e}"))
        })
        .await?;
        file.persist(path).map(drop).map_err(|e| format!("{shown}: cannot write: {}", e.error))
    }
}

/// The answer to a GET of a presigned `url`. `allow_insecure_http` allows a plain-http URL to a
/// host that is not loopback, as for the API. No message shows the URL: it is a secret.
async fn fetch(http: &reqwest::Client, url: &str, allow_insecure_http: bool) -> Result<reqwest::Response, String> {
    let parsed = url::Url::parse(url).map_err(|_| "the server's download URL is not a URL".to_owned())?;
    let loopback = match parsed.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(name)) => name == "localhost",
        None => false,
    };
    match parsed.scheme() {
        "https" => {}
        "http" if loopback || allow_insecure_http => {}
        _ => return Err("the server's download URL is not https (pass --allow-insecure-http to accept it)".into()),
    }
    let answer = http.get(parsed).send().await.map_err(failed)?;
    if !answer.status().is_success() {
        return Err(format!("the document's download answered {}", answer.status()));
    }
    Ok(answer)
}

/// A download's error, without its URL.
fn failed(error: reqwest::Error) -> String {
    format!("the document's download failed: {}", error.without_url())
}

/// Hands each chunk of `answer`'s body to `each`, at most [`max_bytes`] in all.
async fn read_body(
    mut answer: reqwest::Response,
    mut each: impl FnMut(&[u8]) -> Result<(), String>,
) -> Result<(), String> {
    let mut size = 0u64;
    while let Some(chunk) = answer.chunk().await.map_err(failed)? {
        size += chunk.len() as u64;
        if size > max_bytes() {
            return Err(format!("the document's download is {}", too_large()));
        }
        each(&chunk)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_stays_inside_the_files_folder_and_is_hashed() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("docs")).unwrap();
        std::fs::write(dir.path().join("docs/hours.md"), "Open 9 to 5.\n").unwrap();
        let read = Local::read(dir.path(), "docs/hours.md").unwrap();
        assert_eq!((read.file_name.as_str(), read.size), ("hours.md", 13));
        assert_eq!(read.sha256.len(), 64);
        assert_eq!(short(&read.sha256).len(), "sha256:".len() + 12);
        for outside in ["/etc/passwd", "../x.md", "docs/../../x.md", ""] {
            let error = Local::read(dir.path(), outside).unwrap_err();
            assert!(error.contains("not a path inside the file's folder"), "{outside}: {error}");
        }
        let other = tempfile::tempdir().unwrap();
        std::fs::write(other.path().join("secret.md"), "x").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(other.path().join("secret.md"), dir.path().join("link.md")).unwrap();
        #[cfg(unix)]
        assert!(Local::read(dir.path(), "link.md").unwrap_err().contains("leads outside"));
        std::fs::write(dir.path().join("tool.exe"), "x").unwrap();
        assert!(Local::read(dir.path(), "tool.exe").unwrap_err().contains("not a PDF, TXT, MD, DOCX or CSV"));
        std::fs::create_dir(dir.path().join("folder.md")).unwrap();
        assert!(Local::read(dir.path(), "folder.md").unwrap_err().contains("not a regular file"));
        assert!(Local::read(dir.path(), "missing.md").unwrap_err().contains("cannot be read"));
    }
}
