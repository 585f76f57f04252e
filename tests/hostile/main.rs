//! Hostile input, end to end: the real `kqlint` binary on a directory that
//! holds one hostile file and an ordinary query with a known finding.
//!
//! For every case: `kqlint check --format json DIR` exits with status 1
//! (findings, not an internal failure), reports the hostile file with the
//! expected diagnostic, still reports the ordinary file's finding, prints
//! no panic, and stays under [`MAX_WALL`] (in wall-clock or in CPU time:
//! a busy machine stretches only the first) and [`MAX_RSS_KB`] peak resident
//! memory. Time and memory are measured on the child process alone: this
//! binary re-runs itself as a small helper that starts `kqlint`, waits for
//! it and reads `getrusage(RUSAGE_CHILDREN)` (it has no other child), so
//! the figures are the kqlint process's own.
//!
//! The cases run one at a time (a custom harness: `harness = false`), so
//! they do not compete with each other for the cores. A table of the
//! figures is printed; `cargo test --test hostile -- NAME` runs the cases
//! whose name contains NAME. `KQLINT_BIN` runs another build of kqlint
//! (scripts/ci uses the release build, whose figures are the ones that
//! count; a debug build is held to the memory limit only).
//!
//! Unreadable files: permission bits do not stop root, so when the suite
//! runs as root those cases run kqlint as the unprivileged user `nobody`
//! (uid 65534) through `setpriv`; otherwise `chmod 000` is enough.

use serde_json::Value;
use std::fs;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

const MAX_WALL: Duration = Duration::from_secs(2);
const MAX_RSS_KB: u64 = 500 * 1024;

/// The ordinary file every case directory holds, and its finding.
const GOOD: &str = "DeviceNetworkEvents\n| where RemoteIp == \"10.0.0.1\"\n";
const GOOD_CODE: &str = "KQL102";

const HELPER_ENV: &str = "KQLINT_HOSTILE_HELPER";

struct Case {
    name: String,
    /// Writes the hostile file(s) into the case directory.
    setup: fn(&Path),
    /// A generated query, written to `shape.kql` (the worst shapes).
    query: Option<String>,
    /// The hostile file's path (relative to the case directory) and the
    /// codes its report must hold.
    expect: &'static [(&'static str, &'static [&'static str])],
    /// Needs a user that file permissions apply to.
    unprivileged: bool,
    /// This case's limits (a query under 100 KB: 1 s and 200 MB).
    wall: Duration,
    rss_kb: u64,
}

impl Default for Case {
    fn default() -> Case {
        Case {
            name: String::new(),
            setup: |_| {},
            query: None,
            expect: &[],
            unprivileged: false,
            wall: MAX_WALL,
            rss_kb: MAX_RSS_KB,
        }
    }
}

/// The limits of any query under 100 KB, whatever its shape.
const SMALL_WALL: Duration = Duration::from_secs(1);
const SMALL_RSS_KB: u64 = 200 * 1024;

/// Past this a case is killed (an old build may take minutes).
const KILL_AFTER: Duration = Duration::from_secs(60);

/// The worst query shapes (kqlint_testkit::shapes): the self-join
/// chain and a slightly longer one, then every shape grown to 100 KB.
fn shape_cases() -> Vec<Case> {
    let mut v = Vec::new();
    for levels in [16, 18] {
        let q = kqlint_testkit::shapes::self_join_chain(levels);
        v.push(Case {
            name: format!("self-join chain, {levels} levels ({} bytes)", q.len()),
            query: Some(q),
            expect: &[("shape.kql", &["KQL940"])],
            wall: SMALL_WALL,
            rss_kb: SMALL_RSS_KB,
            ..Case::default()
        });
    }
    for s in kqlint_testkit::shapes::worst_shapes(100_000) {
        v.push(Case {
            name: format!("100 KB: {}", s.name),
            query: Some(s.query),
            expect: &[("shape.kql", &[])],
            wall: SMALL_WALL,
            rss_kb: SMALL_RSS_KB,
            ..Case::default()
        });
    }
    v
}

