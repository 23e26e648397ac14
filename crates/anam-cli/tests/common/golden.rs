//! Golden files: output for people, kept whole under `tests/golden/` and compared byte for byte,
//! so that a change to what a reviewer reads shows in the diff of a pull request. Running the
//! tests with `UPDATE_GOLDEN=1` writes each file from what the binary prints now, instead of
//! comparing (then read the change with `git diff` before committing it).

use std::path::PathBuf;

/// Compares `actual` with the golden file `name`, or writes it when `UPDATE_GOLDEN` is set.
pub fn check(name: &str, actual: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}; UPDATE_GOLDEN=1 writes it", path.display()));
    assert!(
        expected == actual,
        "{} is not what the binary prints (UPDATE_GOLDEN=1 rewrites it):\n--- the file\n{expected}--- printed\n{actual}",
        path.display()
    );
}
