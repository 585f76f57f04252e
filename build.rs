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
                    for (flag, file) in [("--git-dir", "HEAD"), ("--git-common-dir", "packed-refs")]
                    {
                        if let Some(d) = git(&dir, &["rev-parse", flag]) {
                            println!(
                                "cargo:rerun-if-changed={}",
                                dir.join(d).join(file).display()
                            );
                        }
                    }
                    if let (Some(common), Some(head_ref)) = (
                        git(&dir, &["rev-parse", "--git-common-dir"]),
                        git(&dir, &["symbolic-ref", "-q", "HEAD"]),
                    ) {
                        println!(
                            "cargo:rerun-if-changed={}",
                            dir.join(common).join(head_ref).display()
                        );
                    }
                    format!(" ({c})")
                }
                None => String::new(),
            }
        }
    };
    println!("cargo:rustc-env=KQLINT_COMMIT_INFO={info}");
}