fn cases() -> Vec<Case> {
    let mut v = vec![
        Case {
            name: "10,000 nested parentheses".into(),
            setup: |d| {
                let n = 10_000;
                write(
                    d,
                    "parens.kql",
                    format!("print {}1{}\n", "(".repeat(n), ")".repeat(n)),
                );
            },
            expect: &[("parens.kql", &["KQL009"])],
            unprivileged: false,
            ..Case::default()
        },
        Case {
            name: "10 MB query (one long `in` list, a finding at the end)".into(),
            setup: |d| {
                let mut q = String::from("DeviceNetworkEvents\n| where RemoteIP in (\n");
                let item =
                    "    \"10.1.2.3\", \"2001:db8::1\", \"192.168.100.200\", \"172.16.0.1\",\n";
                while q.len() < 10_000_000 - 200 {
                    q.push_str(item);
                }
                q.push_str("    \"10.0.0.0\")\n| where RemotePort == 445\n| where RemoteIp == 1\n");
                write(d, "big.kql", q);
            },
            expect: &[("big.kql", &["KQL102"])],
            unprivileged: false,
            ..Case::default()
        },
        Case {
            name: "10 MB query in a rule (Sentinel's query length limit)".into(),
            setup: |d| {
                let mut y = String::from(
                    "id: 5d8ae7a4-6b0e-4c44-9c36-2a6f3d1e2b10\nname: big\nseverity: Low\nquery: |\n  DeviceNetworkEvents\n  | where RemoteIP in (\n",
                );
                let item =
                    "      \"10.1.2.3\", \"2001:db8::1\", \"192.168.100.200\", \"172.16.0.1\",\n";
                while y.len() < 10_000_000 - 200 {
                    y.push_str(item);
                }
                y.push_str("      \"10.0.0.0\")\n  | where RemoteIp == 1\n");
                write(d, "big.yaml", y);
            },
            expect: &[("big.yaml", &["KQL102"])],
            unprivileged: false,
            ..Case::default()
        },
        Case {
            name: "one million lines, a finding on each (diagnostic cap)".into(),
            setup: |d| {
                let mut q = String::from("DeviceNetworkEvents\n");
                q.push_str(&"| where Q\n".repeat(999_999));
                write(d, "lines.kql", q);
            },
            expect: &[("lines.kql", &["KQL102", "KQL950"])],
            unprivileged: false,
            ..Case::default()
        },
        Case {
            name: "invalid UTF-8".into(),
            setup: |d| {
                let mut b = b"DeviceNetworkEvents\n| where RemoteUrl == \"caf".to_vec();
                b.extend_from_slice(b"\xe9\xff\xfe\"\n| where RemotePort == 1\n| where Q\n");
                write(d, "latin1.kql", b);
            },
            expect: &[("latin1.kql", &["KQL902", "KQL102"])],
            unprivileged: false,
            ..Case::default()
        },
        Case {
            name: "NUL bytes in a query file".into(),
            setup: |d| write(d, "nul.kql", b"SecurityEvent\0\0\0| take 1\0\n"),
            expect: &[("nul.kql", &["KQL903"])],
            unprivileged: false,
            ..Case::default()
        },
        Case {
            name: "a binary file named .yaml".into(),
            setup: |d| {
                // an ELF header, then 1 MB of pseudo-random bytes
                let mut b = b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0".to_vec();
                let mut x: u32 = 0x9e37_79b9;
                for _ in 0..1_000_000 {
                    x ^= x << 13;
                    x ^= x >> 17;
                    x ^= x << 5;
                    b.push(x as u8);
                }
                write(d, "binary.yaml", b);
            },
            expect: &[("binary.yaml", &["KQL903"])],
            unprivileged: false,
            ..Case::default()
        },
        Case {
            name: "YAML alias bomb (billion laughs)".into(),
            setup: |d| {
                let mut s =
                    String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
                for i in 1..10 {
                    let prev = format!("*a{}", i - 1);
                    s.push_str(&format!(
                        "a{i}: &a{i} [{}]\n",
                        [prev.as_str(); 10].join(", ")
                    ));
                }
                s.push_str("query: |\n  SecurityEvent\n");
                write(d, "bomb.yaml", s);
            },
            expect: &[("bomb.yaml", &["KQL906"])],
            unprivileged: false,
            ..Case::default()
        },
        Case {
            name: "YAML with 100,000 keys".into(),
            setup: |d| {
                let mut s = String::from(
                    "id: 5d8ae7a4-6b0e-4c44-9c36-2a6f3d1e2b11\nname: keys\nquery: |\n  SecurityEvent\n  | where Q\n",
                );
                for i in 0..100_000 {
                    s.push_str(&format!("key{i:06}: value {i}\n"));
                }
                write(d, "keys.yaml", s);
            },
            expect: &[("keys.yaml", &["KQL102"])],
            unprivileged: false,
            ..Case::default()
        },
        Case {
            name: "deeply nested YAML (100,000 flow levels)".into(),
            setup: |d| {
                let n = 100_000;
                write(
                    d,
                    "deep-flow.yaml",
                    format!("query: T\nx: {}1{}\n", "[".repeat(n), "]".repeat(n)),
                );
            },
            expect: &[("deep-flow.yaml", &["KQL905"])],
            unprivileged: false,
            ..Case::default()
        },
        Case {
            name: "deeply nested YAML (2,000 block levels)".into(),
            setup: |d| {
                let mut s = String::from("query: T\n");
                for i in 0..2_000 {
                    s.push_str(&" ".repeat(i));
                    s.push_str("k:\n");
                }
                write(d, "deep-block.yaml", s);
            },
            expect: &[("deep-block.yaml", &["KQL905"])],
            unprivileged: false,
            ..Case::default()
        },
        Case {
            name: "symlink loops (a directory link to its parent, two file links)".into(),
            setup: |d| {
                fs::create_dir_all(d.join("sub")).unwrap();
                symlink("..", d.join("sub/up")).unwrap();
                symlink("b.kql", d.join("a.kql")).unwrap();
                symlink("a.kql", d.join("b.kql")).unwrap();
            },
            expect: &[("a.kql", &["KQL901"]), ("b.kql", &["KQL901"])],
            unprivileged: false,
            ..Case::default()
        },
        Case {
            name: "a file without read permission".into(),
            setup: |d| {
                write(d, "secret.kql", "SecurityEvent\n");
                fs::set_permissions(d.join("secret.kql"), fs::Permissions::from_mode(0o000))
                    .unwrap();
            },
            expect: &[("secret.kql", &["KQL901"])],
            unprivileged: true,
            ..Case::default()
        },
        Case {
            name: "a directory without read permission".into(),
            setup: |d| {
                write(d, "locked/a.kql", "SecurityEvent\n");
                fs::set_permissions(d.join("locked"), fs::Permissions::from_mode(0o000)).unwrap();
            },
            expect: &[("locked", &["KQL901"])],
            unprivileged: true,
            ..Case::default()
        },
        Case {
            name: "a file over the size limit (11 MiB)".into(),
            setup: |d| {
                write(
                    d,
                    "huge.kql",
                    "// padding\n".repeat(11 * 1024 * 1024 / 11 + 1),
                )
            },
            expect: &[("huge.kql", &["KQL904"])],
            unprivileged: false,
            ..Case::default()
        },
        Case {
            name: "a named pipe and a socket among the rules".into(),
            setup: |d| {
                let fifo = d.join("pipe.kql");
                assert!(
                    Command::new("mkfifo")
                        .arg(&fifo)
                        .status()
                        .is_ok_and(|s| s.success())
                );
                // The socket's listener closes at once; the file stays.
                drop(std::os::unix::net::UnixListener::bind(d.join("sock.yaml")).unwrap());
            },
            expect: &[("pipe.kql", &["KQL901"]), ("sock.yaml", &["KQL901"])],
            unprivileged: false,
            ..Case::default()
        },
    ];
    v.extend(shape_cases());
    v
}

