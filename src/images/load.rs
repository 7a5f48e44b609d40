//! `docker load`: `POST /images/load` with an image archive streamed from the caller's reader
//! or a file, in bounded memory, and the progress stream the daemon answers with.
//!
//! `quiet` is always sent: the daemon takes an absent `quiet` as true, so a caller asking for
//! progress would otherwise get none. The result lists what the daemon reported as loaded
//! (`Loaded image: name:tag` and, for archives saved by ID, `Loaded image ID: sha256:…`), with
//! the ID of each name looked up right after the load.
//!
//! Also home of [`InputFile`], the `input_path` reader `load` and `import` share.

use std::fs::File;
use std::io::{self, Read};
use std::path::PathBuf;

use serde::Deserialize;
use serde_json::Value;

use super::progress_call::run_stream;
use crate::images::platform;
use crate::options::string_or_list;
use crate::client::{Body, Call, Client, Query};
use crate::error::{Error, Result, Status};
use crate::stream::{ProgressFn, ProgressMode, ProgressSink};

/// The content type archives are sent with (as the docker CLI does).
pub const TAR: &str = "application/x-tar";

/// `POST /images/load` options (JSON keys are these field names).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoadOptions {
    /// Read the archive from this file instead of the read callback.
    pub input_path: Option<String>,
    /// Ask the daemon for no progress messages. Default: true without a progress callback,
    /// false with one. Always sent explicitly.
    pub quiet: Option<bool>,
    /// `"os/arch[/variant]"` or an array of them (API 1.48+, several from 1.52): load only these
    /// platforms of a multi-platform archive.
    #[serde(default, deserialize_with = "string_or_list")]
    pub platform: Option<Vec<String>>,
    /// `"json"` (default) or `"text"`, as for pull.
    #[serde(default)]
    pub progress: ProgressMode,
    /// JSON mode only: add overall-progress messages.
    #[serde(default)]
    pub aggregate: bool,
    /// Whole-call time limit in ms (0 = none; absent = the client's).
    pub timeout_ms: Option<u64>,
    /// Longest silence between two reads in ms (0 = none; absent = the client's).
    pub inactivity_timeout_ms: Option<u64>,
}

/// One image the daemon reported as loaded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadedImage {
    /// `name:tag` from `Loaded image: …`; `None` for an image loaded by ID only.
    pub name: Option<String>,
    /// The image ID: from `Loaded image ID: …`, or looked up for a name right after the load
    /// (`None` if the name was removed in between).
    pub id: Option<String>,
}

/// What [`load`] returns.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LoadResult {
    pub images: Vec<LoadedImage>,
}

impl LoadResult {
    /// `{"images": [{"name": "app:1" | null, "id": "sha256:…" | null}, …]}`.
    pub fn to_json(&self) -> String {
        let images: Vec<Value> = self
            .images
            .iter()
            .map(|i| serde_json::json!({"name": i.name, "id": i.id}))
            .collect();
        serde_json::json!({ "images": images }).to_string()
    }
}

/// Loads an archive from `input` or from `options.input_path` (exactly one of them), with
/// progress to `progress`. Statuses: invalid argument (bad options, both or neither input,
/// `input_path` a directory or unreadable), not found (`input_path` missing), unsupported
/// (`platform` on an old daemon), stream error and others (the daemon's error inside its answer,
/// e.g. a truncated or corrupt archive, with its message), cancelled (`progress` returned false),
/// transport/timeout. A failure of `input` itself surfaces as a transport error; the C layer
/// replaces it with the callback's own status.
pub fn load(
    client: &Client,
    options: &LoadOptions,
    input: Option<&mut dyn Read>,
    progress: Option<ProgressFn>,
) -> Result<LoadResult> {
    one_input(input.is_some(), options.input_path.is_some(), "image load", "\"input_path\"")?;
    let quiet = options.quiet.unwrap_or(progress.is_none());
    let mut query = Query::new();
    query.push("quiet", if quiet { "1" } else { "0" });
    for p in platform::oci_json_list(client, "load options", options.platform.as_deref())? {
        query.push("platform", p);
    }
    let call = Call::post("/images/load")
        .query(query)
        .limits(options.timeout_ms, options.inactivity_timeout_ms);
    let mut file = match &options.input_path {
        Some(path) => Some(InputFile::open("load options", path)?),
        None => None,
    };
    let mut sink = ProgressSink::new(options.progress, options.aggregate, progress);
    let mut images = Vec::new();
    let body = match (input, file.as_mut()) {
        (Some(r), _) => Body::Reader(r, TAR),
        (None, Some(f)) => Body::Reader(f, TAR),
        (None, None) => unreachable!("checked by one_input"),
    };
    let outcome = run_stream(client, &call, body, &mut sink, &mut |msg| {
        collect_loaded(msg, &mut images);
        Ok(())
    });
    if let Err(e) = outcome {
        return Err(match &file {
            Some(f) => f.explain(e),
            None => e,
        });
    }
    for image in &mut images {
        if image.id.is_none()
            && let Some(name) = &image.name
        {
            image.id = match super::inspect::image_id(client, "the loaded image", name) {
                Ok(id) => Some(id),
                Err(e) if e.status == Status::NotFound => None,
                Err(e) => return Err(e),
            };
        }
    }
    Ok(LoadResult { images })
}

