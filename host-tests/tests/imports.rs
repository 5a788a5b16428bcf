//! The component's imports: only interfaces of the `wasi:http` proxy world, so hosts that offer
//! nothing else can run it.

mod common;

use wasmtime::component::Component;
use wasmtime::{Config, Engine};

#[test]
fn imports_only_proxy_world_interfaces() {
    let engine = Engine::new(&Config::new()).expect("default engine");
    let component =
        Component::from_file(&engine, common::component_path()).expect("component compiles");
    let component_type = component.component_type();
    let mut imports: Vec<&str> = component_type
        .imports(&engine)
        .map(|(name, _)| name)
        .collect();
    imports.sort_unstable();

    assert_eq!(
        imports,
        [
            "wasi:clocks/monotonic-clock@0.2.4",
            "wasi:clocks/wall-clock@0.2.4",
            "wasi:http/outgoing-handler@0.2.4",
            "wasi:http/types@0.2.4",
            "wasi:io/error@0.2.4",
            "wasi:io/poll@0.2.4",
            "wasi:io/streams@0.2.4",
            "wasi:random/random@0.2.4",
        ]
    );
}

#[test]
fn exports_the_exchange_interface() {
    let engine = Engine::new(&Config::new()).expect("default engine");
    let component =
        Component::from_file(&engine, common::component_path()).expect("component compiles");
    let component_type = component.component_type();
    let exports: Vec<&str> = component_type
        .exports(&engine)
        .map(|(name, _)| name)
        .collect();

    assert_eq!(exports, ["graph-token:exchange/exchange@0.1.0"]);
}
