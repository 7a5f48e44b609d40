//! Renders progress messages as the docker CLI prints them when its output is not a terminal.
//!
//! Text mode exists so that a program can show (or log) the same lines `docker pull`,
//! `docker push`, `docker build`, `docker load` and `docker import` print into a pipe or a log
//! file. The rules follow moby's `jsonmessage.DisplayJSONMessagesStream` and
//! `JSONMessage.Display` with `isTerminal = false`, applied to one message at a time:
//!
//! 1. A message with `aux` (and not `null`) prints nothing: it is out-of-band data (image ID,
//!    push digest) for the operation, not for people.
//! 2. A message with `errorDetail` (or `error`) prints nothing: it becomes the operation's error.
//! 3. A message whose `progressDetail` has `current > 0` or `total > 0` prints nothing: progress
//!    bars are only drawn on terminals. So "Downloading", "Extracting", "Pushing",
//!    "Loading layer" and "Importing" updates vanish, while "Pulling fs layer", "Waiting",
//!    "Verifying Checksum", "Download complete" and "Pull complete" (whose `progressDetail` is
//!    `{}`) print.
//! 4. Otherwise the line is: the time (`timeNano`, else `time`, as
//!    `2006-01-02T15:04:05.000000000Z` followed by a space), then `"<id>: "` if `id` is set, then
//!    `"(from <from>) "` if `from` is set, then the first of:
//!    - `"<status> <progress>"` if the deprecated `progress` string is set (without a newline,
//!      as the CLI does; the daemon only sends `progress` together with a non-empty
//!      `progressDetail`, which rule 3 already skips),
//!    - `stream` verbatim (build output carries its own newlines),
//!    - `"<status>\n"` (so `{}` prints an empty line, as the CLI does).
//!
//! One deliberate difference: the CLI prints times in the local time zone; a library has no
//! business reading the process's time zone, so times are printed in UTC. Progress streams of
//! image operations carry no times anyway (only `/events` does).

use serde_json::Value;

/// The text the CLI would print for this message; empty when it prints nothing.
pub fn render(msg: &Value) -> String {
    let Some(obj) = msg.as_object() else {
        return String::new();
    };
    let present = |key: &str| obj.get(key).is_some_and(|v| !v.is_null());
    if present("aux") || present("errorDetail") || !str_field(msg, "error").is_empty() {
        return String::new();
    }
    if let Some(detail) = obj.get("progressDetail").and_then(Value::as_object) {
        let positive = |key: &str| detail.get(key).is_some_and(|v| number(v) > 0);
        if positive("current") || positive("total") {
            return String::new();
        }
    }

    let mut out = String::new();
    let time_nano = obj.get("timeNano").map(number).unwrap_or(0);
    let time = obj.get("time").map(number).unwrap_or(0);
    if time_nano != 0 {
        out.push_str(&format_time(
            time_nano.div_euclid(1_000_000_000),
            time_nano.rem_euclid(1_000_000_000),
        ));
        out.push(' ');
    } else if time != 0 {
        out.push_str(&format_time(time, 0));
        out.push(' ');
    }
    let id = str_field(msg, "id");
    if !id.is_empty() {
        out.push_str(id);
        out.push_str(": ");
    }
    let from = str_field(msg, "from");
    if !from.is_empty() {
        out.push_str("(from ");
        out.push_str(from);
        out.push_str(") ");
    }
    let status = str_field(msg, "status");
    let progress = str_field(msg, "progress");
    let stream = str_field(msg, "stream");
    if !progress.is_empty() {
        out.push_str(status);
        out.push(' ');
        out.push_str(progress);
    } else if !stream.is_empty() {
        out.push_str(stream);
    } else {
        out.push_str(status);
        out.push('\n');
    }
    out
}

/// A string field, or `""` when absent or not a string (the CLI treats them alike: empty).
fn str_field<'v>(msg: &'v Value, key: &str) -> &'v str {
    msg.get(key).and_then(Value::as_str).unwrap_or("")
}

