#![no_main]
// See src/fuzzing.rs: the body is shared with the corpus regression test.
libfuzzer_sys::fuzz_target!(|data: &[u8]| dockerclient::fuzzing::buildkit_trace(data));
