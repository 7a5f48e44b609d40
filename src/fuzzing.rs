//! The bodies of the fuzz targets: each feeds arbitrary bytes to one parser of input the
//! library does not control (caller options, the environment's host string, `.dockerignore`
//! files, the daemon's progress streams and archives, docker config files, credential
//! helpers' answers, BuildKit's protobuf trace) and must return, never panic.
//!
//! Kept in the crate so that the cargo-fuzz targets (`fuzz/fuzz_targets/`, nightly) and the
//! corpus regression test (`tests/fuzz_corpus.rs`, stable, in `make test`) run the very same
//! code; each function is one target, named as its directory in `fuzz/corpus/`.

use std::io::Cursor;

use base64::Engine as _;

use crate::images;
use crate::options::parse;
use crate::stream::buildkit::BuildkitProgress;
use crate::stream::progress::ProgressSink;
use crate::stream::ProgressMode;

/// One fuzz target's body.
pub type Target = fn(&[u8]);

/// The targets, by name: what `make fuzz` runs and the corpus test walks.
pub const TARGETS: [(&str, Target); 8] = [
    ("options", options),
    ("endpoint", endpoint),
    ("dockerignore", dockerignore),
    ("progress_stream", progress_stream),
    ("tar_check", tar_check),
    ("docker_config", docker_config),
    ("cred_helper_answer", cred_helper_answer),
    ("buildkit_trace", buildkit_trace),
];

/// Every operation's options object, and the checks each makes before any request.
pub fn options(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let json = Some(text);
    let _ = parse::<crate::ClientOptions>("client options", json);
    if let Ok(o) = parse::<images::pull::PullOptions>("pull options", json) {
        let _ = images::pull::PullTarget::from_options(&o);
    }
    if let Ok(o) = parse::<images::build::BuildOptions>("build options", json) {
        let _ = images::build::buildkit::check_without_daemon(&o);
    }
    let _ = parse::<images::push::PushOptions>("push options", json);
    let _ = parse::<images::save::SaveOptions>("save options", json);
    let _ = parse::<images::load::LoadOptions>("load options", json);
    let _ = parse::<images::import::ImportOptions>("import options", json);
    let _ = parse::<images::list::ListOptions>("list options", json);
    let _ = parse::<images::inspect::InspectOptions>("inspect options", json);
    let _ = parse::<images::history::HistoryOptions>("history options", json);
    let _ = parse::<images::remove::RemoveOptions>("remove options", json);
    let _ = parse::<images::tag::TagOptions>("tag options", json);
    let _ = parse::<images::prune::PruneOptions>("prune options", json);
    let _ = parse::<images::search::SearchOptions>("search options", json);
    let _ = parse::<images::commit::CommitOptions>("commit options", json);
    let _ = parse::<images::distribution::DistributionOptions>("distribution options", json);
    let _ = parse::<images::build_prune::BuildPruneOptions>("build prune options", json);
    let _ = parse::<images::attestations::AttestationsOptions>("attestations options", json);
    let _ = parse::<crate::system::df::DfOptions>("disk usage options", json);
    let _ = parse::<crate::system::events::EventsOptions>("events options", json);
    let _ = parse::<crate::system::login::LoginOptions>("login options", json);
    // Event times in every form the CLI accepts, at a fixed moment and offset.
    let _ = crate::system::timestamp::to_daemon_at("since", text, 1_700_000_000, 3600);
    // The C layer takes the "cancel" key out before the operation's own parse.
    if let Ok(c) = std::ffi::CString::new(text) {
        // SAFETY: a NUL-terminated string that outlives the call.
        let _ = unsafe { crate::ffi::strings::options_with_cancel::<images::pull::PullOptions>(c.as_ptr(), "pull options") };
    }
    let _ = crate::reference::parse_normalized(text);
}

/// A host as DOCKER_HOST or the "host" option give it.
pub fn endpoint(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = crate::transport::Endpoint::parse(text, false);
    let _ = crate::transport::Endpoint::parse(text, true);
}

/// A `.dockerignore` (up to the first NUL) and the paths after it (one per line), matched.
pub fn dockerignore(data: &[u8]) {
    let (content, paths) = match data.iter().position(|b| *b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &b""[..]),
    };
    let Ok(rules) = crate::build_context::ignore::IgnoreRules::parse(content) else { return };
    let mut parent = None;
    for path in String::from_utf8_lossy(paths).lines() {
        let _ = rules.is_excluded(path);
        let m = rules.walk_match(path, parent.as_ref());
        let _ = rules.may_reinclude_under(path);
        parent = Some(m);
    }
}

/// A daemon's JSON-lines progress stream, through every mode (with the aggregate, and the
/// progress view a C caller would parse each delivery with).
pub fn progress_stream(data: &[u8]) {
    for (mode, aggregate) in [(ProgressMode::Json, true), (ProgressMode::Text, false), (ProgressMode::Raw, false)] {
        let mut cb = |d: &[u8]| {
            let _ = crate::stream::progress_view::view(d);
            true
        };
        let mut sink = ProgressSink::new(mode, aggregate, Some(&mut cb));
        let _ = sink.drain(Cursor::new(data), &mut |_| Ok(()));
    }
}

/// An archive the daemon sends (or a caller uploads), checked in uneven pieces.
pub fn tar_check(data: &[u8]) {
    let mut check = crate::tar::check::TarCheck::new();
    let mut rest = data;
    let mut step = 1;
    while !rest.is_empty() {
        let n = step.min(rest.len());
        check.feed(&rest[..n]);
        rest = &rest[n..];
        step = step * 7 % 1021 + 1;
    }
    let _ = check.finish();
}

/// A docker config file (`config.json`).
pub fn docker_config(data: &[u8]) {
    if let Ok(config) = crate::auth::DockerConfig::parse(data) {
        let _ = config.contains_auth();
    }
}

/// What a credential helper prints for `get` and for `list`.
pub fn cred_helper_answer(data: &[u8]) {
    let _ = crate::auth::cred_helper::parse_get_answer("registry.example.com", data);
    let _ = crate::auth::cred_helper::parse_list_answer(data);
}

/// A BuildKit trace message (the protobuf the daemon sends base64-encoded in "aux"), through
/// every progress mode, and a failure explained with it.
pub fn buildkit_trace(data: &[u8]) {
    let aux = base64::engine::general_purpose::STANDARD.encode(data);
    let msg = serde_json::json!({"id": "moby.buildkit.trace", "aux": aux});
    let raw = msg.to_string().into_bytes();
    for mode in [ProgressMode::Json, ProgressMode::Text, ProgressMode::Raw] {
        let mut progress = BuildkitProgress::new();
        for _ in 0..2 {
            let _ = progress.deliveries(&msg, &raw, mode);
        }
        let _ = progress.explain(crate::Error::from_stream("failed", None), mode);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_target_takes_the_empty_input_and_garbage() {
        for (_, target) in TARGETS {
            target(b"");
            target(b"\xff\x00{[\"");
        }
    }
}
