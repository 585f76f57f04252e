//! Finding the files to check.
//!
//! Directories are walked with the `ignore` crate: `.gitignore` and
//! `.ignore` files are honoured and hidden entries skipped, as users of
//! ruff and ripgrep expect. Symbolic links to files are followed; links to
//! directories are not, so a symlink loop cannot make the walk endless.

use ignore::WalkBuilder;
use kqlint_core::Target;
use std::path::{Path, PathBuf};

/// Query files, rule YAML, and the files that may hold KQL (Markdown, ARM
/// templates and Defender XDR rules in JSON, Bicep): those without any are
/// skipped by the engine, and `[formats]` in `kqlint.toml` can leave whole
/// kinds out.
const EXTENSIONS: [&str; 8] = [
    "kql", "csl", "yaml", "yml", "md", "markdown", "json", "bicep",
];

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
        let meta = match std::fs::metadata(root) {
            Ok(m) => m,
            Err(e) => {
                let message = match root.symlink_metadata() {
                    Ok(m) if m.file_type().is_symlink() => unfollowable(root, &e),
                    _ => not_found(root, &e),
                };
                out.push(Target::error(root.clone(), display(root), message));
                continue;
            }
        };
        if meta.is_file() {
            out.push(Target::file(root.clone(), display(root), !named_as_walked));
            continue;
        }
        if let Some(what) = special(&meta.file_type()) {
            out.push(Target::error(
                root.clone(),
                display(root),
                not_regular(root, what),
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
                    if !has_known_extension(p) {
                        continue;
                    }
                    let Some(ft) = e.file_type() else { continue };
                    if ft.is_file() {
                        out.push(Target::file(p.to_path_buf(), display(p), false));
                    } else if let Some(what) = special(&ft) {
                        out.push(Target::error(
                            p.to_path_buf(),
                            display(p),
                            not_regular(p, what),
                        ));
                    } else if e.path_is_symlink() {
                        // A link that cannot be followed (a loop, a dangling
                        // link) is reported, not silently left out.
                        match std::fs::metadata(p) {
                            Ok(m) if m.is_file() => {
                                out.push(Target::file(p.to_path_buf(), display(p), false));
                            }
                            Ok(m) => {
                                if let Some(what) = special(&m.file_type()) {
                                    out.push(Target::error(
                                        p.to_path_buf(),
                                        display(p),
                                        not_regular(p, what),
                                    ));
                                }
                            }
                            Err(err) => out.push(Target::error(
                                p.to_path_buf(),
                                display(p),
                                unfollowable(p, &err),
                            )),
                        }
                    }
                }
                Err(err) => {
                    let path = err_path(&err).unwrap_or_else(|| root.clone());
                    out.push(Target::error(path.clone(), display(&path), err.to_string()));
                }
            }
        }
    }
    if paths.len() > 1 {
        dedup(&mut out);
    }
    out
}

/// A file named twice (`a.yaml ./a.yaml`, or a directory and a file in it)
/// is checked once, where it first appears; it counts as named when any of
/// its mentions named it. Two names of one file through a symbolic link
/// stay two entries, as when a directory is walked.
fn dedup(targets: &mut Vec<Target>) {
    use std::collections::HashMap;
    let mut parents: HashMap<PathBuf, Option<PathBuf>> = HashMap::new();
    let mut first: HashMap<PathBuf, usize> = HashMap::new();
    let mut keep = Vec::with_capacity(targets.len());
    for t in targets.drain(..) {
        let key = if t.path.as_os_str() == "-" {
            Some(PathBuf::from("-"))
        } else {
            identity(&t.path, &mut parents)
        };
        let Some(key) = key else {
            keep.push(t);
            continue;
        };
        match first.get(&key) {
            Some(&i) => {
                let k: &mut Target = &mut keep[i];
                k.explicit |= t.explicit;
            }
            None => {
                first.insert(key, keep.len());
                keep.push(t);
            }
        }
    }
    *targets = keep;
}

