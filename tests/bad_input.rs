//! Bad input gets a clear error, end to end: pipes, sockets and devices
//! are reported (only `-` reads standard input), non-string and empty
//! queries are errors, a path that may not be searched says "permission
//! denied", and a file named twice is checked once.

use serde_json::Value;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn bin() -> PathBuf {
    std::env::var_os("KQLINT_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_kqlint")))
}

struct Dir(PathBuf);

impl Dir {
    fn new(name: &str) -> Dir {
        let d = std::env::temp_dir().join(format!("kqlint-badin-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        fs::create_dir_all(&d).unwrap();
        fs::set_permissions(&d, fs::Permissions::from_mode(0o755)).unwrap();
        Dir(d)
    }
    fn write(&self, rel: &str, text: &str) -> PathBuf {
        let p = self.0.join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(&p, text).unwrap();
        p
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = fs::set_permissions(self.0.join("locked"), fs::Permissions::from_mode(0o755));
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// Runs `kqlint check --isolated -f json ARGS` (killing it after 20 s: a
/// pipe nobody writes to must not make it wait forever).
fn check(dir: &Path, args: &[&str]) -> (i32, Value, String) {
    check_as(dir, args, &[])
}

fn check_as(dir: &Path, args: &[&str], prefix: &[String]) -> (i32, Value, String) {
    let mut argv: Vec<String> = prefix.to_vec();
    if argv.is_empty() {
        argv.push(bin().display().to_string());
    }
    argv.extend(["check", "--isolated", "-f", "json"].map(String::from));
    argv.extend(args.iter().map(|a| a.to_string()));
    let mut child = Command::new(&argv[0])
        .args(&argv[1..])
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            panic!("kqlint {args:?} hung");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out: Output = child.wait_with_output().unwrap();
    let json = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (
        out.status.code().unwrap_or(-1),
        json,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// (path, code, message) of every finding.
fn findings(json: &Value) -> Vec<(String, String, String)> {
    let mut v = Vec::new();
    for f in json["files"].as_array().into_iter().flatten() {
        for d in f["diagnostics"].as_array().into_iter().flatten() {
            v.push((
                f["path"].as_str().unwrap_or("").to_owned(),
                d["code"].as_str().unwrap_or("").to_owned(),
                d["message"].as_str().unwrap_or("").to_owned(),
            ));
        }
    }
    v
}

fn paths(json: &Value) -> Vec<String> {
    json["files"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| f["path"].as_str().unwrap_or("").to_owned())
        .collect()
}

#[test]
fn pipes_sockets_and_devices_are_reported() {
    let d = Dir::new("special");
    let fifo = d.0.join("pipe.kql");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let _socket = std::os::unix::net::UnixListener::bind(d.0.join("sock.yaml")).unwrap();
    d.write("ok.kql", "SecurityEvent | take 1\n");
    for named in [
        vec!["pipe.kql"],
        vec!["sock.yaml"],
        vec!["/dev/null"],
        vec!["."], // found in a directory
    ] {
        let (code, json, err) = check(&d.0, &named);
        let f = findings(&json);
        assert_eq!(code, 1, "{named:?}: {f:?} {err}");
        let want: Vec<&str> = if named == ["."] {
            vec!["pipe.kql", "sock.yaml"]
        } else {
            named.clone()
        };
        for w in want {
            let hit = f.iter().find(|(p, _, _)| p == w);
            let Some((_, code, message)) = hit else {
                panic!("{w} is not reported: {f:?}");
            };
            assert_eq!(code, "KQL901", "{w}");
            assert!(message.contains("not a regular file"), "{w}: {message}");
            let kind = if w.ends_with(".kql") {
                "named pipe"
            } else if w.ends_with(".yaml") {
                "socket"
            } else {
                "character device"
            };
            assert!(message.contains(kind), "{w}: {message}");
        }
    }
}

#[test]
fn non_string_and_empty_queries_are_errors() {
    let d = Dir::new("query-values");
    for (name, value) in [
        ("number.yaml", "12345"),
        ("bool.yaml", "true"),
        ("null.yaml", ""),
        ("tilde.yaml", "~"),
        ("empty-string.yaml", "\"\""),
        ("comment-only.yaml", "|\n  // nothing here"),
    ] {
        d.write(
            name,
            &format!(
                "id: 6a1f3b0e-2c4d-4e5f-8a9b-0c1d2e3f4a{:02}\nname: q\ndescription: d\nquery: {value}\n",
                name.len()
            ),
        );
        let (code, json, err) = check(&d.0, &[name]);
        let f = findings(&json);
        assert_eq!(code, 1, "{name}: {f:?} {err}");
        assert!(
            f.iter().any(|(_, c, _)| c == "KQL506" || c == "KQL090"),
            "{name}: {f:?}"
        );
        let errors = json["summary"]["errors"].as_u64().unwrap();
        assert!(errors >= 1, "{name}: {f:?}");
    }
}

#[test]
fn a_path_that_may_not_be_searched_says_permission_denied() {
    let d = Dir::new("perm");
    d.write("locked/rule.kql", "SecurityEvent | take 1\n");
    // Readable, but the directory may not be searched (no x bit).
    fs::set_permissions(d.0.join("locked"), fs::Permissions::from_mode(0o644)).unwrap();
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.trim_ascii() == b"0");
    // Permission bits do not stop root: run kqlint as `nobody`.
    let prefix: Vec<String> = if is_root {
        let copy = d.0.join("kqlint");
        fs::copy(bin(), &copy).unwrap();
        fs::set_permissions(&copy, fs::Permissions::from_mode(0o755)).unwrap();
        [
            "setpriv",
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            "--",
        ]
        .map(String::from)
        .into_iter()
        .chain([copy.display().to_string()])
        .collect()
    } else {
        Vec::new()
    };
    let (code, json, err) = check_as(&d.0, &["locked/rule.kql"], &prefix);
    let f = findings(&json);
    assert_eq!(code, 1, "{f:?} {err}");
    let (_, c, message) = &f[0];
    assert_eq!(c, "KQL901");
    assert!(message.contains("permission denied"), "{message}");
    assert!(!message.contains("no such file"), "{message}");
}

#[test]
fn a_file_named_twice_is_checked_once() {
    let d = Dir::new("twice");
    let rule = "id: 6a1f3b0e-2c4d-4e5f-8a9b-0c1d2e3f4a99\nname: twice\nseverity: Low\nquery: |\n  SecurityEvent\n  | take 1\n";
    d.write("rules/a.yaml", rule);
    for args in [
        vec!["rules/a.yaml", "rules/a.yaml"],
        vec!["rules/a.yaml", "./rules/a.yaml"],
        vec!["rules", "rules/a.yaml"],
        vec!["rules/a.yaml", "rules/../rules/a.yaml"],
    ] {
        let (_, json, err) = check(&d.0, &args);
        let f = findings(&json);
        assert_eq!(paths(&json).len(), 1, "{args:?}: {:?} {err}", paths(&json));
        assert!(
            !f.iter().any(|(_, c, _)| c == "KQL424"),
            "{args:?}: reported as a duplicate of itself: {f:?}"
        );
    }
}
