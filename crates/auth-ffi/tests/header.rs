//! The checked-in `include/auth_core.h` must be exactly what cbindgen generates from
//! this crate. Set `AUTH_FFI_BLESS=1` to rewrite it instead of failing.

use std::path::PathBuf;

#[test]
fn checked_in_header_matches_cbindgen_output() {
    let crate_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let header_path = crate_dir.join("../../include/auth_core.h");
    let config =
        cbindgen::Config::from_file(crate_dir.join("cbindgen.toml")).expect("cbindgen.toml");
    let bindings = cbindgen::Builder::new()
        .with_crate(&crate_dir)
        .with_config(config)
        .generate()
        .expect("cbindgen generates the header");
    let mut generated = Vec::new();
    bindings.write(&mut generated);
    let generated = String::from_utf8(generated).expect("header is UTF-8");

    if std::env::var_os("AUTH_FFI_BLESS").is_some() {
        std::fs::write(&header_path, &generated).expect("write header");
        return;
    }
    let checked_in = std::fs::read_to_string(&header_path).unwrap_or_default();
    assert!(
        checked_in == generated,
        "include/auth_core.h is stale: run `AUTH_FFI_BLESS=1 cargo test -p auth-ffi --test header` and commit it"
    );
}
