//! The state of a BuildKit build as its progress trace tells it, and the events each update
//! makes of it.
//!
//! The daemon sends one `StatusResponse` per update; a vertex appears in many of them (once
//! when it starts, again when it completes, with the same fields repeated). [`Trace::apply`]
//! turns each update into what changed, in the order a reader wants it: vertices that started,
//! then counters, then log output, then warnings, then vertices that completed (so a step's
//! last output comes before its `DONE`).
//!
//! Vertices are numbered from 1 in the order they start, as `docker buildx build
//! --progress=plain` numbers them. Memory stays bounded: per vertex, its name, times, error and
//! the last [`RECENT_LINES`] lines of output (what an error report quotes).

use std::collections::{HashMap, VecDeque};

use super::proto::{StatusResponse, Timestamp, VertexLog, VertexStatus, VertexWarning};

/// How many of a vertex's last output lines are kept for an error report (as buildx does).
pub const RECENT_LINES: usize = 10;
/// Longest kept output line, and longest name or error kept (bytes).
const MAX_KEPT: usize = 4096;
/// Most vertices tracked: beyond this, new ones are not followed (a trace is only progress).
const MAX_VERTICES: usize = 100_000;
/// Most warnings kept for the result.
const MAX_WARNINGS: usize = 1000;

/// What is known of one vertex.
#[derive(Debug, Clone, Default)]
pub struct VertexState {
    pub digest: String,
    pub name: String,
    /// 1-based, in start order; 0 until it started.
    pub number: u32,
    pub started: Option<Timestamp>,
    pub completed: Option<Timestamp>,
    pub cached: bool,
    pub error: Option<String>,
    /// The last lines of its output (without their line end).
    pub recent: VecDeque<String>,
    /// The last output chunk did not end a line: the next one continues it.
    pub partial: bool,
    reported_start: bool,
    reported_end: bool,
}

impl VertexState {
    /// How it ended, once it has.
    pub fn outcome(&self) -> Option<Outcome> {
        self.completed?;
        Some(match &self.error {
            Some(e) if e.ends_with("context canceled") => Outcome::Canceled,
            Some(e) => Outcome::Error(e.clone()),
            None if self.cached => Outcome::Cached,
            None => Outcome::Done,
        })
    }

    /// Seconds from its start to `t` (0 when it has no start).
    pub fn since_start(&self, t: Option<Timestamp>) -> f64 {
        match (self.started, t) {
            (Some(s), Some(t)) => (t.as_secs_f64() - s.as_secs_f64()).max(0.0),
            _ => 0.0,
        }
    }

    fn remember_output(&mut self, msg: &[u8]) {
        let text = String::from_utf8_lossy(msg);
        let mut pieces = text.split('\n').peekable();
        while let Some(piece) = pieces.next() {
            let last = pieces.peek().is_none();
            if last && piece.is_empty() {
                // The chunk ended a line.
                self.partial = false;
                break;
            }
            match (self.partial, self.recent.back_mut()) {
                (true, Some(line)) => push_capped(line, piece),
                _ => {
                    if self.recent.len() == RECENT_LINES {
                        self.recent.pop_front();
                    }
                    let mut line = String::new();
                    push_capped(&mut line, piece);
                    self.recent.push_back(line);
                }
            }
            self.partial = last;
        }
    }
}

fn push_capped(line: &mut String, piece: &str) {
    for c in piece.chars() {
        if line.len() + c.len_utf8() > MAX_KEPT {
            break;
        }
        line.push(c);
    }
}

fn capped(s: &str) -> String {
    let mut out = String::new();
    push_capped(&mut out, s);
    out
}

/// How a vertex ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Done,
    Cached,
    Error(String),
    Canceled,
}

/// What one update changed. `vertex` indexes [`Trace::vertex`].
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    Started { vertex: usize },
    Status { vertex: usize, status: VertexStatus },
    Log { vertex: usize, log: VertexLog },
    Warning { vertex: Option<usize>, warning: VertexWarning },
    Completed { vertex: usize },
}

/// The build as the trace has told it so far.
#[derive(Debug, Default)]
pub struct Trace {
    vertices: Vec<VertexState>,
    by_digest: HashMap<String, usize>,
    next_number: u32,
    /// The warnings' short texts, in order (bounded).
    warnings: Vec<String>,
}

impl Trace {
    pub fn new() -> Trace {
        Trace::default()
    }

    pub fn vertex(&self, i: usize) -> &VertexState {
        &self.vertices[i]
    }

    /// The vertex with this digest, known or new (`None` once [`MAX_VERTICES`] are tracked).
    fn index(&mut self, digest: &str) -> Option<usize> {
        if let Some(&i) = self.by_digest.get(digest) {
            return Some(i);
        }
        if self.vertices.len() >= MAX_VERTICES {
            return None;
        }
        let i = self.vertices.len();
        self.vertices.push(VertexState { digest: digest.to_string(), ..VertexState::default() });
        self.by_digest.insert(digest.to_string(), i);
        Some(i)
    }

    fn start(&mut self, i: usize, events: &mut Vec<Event>) {
        let v = &mut self.vertices[i];
        if !v.reported_start {
            v.reported_start = true;
            self.next_number += 1;
            v.number = self.next_number;
            events.push(Event::Started { vertex: i });
        }
    }

