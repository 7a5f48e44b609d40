//! Helpers for the unit tests (one set for the whole crate): scratch directories, reading a tar
//! back, running as `nobody`. Integration tests have theirs in `tests/common/`.

use std::fs;
use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

/// A scratch directory under the system temp dir, removed on drop.
pub(crate) struct TempDir(PathBuf);

impl TempDir {
    pub(crate) fn new(tag: &str) -> TempDir {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos();
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("dc-unit-{tag}-{}-{n}-{nanos}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o755)).unwrap();
        TempDir(dir)
    }

    pub(crate) fn path(&self) -> &Path {
        &self.0
    }

    /// Writes a file, creating parent directories.
    pub(crate) fn file(&self, rel: &str, content: &[u8]) -> PathBuf {
        let p = self.0.join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(&p, content).unwrap();
        p
    }

    pub(crate) fn dir(&self, rel: &str) -> PathBuf {
        let p = self.0.join(rel);
        fs::create_dir_all(&p).unwrap();
        p
    }

    /// Writes a text file and returns its path.
    pub(crate) fn write(&self, rel: &str, body: &str) -> PathBuf {
        self.file(rel, body.as_bytes())
    }

    /// The directory as a string (for options JSON).
    pub(crate) fn s(&self) -> String {
        self.0.display().to_string()
    }

    /// Writes an executable shell script.
    pub(crate) fn write_script(&self, name: &str, body: &str) -> PathBuf {
        // Write to a temporary name and rename, so no other thread can exec the file while
        // this one still holds it open for writing (ETXTBSY).
        let tmp = self.0.join(format!(".{name}.tmp"));
        fs::write(&tmp, body).unwrap();
        fs::set_permissions(&tmp, fs::Permissions::from_mode(0o755)).unwrap();
        let p = self.0.join(name);
        fs::rename(&tmp, &p).unwrap();
        p
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        // Make everything removable again (tests chmod things to 000).
        fn open_up(p: &Path) {
            if let Ok(md) = fs::symlink_metadata(p)
                && md.is_dir() {
                    let _ = fs::set_permissions(p, fs::Permissions::from_mode(0o755));
                    if let Ok(rd) = fs::read_dir(p) {
                        rd.flatten().for_each(|e| open_up(&e.path()));
                    }
                }
        }
        open_up(&self.0);
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// One entry of a tar, as read back with the `tar` crate.
#[derive(Debug, Clone)]
pub(crate) struct Item {
    pub path: String,
    pub kind: tar::EntryType,
    pub link: String,
    pub mode: u32,
    pub uid: u64,
    pub gid: u64,
    pub uname: Vec<u8>,
    pub gname: Vec<u8>,
    pub mtime: u64,
    pub content: Vec<u8>,
}

pub(crate) fn read_tar(bytes: &[u8]) -> Vec<Item> {
    let mut ar = tar::Archive::new(bytes);
    let mut out = Vec::new();
    for e in ar.entries().unwrap() {
        let mut e = e.unwrap();
        let h = e.header().clone();
        let mut content = Vec::new();
        e.read_to_end(&mut content).unwrap();
        // `tar` strips a directory's trailing slash from `path()`; the raw bytes keep it.
        let path = String::from_utf8_lossy(&e.path_bytes()).into_owned();
        out.push(Item {
            path,
            kind: h.entry_type(),
            link: e.link_name().unwrap().map(|l| l.to_string_lossy().into_owned()).unwrap_or_default(),
            mode: h.mode().unwrap(),
            uid: h.uid().unwrap(),
            gid: h.gid().unwrap(),
            uname: h.username_bytes().unwrap_or_default().to_vec(),
            gname: h.groupname_bytes().unwrap_or_default().to_vec(),
            mtime: h.mtime().unwrap(),
            content,
        });
    }
    out
}

pub(crate) fn names(items: &[Item]) -> Vec<&str> {
    items.iter().map(|i| i.path.as_str()).collect()
}

/// Runs `f` on a thread whose filesystem uid/gid are `nobody`, so permission bits apply even
/// when the tests run as root (Linux `setfsuid` is per thread and drops that thread's file
/// capabilities; threads it spawns inherit it). Without the privilege to switch, `f` runs as
/// the current user, to whom permission bits apply anyway.
pub(crate) fn as_nobody<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::spawn(move || {
        // SAFETY: setfsuid/setfsgid only change this thread's credentials.
        unsafe {
            libc::setfsgid(65534);
            libc::setfsuid(65534);
        }
        f()
    })
    .join()
    .unwrap()
}

/// Whether a `chmod 000` file really is unreadable from an `as_nobody` thread here.
pub(crate) fn can_provoke_eacces(dir: &TempDir) -> bool {
    let p = dir.file(".probe-unreadable", b"x");
    fs::set_permissions(&p, fs::Permissions::from_mode(0o000)).unwrap();
    let blocked = as_nobody(move || fs::File::open(&p).is_err());
    let _ = fs::remove_file(dir.path().join(".probe-unreadable"));
    if !blocked {
        eprintln!("skipping the permission check: cannot make a file unreadable for this process");
    }
    blocked
}