/// Which directory entry a path names: its directory, symbolic links
/// resolved, and its file name.
fn identity(
    path: &Path,
    parents: &mut std::collections::HashMap<PathBuf, Option<PathBuf>>,
) -> Option<PathBuf> {
    let name = path.file_name()?;
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let real = parents
        .entry(parent)
        .or_insert_with_key(|p| std::fs::canonicalize(p).ok())
        .clone()?;
    Some(real.join(name))
}

/// What kind of special file this is, for the message; `None` for regular
/// files, directories and links.
fn special(ft: &std::fs::FileType) -> Option<&'static str> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return Some("a named pipe (FIFO)");
        }
        if ft.is_socket() {
            return Some("a socket");
        }
        if ft.is_char_device() {
            return Some("a character device");
        }
        if ft.is_block_device() {
            return Some("a block device");
        }
    }
    let _ = ft;
    None
}

fn not_regular(path: &Path, what: &str) -> String {
    format!(
        "{} is {what}, not a regular file: kqlint reads only regular files (to check text from a \
         pipe, give it on standard input and name the path `-`)",
        path.display()
    )
}

/// Why a named path cannot be used: missing, or a directory on the way
/// that may not be searched.
fn not_found(path: &Path, err: &std::io::Error) -> String {
    match err.kind() {
        std::io::ErrorKind::NotFound => format!("{}: no such file or directory", path.display()),
        std::io::ErrorKind::PermissionDenied => format!(
            "{}: permission denied (a directory on the path may not be searched)",
            path.display()
        ),
        _ => format!("{}: {err}", path.display()),
    }
}

fn unfollowable(path: &Path, err: &std::io::Error) -> String {
    format!("cannot follow the symbolic link {}: {err}", path.display())
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
    fn symlinks_that_cannot_be_followed_are_reported() {
        use std::os::unix::fs::symlink;
        let dir =
            std::env::temp_dir().join(format!("kqlint-discover-links-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::write(dir.join("sub/ok.kql"), "T").unwrap();
        symlink("..", dir.join("sub/up")).unwrap(); // a directory loop: not followed
        symlink("b.kql", dir.join("a.kql")).unwrap(); // a file loop
        symlink("a.kql", dir.join("b.kql")).unwrap();
        symlink("nowhere.kql", dir.join("dangling.yaml")).unwrap();
        symlink("sub/ok.kql", dir.join("link.kql")).unwrap(); // followed
        symlink("nowhere", dir.join("notes.txt")).unwrap(); // not ours
        let found: Vec<(String, bool)> = discover(std::slice::from_ref(&dir), false)
            .into_iter()
            .map(|t| {
                let name = t
                    .path
                    .strip_prefix(&dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                (name, t.error.is_some())
            })
            .collect();
        assert_eq!(
            found,
            [
                ("a.kql".to_owned(), true),
                ("b.kql".to_owned(), true),
                ("dangling.yaml".to_owned(), true),
                ("link.kql".to_owned(), false),
                ("sub/ok.kql".to_owned(), false),
            ]
        );
        let named = discover(&[dir.join("a.kql")], false);
        let message = named[0].error.as_deref().unwrap();
        assert!(
            message.starts_with("cannot follow the symbolic link"),
            "{message}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn markdown_json_and_bicep_are_found() {
        let dir = std::env::temp_dir().join(format!("kqlint-discover-md-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        for f in [
            "README.md",
            "a.markdown",
            "main.bicep",
            "rule.json",
            "notes.txt",
        ] {
            std::fs::write(dir.join(f), "x").unwrap();
        }
        let found: Vec<String> = discover(std::slice::from_ref(&dir), false)
            .into_iter()
            .map(|t| t.path.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            found,
            ["README.md", "a.markdown", "main.bicep", "rule.json"]
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn dot_prefix_is_dropped() {
        assert_eq!(display(Path::new("./a/b.kql")), "a/b.kql");
        assert_eq!(display(Path::new("rules/a.yaml")), "rules/a.yaml");
    }
}
