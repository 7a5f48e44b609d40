//! Helpers of the build tests: scratch contexts, running a build through the library (JSON or
//! text progress) and through the docker CLI's classic builder, and cleaning up images.
#![allow(dead_code)]

use std::io::Read;
use std::path::Path;

use dockerclient::images::build::{BuildOptions, build};
use dockerclient::images::io::Io;
use dockerclient::ProgressMode;
use dockerclient::{Client, Error};
use serde_json::Value;

use crate::common::engine::{engine, unique};

pub use crate::common::scratch::Scratch;

/// Images removed (by name or ID) when dropped, so a failing test leaves nothing behind.
#[derive(Default)]
pub struct Images(Vec<String>);

impl Images {
    pub fn add(&mut self, name_or_id: &str) {
        self.0.push(name_or_id.to_string());
    }
}

impl Drop for Images {
    fn drop(&mut self) {
        for i in self.0.iter().rev() {
            let _ = engine().docker(&["rmi", "-f", i]);
        }
    }
}

/// A unique, valid image name for a test.
pub fn image_name(prefix: &str) -> String {
    format!("dc-build-{}", unique(prefix))
}

pub fn client() -> Client {
    engine().client()
}

/// What a build through the library gave: the result (parsed) or error, and every progress
/// delivery (JSON mode: one message per delivery).
pub struct Run {
    pub result: Result<Value, Error>,
    pub deliveries: Vec<String>,
}

impl Run {
    /// Everything delivered, concatenated (text mode: what the CLI prints).
    pub fn text(&self) -> String {
        self.deliveries.concat()
    }

    /// The JSON messages (JSON mode).
    pub fn messages(&self) -> Vec<Value> {
        self.deliveries.iter().map(|d| serde_json::from_str(d.trim_end()).expect("one JSON message per delivery")).collect()
    }

    /// The build output (`stream` fields) in JSON mode, concatenated.
    pub fn output(&self) -> String {
        self.messages().iter().filter_map(|m| m.get("stream").and_then(Value::as_str).map(str::to_string)).collect()
    }

    pub fn ok(&self) -> &Value {
        match &self.result {
            Ok(v) => v,
            Err(e) => panic!("build failed: {e:?}\n--- output ---\n{}", self.text()),
        }
    }

    pub fn id(&self) -> String {
        self.ok()["id"].as_str().unwrap().to_string()
    }
}

/// Builds with `opts` (progress mode from the options), collecting every delivery.
pub fn run_build(opts: &BuildOptions, reader: Option<&mut dyn Read>) -> Run {
    run_build_on(&client(), opts, reader)
}

pub fn run_build_on(c: &Client, opts: &BuildOptions, reader: Option<&mut dyn Read>) -> Run {
    let mut deliveries = Vec::new();
    let mut cb = |b: &[u8]| {
        deliveries.push(String::from_utf8_lossy(b).into_owned());
        true
    };
    let io = Io { input: reader.map(|r| r as &mut dyn Read), progress: Some(&mut cb), ..Io::none() };
    let result = build(c, opts, io).map(|r| serde_json::from_str(&r.to_json()).expect("result is JSON"));
    Run { result, deliveries }
}

/// Options for a build of `dir` with everything else default.
pub fn dir_options(dir: &Path) -> BuildOptions {
    BuildOptions { context_dir: Some(dir.display().to_string()), ..Default::default() }
}

pub fn text_options(dir: &Path) -> BuildOptions {
    BuildOptions { progress: ProgressMode::Text, ..dir_options(dir) }
}

/// Runs the docker CLI against the test engine and insists it succeeds; returns stdout.
pub fn docker_ok(args: &[&str]) -> String {
    let out = engine().docker(args);
    assert!(out.status.success(), "docker {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `docker run --rm --network none <image> sh -c <script>`: the image's stdout.
pub fn run_in(image: &str, script: &str) -> String {
    docker_ok(&["run", "--rm", "--network", "none", image, "sh", "-c", script])
}

/// `docker image inspect` of one image, parsed.
pub fn inspect(image: &str) -> Value {
    let v: Value = serde_json::from_str(&docker_ok(&["image", "inspect", image])).unwrap();
    v[0].clone()
}

/// Output of `DOCKER_BUILDKIT=0 docker build <args>` against the test engine (the reference
/// the library is compared with): (success, stdout, stderr).
pub fn cli_build(args: &[&str]) -> (bool, String, String) {
    let e = engine();
    let out = e.docker_command().arg("build").args(args).output().expect("run the docker CLI");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The base image every test builds on.
pub fn base() -> String {
    engine().base_image()
}
