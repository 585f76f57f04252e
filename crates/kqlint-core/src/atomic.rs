//! Writing files so that they are never left half-written: every file
//! kqlint writes (`--fix`, baselines, `--output` reports, and a future
//! `fmt`) goes through here.
//!
//! **How a file is replaced.** The new content is written to a temporary
//! file in the same directory (`.NAME.kqlint-PID-N.tmp`: hidden, and with
//! an extension kqlint does not check), flushed to disk (`fsync`), given the
//! original's permission bits (and its owner and group where the operating
//! system permits), and renamed over the original; then the directory is
//! flushed too. A rename within one file system is atomic: a reader sees
//! the old file or the new one, never a mix. On any error the temporary
//! file is removed and the original is left exactly as it was. A symbolic
//! link is followed (the file it points at is replaced, the link stays).
//! A hard link is not kept: the other name keeps the old content, as with
//! every editor that saves by renaming.
//!
//! **Concurrent runs: an advisory lock.** An edit ([`Editing`]) holds an
//! exclusive `flock` on the original file from the moment it reads it until
//! the new content has been renamed into place. A second `kqlint --fix` on
//! the same file waits for the lock, notices that the name now points at a
//! new file (the renamed one), and starts over from that file, so it fixes
//! the fixed content (finding nothing to do) instead of overwriting it with
//! its own edit of the old one. Editors do not take the lock, so just
//! before the rename the file is read again and compared with what the
//! edit started from: when someone changed it meanwhile, nothing is
//! written and the error says so. Where the file system does not support
//! locks, the comparison is all there is.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Why a file could not be written; the original is unchanged.
#[derive(Debug)]
pub struct WriteError {
    /// The file that was to be written (as the caller named it).
    pub path: PathBuf,
    pub error: io::Error,
}

impl std::fmt::Display for WriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cannot write {}: {}", self.path.display(), self.error)
    }
}

impl std::error::Error for WriteError {}

/// Writes `bytes` to `path` atomically: afterwards the file holds either its
/// old content (or does not exist, if it did not) or exactly `bytes`.
///
/// A path that names something other than a regular file (a FIFO, a
/// terminal), or a path under `/dev` or `/proc` (`/dev/stdout`, which may
/// stand for a redirected file), is written directly.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    let fail = |error| WriteError {
        path: path.to_path_buf(),
        error,
    };
    // `/dev/stdout`, `/dev/fd/N`, `/proc/self/fd/N` name an open file
    // (perhaps the file the shell redirected standard output to): write
    // through them, never rename over what they point at.
    if path.starts_with("/dev") || path.starts_with("/proc") {
        return fs::write(path, bytes).map_err(fail);
    }
    match fs::metadata(path) {
        Ok(m) if !m.is_file() => {
            if m.is_dir() {
                return Err(fail(io::Error::other("it is a directory")));
            }
            return fs::write(path, bytes).map_err(fail);
        }
        _ => {}
    }
    let target = real_path(path);
    replace(&target, bytes, None, &NoFaults).map_err(fail)
}

/// A file opened for an edit (`--fix`): its content as read under an
/// exclusive advisory lock, which is held until [`Editing::replace`] has
/// renamed the new content into place (or the value is dropped).
#[derive(Debug)]
pub struct Editing {
    /// As the caller named it (for messages).
    path: PathBuf,
    /// The file itself, symbolic links resolved: what is replaced.
    target: PathBuf,
    /// Holds the lock.
    _file: File,
    original: Vec<u8>,
}

/// How many times [`Editing::open`] starts over when the file is replaced
/// while it waits for the lock.
const LOCK_RETRIES: usize = 100;

