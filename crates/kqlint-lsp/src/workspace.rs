//! What the settings decide: the engine (the CLI's, with the same options;
//! its analyses serve the editor features too) and the config file in effect.
//!
//! A [`Workspace`] is immutable; a settings change or a change of the config
//! file builds a new one with the next generation, and every open document
//! is checked again.

use kqlint_core::{Engine, EngineOptions};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The names of the config file the server watches.
pub const CONFIG_FILE_NAMES: [&str; 2] = ["kqlint.toml", ".kqlint.toml"];

/// The settings the editor sends (`initializationOptions`,
/// `workspace/didChangeConfiguration`, `workspace/configuration`), in the
/// shape the VS Code extension documents:
/// `{ "configPath": "/abs/kqlint.toml" | null, "schemaDirs": ["/abs/dir"] }`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Settings {
    pub config_path: Option<PathBuf>,
    pub schema_dirs: Vec<PathBuf>,
    /// Milliseconds between the last edit and the check (`debounceMs`).
    pub debounce_ms: Option<u64>,
}

impl Settings {
    /// Reads settings; accepts the object itself or one wrapped in
    /// `{"kqlint": {...}}`. Unknown keys and wrong types are ignored (with
    /// a note in `problems`): a bad setting must not stop the server.
    pub fn from_json(v: &Value, problems: &mut Vec<String>) -> Option<Settings> {
        let v = match v.get("kqlint") {
            Some(inner) if inner.is_object() => inner,
            _ => v,
        };
        let obj = v.as_object()?;
        let mut s = Settings::default();
        match obj.get("configPath") {
            None | Some(Value::Null) => {}
            Some(Value::String(p)) if p.is_empty() => {}
            Some(Value::String(p)) => s.config_path = Some(PathBuf::from(p)),
            Some(other) => problems.push(format!("configPath must be a string, not {other}")),
        }
        match obj.get("schemaDirs") {
            None | Some(Value::Null) => {}
            Some(Value::Array(items)) => {
                for item in items {
                    match item.as_str() {
                        Some(d) if !d.is_empty() => s.schema_dirs.push(PathBuf::from(d)),
                        Some(_) => {}
                        None => problems.push(format!("schemaDirs: {item} is not a string")),
                    }
                }
            }
            Some(other) => problems.push(format!("schemaDirs must be a list, not {other}")),
        }
        match obj.get("debounceMs") {
            None | Some(Value::Null) => {}
            Some(v) => match v.as_u64() {
                Some(ms) => s.debounce_ms = Some(ms.min(10_000)),
                None => problems.push(format!("debounceMs must be a whole number, not {v}")),
            },
        }
        Some(s)
    }
}

pub struct Workspace {
    pub generation: u64,
    pub settings: Settings,
    pub engine: Engine,
    /// The config file in effect: `configPath`, else the first
    /// `kqlint.toml` / `.kqlint.toml` in a workspace root.
    pub config_file: Option<PathBuf>,
    /// Problems with the settings or the schema dirs, for the log.
    pub warnings: Vec<String>,
}

impl Workspace {
    pub fn new(
        generation: u64,
        settings: Settings,
        roots: &[PathBuf],
        mut warnings: Vec<String>,
    ) -> Workspace {
        // The engine finds `kqlint.toml` for each document the way the CLI
        // does, unless the editor names a config file (`configPath`, like
        // `--config`).
        let options = EngineOptions {
            schema_dirs: settings.schema_dirs.clone(),
            config: kqlint_core::ConfigOptions {
                config_file: settings.config_path.clone(),
                ..Default::default()
            },
            keep_analyses: true,
            ..EngineOptions::default()
        };
        let engine = match Engine::new(options) {
            Ok(e) => e,
            Err(e) => {
                warnings.push(format!("{e}; checking with the default options"));
                // The default options cannot fail the way user options can;
                // if even this fails the process cannot run threads at all.
                Engine::new(EngineOptions::default()).expect("cannot start the kqlint engine")
            }
        };
        let config_file = settings
            .config_path
            .clone()
            .or_else(|| find_config_file(roots));
        Workspace {
            generation,
            settings,
            engine,
            config_file,
            warnings,
        }
    }
}

fn find_config_file(roots: &[PathBuf]) -> Option<PathBuf> {
    roots.iter().find_map(|root| {
        CONFIG_FILE_NAMES
            .iter()
            .map(|n| root.join(n))
            .find(|p| p.is_file())
    })
}

/// Whether a changed file is a config file the server cares about.
pub fn is_config_file(path: &Path, ws: &Workspace) -> bool {
    ws.config_file.as_deref() == Some(path)
        || path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| CONFIG_FILE_NAMES.contains(&n))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn settings_in_both_shapes_and_bad_values_ignored() {
        let mut p = Vec::new();
        let s = Settings::from_json(
            &json!({"kqlint": {"configPath": "/w/kqlint.toml", "schemaDirs": ["/w/s", 3, ""]}}),
            &mut p,
        )
        .unwrap();
        assert_eq!(s.config_path, Some(PathBuf::from("/w/kqlint.toml")));
        assert_eq!(s.schema_dirs, [PathBuf::from("/w/s")]);
        assert_eq!(p.len(), 1);
        let s = Settings::from_json(
            &json!({"configPath": null, "schemaDirs": "x", "debounceMs": 0}),
            &mut p,
        )
        .unwrap();
        assert_eq!(s.config_path, None);
        assert_eq!(s.debounce_ms, Some(0));
        assert_eq!(p.len(), 2);
        assert!(Settings::from_json(&json!(null), &mut p).is_none());
    }
}
