//! `docker load`: `POST /images/load` with an image archive streamed from the caller's reader
//! or a file, in bounded memory, and the progress stream the daemon answers with.
//!
//! `quiet` is always sent: the daemon takes an absent `quiet` as true, so a caller asking for
//! progress would otherwise get none. The result lists what the daemon reported as loaded
//! (`Loaded image: name:tag` and, for archives saved by ID, `Loaded image ID: sha256:…`), with
//! the ID of each name looked up right after the load.

use serde_json::Value;

use super::io::{exactly_one, run_stream, Io, Upload};
use crate::client::{Call, Client, Query};
use crate::error::{Result, Status};
use crate::images::platform;
use crate::options::{options_struct, HasProgress};

options_struct! {
    /// `POST /images/load` options (JSON keys are these field names).
    pub struct LoadOptions {
        /// Read the archive from this file instead of the read callback.
        pub input_path: Option<String>,
        /// Ask the daemon for no progress messages. Default: true without a progress callback,
        /// false with one. Always sent explicitly.
        pub quiet: Option<bool>,
        /// `"os/arch[/variant]"` or an array of them (API 1.48+, several from 1.52): load only
        /// these platforms of a multi-platform archive.
        #[serde(default, deserialize_with = "crate::options::string_or_list")]
        pub platform: Option<Vec<String>>,
    }
    groups: [progress, limits]
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

/// Loads an archive from `io.input` or from `options.input_path` (exactly one of them), with
/// progress to `io.progress`. Statuses: invalid argument (bad options, both or neither input,
/// `input_path` a directory or unreadable), not found (`input_path` missing), unsupported
/// (`platform` on an old daemon), stream error and others (the daemon's error inside its answer,
/// e.g. a truncated or corrupt archive, with its message), cancelled (the progress writer
/// returned false), transport/timeout. A failure of `io.input` itself surfaces as a transport
/// error; the C layer replaces it with the callback's own status.
pub fn load(client: &Client, options: &LoadOptions, io: Io) -> Result<LoadResult> {
    options.check_progress()?;
    exactly_one("image load", "input", &[("a read callback", io.input.is_some()), ("\"input_path\"", options.input_path.is_some())])?;
    let quiet = options.quiet.unwrap_or(io.progress.is_none());
    let mut query = Query::new();
    query.push("quiet", if quiet { "1" } else { "0" });
    for p in platform::oci_json_list(client, "load options", options.platform.as_deref())? {
        query.push("platform", p);
    }
    let call = Call::post("/images/load").query(query).limits_of(options);
    let mut upload = Upload::open(io.input, options.input_path.as_deref(), "load options")?;
    let mut sink = options.sink(io.progress)?;
    let mut images = Vec::new();
    run_stream(client, &call, upload.body(), &mut sink, &mut |msg| {
        collect_loaded(msg, &mut images);
        Ok(())
    })
    .map_err(|e| upload.explain(e))?;
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
    }
}
