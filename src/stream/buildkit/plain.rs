//! A BuildKit trace as `docker buildx build --progress=plain` prints it:
//!
//! ```text
//! #3 [2/3] RUN echo hi
//! #3 0.212 hi
//! #3 DONE 0.4s
//!
//! #4 [3/3] COPY . /app
//! #4 CACHED
//! ```
//!
//! A vertex's header (`#N name`) comes before its first line; its output lines carry the
//! seconds since it started; counters (`#N sha256:… 1.05MB / 2.81MB 0.2s`) are printed when
//! they start, finish, or moved by 5 % of their total or 5 seconds since last shown, as the
//! plain printer throttles them; `DONE`, `CACHED`, `ERROR: …` or `CANCELED` close the vertex.
//! Lines of one vertex stay together: when the output moves to another vertex, a blank line
//! and that vertex's header come first, so concurrent steps interleave in runs, never
//! line by line. The printer reacts to each update as it arrives (the CLI redraws every
//! 100 ms), so the runs can be cut at other places than the CLI cuts them.

use std::collections::HashMap;
use std::fmt::Write;

use super::proto::VertexStatus;
use super::trace::{Event, Outcome, Trace, VertexState};
use crate::stream::text::decimal_size;

/// Where the printer stands.
#[derive(Debug, Default)]
pub struct PlainPrinter {
    /// The vertex whose lines are being printed (its header is out).
    current: Option<usize>,
    printed_any: bool,
    /// A vertex whose last output line was left open (no line end yet).
    open_line: Option<usize>,
    /// Per status (vertex, ID): the `current` and the time (s) it was last shown.
    shown: HashMap<(usize, String), (i64, f64)>,
}

impl PlainPrinter {
    pub fn new() -> PlainPrinter {
        PlainPrinter::default()
    }

    /// The text for one update's events (empty when nothing is printed).
    pub fn render(&mut self, trace: &Trace, events: &[Event]) -> String {
        let mut out = String::new();
        for event in events {
            match event {
                Event::Started { vertex } => self.switch_to(trace, *vertex, &mut out),
                Event::Status { vertex, status } => self.status(trace, *vertex, status, &mut out),
                Event::Log { vertex, log } => {
                    let v = trace.vertex(*vertex);
                    let secs = format_secs(v.since_start(log.timestamp));
                    self.output(trace, *vertex, &secs, &String::from_utf8_lossy(&log.msg), &mut out);
                }
                Event::Warning { vertex, warning } => {
                    let short = String::from_utf8_lossy(&warning.short);
                    match vertex {
                        Some(i) => {
                            self.switch_to(trace, *i, &mut out);
                            let _ = writeln!(out, "#{} WARN: {short}", trace.vertex(*i).number);
                        }
                        None => {
                            self.close_line(&mut out);
                            let _ = writeln!(out, "WARN: {short}");
                        }
                    }
                }
                Event::Completed { vertex } => self.completed(trace, *vertex, &mut out),
            }
        }
        out
    }

    /// The box buildx prints under a failed build: the failed step and its last output.
    pub fn error_box(&mut self, failed: &VertexState) -> String {
        let mut out = String::new();
        self.close_line(&mut out);
        out.push_str("------\n");
        let _ = writeln!(out, " > {}:", failed.name);
        for line in &failed.recent {
            let _ = writeln!(out, "{line}");
        }
        out.push_str("------\n");
        self.current = None;
        out
    }

    fn close_line(&mut self, out: &mut String) {
        if self.open_line.take().is_some() {
            out.push('\n');
        }
    }

    fn switch_to(&mut self, trace: &Trace, i: usize, out: &mut String) {
        if self.current == Some(i) {
            return;
        }
        self.close_line(out);
        if self.printed_any {
            out.push('\n');
        }
        let v = trace.vertex(i);
        let _ = writeln!(out, "#{} {}", v.number, v.name);
        self.current = Some(i);
        self.printed_any = true;
    }

