//! Where a save with `output_path` (and a BuildKit build's tar output) writes: a regular file
//! replaced atomically, or a device or pipe written in place.
//!
//! A regular file (or a name that does not exist yet) is written to a hidden temporary file
//! next to it and renamed into place only once the archive is complete and synced, so a failed
//! save never leaves a truncated file where the caller expects an archive. A symbolic link is
//! followed, so the link stays and its target is replaced.
//!
//! A character device, FIFO or other special file (`/dev/null`, `/dev/stdout`, a named pipe a
//! reader waits on) cannot be replaced by a rename, and must not be: renaming a temporary file
//! over `/dev/null` would replace the device for the whole machine. Those are opened and written
//! directly; what a failed save already wrote to them cannot be taken back.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{Error, Result};

/// Numbers temporary files within this process.
static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// How many symbolic links are followed before giving up (Linux's own limit).
const MAX_LINKS: usize = 40;

/// The destination of a save. Dropped without [`SaveOutput::commit`] (any failure, a panic),
/// a temporary file removes itself.
pub struct SaveOutput {
    file: Option<File>,
    /// Empty for a special file written in place (nothing to rename or remove).
    temp: PathBuf,
    target: PathBuf,
    /// The option and its value, for messages about writing: `"output_path" "<path>"`.
    label: String,
}

impl SaveOutput {
    /// Checks `output_path` and opens what the archive is written to, before anything is sent
    /// to the daemon.
    pub fn open(path: &str) -> Result<SaveOutput> {
        SaveOutput::open_for(path, "save options", "\"output_path\"")
    }

    /// As [`SaveOutput::open`], for another option (a build's tar output): messages name the
    /// options object and the key.
    pub fn open_for(path: &str, options: &str, key: &str) -> Result<SaveOutput> {
        let label = format!("{key} \"{}\"", path.escape_debug());
        let shown = format!("{options}: {label}");
        if path.is_empty() {
            return Err(Error::invalid(format!("{options}: {key} is empty")));
        }
        let target = follow_links(Path::new(path), &shown)?;
        if path.ends_with('/') || target.is_dir() {
            return Err(Error::invalid(format!(
                "{shown} is a directory; name the archive file"
            )));
        }
        match std::fs::metadata(&target) {
            Ok(meta) if !meta.file_type().is_file() => {
                return SaveOutput::special(target, meta.file_type(), &shown, label);
            }
            _ => {}
        }
        SaveOutput::temporary(target, &shown, label)
    }

    /// A device or FIFO: opened for writing as it is (no create, no truncate, no rename).
    fn special(target: PathBuf, kind: std::fs::FileType, shown: &str, label: String) -> Result<SaveOutput> {
        if kind.is_socket() {
            return Err(Error::invalid(format!(
                "{shown} is a socket; name a file, a device or a FIFO"
            )));
        }
        let file = OpenOptions::new().write(true).open(&target).map_err(|e| {
            Error::invalid(format!("{shown}: cannot open it for writing: {e}"))
        })?;
        Ok(SaveOutput { file: Some(file), temp: PathBuf::new(), target, label })
    }

    /// A regular file or a new name: `<dir>/.<name>.tmp-<pid>-<n>` (mode 0644 less the umask).
    fn temporary(target: PathBuf, shown: &str, label: String) -> Result<SaveOutput> {
        let Some(name) = target.file_name() else {
            return Err(Error::invalid(format!(
                "{shown} does not name a file"
            )));
        };
        let dir = match target.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        if !dir.is_dir() {
            let e = if dir.exists() {
                Error::invalid(format!(
                    "{shown}: \"{}\" is not a directory",
                    dir.display()
                ))
            } else {
                Error::not_found(format!(
                    "{shown}: directory \"{}\" does not exist",
                    dir.display()
                ))
            };
            return Err(e);
        }
        let mut temp_name = std::ffi::OsString::from(".");
        temp_name.push(name);
        temp_name.push(format!(
            ".tmp-{}-{}",
            std::process::id(),
            TEMP_COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let temp = dir.join(temp_name);
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o644)
            .open(&temp)
            .map_err(|e| {
                Error::invalid(format!(
                    "{shown}: cannot create \"{}\": {e}",
                    temp.display()
                ))
            })?;
        Ok(SaveOutput { file: Some(file), temp, target, label })
    }

    /// The file the archive goes to (for a zero-copy transfer).
    pub fn file_mut(&mut self) -> &mut File {
        self.file.as_mut().expect("file open until commit")
    }

    /// What messages call the destination: `"output_path" "<path>"` for a save.
    pub fn label(&self) -> String {
        self.label.clone()
    }

    pub fn write(&mut self, chunk: &[u8]) -> Result<()> {
        let file = self.file.as_mut().expect("file open until commit");
        file.write_all(chunk).map_err(|e| self.io_error("writing", e))
    }

    /// Syncs a complete archive file and renames it into place; a special file is just closed.
    pub fn commit(mut self) -> Result<()> {
        let file = self.file.take().expect("file open until commit");
        if self.temp.as_os_str().is_empty() {
            return Ok(());
        }
        file.sync_all().map_err(|e| self.io_error("syncing", e))?;
        drop(file);
        std::fs::rename(&self.temp, &self.target)
            .map_err(|e| self.io_error("renaming the finished archive to", e))?;
        // The rename itself survives a crash only once the directory is synced; best effort.
        if let Some(dir) = self.target.parent().filter(|d| !d.as_os_str().is_empty())
            && let Ok(d) = File::open(dir)
        {
            let _ = d.sync_all();
        }
        self.temp = PathBuf::new();
        Ok(())
    }

    fn io_error(&self, doing: &str, e: std::io::Error) -> Error {
        Error::transport(format!("{doing} {}: {e}", self.label()))
    }
}

impl Drop for SaveOutput {
    fn drop(&mut self) {
        drop(self.file.take());
        if !self.temp.as_os_str().is_empty() {
            let _ = std::fs::remove_file(&self.temp);
        }
    }
}

/// Follows symbolic links (also dangling ones: the archive is created where the link points),
/// so the rename replaces the link's target and leaves the link.
fn follow_links(path: &Path, shown: &str) -> Result<PathBuf> {
    let mut current = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        match std::fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let link = std::fs::read_link(&current).map_err(|e| {
                    Error::invalid(format!("{shown}: cannot read the link: {e}"))
                })?;
                current = match current.parent() {
                    Some(dir) if link.is_relative() => dir.join(link),
                    _ => link,
                };
            }
            _ => return Ok(current),
        }
    }
    Err(Error::invalid(format!(
        "{shown}: more than {MAX_LINKS} symbolic links"
    )))
}
