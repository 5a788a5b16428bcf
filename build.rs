//! Keeps the component's WASI import names at the version its bindings were generated from.

fn main() {
    // wasm-component-ld, the wasm32-wasip2 linker, renames semver-compatible imports to the
    // newest WASI version it bundles (0.2.6 in wasm-component-ld 0.5.21), although the `wasip2`
    // bindings are WASI 0.2.4. This flag keeps the names that the code calls.
    if std::env::var("TARGET").as_deref() == Ok("wasm32-wasip2") {
        println!("cargo:rustc-link-arg-cdylib=--merge-imports-based-on-semver=false");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