fn write(dir: &Path, name: &str, content: impl AsRef<[u8]>) {
    let p = dir.join(name);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, content).unwrap();
}

/// What the helper measured.
struct Measured {
    status: i32,
    wall: Duration,
    cpu: Duration,
    max_rss_kb: u64,
    stdout: String,
    stderr: String,
}

fn main() -> ExitCode {
    if let Ok(spec) = std::env::var(HELPER_ENV) {
        return helper(&spec);
    }
    let filter: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let bin = kqlint_bin();
    let root = std::env::temp_dir().join(format!("kqlint-hostile-{}", std::process::id()));
    let _ = fs::remove_dir_all(&root);
    fs::create_dir_all(&root).unwrap();
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.trim_ascii() == b"0");

    // An unoptimised build is about ten times slower: its times are shown
    // but only a release build (scripts/ci sets KQLINT_BIN to one) is held
    // to the time limit. The memory limit holds for every build.
    let timed = std::env::var_os("KQLINT_BIN").is_some() || !cfg!(debug_assertions);
    println!(
        "\nhostile inputs: {} (limits: {} wall, {} MB peak RSS)\n",
        bin.display(),
        if timed {
            format!("{MAX_WALL:?}")
        } else {
            "none (debug build)".to_owned()
        },
        MAX_RSS_KB / 1024
    );
    println!(
        "{:<64} {:>8} {:>8} {:>9}  diagnostics",
        "case", "wall ms", "cpu ms", "RSS MB"
    );
    let mut failures = Vec::new();
    let mut ran = 0;
    for (i, case) in cases().into_iter().enumerate() {
        if !filter.is_empty() && !filter.iter().any(|f| case.name.contains(f.as_str())) {
            continue;
        }
        ran += 1;
        let dir = root.join(format!("case{i:02}"));
        fs::create_dir_all(&dir).unwrap();
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o755)).unwrap();
        write(&dir, "good.kql", GOOD);
        (case.setup)(&dir);
        if let Some(q) = &case.query {
            write(&dir, "shape.kql", q);
        }
        let mut argv: Vec<String> = Vec::new();
        if case.unprivileged && is_root {
            argv.extend(
                [
                    "setpriv",
                    "--reuid=65534",
                    "--regid=65534",
                    "--clear-groups",
                    "--",
                ]
                .map(String::from),
            );
            argv.push(executable_by_nobody(&bin, &root));
        } else {
            argv.push(bin.display().to_string());
        }
        argv.extend(
            [
                "check",
                "--format",
                "json",
                "--color",
                "never",
                "--isolated",
            ]
            .map(String::from),
        );
        argv.push(dir.display().to_string());
        let m = measure(&argv, &dir);
        let mut problems = check_case(&case, &dir, &m);
        // Over the limit in both wall-clock and CPU time: other processes on
        // a busy machine stretch the wall clock and not the CPU time, the
        // threads of a parallel check the other way round.
        if timed && m.wall > case.wall && m.cpu > case.wall {
            problems.push(format!(
                "took {:?} wall, {:?} CPU (limit {:?})",
                m.wall, m.cpu, case.wall
            ));
        }
        if m.max_rss_kb > case.rss_kb {
            problems.push(format!(
                "peak RSS {} MB (limit {} MB)",
                m.max_rss_kb / 1024,
                case.rss_kb / 1024
            ));
        }
        let codes = summary(&m.stdout, &dir);
        println!(
            "{:<64} {:>8} {:>8} {:>9.1}  {}",
            case.name,
            m.wall.as_millis(),
            m.cpu.as_millis(),
            m.max_rss_kb as f64 / 1024.0,
            codes
        );
        if !problems.is_empty() {
            failures.push(format!("{}:\n  {}", case.name, problems.join("\n  ")));
        }
        // restore permissions so the directory can be removed
        for p in ["secret.kql", "locked"] {
            let _ = fs::set_permissions(dir.join(p), fs::Permissions::from_mode(0o755));
        }
    }
    let _ = fs::remove_dir_all(&root);
    if ran == 0 {
        eprintln!("no case matches {filter:?}");
        return ExitCode::FAILURE;
    }
    if failures.is_empty() {
        println!("\n{ran} hostile cases passed");
        ExitCode::SUCCESS
    } else {
        eprintln!("\n{} of {ran} hostile cases failed:\n", failures.len());
        for f in &failures {
            eprintln!("{f}\n");
        }
        ExitCode::FAILURE
    }
}