impl Editing {
    /// Opens `path`, waits for its lock and reads at most `limit` + 1 bytes.
    pub fn open(path: &Path, limit: u64) -> io::Result<Editing> {
        let target = real_path(path);
        for _ in 0..LOCK_RETRIES {
            let meta = fs::metadata(&target)?;
            if !meta.is_file() {
                return Err(io::Error::other("not a regular file"));
            }
            let file = File::open(&target)?;
            match file.lock() {
                Ok(()) => {}
                // No locks on this file system: the comparison before the
                // rename still protects the file.
                Err(e) if e.kind() == io::ErrorKind::Unsupported => {}
                Err(e) => return Err(e),
            }
            // Another run may have renamed a new file into place while we
            // waited: then the lock we hold is the old file's.
            if !same_file(&file.metadata()?, &fs::metadata(&target)?) {
                continue;
            }
            let mut original = Vec::new();
            (&file)
                .take(limit.saturating_add(1))
                .read_to_end(&mut original)?;
            return Ok(Editing {
                path: path.to_path_buf(),
                target,
                _file: file,
                original,
            });
        }
        Err(io::Error::other(
            "the file kept being replaced by other programs while kqlint waited for it",
        ))
    }

    /// The content the edit starts from.
    pub fn original(&self) -> &[u8] {
        &self.original
    }

    /// Replaces the file with `bytes`, unless it changed since it was read.
    pub fn replace(self, bytes: &[u8]) -> Result<(), WriteError> {
        self.replace_with(bytes, &NoFaults)
    }

    fn replace_with(self, bytes: &[u8], faults: &dyn Faults) -> Result<(), WriteError> {
        let r = replace(&self.target, bytes, Some(&self.original), faults);
        // The lock is released when `self._file` drops, after the rename.
        r.map_err(|error| WriteError {
            path: self.path.clone(),
            error,
        })
    }
}

/// The file a path names, symbolic links resolved; the path itself when it
/// does not exist yet (or cannot be resolved).
fn real_path(path: &Path) -> PathBuf {
    fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

#[cfg(unix)]
fn same_file(a: &fs::Metadata, b: &fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    (a.dev(), a.ino()) == (b.dev(), b.ino())
}

#[cfg(not(unix))]
fn same_file(a: &fs::Metadata, b: &fs::Metadata) -> bool {
    a.len() == b.len() && a.modified().ok() == b.modified().ok()
}

/// The steps of a replacement, where tests inject failures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    Create,
    Write,
    Permissions,
    Sync,
    Compare,
    Rename,
}

trait Faults {
    fn at(&self, step: Step) -> io::Result<()>;
}

struct NoFaults;

impl Faults for NoFaults {
    fn at(&self, _: Step) -> io::Result<()> {
        Ok(())
    }
}

static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// A temporary file that removes itself unless it was renamed into place.
struct Temp {
    path: PathBuf,
    kept: bool,
}

