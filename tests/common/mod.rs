//! Shared helpers of the command-line tests (included with `mod common;`):
//! a scratch directory and `kqlint` run in it.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A scratch directory under the system's temporary directory, removed on
/// drop; `prefix` keeps the test files' directories apart.
pub struct Dir(pub PathBuf);

impl Dir {
    pub fn new(prefix: &str, name: &str) -> Dir {
        let dir =
            std::env::temp_dir().join(format!("kqlint-{prefix}-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Dir(dir)
    }

    pub fn write(&self, rel: &str, text: &str) -> PathBuf {
        let p = self.0.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
        p
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.0.join(rel)).unwrap()
    }

    /// `kqlint ARGS` in this directory: (exit code, stdout, stderr).
    pub fn kqlint(&self, args: &[&str]) -> (i32, String, String) {
        run(&self.0, args, None)
    }

    /// [`Dir::kqlint`] with `input` on standard input.
    pub fn kqlint_stdin(&self, args: &[&str], input: Option<&str>) -> (i32, String, String) {
        run(&self.0, args, input)
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `kqlint ARGS` in `dir`, with `input` on standard input (else none), and
/// the documentation links at their default: (exit code, stdout, stderr).
pub fn run(dir: &Path, args: &[&str], input: Option<&str>) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kqlint"))
        .current_dir(dir)
        .args(args)
        .env_remove("KQLINT_DOCS_URL")
        .stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run kqlint");
    if let Some(text) = input {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().expect("exit code"),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}
