//! What the CLI asks the engine to check.

use std::path::PathBuf;

/// One file to check, as discovery found it.
#[derive(Clone, Debug)]
pub struct Target {
    pub path: PathBuf,
    /// The path as the user should see it in reports.
    pub display: String,
    /// Named on the command line (not found by walking a directory). A YAML
    /// file without a query is only reported when it was named explicitly.
    pub explicit: bool,
    /// Why the file could not even be listed (walk error, missing path).
    pub error: Option<String>,
}

impl Target {
    pub fn file(path: PathBuf, display: String, explicit: bool) -> Target {
        Target {
            path,
            display,
            explicit,
            error: None,
        }
    }

    pub fn error(path: PathBuf, display: String, message: String) -> Target {
        Target {
            path,
            display,
            explicit: true,
            error: Some(message),
        }
    }
}
