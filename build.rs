//! Link settings of the shared library, and the platform switch.
//!
//! The header (`include/dockerclient.h`) is not generated here: a build never writes into the
//! source tree. `make header` regenerates it with the pinned cbindgen, and the test
//! `tests/header.rs` fails when the committed header differs from what the sources generate.

/// Bumped only when the C ABI breaks.
const SONAME_MAJOR: &str = "0";

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    match os.as_str() {
        // Mach-O: the install name plays the SONAME's part.
        "macos" | "ios" => println!(
            "cargo::rustc-cdylib-link-arg=-Wl,-install_name,@rpath/libdockerclient.{SONAME_MAJOR}.dylib"
        ),
        _ => println!("cargo::rustc-cdylib-link-arg=-Wl,-soname,libdockerclient.so.{SONAME_MAJOR}"),
    }

    // `dc_linux`: the Linux-only system calls (splice, pipe2, MSG_NOSIGNAL, sigtimedwait) are
    // used; without it (other Unix systems, or the `portable` feature on Linux) only POSIX
    // calls are. See src/platform/.
    println!("cargo::rustc-check-cfg=cfg(dc_linux)");
    if os == "linux" && std::env::var_os("CARGO_FEATURE_PORTABLE").is_none() {
        println!("cargo::rustc-cfg=dc_linux");
    }
}
