//! `--fix` never loses a rule file: with the disk full the file is left as
//! it was (and the run says so, exit status 2); two runs at once on one
//! tree leave every file either as it was or fully fixed; a query that a
//! YAML alias repeats elsewhere is not edited.
//!
//! `KQLINT_BIN` runs another build of kqlint (to show a defect in an older
//! one).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

fn bin() -> PathBuf {
    std::env::var_os("KQLINT_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_kqlint")))
}

struct Dir(PathBuf);

impl Dir {
    fn new(name: &str) -> Dir {
        let d = std::env::temp_dir().join(format!("kqlint-fixsafe-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        fs::create_dir_all(&d).unwrap();
        Dir(d)
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn text(o: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// A rule of just under 4 KiB whose safe fixes (`makeset` → `make_set`, of
/// the opt-in obsolete-function rule, selected for these runs)
/// make it longer than 4 KiB: writing it in place needs a page (a block)
/// more than the file had.
fn growing_rule() -> String {
    let mut y = String::from(
        "id: 0f6c5c1e-7d4a-4d8e-9a51-1f5b2b3c4d5e\nname: grows when fixed\nseverity: Low\nquery: |\n  SecurityEvent\n  | summarize\n",
    );
    let mut i = 0;
    while y.len() < 4000 {
        y.push_str(&format!("      S{i} = makeset(Account),\n"));
        i += 1;
    }
    y.push_str("      n = count() by Computer\n");
    assert!(
        y.len() < 4096 && y.len() + i > 4096,
        "{} bytes, {i} fixes",
        y.len()
    );
    y
}

/// The script run with the disk full: the rule is at $1, the kqlint
/// binary $2; prints the exit status and whether the file is intact.
const FULL_DISK: &str = r#"
rule="$1"; shift
err=$("$@" check --fix --isolated --extend-select obsolete-function -f concise "$rule" 2>&1 >/dev/null)
echo "status=$?"
if cmp -s "$rule" "$rule.orig"; then echo intact; else echo "changed: $(wc -c < "$rule") bytes"; fi
ls -A "$(dirname "$rule")" | grep -v -e '^filler$' -e '\.orig$' | sed 's/^/entry=/'
echo "$err"
"#;

#[test]
fn a_full_disk_leaves_the_rule_file_as_it_was() {
    let d = Dir::new("full");
    let rule = growing_rule();
    let kqlint = bin();
    // A tiny tmpfs of its own, in a user and mount namespace, filled up.
    let mnt = d.0.join("mnt");
    fs::create_dir_all(&mnt).unwrap();
    let tmpfs = Command::new("unshare")
        .args(["--user", "--map-root-user", "--mount", "sh", "-c"])
        .arg(format!(
            "set -e; mount -t tmpfs -o size=64k tmpfs '{m}'; printf %s \"$RULE\" > '{m}/rule.yaml'; \
             cp '{m}/rule.yaml' '{m}/rule.yaml.orig'; \
             dd if=/dev/zero of='{m}/filler' bs=512 2>/dev/null || true; set +e; {FULL_DISK}",
            m = mnt.display()
        ))
        .arg("sh")
        .arg(mnt.join("rule.yaml"))
        .arg(&kqlint)
        .env("RULE", &rule)
        .stdin(Stdio::null())
        .output();
    let (how, out) = match tmpfs {
        Ok(o) if String::from_utf8_lossy(&o.stdout).contains("status=") => ("a full tmpfs", o),
        other => {
            // No namespaces here: a file size limit gives the same kind of
            // write error (EFBIG instead of ENOSPC), from the kernel too.
            eprintln!(
                "no tmpfs could be mounted ({:?}); using a file size limit instead",
                other.map(|o| text(&o))
            );
            let lim = d.0.join("lim");
            fs::create_dir_all(&lim).unwrap();
            let p = lim.join("rule.yaml");
            fs::write(&p, &rule).unwrap();
            fs::write(lim.join("rule.yaml.orig"), &rule).unwrap();
            let o = Command::new("sh")
                .arg("-c")
                .arg(format!("trap '' XFSZ; {FULL_DISK}"))
                .arg("sh")
                .arg(&p)
                .args(["prlimit", "--fsize=4096", "--"])
                .arg(&kqlint)
                .stdin(Stdio::null())
                .output()
                .unwrap();
            ("a 4 KiB file size limit", o)
        }
    };
    let report = text(&out);
    eprintln!("{how}:\n{report}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("intact"),
        "the rule file was damaged ({how}):\n{report}"
    );
    assert!(
        stdout.contains("status=2"),
        "exit status is not 2 ({how}):\n{report}"
    );
    assert!(
        stdout.contains("rule.yaml: cannot write the fixed file")
            && stdout.contains("could not be written"),
        "the error does not name the file ({how}):\n{report}"
    );
    // No temporary file is left behind.
    let entries: Vec<&str> = stdout.lines().filter(|l| l.starts_with("entry=")).collect();
    assert_eq!(entries, ["entry=rule.yaml"], "{report}");
}

const RACE_RULE: &str = "id: 6a1f3b0e-2c4d-4e5f-8a9b-0c1d2e3f4a5b\nname: race\nseverity: Low\nkind: Scheduled\nversion: 2.0.0\nquery: |\n  let unused1 = 1;\n  let unused2 = unused1;\n  SecurityEvent\n  | where tolower(Account) == \"admin\"\n  | summarize Accounts = makeset(Account), Hosts = makeset(Computer) by EventID\n  | extend j = parsejson(\"{}\")\nrequiredDataConnectors: []\n";

#[test]
fn two_fix_runs_at_once_leave_the_old_or_the_fixed_file() {
    let d = Dir::new("race");
    let kqlint = bin();
    let fix = |dir: &Path| {
        Command::new(&kqlint)
            .args([
                "check",
                "--fix",
                "--isolated",
                "--extend-select",
                "obsolete-function",
                "-f",
                "concise",
            ])
            .arg(dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    // The fully fixed content, from one run alone.
    let solo = d.0.join("solo");
    fs::create_dir_all(&solo).unwrap();
    fs::write(solo.join("rule.yaml"), RACE_RULE).unwrap();
    let out = fix(&solo).wait_with_output().unwrap();
    let fixed = fs::read_to_string(solo.join("rule.yaml")).unwrap();
    assert_ne!(fixed, RACE_RULE, "{}", text(&out));
    assert!(
        !fixed.contains("makeset") && !fixed.contains("unused"),
        "{fixed}"
    );

    let tree = d.0.join("tree");
    let mut bad = Vec::new();
    for round in 0..50 {
        let _ = fs::remove_dir_all(&tree);
        fs::create_dir_all(tree.join("sub")).unwrap();
        for f in ["rule.yaml", "sub/a.yaml", "sub/b.yaml"] {
            fs::write(tree.join(f), RACE_RULE).unwrap();
        }
        // A reader sees every state the files pass through.
        let stop = Arc::new(AtomicBool::new(false));
        let seen = Arc::new(Mutex::new(Vec::<String>::new()));
        let reader = {
            let (stop, seen, tree) = (stop.clone(), seen.clone(), tree.clone());
            let (old, new) = (RACE_RULE.to_owned(), fixed.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    for f in ["rule.yaml", "sub/a.yaml", "sub/b.yaml"] {
                        if let Ok(t) = fs::read_to_string(tree.join(f))
                            && t != old
                            && t != new
                        {
                            seen.lock().unwrap().push(t);
                        }
                    }
                }
            })
        };
        let (a, b) = (fix(&tree), fix(&tree));
        let (oa, ob) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
        stop.store(true, Ordering::Relaxed);
        reader.join().unwrap();
        for f in ["rule.yaml", "sub/a.yaml", "sub/b.yaml"] {
            let now = fs::read_to_string(tree.join(f)).unwrap();
            if now != fixed && now != RACE_RULE {
                bad.push(format!("round {round}: {f}:\n{now}"));
            }
        }
        if let Some(t) = seen.lock().unwrap().first() {
            bad.push(format!("round {round}: a reader saw:\n{t}"));
        }
        for o in [&oa, &ob] {
            let err = String::from_utf8_lossy(&o.stderr);
            if err.contains("error") {
                bad.push(format!("round {round}: {err}"));
            }
        }
        // No temporary file is left behind.
        let mut names: Vec<String> = walk(&tree);
        names.sort();
        if names != ["rule.yaml", "sub/a.yaml", "sub/b.yaml"] {
            bad.push(format!("round {round}: files {names:?}"));
        }
        if bad.len() > 5 {
            break;
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n---\n"));
}

fn walk(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(root).unwrap().to_string_lossy().into_owned());
            }
        }
    }
    out
}

#[test]
fn a_query_that_an_alias_repeats_is_not_edited() {
    let d = Dir::new("alias");
    // The query's text is also the description's (and the other way round):
    // an edit of one would change the other.
    let anchored = "id: 6a1f3b0e-2c4d-4e5f-8a9b-0c1d2e3f4a5c\nname: alias\nquery: &q |\n  let unused = 1;\n  SecurityEvent\n  | summarize makeset(Account)\ndescription: *q\n";
    let alias = "id: 6a1f3b0e-2c4d-4e5f-8a9b-0c1d2e3f4a5d\nname: alias\ndescription: &q |\n  let unused = 1;\n  SecurityEvent\n  | summarize makeset(Account)\nquery: *q\n";
    for (name, yaml) in [("anchored.yaml", anchored), ("alias.yaml", alias)] {
        let p = d.0.join(name);
        fs::write(&p, yaml).unwrap();
        let out = Command::new(bin())
            .args([
                "check",
                "--fix",
                "--isolated",
                "--extend-select",
                "obsolete-function",
                "-f",
                "concise",
            ])
            .arg(&p)
            .output()
            .unwrap();
        assert_eq!(
            fs::read_to_string(&p).unwrap(),
            yaml,
            "{name}: {}",
            text(&out)
        );
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(&format!("{name}: not fixed: the query is a YAML anchor")),
            "{name}: {}",
            text(&out)
        );
        // The findings are still reported.
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("KQL306"),
            "{name}: {}",
            text(&out)
        );
    }
}
