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
    /// The text is read from standard input. `path` is `-`, or the file the
    /// text stands for (`--stdin-filename`): its kind (`.yaml` is a rule)
    /// and its configuration apply.
    pub stdin: bool,
}

impl Target {
    pub fn file(path: PathBuf, display: String, explicit: bool) -> Target {
        let stdin = path.as_os_str() == "-";
        Target {
            path,
            display,
            explicit,
            error: None,
            stdin,
        }
    }

    pub fn error(path: PathBuf, display: String, message: String) -> Target {
        Target {
            path,
            display,
            explicit: true,
            error: Some(message),
            stdin: false,
        }
    }

    /// Standard input, standing for the file `path` (`--stdin-filename`).
    pub fn stdin_as(path: PathBuf) -> Target {
        Target {
            display: path.to_string_lossy().into_owned(),
            path,
            explicit: true,
            error: None,
            stdin: true,
        }
    }
}
