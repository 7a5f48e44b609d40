//! Registry credentials, resolved the way the docker CLI resolves them.
//!
//! - [`config`]: the [`AuthConfig`] the daemon takes, and its base64url header encodings.
//! - [`docker_config`]: reading the user's `config.json` ([`DockerConfig`]).
//! - [`registry`]: which config key a registry or image reference uses.
//! - [`cred_helper`]: running `docker-credential-<name>` programs.
//! - [`resolve`]: the CLI's precedence (`credHelpers` → `credsStore` → `auths`) and the redacted
//!   description handed to C callers.
//!
//! Nothing in here ever puts a secret into a `Debug` print, an error message or a log.

pub mod config;
pub mod cred_helper;
pub mod docker_config;
pub mod registry;
pub mod resolve;

pub use config::{AuthConfig, encode_config_header};
pub use cred_helper::CredHelper;
pub use docker_config::DockerConfig;
pub use registry::{INDEX_SERVER, convert_to_hostname, normalize_registry, registry_for_reference};
pub use resolve::{Resolved, Source, redacted_json, resolve, resolve_all, resolve_with_source};

#[cfg(test)]
pub(crate) mod testutil {
    //! Temporary directories for tests, without extra crates and without touching the
    //! process environment (tests run in parallel threads).

    use std::path::{Path, PathBuf};
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A directory removed when dropped.
    pub struct TempDir(PathBuf);

    impl TempDir {
        pub fn new(tag: &str) -> TempDir {
            static N: AtomicUsize = AtomicUsize::new(0);
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0);
            let p = std::env::temp_dir().join(format!(
                "dc-auth-{tag}-{}-{}-{nanos}",
                std::process::id(),
                N.fetch_add(1, Ordering::SeqCst)
            ));
            std::fs::create_dir_all(&p).unwrap();
            TempDir(p)
        }

        pub fn path(&self) -> &Path {
            &self.0
        }

        /// Writes `body` to `name` inside the directory and returns its path.
        pub fn write(&self, name: &str, body: &str) -> PathBuf {
            let p = self.0.join(name);
            std::fs::write(&p, body).unwrap();
            p
        }

        /// Writes an executable shell script.
        #[cfg(unix)]
        pub fn write_script(&self, name: &str, body: &str) -> PathBuf {
            use std::os::unix::fs::PermissionsExt;
            // Write to a temporary name and rename, so no other thread can exec the file while
            // this one still holds it open for writing (ETXTBSY).
            let tmp = self.0.join(format!(".{name}.tmp"));
            std::fs::write(&tmp, body).unwrap();
            std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o755)).unwrap();
            let p = self.0.join(name);
            std::fs::rename(&tmp, &p).unwrap();
            p
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}