fn kqlint_bin() -> PathBuf {
    match std::env::var_os("KQLINT_BIN") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(env!("CARGO_BIN_EXE_kqlint")),
    }
}

/// A copy of the binary that `nobody` can run (the target directory may
/// be under a home directory it cannot enter).
fn executable_by_nobody(bin: &Path, root: &Path) -> String {
    let copy = root.join("kqlint");
    if !copy.exists() {
        fs::copy(bin, &copy).expect("copy kqlint");
        fs::set_permissions(&copy, fs::Permissions::from_mode(0o755)).unwrap();
        fs::set_permissions(root, fs::Permissions::from_mode(0o755)).unwrap();
    }
    copy.display().to_string()
}

/// The expectations of one case; the problems found.
fn check_case(case: &Case, dir: &Path, m: &Measured) -> Vec<String> {
    let mut problems = Vec::new();
    if m.status != 1 {
        problems.push(format!(
            "exit status {} (expected 1); stderr: {}",
            m.status,
            shorten(&m.stderr)
        ));
    }
    if m.stderr.contains("panicked") || m.stderr.contains("RUST_BACKTRACE") {
        problems.push(format!("a panic: {}", shorten(&m.stderr)));
    }
    let json: Value = match serde_json::from_str(&m.stdout) {
        Ok(v) => v,
        Err(e) => {
            problems.push(format!("output is not JSON ({e}): {}", shorten(&m.stdout)));
            return problems;
        }
    };
    let files = json["files"].as_array().cloned().unwrap_or_default();
    let codes_of = |name: &str| -> Option<Vec<String>> {
        let want = dir.join(name);
        files
            .iter()
            .find(|f| f["path"].as_str().is_some_and(|p| Path::new(p) == want))
            .map(|f| {
                f["diagnostics"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|d| d["code"].as_str().map(String::from))
                    .collect()
            })
    };
    match codes_of("good.kql") {
        Some(c) if c.iter().any(|c| c == GOOD_CODE) => {}
        other => problems.push(format!(
            "the ordinary file's {GOOD_CODE} is missing: {other:?}"
        )),
    }
    for (name, want) in case.expect {
        match codes_of(name) {
            None => problems.push(format!("{name} is not reported")),
            Some(codes) => {
                for w in *want {
                    if !codes.iter().any(|c| c == w) {
                        problems.push(format!("{name}: no {w} among {codes:?}"));
                    }
                }
            }
        }
    }
    // every diagnostic of the run: a message, a real position
    for f in &files {
        for d in f["diagnostics"].as_array().into_iter().flatten() {
            let ok = d["message"].as_str().is_some_and(|m| !m.is_empty())
                && d["line"].as_u64().is_some_and(|l| l >= 1)
                && d["column"].as_u64().is_some_and(|c| c >= 1);
            if !ok {
                problems.push(format!("a malformed diagnostic: {d}"));
                break;
            }
        }
    }
    problems
}