/// A JSON number as i64, saturating; anything else is 0.
pub(crate) fn number(v: &Value) -> i64 {
    if let Some(n) = v.as_i64() {
        n
    } else if v.as_u64().is_some() {
        i64::MAX
    } else if let Some(f) = v.as_f64() {
        f as i64
    } else {
        0
    }
}

/// `secs`/`nanos` since the epoch as RFC 3339 with nine fractional digits, in UTC.
fn format_time(secs: i64, nanos: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{nanos:09}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 to (year, month, day) in the proleptic Gregorian calendar
/// (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + if m <= 2 { 1 } else { 0 };
    (y, m, d)
}

/// A byte count as go-units' `HumanSize` prints it (what the CLI shows): decimal units
/// (B, kB, MB, GB, TB, PB, EB), at most four significant digits, trailing zeros dropped,
/// e.g. `512B`, `2.048kB`, `1.049MB`, `1000kB` (999 950 bytes rounds up without changing unit,
/// as Go does).
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 9] = ["B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"];
    // Go divides a float64 step by step; doing the same keeps the rounding identical.
    let mut size = bytes as f64;
    let mut unit = 0;
    while size >= 1000.0 && unit < UNITS.len() - 1 {
        size /= 1000.0;
        unit += 1;
    }
    format!("{}{}", format_4g(size), UNITS[unit])
}

/// A byte count as BuildKit's progress prints it (`tonistiigi/units` with `%.2f`): below 1000
/// a whole number of bytes (`37B`), else decimal units with two decimals (`1.05MB`).
pub fn decimal_size(bytes: i64) -> String {
    const UNITS: [&str; 7] = ["kB", "MB", "GB", "TB", "PB", "EB", "ZB"];
    if bytes.unsigned_abs() < 1000 {
        return format!("{bytes}B");
    }
    let mut size = bytes as f64 / 1000.0;
    let mut unit = 0;
    while size.abs() >= 1000.0 && unit < UNITS.len() - 1 {
        size /= 1000.0;
        unit += 1;
    }
    format!("{size:.2}{}", UNITS[unit])
}

/// Go's `%.4g` for 0 <= v < 1000: four significant digits, ties to even (Rust's formatting
/// rounds exact ties to even too), trailing zeros and a bare point removed.
fn format_4g(v: f64) -> String {
    if v == 0.0 {
        return "0".to_string();
    }
    let decimals = if v >= 100.0 {
        1
    } else if v >= 10.0 {
        2
    } else if v >= 1.0 {
        3
    } else {
        // Only reachable for fractions, which byte counts never are; keep 4 significant digits.
        (3 - v.log10().floor() as i32).max(0) as usize
    };
    let mut s = format!("{v:.decimals$}");
    if s.contains('.') {
        while s.ends_with('0') {
            s.pop();
        }
        if s.ends_with('.') {
            s.pop();
        }
    }
    s
}

