//! Puts the commit kqlint is built from into `kqlint --version`
//! (`kqlint 0.1.0 (1a2b3c4d5 2026-12-06)`): from `KQLINT_COMMIT` when set
//! (release builds from a source archive), else from git when the source is
//! a git checkout (a clone, `cargo install --git`, pre-commit), else nothing.

use std::path::Path;
use std::process::Command;

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let s = String::from_utf8(out.stdout).ok()?.trim().to_owned();
    (!s.is_empty()).then_some(s)
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=KQLINT_COMMIT");
    let dir = std::path::PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let info = match std::env::var("KQLINT_COMMIT") {
        Ok(c) if !c.trim().is_empty() => format!(" ({})", c.trim()),
        _ => {
            // Only this repository's own git, not one the source sits in.
            let top = git(&dir, &["rev-parse", "--show-toplevel"]);
            let ours = top
                .as_deref()
                .and_then(|t| Path::new(t).canonicalize().ok())
                .zip(dir.canonicalize().ok())
                .is_some_and(|(t, d)| t == d);
            match ours
                .then(|| git(&dir, &["log", "-1", "--format=%h %cs", "--abbrev=9"]))
                .flatten()
            {
                Some(c) => {
                    // Paths relative to the package (as git gives them for a
                    // checkout's own `.git`), so that every checkout of one
                    // commit (a clone on a branch, pre-commit's and `cargo
                    // install --git`'s detached ones) prints the same
                    // instructions: builds from several checkouts that share
                    // a target directory then reuse one another's work
                    // instead of each invalidating the others. `refs` is a
                    // directory, which cargo watches file by file, so a
                    // commit on any branch is seen.
                    let git_dir = git(&dir, &["rev-parse", "--git-dir"]);
                    let common = git(&dir, &["rev-parse", "--git-common-dir"]);
                    for (d, file) in [
                        (&git_dir, "HEAD"),
                        (&common, "packed-refs"),
                        (&common, "refs"),
                    ] {
                        if let Some(d) = d {
                            println!(
                                "cargo:rerun-if-changed={}",
                                Path::new(d).join(file).display()
                            );
                        }
                    }
                    format!(" ({c})")
                }
                None => String::new(),
            }
        }
    };
    println!("cargo:rustc-env=KQLINT_COMMIT_INFO={info}");
}
