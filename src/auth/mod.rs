//! Registry credentials, resolved the way the docker CLI resolves them.
//!
//! - [`config`]: the [`AuthConfig`] the daemon takes, and its base64url header encodings.
//! - [`docker_config`]: reading the user's `config.json` ([`DockerConfig`]).
//! - [`registry_key`]: which config key a registry or image reference uses.
//! - [`config_edit`]: changing one `auths` entry of a config file, keeping every other byte.
//! - [`cred_helper`]: running `docker-credential-<name>` programs.
//! - [`resolve`]: the CLI's precedence (`credHelpers` → `credsStore` → `auths`) and the redacted
//!   description handed to C callers.
//!
//! Nothing in here ever puts a secret into a `Debug` print, an error message or a log.

pub mod config;
pub mod config_edit;
pub mod cred_helper;
pub mod docker_config;
pub mod registry_key;
pub mod resolve;

pub use config::{AuthConfig, encode_config_header};
pub use cred_helper::CredHelper;
pub use docker_config::DockerConfig;
pub use registry_key::{INDEX_SERVER, convert_to_hostname, normalize_registry, registry_for_reference};
pub use resolve::{Resolved, Source, redacted_json, resolve, resolve_all, resolve_with_source};
