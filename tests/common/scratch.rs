//! A scratch directory of the test's own under the system temp dir, removed when dropped (one
//! helper for every integration test).

use std::path::{Path, PathBuf};

use super::engine::unique;

pub struct Scratch(PathBuf);

impl Scratch {
    /// A new, empty directory whose name starts with `prefix` and is unique to this run.
    pub fn new(prefix: &str) -> Scratch {
        let p = std::env::temp_dir().join(unique(prefix));
        std::fs::create_dir_all(&p).unwrap();
        Scratch(p)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    /// The directory as a string (for options JSON).
    pub fn s(&self) -> String {
        self.0.display().to_string()
    }

    /// A path inside the directory (nothing is created).
    pub fn join(&self, rel: &str) -> PathBuf {
        self.0.join(rel)
    }

    /// Writes a file (creating its parent directories) and returns its path.
    pub fn file(&self, rel: &str, body: impl AsRef<[u8]>) -> PathBuf {
        let p = self.0.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, body).unwrap();
        p
    }

    /// Creates a directory (and its parents) and returns its path.
    pub fn dir(&self, rel: &str) -> PathBuf {
        let p = self.0.join(rel);
        std::fs::create_dir_all(&p).unwrap();
        p
    }

    /// The names directly inside the directory, sorted.
    pub fn entries(&self) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(&self.0)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .collect();
        v.sort();
        v
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
