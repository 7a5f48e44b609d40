//! The C surface: `extern "C"` functions that check pointers, parse options JSON, wrap C
//! callbacks, call the core and hand out the result. Every exported function's body runs
//! inside the panic boundary ([`guard`]); the test at the bottom reads this directory and fails
//! for an export that does not.
//!
//! The `mod` lines are in the header's reading order (cbindgen follows them): conventions
//! (status codes, callbacks), client, errors, cancellation, system, images, auth.

// The functions are for C callers; what they must pass (NULL or valid pointers, NUL-terminated
// strings, handles not yet freed) is written once in the header's conventions, not per function.
#![allow(clippy::missing_safety_doc)]

mod status;
mod library;
mod callbacks;
mod client;
mod error;
mod cancel;
mod progress;
mod system;
mod images_metadata;
mod images_transfer;
mod images_archive;
mod images_build;
mod auth;

mod error_object;
mod guard;
pub(crate) mod strings;

#[cfg(test)]
mod tests {
    /// Every `extern "C" fn` in src/ffi/ starts its body with `guard(` or `guard_value(`, so
    /// no panic can cross into C (a wrapper that calls guard inside does not count: the rule
    /// must be visible where the export is).
    #[test]
    fn every_export_runs_inside_the_panic_boundary() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/ffi");
        let mut exports = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            let mut rest = text.as_str();
            while let Some(i) = rest.find("extern \"C\" fn ") {
                let after = &rest[i..];
                // Callback types (`Option<unsafe extern "C" fn(...)>`) have no body.
                let name: String = after["extern \"C\" fn ".len()..].chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                rest = &after[1..];
                if name.is_empty() {
                    continue;
                }
                exports += 1;
                let body = &after[after.find(" {\n").unwrap_or_else(|| panic!("{name}: no body")) + 3..];
                let first = body
                    .lines()
                    .map(str::trim)
                    .find(|l| !l.is_empty() && !l.starts_with("//"))
                    .unwrap_or_default();
                assert!(
                    first.starts_with("guard(") || first.starts_with("guard_value("),
                    "{}: {name} does not start with guard(…) or guard_value(…): {first}",
                    path.display()
                );
            }
        }
        assert!(exports >= 31, "found only {exports} exports");
    }
}
