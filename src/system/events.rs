//! `GET /events`: the daemon's events as they happen, one JSON message each.
//!
//! The call runs until the daemon ends the stream (`until` reached), the callback returns
//! false (`DC_CANCELLED`), a cancel token stops it, or a time limit expires. It never
//! reconnects: an event stream that broke may have lost events, and only the caller knows
//! whether to resume (`since` = the last event's `time`) or to start over. Memory is bounded:
//! each event is handed over as it is read.
//!
//! Framing: daemons up to Engine 28 (API ≤ 1.51) send `application/json`, objects one per
//! line; newer ones may send `application/jsonl` or, when asked, `application/json-seq`. The
//! library asks for JSON lines and reads any of the three (the message reader takes the
//! record separator of json-seq as white space).

use serde::Deserialize;
use serde_json::Value;

use super::timestamp;
use crate::client::{ApiVersion, Body, Call, Client};
use crate::error::Result;
use crate::images::filters;
use crate::images::io::WriteFn;
use crate::stream::progress::ProgressSink;
use crate::stream::ProgressMode;

/// The filters of `GET /events`, each an array of strings as the daemon reads them.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventFilters {
    /// `"image"`, `"container"`, `"volume"`, `"network"`, `"daemon"`, `"plugin"`, `"node"`,
    /// `"service"`, `"secret"`, `"config"`, `"builder"`.
    #[serde(rename = "type")]
    pub kind: Option<Vec<String>>,
    /// What happened: `"pull"`, `"push"`, `"tag"`, `"untag"`, `"delete"`, `"import"`,
    /// `"load"`, `"save"`, `"prune"`, ….
    pub event: Option<Vec<String>>,
    /// An image name (with or without its tag) or ID.
    pub image: Option<Vec<String>>,
    /// `key` or `key=value` of a label.
    pub label: Option<Vec<String>>,
    pub container: Option<Vec<String>>,
    pub volume: Option<Vec<String>>,
    pub network: Option<Vec<String>>,
    pub daemon: Option<Vec<String>>,
    pub plugin: Option<Vec<String>>,
    /// `"local"` or `"swarm"`.
    pub scope: Option<Vec<String>>,
    pub node: Option<Vec<String>>,
    pub service: Option<Vec<String>>,
    pub secret: Option<Vec<String>>,
    pub config: Option<Vec<String>>,
}

impl EventFilters {
    fn pairs(&self) -> Vec<filters::Pair<'_>> {
        [
            ("type", &self.kind),
            ("event", &self.event),
            ("image", &self.image),
            ("label", &self.label),
            ("container", &self.container),
            ("volume", &self.volume),
            ("network", &self.network),
            ("daemon", &self.daemon),
            ("plugin", &self.plugin),
            ("scope", &self.scope),
            ("node", &self.node),
            ("service", &self.service),
            ("secret", &self.secret),
            ("config", &self.config),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.as_deref().filter(|v| !v.is_empty()).map(|v| (k, v)))
        .collect()
    }
}

crate::options::options_struct! {
    /// Options of `GET /events` (the JSON object `dc_system_events` takes).
    pub struct EventsOptions {
        /// Events from this time on (the daemon keeps the last 256): a Unix time, a date
        /// (`2024-05-01T10:30:00Z`) or a duration before now (`10m`).
        pub since: Option<String>,
        /// Stop at this time (the stream then ends by itself); same forms. A time in the past
        /// replays what the daemon kept and ends at once.
        pub until: Option<String>,
        pub filters: Option<EventFilters>,
    }
    groups: [limits]
}

/// First API version whose `/events` reads every filter key named here (`type`, `scope`, …).
pub const FILTERS_MIN: ApiVersion = ApiVersion::new(1, 24);

const WHAT: &str = "events options";

/// Streams events to `on_event` (each delivery one event as the daemon wrote it, plus "\n"),
/// until the stream ends. Returns how many events were delivered.
///
/// Errors: invalid argument (a time that is none of the accepted forms), unsupported (filters
/// before 1.24), cancelled (the callback returned false, or the call's cancel token), timeout
/// (the call's limits: an event stream is often silent, so an inactivity limit ends it),
/// transport.
pub fn events(client: &Client, opts: &EventsOptions, on_event: WriteFn) -> Result<u64> {
    let since = opts.since.as_deref().map(|v| timestamp::to_daemon(&format!("{WHAT}: \"since\""), v)).transpose()?;
    let until = opts.until.as_deref().map(|v| timestamp::to_daemon(&format!("{WHAT}: \"until\""), v)).transpose()?;
    let pairs = opts.filters.as_ref().map(EventFilters::pairs).unwrap_or_default();
    if !pairs.is_empty() {
        client.require(&format!("{WHAT}: \"filters\""), FILTERS_MIN)?;
    }
    let mut q = crate::client::Query::new();
    q.push_opt("since", since);
    q.push_opt("until", until);
    q.push_opt("filters", filters::encode(&pairs, client.api_version()?));
    let call = Call::get("/events")
        .query(q)
        .header("Accept", "application/jsonl, application/x-ndjson;q=0.9, application/json;q=0.8".to_string())
        .limits_of(opts);
    let mut sink = ProgressSink::new(ProgressMode::Json, false, Some(on_event));
    let response = client.send(&call, Body::Empty)?;
    let summary = sink.drain(response.into_reader(), &mut |_: &Value| Ok(()))?;
    Ok(summary.messages)
}
