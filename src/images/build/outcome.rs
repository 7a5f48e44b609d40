//! What a build's message stream tells about its result: the image ID and the warnings.
//!
//! The ID comes from, in this order of preference: the last `{"aux": {"ID": "sha256:…"}}`
//! (API 1.30+, one per image produced, the last being the result); the single
//! `{"stream": "sha256:…\n"}` a quiet build answers with (the daemon then holds back everything
//! else, aux messages included); the last `Successfully built <id>` line (older daemons; a short
//! ID, resolved to the full one afterwards).

use serde_json::Value;

/// At most this many warnings are kept (a build printing warnings in a loop must not grow the
/// result without bound), each cut to [`MAX_WARNING_LEN`] bytes.
pub const MAX_WARNINGS: usize = 1000;
pub const MAX_WARNING_LEN: usize = 4096;

/// Collected from the stream, message by message.
#[derive(Debug, Default)]
pub struct Outcome {
    /// The build was quiet: only then is a bare ID line the answer (a verbose build's `RUN`
    /// may print anything).
    quiet: bool,
    aux_id: Option<String>,
    quiet_id: Option<String>,
    built_id: Option<String>,
    pub warnings: Vec<String>,
}

impl Outcome {
    pub fn new(quiet: bool) -> Outcome {
        Outcome { quiet, ..Outcome::default() }
    }

    pub fn observe(&mut self, msg: &Value) {
        if let Some(id) = msg.get("aux").and_then(|a| a.get("ID")).and_then(Value::as_str) {
            self.aux_id = Some(id.to_string());
        }
        let Some(text) = msg.get("stream").and_then(Value::as_str) else { return };
        for line in text.lines() {
            let line = line.trim();
            if let Some(id) = line.strip_prefix("Successfully built ") {
                self.built_id = Some(id.trim().to_string());
            } else if self.quiet && is_image_id(line) {
                self.quiet_id = Some(line.to_string());
            } else if self.warnings.len() < MAX_WARNINGS && line.to_ascii_lowercase().contains("[warning]") {
                let mut w = line.trim_start_matches("--->").trim();
                if w.len() > MAX_WARNING_LEN {
                    let mut end = MAX_WARNING_LEN;
                    while !w.is_char_boundary(end) {
                        end -= 1;
                    }
                    w = &w[..end];
                }
                self.warnings.push(w.to_string());
            }
        }
    }

    /// The image ID the stream reported, if any (maybe short: see the module documentation).
    pub fn id(&self) -> Option<&str> {
        self.aux_id.as_deref().or(self.quiet_id.as_deref()).or(self.built_id.as_deref())
    }
}

/// `sha256:` and 64 lower-case hex digits.
pub fn is_image_id(s: &str) -> bool {
    s.strip_prefix("sha256:")
        .is_some_and(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const ID: &str = "sha256:9b1f0f1e2d3c4b5a69788796a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6";

    fn run(msgs: &[Value]) -> Outcome {
        run_with(false, msgs)
    }

    fn run_with(quiet: bool, msgs: &[Value]) -> Outcome {
        let mut o = Outcome::new(quiet);
        for m in msgs {
            o.observe(m);
        }
        o
    }

    #[test]
    fn aux_wins_and_the_last_one_counts() {
        let o = run(&[
            json!({"stream": "Step 1/2 : FROM x\n"}),
            json!({"aux": {"ID": "sha256:first"}}),
            json!({"aux": {"ID": ID}}),
            json!({"stream": "Successfully built 9b1f0f1e2d3c\n"}),
            json!({"stream": "Successfully tagged a:latest\n"}),
        ]);
        assert_eq!(o.id(), Some(ID));
    }

    #[test]
    fn quiet_answer_and_old_daemons() {
        assert_eq!(run_with(true, &[json!({"stream": format!("{ID}\n")})]).id(), Some(ID));
        assert_eq!(run(&[json!({"stream": format!("{ID}\n")})]).id(), None, "a RUN's output is no answer");
        assert_eq!(run(&[json!({"stream": "Successfully built 9b1f0f1e2d3c\n"})]).id(), Some("9b1f0f1e2d3c"));
        assert_eq!(run(&[json!({"stream": "Step 1/1 : FROM x\n"})]).id(), None);
        // A RUN printing something ID-like inside a verbose build does not beat aux.
        let other = format!("sha256:{}", "0".repeat(64));
        assert_eq!(run(&[json!({"stream": format!("{other}\n")}), json!({"aux": {"ID": ID}})]).id(), Some(ID));
    }

    #[test]
    fn warnings_are_collected() {
        let o = run(&[
            json!({"stream": "[Warning] One or more build-args [X] were not consumed\n"}),
            json!({"stream": " ---> [Warning] Your kernel does not support swap limit capabilities.\n"}),
            json!({"stream": "[WARNING]: Empty continuation line found in:\n    RUN a\n"}),
            json!({"stream": "no warning here\n"}),
        ]);
        assert_eq!(
            o.warnings,
            [
                "[Warning] One or more build-args [X] were not consumed",
                "[Warning] Your kernel does not support swap limit capabilities.",
                "[WARNING]: Empty continuation line found in:",
            ]
        );
    }

    #[test]
    fn warnings_are_bounded() {
        let long = format!("[Warning] {}", "é".repeat(5000));
        let mut msgs = vec![json!({"stream": format!("{long}\n")})];
        msgs.extend((0..MAX_WARNINGS + 10).map(|i| json!({"stream": format!("[Warning] {i}\n")})));
        let o = run(&msgs);
        assert_eq!(o.warnings.len(), MAX_WARNINGS);
        assert!(o.warnings[0].len() <= MAX_WARNING_LEN && o.warnings[0].starts_with("[Warning] é"));
    }
}
