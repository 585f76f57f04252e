//! Finding the files to check.
//!
//! Directories are walked with the `ignore` crate: `.gitignore` and
//! `.ignore` files are honoured and hidden entries skipped, as users of
//! ruff and ripgrep expect. Symbolic links to files are followed; links to
//! directories are not, so a symlink loop cannot make the walk endless.

use ignore::WalkBuilder;
use kqlint_core::Target;
use std::path::{Path, PathBuf};

const EXTENSIONS: [&str; 4] = ["kql", "csl", "yaml", "yml"];

fn has_known_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| EXTENSIONS.iter().any(|k| k.eq_ignore_ascii_case(e)))
}

/// How a walked path is shown: as given, joined with the sub-path, without
/// the `./` that walking `.` would add.
fn display(path: &Path) -> String {
    let s = path.to_string_lossy();
    s.strip_prefix("./")
        .map(str::to_owned)
        .unwrap_or_else(|| s.into_owned())
}

/// The files under `paths`, in a stable order: each argument in turn, each
/// directory sorted by file name. Unreadable entries become targets that
/// carry their error, so they are reported rather than lost.
///
/// A named file is `explicit` (a YAML file without a query is reported),
/// unless `named_as_walked`: then it is treated like a file found by walking
/// (such a file is skipped). pre-commit names every matching file, rules and
/// workflows alike, and uses that (`--skip-non-rules`).
pub fn discover(paths: &[PathBuf], named_as_walked: bool) -> Vec<Target> {
    let mut out = Vec::new();
    for root in paths {
        if root.as_os_str() == "-" {
            out.push(Target::file(root.clone(), display(root), true));
            continue;
        }
        if root.is_file() {
            out.push(Target::file(root.clone(), display(root), !named_as_walked));
            continue;
        }
        if !root.exists() {
            out.push(Target::error(
                root.clone(),
                display(root),
                format!("{}: no such file or directory", root.display()),
            ));
            continue;
        }
        let walk = WalkBuilder::new(root)
            .hidden(true)
            .git_ignore(true)
            .git_exclude(true)
            .git_global(false)
            .ignore(true)
            .parents(true)
            .follow_links(false)
            .sort_by_file_name(|a, b| a.cmp(b))
            .build();
        for entry in walk {
            match entry {
                Ok(e) => {
                    let p = e.path();
                    let is_file = e.file_type().is_some_and(|t| t.is_file())
                        || (e.path_is_symlink() && p.is_file());
                    if is_file && has_known_extension(p) {
                        out.push(Target::file(p.to_path_buf(), display(p), false));
                    }
                }
                Err(err) => {
                    let path = err_path(&err).unwrap_or_else(|| root.clone());
                    out.push(Target::error(path.clone(), display(&path), err.to_string()));
                }
            }
        }
    }
    out
}

fn err_path(err: &ignore::Error) -> Option<PathBuf> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            err_path(err)
        }
        ignore::Error::Loop { child, .. } => Some(child.clone()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_sorted_and_filters_by_extension() {
        let dir = std::env::temp_dir().join(format!("kqlint-discover-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("b/.hidden")).unwrap();
        for f in [
            "b/z.kql",
            "b/a.yaml",
            "b/notes.txt",
            "b/.hidden/x.kql",
            "c.CSL",
            "d.yml",
        ] {
            std::fs::write(dir.join(f), "T").unwrap();
        }
        let found: Vec<String> = discover(std::slice::from_ref(&dir), false)
            .into_iter()
            .map(|t| {
                t.path
                    .strip_prefix(&dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        assert_eq!(found, ["b/a.yaml", "b/z.kql", "c.CSL", "d.yml"]);
        let missing = discover(&[dir.join("nope")], false);
        assert!(missing[0].error.is_some());
        // A missing path is an error even when named files count as walked.
        let missing = discover(&[dir.join("nope")], true);
        assert!(missing[0].error.is_some());
        let named = dir.join("d.yml");
        assert!(discover(std::slice::from_ref(&named), false)[0].explicit);
        assert!(!discover(std::slice::from_ref(&named), true)[0].explicit);
        assert!(discover(&[PathBuf::from("-")], true)[0].explicit);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn dot_prefix_is_dropped() {
        assert_eq!(display(Path::new("./a/b.kql")), "a/b.kql");
        assert_eq!(display(Path::new("rules/a.yaml")), "rules/a.yaml");
    }
}
