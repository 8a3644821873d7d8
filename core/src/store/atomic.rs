//! Crash-safe file writes and a cross-process lock, shared by the profile store and the
//! persisted session.
//!
//! [`atomic_write`]: write a temp file in the same directory, fsync it, rename it over the
//! target, fsync the directory. A reader (or a crash at any moment) sees the old file or the
//! new one, never a torn one.
//!
//! [`FileLock`]: an advisory lock (`flock` on Unix, `LockFileEx` on Windows, through std) on
//! a separate `<name>.lock` file — not on the data file, whose inode the rename replaces.
//! Read-modify-write under it, and two windows or processes never lose each other's change;
//! readers take it shared.

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use super::StoreError;

static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// Replaces `path` with `bytes` atomically and durably. The file is private to the user on
/// Unix (mode 0600). On failure the old file is untouched and the temp file is removed.
pub fn atomic_write(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    let dir = parent_dir(path);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "file".to_owned());
    let tmp = dir.join(format!(
        ".{name}.tmp-{}-{}",
        std::process::id(),
        TEMP_COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let result = write_temp(&tmp, bytes)
        .and_then(|()| replace(&tmp, path).map_err(|e| StoreError::io("replace", path, e)))
        .and_then(|()| sync_dir(&dir));
    if result.is_err() {
        // Best effort: the temp file may not exist (creating it failed) or be gone already.
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Renames `tmp` over `path`. On Windows a file that another program holds open without
/// `FILE_SHARE_DELETE` (an editor, an antivirus or backup scan) cannot be replaced until that
/// handle closes: "access denied" or "sharing violation". Such holds are usually brief, so
/// the rename is retried for up to [`WINDOWS_REPLACE_PATIENCE`] before the error is returned.
/// (Handles opened by Rust's std, such as Tebiki's own readers, share deletion: no wait.)
fn replace(tmp: &Path, path: &Path) -> std::io::Result<()> {
    #[cfg(windows)]
    {
        let deadline = Instant::now() + WINDOWS_REPLACE_PATIENCE;
        let mut pause = Duration::from_millis(5);
        loop {
            match fs::rename(tmp, path) {
                // 5 ERROR_ACCESS_DENIED, 32 ERROR_SHARING_VIOLATION.
                Err(e) if matches!(e.raw_os_error(), Some(5 | 32)) && Instant::now() < deadline => {
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(Duration::from_millis(100));
                }
                other => return other,
            }
        }
    }
    #[cfg(not(windows))]
    fs::rename(tmp, path)
}

/// How long a write waits for another program to let go of the file it replaces (Windows).
pub const WINDOWS_REPLACE_PATIENCE: Duration = Duration::from_secs(2);

fn write_temp(tmp: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(tmp)
        .map_err(|e| StoreError::io("create", tmp, e))?;
    file.write_all(bytes)
        .map_err(|e| StoreError::io("write", tmp, e))?;
    file.sync_all()
        .map_err(|e| StoreError::io("flush to disk", tmp, e))
}

/// Makes a rename in `dir` durable. Unix only: Windows cannot open a directory as a file,
/// and NTFS journals the rename itself.
pub(crate) fn sync_dir(dir: &Path) -> Result<(), StoreError> {
    #[cfg(unix)]
    {
        File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| StoreError::io("flush to disk", dir, e))?;
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// An exclusive advisory lock, held until dropped.
#[derive(Debug)]
pub struct FileLock {
    file: File,
    path: PathBuf,
}

impl FileLock {
    /// Locks `lock_path` (created if missing) for a writer, waiting at most `timeout`.
    pub fn acquire(lock_path: &Path, timeout: Duration) -> Result<FileLock, StoreError> {
        FileLock::acquire_as(lock_path, timeout, false)
    }

    /// Locks `lock_path` for a reader: readers share, a writer waits for them. (On Windows a
    /// file open for reading can block the writer's rename; on Unix it is just tidy.)
    pub fn acquire_shared(lock_path: &Path, timeout: Duration) -> Result<FileLock, StoreError> {
        FileLock::acquire_as(lock_path, timeout, true)
    }

    fn acquire_as(
        lock_path: &Path,
        timeout: Duration,
        shared: bool,
    ) -> Result<FileLock, StoreError> {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(lock_path)
            .map_err(|e| StoreError::io("open the lock file", lock_path, e))?;
        let deadline = Instant::now() + timeout;
        let mut pause = Duration::from_millis(1);
        loop {
            let attempt = if shared {
                file.try_lock_shared()
            } else {
                file.try_lock()
            };
            match attempt {
                Ok(()) => {
                    return Ok(FileLock {
                        file,
                        path: lock_path.to_path_buf(),
                    });
                }
                Err(TryLockError::WouldBlock) => {
                    if Instant::now() >= deadline {
                        return Err(StoreError::Busy {
                            lock: lock_path.to_path_buf(),
                        });
                    }
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(Duration::from_millis(20));
                }
                Err(TryLockError::Error(e)) => {
                    return Err(StoreError::io("lock", lock_path, e));
                }
            }
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for FileLock {
    fn drop(&mut self) {
        // Closing the file releases the lock anyway; unlocking first just makes it prompt.
        let _ = self.file.unlock();
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn temp_dir(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!(
            "tebiki-atomic-{tag}-{}-{}",
            std::process::id(),
            TEMP_COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn atomic_write_replaces_content_and_leaves_no_temp_files() {
        let d = temp_dir("replace");
        let p = d.join("session.json");
        atomic_write(&p, b"one").unwrap();
        atomic_write(&p, b"two").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"two");
        let names: Vec<_> = fs::read_dir(&d)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("session.json")]);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn atomic_write_into_a_missing_directory_fails_clearly_and_touches_nothing() {
        let d = temp_dir("missing");
        let p = d.join("no-such-dir").join("x.json");
        let err = atomic_write(&p, b"x").unwrap_err();
        assert!(err.to_string().contains("no-such-dir"), "{err}");
        assert!(!d.join("no-such-dir").exists());
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn second_lock_waits_then_reports_busy() {
        let d = temp_dir("lock");
        let lp = d.join("x.lock");
        let held = FileLock::acquire(&lp, Duration::from_secs(1)).unwrap();
        let started = Instant::now();
        let err = FileLock::acquire(&lp, Duration::from_millis(150)).unwrap_err();
        assert!(started.elapsed() >= Duration::from_millis(150));
        assert!(matches!(err, StoreError::Busy { .. }), "{err}");
        drop(held);
        // Readers share; a writer waits for them.
        let r1 = FileLock::acquire_shared(&lp, Duration::from_millis(150)).unwrap();
        let r2 = FileLock::acquire_shared(&lp, Duration::from_millis(150)).unwrap();
        assert!(matches!(
            FileLock::acquire(&lp, Duration::from_millis(50)),
            Err(StoreError::Busy { .. })
        ));
        drop((r1, r2));
        FileLock::acquire(&lp, Duration::from_millis(150)).unwrap();
        fs::remove_dir_all(&d).unwrap();
    }
}