/// The line `docker build` prints (into a pipe or a file) once the build context has been sent,
/// byte for byte: `"Sending build context to Docker daemon  2.048kB\r\r\n"`. The size is
/// right-aligned in eight columns (hence two spaces for a seven-character size); the `\r` ends
/// the progress update and the `\r\n` is the CLI's final newline after it.
pub fn build_context_line(bytes: u64) -> String {
    let size = if bytes == 0 {
        String::new()
    } else {
        format!("{:>8}", human_size(bytes))
    };
    let endl = if size.is_empty() { "\r\n" } else { "\r" };
    format!("Sending build context to Docker daemon {size}{endl}\r\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn render_all(lines: &str) -> String {
        lines
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| render(&serde_json::from_str(l).unwrap()))
            .collect()
    }

    #[test]
    fn pull_transcript() {
        let stream = r#"
{"status":"Pulling from library/alpine","id":"3.19"}
{"status":"Pulling fs layer","progressDetail":{},"id":"a3ed95caeb02"}
{"status":"Pulling fs layer","progressDetail":{},"id":"c6a83fedfae6"}
{"status":"Waiting","progressDetail":{},"id":"c6a83fedfae6"}
{"status":"Downloading","progressDetail":{"current":32768,"total":3408729},"progress":"[\u003e                                                  ]  32.77kB/3.409MB","id":"a3ed95caeb02"}
{"status":"Downloading","progressDetail":{"current":3408729,"total":3408729},"progress":"[==================================================\u003e]  3.409MB/3.409MB","id":"a3ed95caeb02"}
{"status":"Verifying Checksum","progressDetail":{},"id":"a3ed95caeb02"}
{"status":"Download complete","progressDetail":{},"id":"a3ed95caeb02"}
{"status":"Extracting","progressDetail":{"current":65536,"total":3408729},"progress":"[\u003e                                                  ]  65.54kB/3.409MB","id":"a3ed95caeb02"}
{"status":"Extracting","progressDetail":{"current":3408729,"total":3408729},"progress":"[==================================================\u003e]  3.409MB/3.409MB","id":"a3ed95caeb02"}
{"status":"Pull complete","progressDetail":{},"id":"a3ed95caeb02"}
{"status":"Already exists","progressDetail":{},"id":"c6a83fedfae6"}
{"status":"Digest: sha256:c5b1261d6d3e43071626931fc004f70149baeba2c8ec672bd4f27761f8e1ad6b"}
{"status":"Status: Downloaded newer image for alpine:3.19"}
"#;
        assert_eq!(
            render_all(stream),
            "3.19: Pulling from library/alpine\n\
             a3ed95caeb02: Pulling fs layer\n\
             c6a83fedfae6: Pulling fs layer\n\
             c6a83fedfae6: Waiting\n\
             a3ed95caeb02: Verifying Checksum\n\
             a3ed95caeb02: Download complete\n\
             a3ed95caeb02: Pull complete\n\
             c6a83fedfae6: Already exists\n\
             Digest: sha256:c5b1261d6d3e43071626931fc004f70149baeba2c8ec672bd4f27761f8e1ad6b\n\
             Status: Downloaded newer image for alpine:3.19\n"
        );
    }

    #[test]
    fn build_transcript() {
        let stream = r#"
{"stream":"Step 1/3 : FROM alpine:3.19"}
{"stream":"\n"}
{"stream":" ---\u003e 05455a08881e\n"}
{"stream":"Step 2/3 : RUN echo hi"}
{"stream":"\n"}
{"stream":" ---\u003e Running in 3c2d5a1b9f0e\n"}
{"stream":"hi\n"}
{"stream":"Removing intermediate container 3c2d5a1b9f0e\n"}
{"stream":" ---\u003e 9b1f0f1e2d3c\n"}
{"stream":"Step 3/3 : LABEL a=b"}
{"aux":{"ID":"sha256:9b1f0f1e2d3c4b5a69788796a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6"}}
{"stream":"Successfully built 9b1f0f1e2d3c\n"}
{"stream":"Successfully tagged demo:latest\n"}
"#;
        assert_eq!(
            render_all(stream),
            "Step 1/3 : FROM alpine:3.19\n ---> 05455a08881e\nStep 2/3 : RUN echo hi\n ---> Running in 3c2d5a1b9f0e\nhi\n\
             Removing intermediate container 3c2d5a1b9f0e\n ---> 9b1f0f1e2d3c\nStep 3/3 : LABEL a=b\
             Successfully built 9b1f0f1e2d3c\nSuccessfully tagged demo:latest\n"
        );
    }

    #[test]
    fn push_and_load_transcripts() {
        let stream = r#"
{"status":"The push refers to repository [docker.io/me/demo]"}
{"status":"Preparing","progressDetail":{},"id":"5f70bf18a086"}
{"status":"Pushing","progressDetail":{"current":512,"total":7340032},"progress":"[\u003e   ]     512B/7.34MB","id":"5f70bf18a086"}
{"status":"Pushed","progressDetail":{},"id":"5f70bf18a086"}
{"status":"Mounted from library/alpine","progressDetail":{},"id":"d4fc045c9e3a"}
{"status":"latest: digest: sha256:0f1e size: 528"}
{"progressDetail":{},"aux":{"Tag":"latest","Digest":"sha256:0f1e","Size":528}}
{"status":"Loading layer","progressDetail":{"current":32768,"total":7635456},"progress":"[\u003e ]  32.77kB/7.635MB","id":"d4fc045c9e3a"}
{"stream":"Loaded image: me/demo:latest\n"}
"#;
        assert_eq!(
            render_all(stream),
            "The push refers to repository [docker.io/me/demo]\n\
             5f70bf18a086: Preparing\n\
             5f70bf18a086: Pushed\n\
             d4fc045c9e3a: Mounted from library/alpine\n\
             latest: digest: sha256:0f1e size: 528\n\
             Loaded image: me/demo:latest\n"
        );
    }

    #[test]
    fn errors_aux_and_odd_messages() {
        assert_eq!(
            render(&json!({"errorDetail":{"message":"boom"},"error":"boom"})),
            ""
        );
        assert_eq!(render(&json!({"error":"boom"})), "");
        assert_eq!(render(&json!({"aux":{"ID":"x"},"status":"ignored"})), "");
        // `aux: null` is no aux at all (Go decodes it to a nil pointer).
        assert_eq!(render(&json!({"aux":null,"status":"shown"})), "shown\n");
        // An empty object prints an empty line, as the CLI does.
        assert_eq!(render(&json!({})), "\n");
        // Zero progress is not a progress bar.
        assert_eq!(
            render(
                &json!({"status":"Downloading","progressDetail":{"current":0,"total":0},"id":"x"})
            ),
            "x: Downloading\n"
        );
        // Total only is still a bar.
        assert_eq!(
            render(&json!({"status":"Importing","progressDetail":{"total":5}})),
            ""
        );
        // Deprecated `progress` without detail: printed without newline, as the CLI does.
        assert_eq!(
            render(&json!({"status":"Downloading","progress":"1 B","id":"x"})),
            "x: Downloading 1 B"
        );
        assert_eq!(
            render(&json!({"status":"pull","id":"alpine","from":"docker.io","time":1700000000})),
            "2023-11-14T22:13:20.000000000Z alpine: (from docker.io) pull\n"
        );
        assert_eq!(
            render(&json!({"status":"x","timeNano":1700000000123456789i64})),
            "2023-11-14T22:13:20.123456789Z x\n"
        );
    }

    #[test]
    fn human_size_matches_go_units() {
        let cases = [
            (0, "0B"),
            (1, "1B"),
            (512, "512B"),
            (999, "999B"),
            (1000, "1kB"),
            (1024, "1.024kB"),
            (2048, "2.048kB"),
            (10125, "10.12kB"), // exact tie: round half to even, like Go
            (10135, "10.13kB"),
            (999_950, "1000kB"),
            (1_048_576, "1.049MB"),
            (3_408_729, "3.409MB"),
            (7_340_032, "7.34MB"),
            (1_000_000_000, "1GB"),
            (123_456_789_012, "123.5GB"),
            (u64::MAX, "18.45EB"),
        ];
        for (n, want) in cases {
            assert_eq!(human_size(n), want, "{n}");
        }
    }

    #[test]
    fn build_context_line_is_byte_exact() {
        assert_eq!(
            build_context_line(2048),
            "Sending build context to Docker daemon  2.048kB\r\r\n"
        );
        assert_eq!(
            build_context_line(512),
            "Sending build context to Docker daemon     512B\r\r\n"
        );
        assert_eq!(
            build_context_line(123_456_789),
            "Sending build context to Docker daemon  123.5MB\r\r\n"
        );
        assert_eq!(
            build_context_line(0),
            "Sending build context to Docker daemon \r\n\r\n"
        );
    }
}
