//! Gives the shared library (`libauth_core.so`) an ELF SONAME on Unix-like targets other
//! than Apple's, so programs linked against it record a versioned name and an installed
//! copy can live beside other versions.
//!
//! The SONAME follows the crate version's compatibility rule (as cargo-c does): the major
//! version from 1.0 on (`libauth_core.so.1`), the major and minor version before it
//! (`libauth_core.so.0.1`), because a 0.x minor release may break the ABI.
//! `bindings/c/Makefile`'s install step names the files the same way
//! (`libauth_core.so.X.Y.Z`, symlinks `libauth_core.so.<soname version>` and
//! `libauth_core.so`).
//!
//! A program linked in the build tree (`-L target/release -lauth_core`) looks for the
//! SONAME at run time, so a symlink `libauth_core.so.<soname version>` →
//! `libauth_core.so` is also placed beside the library in cargo's output directory.

use std::env;
use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let os = env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let family = env::var("CARGO_CFG_TARGET_FAMILY").unwrap_or_default();
    let elf = family.split(',').any(|f| f == "unix")
        && !matches!(
            os.as_str(),
            "macos" | "ios" | "tvos" | "watchos" | "visionos"
        );
    if !elf {
        return;
    }
    let major = env::var("CARGO_PKG_VERSION_MAJOR").unwrap_or_else(|_| "0".into());
    let minor = env::var("CARGO_PKG_VERSION_MINOR").unwrap_or_else(|_| "0".into());
    let soname_version = if major == "0" {
        format!("0.{minor}")
    } else {
        major
    };
    let soname = format!("libauth_core.so.{soname_version}");
    println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,{soname}");

    // OUT_DIR is <target>/[<triple>/]<profile>/build/auth-ffi-<hash>/out: the library
    // itself lands in <profile>. Best effort: a failure here only affects running
    // uninstalled programs, never the build.
    #[cfg(unix)]
    if let Some(profile_dir) = env::var_os("OUT_DIR")
        .map(PathBuf::from)
        .and_then(|p| p.ancestors().nth(3).map(PathBuf::from))
    {
        let link = profile_dir.join(&soname);
        if std::fs::symlink_metadata(&link).is_err() {
            let _ = std::os::unix::fs::symlink("libauth_core.so", &link);
        }
    }
}