    /// Output lines, `#N <secs> <text>`; a chunk that does not end its line leaves it open for
    /// the next chunk of the same vertex.
    fn output(&mut self, trace: &Trace, i: usize, secs: &str, text: &str, out: &mut String) {
        if text.is_empty() {
            return;
        }
        let number = trace.vertex(i).number;
        let mut pieces = text.split('\n').peekable();
        while let Some(piece) = pieces.next() {
            let last = pieces.peek().is_none();
            if last && piece.is_empty() {
                break;
            }
            if self.open_line == Some(i) && self.current == Some(i) {
                out.push_str(piece);
            } else {
                self.switch_to(trace, i, out);
                let _ = write!(out, "#{number} {secs} {piece}");
            }
            if last {
                self.open_line = Some(i);
            } else {
                out.push('\n');
                self.open_line = None;
            }
        }
    }

    fn status(&mut self, trace: &Trace, i: usize, s: &VertexStatus, out: &mut String) {
        let now = s.completed.or(s.timestamp).map(|t| t.as_secs_f64()).unwrap_or(0.0);
        let key = (i, s.id.clone());
        if let Some(&(current, at)) = self.shown.get(&key) {
            let moved = s.total > 0 && (s.current - current) * 20 >= s.total;
            if s.completed.is_none() && !moved && now - at < 5.0 {
                return;
            }
            if s.completed.is_some() && current == s.current && self.shown_done(&key) {
                return;
            }
        }
        self.shown.insert(key, (s.current, if s.completed.is_some() { f64::INFINITY } else { now }));
        self.switch_to(trace, i, out);
        let mut line = format!("#{} {}", trace.vertex(i).number, s.id);
        if s.total != 0 {
            let _ = write!(line, " {} / {}", decimal_size(s.current), decimal_size(s.total));
        } else if s.current != 0 {
            let _ = write!(line, " {}", decimal_size(s.current));
        }
        if let Some(started) = s.started {
            let secs = s.completed.or(s.timestamp).map(|t| t.as_secs_f64() - started.as_secs_f64()).unwrap_or(0.0);
            if secs > 0.01 {
                let _ = write!(line, " {secs:.1}s");
            }
        }
        if s.completed.is_some() {
            line.push_str(" done");
        }
        self.close_line(out);
        out.push_str(&line);
        out.push('\n');
    }

    fn shown_done(&self, key: &(usize, String)) -> bool {
        self.shown.get(key).is_some_and(|&(_, at)| at.is_infinite())
    }

    fn completed(&mut self, trace: &Trace, i: usize, out: &mut String) {
        let v = trace.vertex(i);
        self.switch_to(trace, i, out);
        self.close_line(out);
        let n = v.number;
        let _ = match v.outcome() {
            Some(Outcome::Cached) => writeln!(out, "#{n} CACHED"),
            Some(Outcome::Error(e)) => writeln!(out, "#{n} ERROR: {e}"),
            Some(Outcome::Canceled) => writeln!(out, "#{n} CANCELED"),
            _ if v.started.is_some() => writeln!(out, "#{n} DONE {:.1}s", v.since_start(v.completed)),
            _ => writeln!(out, "#{n} DONE"),
        };
        self.current = None;
    }
}