/// "file: CODE xN, ..." for the table.
fn summary(stdout: &str, dir: &Path) -> String {
    let Ok(json) = serde_json::from_str::<Value>(stdout) else {
        return "(no JSON)".into();
    };
    let mut parts = Vec::new();
    for f in json["files"].as_array().into_iter().flatten() {
        let path = f["path"].as_str().unwrap_or("?");
        let name = Path::new(path)
            .strip_prefix(dir)
            .map(|p| p.display().to_string())
            .unwrap_or_else(|_| path.to_owned());
        if name == "good.kql" {
            continue;
        }
        let mut counts: Vec<(String, usize)> = Vec::new();
        for d in f["diagnostics"].as_array().into_iter().flatten() {
            let code = d["code"].as_str().unwrap_or("?").to_owned();
            match counts.iter_mut().find(|(c, _)| *c == code) {
                Some((_, n)) => *n += 1,
                None => counts.push((code, 1)),
            }
        }
        let codes: Vec<String> = counts
            .iter()
            .map(|(c, n)| {
                if *n > 1 {
                    format!("{c}x{n}")
                } else {
                    c.clone()
                }
            })
            .collect();
        parts.push(format!("{name}: {}", codes.join(" ")));
    }
    parts.join("; ")
}

fn shorten(s: &str) -> String {
    let mut out: String = s.chars().take(600).collect();
    if out.len() < s.len() {
        out.push('…');
    }
    out
}

