//! Helpers shared by the CLI's test binaries and benches.

pub mod hostile;
