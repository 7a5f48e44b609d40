//! The fuzzers' saved corpus, replayed on stable: every input in `fuzz/corpus/<target>/` (what
//! the fuzzers found interesting) and `fuzz/regressions/<target>/` (inputs that once crashed a
//! target, kept after the fix) goes through the same function the cargo-fuzz target calls
//! (`src/fuzzing.rs`), and must return without a panic. `make fuzz` grows the corpus.

use std::path::Path;

use dockerclient::fuzzing::TARGETS;

#[test]
fn every_saved_input_of_every_target_returns() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut total = 0;
    for (name, target) in TARGETS {
        let mut count = 0;
        for dir in ["corpus", "regressions"] {
            let Ok(entries) = std::fs::read_dir(root.join(dir).join(name)) else { continue };
            for entry in entries.flatten() {
                let data = std::fs::read(entry.path()).unwrap();
                let outcome = std::panic::catch_unwind(|| target(&data));
                assert!(outcome.is_ok(), "target {name} panicked on {}", entry.path().display());
                count += 1;
            }
        }
        assert!(count > 0, "no saved input for target {name}: fuzz/corpus/{name} is empty");
        eprintln!("{name}: {count} inputs");
        total += count;
    }
    eprintln!("fuzz corpus: {total} inputs over {} targets, none panicked", TARGETS.len());
}
