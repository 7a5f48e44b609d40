//! The private test engine and registries started by `scripts/test-engine.sh`.
//!
//! The first test that needs them runs `scripts/test-engine.sh up` (idempotent: it reuses
//! what is already up) and reads the variables it writes to `env.sh`.

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

use dockerclient::{Client, ClientOptions};

pub struct Engine {
    vars: HashMap<String, String>,
}

impl Engine {
    pub fn var(&self, key: &str) -> String {
        self.vars.get(key).cloned().unwrap_or_else(|| panic!("{key} missing from env.sh"))
    }
    pub fn unix(&self) -> String {
        self.var("DC_TEST_UNIX")
    }
    pub fn tcp(&self) -> String {
        self.var("DC_TEST_TCP")
    }
    pub fn tls(&self) -> String {
        self.var("DC_TEST_TLS")
    }
    pub fn certs(&self) -> PathBuf {
        PathBuf::from(self.var("DC_TEST_CERTS"))
    }
    pub fn registry(&self) -> String {
        self.var("DC_TEST_REGISTRY")
    }
    pub fn auth_registry(&self) -> String {
        self.var("DC_TEST_AUTH_REGISTRY")
    }
    pub fn registry_user(&self) -> String {
        self.var("DC_TEST_REGISTRY_USER")
    }
    pub fn registry_password(&self) -> String {
        self.var("DC_TEST_REGISTRY_PASSWORD")
    }
    pub fn base_image(&self) -> String {
        self.var("DC_TEST_BASE_IMAGE")
    }

    /// A client on the engine's Unix socket.
    pub fn client(&self) -> Client {
        self.client_with(&format!(r#"{{"host": "{}"}}"#, self.unix()))
    }

    pub fn client_with(&self, json: &str) -> Client {
        let opts: ClientOptions = serde_json::from_str(json).expect("client options");
        Client::new(&opts).expect("client")
    }

    /// The docker CLI aimed at the test engine, with the tests' own DOCKER_CONFIG and the
    /// classic builder (the engine has no BuildKit); add arguments, stdin, and run it.
    pub fn docker_command(&self) -> Command {
        let mut cmd = Command::new("docker");
        cmd.args(["-H", &self.unix()])
            .env("DOCKER_CONFIG", self.cli_config_dir())
            .env("DOCKER_BUILDKIT", "0");
        cmd
    }

    /// Runs the docker CLI against the test engine (for setting up and checking state).
    pub fn docker(&self, args: &[&str]) -> std::process::Output {
        self.docker_command().args(args).output().expect("run docker CLI")
    }

    /// A DOCKER_CONFIG directory of the tests' own, so the user's ~/.docker is never touched.
    pub fn cli_config_dir(&self) -> PathBuf {
        let d = PathBuf::from(self.var("DC_TEST_DIR")).join("cli-config");
        std::fs::create_dir_all(&d).unwrap();
        d
    }
}

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The engine, started on first use.
pub fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        // The engine and registries, then what remote connections need (sshd, proxies).
        let mut vars = HashMap::new();
        for script in ["scripts/test-engine.sh", "scripts/test-remote.sh"] {
            let script = repo_root().join(script);
            let out = Command::new("bash").arg(&script).arg("up").output().expect("run the test setup script");
            assert!(
                out.status.success(),
                "{} up failed:\n{}\n{}",
                script.display(),
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            let env = Command::new("bash").arg(&script).arg("env").output().expect("print the setup's environment");
            for line in String::from_utf8_lossy(&env.stdout).lines() {
                let line = line.trim().trim_start_matches("export ");
                if let Some((k, v)) = line.split_once('=') {
                    vars.insert(k.to_string(), v.trim_matches(|c| c == '"' || c == '\'').to_string());
                }
            }
        }
        Engine { vars }
    })
}

/// A name unique to this test process, for images and tags tests create.
pub fn unique(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    format!("{prefix}-{}-{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed))
}
