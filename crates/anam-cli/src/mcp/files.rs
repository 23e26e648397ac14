//! The files a tool may read: only inside the folder `--allow-files` gives, and none without it.
//! An assistant's argument is a path written by a model, so it is checked as a file from a pull
//! request would be: resolved against that folder, canonicalized (symbolic links followed), and
//! refused unless the real path is a regular file inside the folder's real path.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::text;

/// The folder files are read from, canonicalized when the server starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Files {
    root: Option<PathBuf>,
}

impl Files {
    /// The folder `--allow-files` gives (its real path), or none.
    pub fn new(allow_files: Option<&Path>) -> Result<Files, String> {
        let root = match allow_files {
            None => None,
            Some(dir) => {
                let shown = text::file_name(dir);
                let real = dir.canonicalize().map_err(|e| format!("--allow-files {shown}: cannot be read: {e}"))?;
                if !real.is_dir() {
                    return Err(format!("--allow-files {shown}: is not a folder"));
                }
                Some(real)
            }
        };
        Ok(Files { root })
    }

    /// The real path of folder files are read from, if any.
    pub fn root(&self) -> Option<&Path> {
        self.root.as_deref()
    }

    /// The real path of the file `value` names for the input `field`: a path relative to the
    /// folder (or absolute), whose real path is a regular file inside it.
    pub fn allowed(&self, field: &str, value: &Value) -> Result<PathBuf, String> {
        let Some(root) = &self.root else {
            return Err(format!(
                "{field}: this server reads no files: start it with `anam mcp --allow-files DIR` to upload files from DIR"
            ));
        };
        let Some(given) = value.as_str().filter(|p| !p.is_empty()) else {
            return Err(format!("{field} is {}, but must be a path to a file inside {}", shown(value), root.display()));
        };
        let quoted = format!("{:?}", text::shorten(given));
        let real = root.join(given).canonicalize().map_err(|e| format!("{field} {quoted} cannot be read: {e}"))?;
        if !real.starts_with(root) {
            return Err(format!(
                "{field} is {quoted}, but must be a file inside {} (the folder --allow-files gives; a symbolic link out of it is refused too)",
                root.display()
            ));
        }
        let metadata = std::fs::metadata(&real).map_err(|e| format!("{field} {quoted} cannot be read: {e}"))?;
        if !metadata.is_file() {
            return Err(format!("{field} is {quoted}, but must be a regular file"));
        }
        Ok(real)
    }
}

/// A JSON value, shortened, as an error shows it.
fn shown(value: &Value) -> String {
    text::shorten(&value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_regular_files_inside_the_folder_are_allowed() {
        let outside = tempfile::tempdir().unwrap();
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("notes.md"), "hi").unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("sub/deep.txt"), "hi").unwrap();
        std::fs::write(outside.path().join("secret.txt"), "no").unwrap();
        let files = Files::new(Some(dir.path())).unwrap();
        let root = dir.path().canonicalize().unwrap();
        assert_eq!(files.allowed("file", &Value::from("notes.md")).unwrap(), root.join("notes.md"));
        assert_eq!(files.allowed("file", &Value::from("sub/../sub/deep.txt")).unwrap(), root.join("sub/deep.txt"));
        let absolute = root.join("notes.md").display().to_string();
        assert_eq!(files.allowed("file", &Value::from(absolute)).unwrap(), root.join("notes.md"));

        let escape = format!("../{}/secret.txt", outside.path().file_name().unwrap().to_str().unwrap());
        let err = files.allowed("file", &Value::from(escape)).unwrap_err();
        assert!(err.starts_with("file is \"../") && err.contains("must be a file inside"), "{err}");
        let secret = outside.path().join("secret.txt").display().to_string();
        assert!(files.allowed("file", &Value::from(secret)).unwrap_err().contains("must be a file inside"));
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(outside.path().join("secret.txt"), dir.path().join("link.txt")).unwrap();
            let err = files.allowed("file", &Value::from("link.txt")).unwrap_err();
            assert!(err.contains("a symbolic link out of it is refused"), "{err}");
        }
        assert_eq!(
            files.allowed("file", &Value::from("sub")).unwrap_err(),
            "file is \"sub\", but must be a regular file"
        );
        assert!(
            files
                .allowed("file", &Value::from("missing.md"))
                .unwrap_err()
                .starts_with("file \"missing.md\" cannot be read")
        );
        assert!(files.allowed("file", &Value::from(5)).unwrap_err().starts_with("file is 5, but must be a path"));

        let none = Files::new(None).unwrap();
        let err = none.allowed("audioFile", &Value::from("notes.md")).unwrap_err();
        assert!(err.starts_with("audioFile: this server reads no files"), "{err}");
        assert!(Files::new(Some(&dir.path().join("notes.md"))).unwrap_err().ends_with("is not a folder"));
    }
}