impl Drop for Temp {
    fn drop(&mut self) {
        if !self.kept {
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// Writes `bytes` next to `target` and renames them over it. With
/// `expected`, the file must still hold exactly that just before the rename.
fn replace(
    target: &Path,
    bytes: &[u8],
    expected: Option<&[u8]>,
    faults: &dyn Faults,
) -> io::Result<()> {
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "file".to_owned());
    let original = fs::metadata(target).ok().filter(|m| m.is_file());
    if original.is_some() {
        // Renaming needs only the directory to be writable; a file its owner
        // made read-only is not replaced behind their back.
        OpenOptions::new().write(true).open(target)?;
    }

    let (mut file, mut temp) = create_temp(&dir, &name, faults)?;
    faults.at(Step::Write)?;
    file.write_all(bytes)?;
    faults.at(Step::Permissions)?;
    if let Some(m) = &original {
        keep_owner_and_mode(&file, m)?;
    }
    faults.at(Step::Sync)?;
    file.sync_all()?;
    drop(file);

    faults.at(Step::Compare)?;
    if let Some(expected) = expected {
        let now = fs::read(target)?;
        if now != expected {
            return Err(io::Error::other(
                "the file was changed by another program while kqlint was fixing it; it was \
                 left as that program wrote it (run kqlint again)",
            ));
        }
    }
    faults.at(Step::Rename)?;
    fs::rename(&temp.path, target)?;
    temp.kept = true;
    // Make the rename itself durable. Not every platform can open or sync a
    // directory; the data is written either way.
    if let Ok(d) = File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

fn create_temp(dir: &Path, name: &str, faults: &dyn Faults) -> io::Result<(File, Temp)> {
    faults.at(Step::Create)?;
    loop {
        let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
        let path = dir.join(format!(".{name}.kqlint-{}-{n}.tmp", std::process::id()));
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            // A new file gets the usual mode (the umask applies); a
            // replacement gets the original's below.
            options.mode(0o666);
        }
        match options.open(&path) {
            Ok(f) => return Ok((f, Temp { path, kept: false })),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
}

#[cfg(unix)]
fn keep_owner_and_mode(file: &File, original: &fs::Metadata) -> io::Result<()> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let now = file.metadata()?;
    if (now.uid(), now.gid()) != (original.uid(), original.gid()) {
        // Only root may give a file away, and only a member may set its
        // group: what is not permitted is left as the new file has it.
        if std::os::unix::fs::fchown(file, Some(original.uid()), Some(original.gid())).is_err() {
            let _ = std::os::unix::fs::fchown(file, None, Some(original.gid()));
        }
    }
    // After chown, which may clear the set-id bits.
    file.set_permissions(fs::Permissions::from_mode(original.mode() & 0o7777))
}

#[cfg(not(unix))]
fn keep_owner_and_mode(file: &File, original: &fs::Metadata) -> io::Result<()> {
    file.set_permissions(original.permissions())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::{MetadataExt, PermissionsExt, symlink};

    struct Dir(PathBuf);

    impl Dir {
        fn new(name: &str) -> Dir {
            let d = std::env::temp_dir().join(format!(
                "kqlint-atomic-{name}-{}-{}",
                std::process::id(),
                TEMP_COUNTER.fetch_add(1, Ordering::Relaxed)
            ));
            let _ = fs::remove_dir_all(&d);
            fs::create_dir_all(&d).unwrap();
            Dir(d)
        }
        fn entries(&self) -> Vec<String> {
            let mut v: Vec<String> = fs::read_dir(&self.0)
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            v.sort();
            v
        }
    }

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    struct FailAt(Step);

    impl Faults for FailAt {
        fn at(&self, step: Step) -> io::Result<()> {
            if step == self.0 {
                Err(io::Error::from_raw_os_error(28)) // ENOSPC
            } else {
                Ok(())
            }
        }
    }

    #[test]
    fn replaces_keeping_the_mode_and_leaving_no_temporary_file() {
        let d = Dir::new("mode");
        let p = d.0.join("q.kql");
        fs::write(&p, "old").unwrap();
        fs::set_permissions(&p, fs::Permissions::from_mode(0o640)).unwrap();
        write_atomic(&p, b"new").unwrap();
        assert_eq!(fs::read_to_string(&p).unwrap(), "new");
        assert_eq!(fs::metadata(&p).unwrap().mode() & 0o777, 0o640);
        assert_eq!(d.entries(), ["q.kql"]);
        // a new file
        write_atomic(&d.0.join("b.json"), b"{}").unwrap();
        assert_eq!(d.entries(), ["b.json", "q.kql"]);
    }

    #[test]
    fn an_error_at_any_step_leaves_the_original_untouched() {
        for step in [
            Step::Create,
            Step::Write,
            Step::Permissions,
            Step::Sync,
            Step::Compare,
            Step::Rename,
        ] {
            let d = Dir::new("fault");
            let p = d.0.join("rule.yaml");
            fs::write(&p, "query: |\n  T\n").unwrap();
            let e = Editing::open(&p, 1 << 20).unwrap();
            let err = e
                .replace_with(b"query: |\n  U\n", &FailAt(step))
                .unwrap_err();
            assert!(err.to_string().contains("rule.yaml"), "{err}");
            assert_eq!(
                fs::read_to_string(&p).unwrap(),
                "query: |\n  T\n",
                "{step:?}"
            );
            assert_eq!(d.entries(), ["rule.yaml"], "{step:?}");
        }
    }

    #[test]
    fn dev_stdout_is_written_through_not_replaced() {
        let d = Dir::new("stdout");
        let out = d.0.join("report.txt");
        let file = fs::File::create(&out).unwrap();
        let ino = fs::metadata(&out).unwrap().ino();
        // A child whose standard output is `report.txt`, writing to
        // /dev/stdout as `kqlint check -o /dev/stdout` would.
        let status = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "atomic::tests::write_to_dev_stdout",
                "--ignored",
                "--nocapture",
            ])
            .stdout(file)
            .status()
            .unwrap();
        assert!(status.success());
        // (the test harness writes there too, so only the name's file is
        // compared, not its text)
        assert_eq!(
            fs::metadata(&out).unwrap().ino(),
            ino,
            "the file was replaced"
        );
        assert_eq!(d.entries(), ["report.txt"]);
    }

    #[test]
    #[ignore]
    fn write_to_dev_stdout() {
        write_atomic(Path::new("/dev/stdout"), b"through /dev/stdout\n").unwrap();
    }

    #[test]
    fn a_symlink_is_followed_and_kept() {
        let d = Dir::new("link");
        fs::create_dir_all(d.0.join("real")).unwrap();
        fs::write(d.0.join("real/q.kql"), "old").unwrap();
        symlink("real/q.kql", d.0.join("q.kql")).unwrap();
        let e = Editing::open(&d.0.join("q.kql"), 100).unwrap();
        assert_eq!(e.original(), b"old");
        e.replace(b"new").unwrap();
        assert!(
            fs::symlink_metadata(d.0.join("q.kql"))
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read_to_string(d.0.join("real/q.kql")).unwrap(), "new");
    }

    #[test]
    fn a_change_by_another_program_is_not_overwritten() {
        let d = Dir::new("changed");
        let p = d.0.join("q.kql");
        fs::write(&p, "old").unwrap();
        let e = Editing::open(&p, 100).unwrap();
        fs::write(&p, "edited meanwhile").unwrap();
        let err = e.replace(b"fixed").unwrap_err();
        assert!(
            err.to_string().contains("changed by another program"),
            "{err}"
        );
        assert_eq!(fs::read_to_string(&p).unwrap(), "edited meanwhile");
        assert_eq!(d.entries(), ["q.kql"]);
    }

    #[test]
    fn a_read_only_file_is_not_replaced() {
        if std::process::Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|o| o.stdout.trim_ascii() == b"0")
        {
            return; // root writes anyway
        }
        let d = Dir::new("ro");
        let p = d.0.join("q.kql");
        fs::write(&p, "old").unwrap();
        fs::set_permissions(&p, fs::Permissions::from_mode(0o444)).unwrap();
        let err = write_atomic(&p, b"new").unwrap_err();
        assert_eq!(err.error.kind(), io::ErrorKind::PermissionDenied, "{err}");
        assert_eq!(fs::read_to_string(&p).unwrap(), "old");
    }

    #[test]
    fn a_second_editor_waits_and_then_reads_the_new_file() {
        let d = Dir::new("lock");
        let p = d.0.join("q.kql");
        fs::write(&p, "v1").unwrap();
        let first = Editing::open(&p, 100).unwrap();
        let path = p.clone();
        let second = std::thread::spawn(move || {
            let e = Editing::open(&path, 100).unwrap();
            e.original().to_vec()
        });
        std::thread::sleep(std::time::Duration::from_millis(100));
        assert!(!second.is_finished(), "the lock did not hold");
        first.replace(b"v2").unwrap();
        assert_eq!(second.join().unwrap(), b"v2");
    }
}
