//! Generates `include/dockerclient.h` with cbindgen and gives the shared library its SONAME.
//!
//! The header is committed; it is rewritten only when its content changes, so a build of an
//! up-to-date checkout leaves `git diff include/` empty.

use std::path::PathBuf;

/// Bumped only when the C ABI breaks.
const SONAME_MAJOR: &str = "0";

fn main() {
    let dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    println!("cargo:rerun-if-changed=src/ffi");
    println!("cargo:rerun-if-changed=cbindgen.toml");
    println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libdockerclient.so.{SONAME_MAJOR}");

    let config = cbindgen::Config::from_file(dir.join("cbindgen.toml")).expect("cbindgen.toml");
    // Only the C surface is parsed (cbindgen follows its `mod` declarations), so constants
    // of the core never leak into the header.
    let builder = cbindgen::Builder::new()
        .with_config(config)
        .with_src(dir.join("src/ffi/mod.rs"));
    let header = match builder.generate()
    {
        Ok(h) => h,
        Err(e) => {
            // A half-written source file must not stop `cargo check`; the header stays as is.
            println!("cargo:warning=cbindgen could not generate the header: {e}");
            return;
        }
    };
    let mut bytes = Vec::new();
    header.write(&mut bytes);
    let path = dir.join("include").join("dockerclient.h");
    if std::fs::read(&path).ok().as_deref() != Some(&bytes[..]) {
        std::fs::create_dir_all(dir.join("include")).expect("create include/");
        std::fs::write(&path, &bytes).expect("write include/dockerclient.h");
    }
}
