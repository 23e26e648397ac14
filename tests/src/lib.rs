//! Workspace-level tests live in `tests/`, the Prism contract driver in `src/bin/`; this library
//! only compiles the workspace README's examples as doctests, so that they cannot drift from the
//! API.

/// The workspace README's examples.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