    /// Folds one update into the state and returns what changed (see the module documentation
    /// for the order).
    pub fn apply(&mut self, update: StatusResponse) -> Vec<Event> {
        let mut events = Vec::new();
        let mut completed = Vec::new();
        for v in update.vertexes {
            let Some(i) = self.index(&v.digest) else { continue };
            let state = &mut self.vertices[i];
            if !v.name.is_empty() {
                state.name = capped(&v.name);
            }
            state.cached |= v.cached;
            if v.started.is_some() {
                state.started = v.started;
            }
            if v.completed.is_some() {
                state.completed = v.completed;
            }
            if !v.error.is_empty() {
                state.error = Some(capped(&v.error));
            }
            if state.started.is_some() || state.completed.is_some() {
                self.start(i, &mut events);
            }
            let state = &mut self.vertices[i];
            if state.completed.is_some() && !state.reported_end {
                state.reported_end = true;
                completed.push(i);
            }
        }
        for status in update.statuses {
            let Some(&i) = self.by_digest.get(&status.vertex) else { continue };
            if status.started.is_some() && self.vertices[i].reported_start {
                events.push(Event::Status { vertex: i, status });
            }
        }
        for log in update.logs {
            let Some(i) = self.index(&log.vertex) else { continue };
            self.start(i, &mut events);
            self.vertices[i].remember_output(&log.msg);
            events.push(Event::Log { vertex: i, log });
        }
        for warning in update.warnings {
            let vertex = self.by_digest.get(&warning.vertex).copied();
            if self.warnings.len() < MAX_WARNINGS {
                self.warnings.push(capped(&String::from_utf8_lossy(&warning.short)));
            }
            events.push(Event::Warning { vertex, warning });
        }
        events.extend(completed.into_iter().map(|vertex| Event::Completed { vertex }));
        events
    }

    /// The warnings reported so far (their short texts).
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// The vertex that failed (the first to, as buildx reports it), if any did.
    pub fn failed(&self) -> Option<&VertexState> {
        self.vertices
            .iter()
            .filter(|v| matches!(v.outcome(), Some(Outcome::Error(_))))
            .min_by_key(|v| v.number)
    }
}

#[cfg(test)]
mod tests {
    use super::super::proto::Vertex;
    use super::*;

    fn ts(s: i64) -> Option<Timestamp> {
        Some(Timestamp { seconds: s, nanos: 0 })
    }

    fn vertex(d: &str, name: &str, started: Option<Timestamp>, completed: Option<Timestamp>) -> Vertex {
        Vertex { digest: d.into(), name: name.into(), started, completed, ..Default::default() }
    }

    #[test]
    fn numbers_follow_start_order_and_completion_comes_last() {
        let mut t = Trace::new();
        let e = t.apply(StatusResponse {
            vertexes: vec![vertex("a", "A", None, None), vertex("b", "B", ts(1), None)],
            ..Default::default()
        });
        assert_eq!(e, vec![Event::Started { vertex: 1 }]);
        assert_eq!(t.vertex(1).number, 1);
        assert_eq!(t.vertex(0).number, 0, "never started, not numbered");
        let e = t.apply(StatusResponse {
            vertexes: vec![vertex("b", "B", ts(1), ts(2)), vertex("a", "A", ts(2), None)],
            logs: vec![VertexLog { vertex: "b".into(), msg: b"out\n".to_vec(), ..Default::default() }],
            ..Default::default()
        });
        assert_eq!(
            e.iter().map(|e| format!("{e:?}").split_whitespace().next().unwrap().to_string()).collect::<Vec<_>>(),
            ["Started", "Log", "Completed"]
        );
        assert_eq!(t.vertex(0).number, 2);
        // The same completion again changes nothing.
        assert!(t.apply(StatusResponse { vertexes: vec![vertex("b", "B", ts(1), ts(2))], ..Default::default() }).is_empty());
    }

    #[test]
    fn output_lines_are_joined_across_chunks_and_bounded() {
        let mut v = VertexState::default();
        v.remember_output(b"one\ntw");
        v.remember_output(b"o\nthree");
        v.remember_output(b"\n");
        assert_eq!(v.recent, ["one", "two", "three"]);
        assert!(!v.partial);
        for i in 0..30 {
            v.remember_output(format!("line {i}\n").as_bytes());
        }
        assert_eq!(v.recent.len(), RECENT_LINES);
        assert_eq!(v.recent.back().unwrap(), "line 29");
        v.remember_output(&vec![b'x'; 100_000]);
        assert_eq!(v.recent.back().unwrap().len(), MAX_KEPT);
    }

    #[test]
    fn outcomes_and_the_failed_vertex() {
        let mut t = Trace::new();
        t.apply(StatusResponse {
            vertexes: vec![
                Vertex { cached: true, ..vertex("c", "C", ts(1), ts(1)) },
                Vertex { error: "exit code: 1".into(), ..vertex("e", "E", ts(1), ts(3)) },
                Vertex { error: "context canceled".into(), ..vertex("x", "X", ts(1), ts(3)) },
            ],
            ..Default::default()
        });
        assert_eq!(t.vertex(0).outcome(), Some(Outcome::Cached));
        assert_eq!(t.vertex(1).outcome(), Some(Outcome::Error("exit code: 1".into())));
        assert_eq!(t.vertex(2).outcome(), Some(Outcome::Canceled));
        assert_eq!(t.failed().unwrap().name, "E");
    }
}