/// Runs `argv` through the helper (this binary in helper mode).
fn measure(argv: &[String], dir: &Path) -> Measured {
    let out_path = dir.with_extension("stdout");
    let err_path = dir.with_extension("stderr");
    let spec = serde_json::json!({
        "argv": argv,
        "stdout": out_path,
        "stderr": err_path,
    });
    let helper = Command::new(std::env::current_exe().unwrap())
        .env(HELPER_ENV, spec.to_string())
        .stdin(Stdio::null())
        .output()
        .expect("run the measuring helper");
    let report: Value = serde_json::from_slice(&helper.stdout).unwrap_or_else(|e| {
        panic!(
            "the helper failed ({e}): {}{}",
            String::from_utf8_lossy(&helper.stdout),
            String::from_utf8_lossy(&helper.stderr)
        )
    });
    let read = |p: &Path| String::from_utf8_lossy(&fs::read(p).unwrap_or_default()).into_owned();
    Measured {
        status: report["status"].as_i64().unwrap_or(-1) as i32,
        wall: Duration::from_micros(report["wall_us"].as_u64().unwrap_or(u64::MAX)),
        cpu: Duration::from_micros(report["cpu_us"].as_u64().unwrap_or(u64::MAX)),
        max_rss_kb: report["max_rss_kb"].as_u64().unwrap_or(u64::MAX),
        stdout: read(&out_path),
        stderr: read(&err_path),
    }
}

/// Helper mode: runs the command, waits, and prints its exit status, wall
/// time and resource usage (this process has no other child) as JSON.
fn helper(spec: &str) -> ExitCode {
    use nix::sys::resource::{UsageWho, getrusage};
    let spec: Value = serde_json::from_str(spec).expect("helper spec");
    let argv: Vec<String> = spec["argv"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap().to_owned())
        .collect();
    let stdout = fs::File::create(spec["stdout"].as_str().unwrap()).unwrap();
    let stderr = fs::File::create(spec["stderr"].as_str().unwrap()).unwrap();
    let start = Instant::now();
    let mut child = Command::new(&argv[0])
        .args(&argv[1..])
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(stderr)
        .spawn()
        .expect("start kqlint");
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait for kqlint") {
            break s;
        }
        if start.elapsed() > KILL_AFTER {
            let _ = child.kill();
            break child.wait().expect("wait for kqlint");
        }
        std::thread::sleep(Duration::from_millis(1));
    };
    let wall = start.elapsed();
    let usage = getrusage(UsageWho::RUSAGE_CHILDREN).expect("getrusage");
    let tv = |t: nix::sys::time::TimeVal| t.tv_sec() as u64 * 1_000_000 + t.tv_usec() as u64;
    println!(
        "{}",
        serde_json::json!({
            "status": status.code().unwrap_or(-1),
            "wall_us": wall.as_micros() as u64,
            "cpu_us": tv(usage.user_time()) + tv(usage.system_time()),
            // kilobytes on Linux
            "max_rss_kb": usage.max_rss(),
        })
    );
    ExitCode::SUCCESS
}