/// Seconds as the plain printer writes an output line's time: 3 decimals below 10 s, 2 below
/// 100 s, 1 above.
fn format_secs(secs: f64) -> String {
    if secs < 10.0 {
        format!("{secs:.3}")
    } else if secs < 100.0 {
        format!("{secs:.2}")
    } else {
        format!("{secs:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::super::proto::{StatusResponse, Timestamp, Vertex, VertexLog};
    use super::*;

    fn ts(s: i64, ms: i32) -> Option<Timestamp> {
        Some(Timestamp { seconds: s, nanos: ms * 1_000_000 })
    }

    fn v(d: &str, name: &str, started: Option<Timestamp>, completed: Option<Timestamp>) -> Vertex {
        Vertex { digest: d.into(), name: name.into(), started, completed, ..Default::default() }
    }

    fn log(d: &str, at: Option<Timestamp>, msg: &str) -> VertexLog {
        VertexLog { vertex: d.into(), timestamp: at, stream: 1, msg: msg.as_bytes().to_vec() }
    }

    fn run(updates: Vec<StatusResponse>) -> String {
        let mut t = Trace::new();
        let mut p = PlainPrinter::new();
        let mut out = String::new();
        for u in updates {
            let e = t.apply(u);
            out.push_str(&p.render(&t, &e));
        }
        out
    }

    #[test]
    fn a_sequential_build_prints_like_buildx() {
        let out = run(vec![
            StatusResponse { vertexes: vec![v("a", "[1/3] FROM base", ts(10, 0), None)], ..Default::default() },
            StatusResponse {
                vertexes: vec![Vertex { cached: true, ..v("a", "[1/3] FROM base", ts(10, 0), ts(10, 0)) }],
                ..Default::default()
            },
            StatusResponse { vertexes: vec![v("b", "[2/3] RUN echo hi", ts(10, 0), None)], ..Default::default() },
            StatusResponse { logs: vec![log("b", ts(10, 212), "hi\nand ")], ..Default::default() },
            StatusResponse {
                vertexes: vec![v("b", "[2/3] RUN echo hi", ts(10, 0), ts(10, 400))],
                logs: vec![log("b", ts(10, 300), "more\n")],
                ..Default::default()
            },
            StatusResponse {
                vertexes: vec![Vertex {
                    error: "executor failed running [/bin/sh -c false]: exit code: 1".into(),
                    ..v("c", "[3/3] RUN false", ts(11, 0), ts(12, 0))
                }],
                ..Default::default()
            },
        ]);
        assert_eq!(
            out,
            "#1 [1/3] FROM base\n#1 CACHED\n\n#2 [2/3] RUN echo hi\n#2 0.212 hi\n#2 0.212 and more\n#2 DONE 0.4s\n\n\
             #3 [3/3] RUN false\n#3 ERROR: executor failed running [/bin/sh -c false]: exit code: 1\n"
        );
    }

    #[test]
    fn concurrent_vertices_print_in_runs_with_their_header() {
        let out = run(vec![
            StatusResponse {
                vertexes: vec![v("a", "A", ts(1, 0), None), v("b", "B", ts(1, 0), None)],
                logs: vec![log("a", ts(1, 100), "a1\n"), log("b", ts(1, 100), "b1\n"), log("a", ts(1, 200), "a2\n")],
                ..Default::default()
            },
        ]);
        assert_eq!(out, "#1 A\n\n#2 B\n\n#1 A\n#1 0.100 a1\n\n#2 B\n#2 0.100 b1\n\n#1 A\n#1 0.200 a2\n");
    }

    #[test]
    fn statuses_are_throttled_and_sized() {
        let st = |cur: i64, at: Option<Timestamp>, done: bool| VertexStatus {
            id: "sha256:abc".into(),
            vertex: "a".into(),
            current: cur,
            total: 2_810_000,
            timestamp: at,
            started: ts(1, 0),
            completed: if done { at } else { None },
            ..Default::default()
        };
        let out = run(vec![
            StatusResponse { vertexes: vec![v("a", "pull", ts(1, 0), None)], ..Default::default() },
            StatusResponse { statuses: vec![st(1_050_000, ts(1, 200), false)], ..Default::default() },
            StatusResponse { statuses: vec![st(1_060_000, ts(1, 300), false)], ..Default::default() },
            StatusResponse { statuses: vec![st(2_810_000, ts(1, 500), true)], ..Default::default() },
        ]);
        assert_eq!(out, "#1 pull\n#1 sha256:abc 1.05MB / 2.81MB 0.2s\n#1 sha256:abc 2.81MB / 2.81MB 0.5s done\n");
    }

    #[test]
    fn the_error_box_quotes_the_last_output() {
        let mut t = Trace::new();
        t.apply(StatusResponse {
            vertexes: vec![Vertex { error: "exit code: 1".into(), ..v("a", "[2/2] RUN x", ts(1, 0), ts(2, 0)) }],
            logs: vec![log("a", ts(1, 5), "oops\n")],
            ..Default::default()
        });
        let mut p = PlainPrinter::new();
        assert_eq!(p.error_box(t.failed().unwrap()), "------\n > [2/2] RUN x:\noops\n------\n");
    }
}