/// Checks that exactly one input was given (`sources` names the option keys, quoted).
pub(crate) fn one_input(has_reader: bool, has_source: bool, what: &str, sources: &str) -> Result<()> {
    match (has_reader, has_source) {
        (true, true) => Err(Error::invalid(format!(
            "{what}: give either a read callback or {sources}, not both"
        ))),
        (false, false) => Err(Error::invalid(format!(
            "{what}: the read callback is NULL and no {sources} was given"
        ))),
        _ => Ok(()),
    }
}

/// Notes the images a `Loaded image: …` / `Loaded image ID: …` message reports.
fn collect_loaded(msg: &Value, images: &mut Vec<LoadedImage>) {
    let Some(text) = msg.get("stream").and_then(Value::as_str) else {
        return;
    };
    for line in text.lines() {
        if let Some(id) = line.strip_prefix("Loaded image ID: ") {
            images.push(LoadedImage { name: None, id: Some(id.trim().to_string()) });
        } else if let Some(name) = line.strip_prefix("Loaded image: ") {
            images.push(LoadedImage { name: Some(name.trim().to_string()), id: None });
        }
    }
}

/// An `input_path` opened for streaming. It remembers a read failure so the operation can
/// report it as such rather than as the transport error the HTTP layer turns it into.
pub struct InputFile {
    file: File,
    shown: String,
    failure: Option<io::Error>,
}

impl InputFile {
    /// Opens `path`: not found if it does not exist, invalid argument if it is a directory or
    /// cannot be opened; `what` names the options in messages.
    pub fn open(what: &str, path: &str) -> Result<InputFile> {
        let shown = path.escape_debug().to_string();
        let p = PathBuf::from(path);
        let meta = std::fs::metadata(&p).map_err(|e| {
            if e.kind() == io::ErrorKind::NotFound {
                Error::not_found(format!("{what}: \"input_path\" \"{shown}\" does not exist"))
            } else {
                Error::invalid(format!("{what}: \"input_path\" \"{shown}\": {e}"))
            }
        })?;
        if meta.is_dir() {
            return Err(Error::invalid(format!(
                "{what}: \"input_path\" \"{shown}\" is a directory, not an archive"
            )));
        }
        let file = File::open(&p)
            .map_err(|e| Error::invalid(format!("{what}: \"input_path\" \"{shown}\": {e}")))?;
        Ok(InputFile { file, shown, failure: None })
    }

    /// Replaces `e` by the file's own read failure when there was one.
    pub fn explain(&self, e: Error) -> Error {
        match &self.failure {
            Some(f) => Error::transport(format!("reading \"input_path\" \"{}\": {f}", self.shown)),
            None => e,
        }
    }
}

impl Read for InputFile {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            match self.file.read(buf) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    let copy = io::Error::new(e.kind(), e.to_string());
                    self.failure = Some(e);
                    return Err(copy);
                }
                ok => return ok,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loaded_lines_are_collected() {
        let mut images = Vec::new();
        for m in [
            serde_json::json!({"status": "Loading layer", "progressDetail": {"current": 1, "total": 2}, "id": "abc"}),
            serde_json::json!({"stream": "Loaded image: app:1\n"}),
            serde_json::json!({"stream": "Loaded image ID: sha256:0123\n"}),
            serde_json::json!({"stream": "The image x already exists, renaming the old one with ID sha256:1 to empty string\n"}),
        ] {
            collect_loaded(&m, &mut images);
        }
        assert_eq!(
            images,
            vec![
                LoadedImage { name: Some("app:1".into()), id: None },
                LoadedImage { name: None, id: Some("sha256:0123".into()) },
            ]
        );
        let r = LoadResult { images };
        assert_eq!(
            r.to_json(),
            r#"{"images":[{"id":null,"name":"app:1"},{"id":"sha256:0123","name":null}]}"#
        );
    }

    #[test]
    fn options_and_inputs_are_checked() {
        let e = crate::options::parse::<LoadOptions>("load options", Some(r#"{"quiet":"no"}"#)).unwrap_err();
        assert!(e.message.contains("quiet"), "{}", e.message);
        assert!(one_input(true, true, "image load", "\"input_path\"").unwrap_err().message.contains("not both"));
        assert!(one_input(false, false, "image load", "\"input_path\"").unwrap_err().message.contains("NULL"));
        let e = InputFile::open("load options", "/nonexistent/archive.tar").err().unwrap();
        assert_eq!(e.status, Status::NotFound);
        assert!(e.message.contains("input_path"), "{}", e.message);
        let e = InputFile::open("load options", "/").err().unwrap();
        assert_eq!(e.status, Status::InvalidArgument);
        assert!(e.message.contains("directory"), "{}", e.message);
    }
}
