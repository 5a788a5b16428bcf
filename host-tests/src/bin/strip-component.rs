//! `strip-component <input.wasm> <output.wasm>`: copies a component without its top-level
//! custom sections, such as `component-name` and `producers`.
//!
//! `strip = true` in the cargo profile strips the core module, but wasm-component-ld then adds a
//! `component-name` section of its own (5,286 bytes for this component). The section only names
//! imports and functions for debuggers and stack traces, and wasmtime and jco run the component
//! the same without it. Nested modules keep their sections: `wasm-opt --strip-debug
//! --strip-producers` removes those. The output is validated before it is written.

use std::process::ExitCode;

use wasm_encoder::RawSection;
use wasmparser::{Parser, Payload, Validator, WasmFeatures};

fn strip(input: &[u8]) -> Result<Vec<u8>, String> {
    if !Parser::is_component(input) {
        return Err("the input is not a WebAssembly component".into());
    }
    let mut output = wasm_encoder::Component::new();
    // Depth of the module or component being read: 0 is the top level. The sections of nested
    // modules and components are copied inside their parent's section.
    let mut depth = 0usize;
    for payload in Parser::new(0).parse_all(input) {
        let payload = payload.map_err(|error| format!("the input is invalid: {error}"))?;
        match &payload {
            Payload::Version { .. } => continue,
            Payload::End(_) => {
                depth = depth.saturating_sub(1);
                continue;
            }
            Payload::CustomSection(_) if depth == 0 => continue,
            _ => {}
        }
        if depth == 0 {
            if let Some((id, range)) = payload.as_section() {
                // The offsets are within `input`, a slice in memory, so they fit in `usize`.
                let data = &input[range.start as usize..range.end as usize];
                output.section(&RawSection { id, data });
            }
        }
        if matches!(
            payload,
            Payload::ModuleSection { .. } | Payload::ComponentSection { .. }
        ) {
            depth += 1;
        }
    }

    let output = output.finish();
    Validator::new_with_features(WasmFeatures::all())
        .validate_all(&output)
        .map_err(|error| format!("the stripped component is invalid: {error}"))?;
    Ok(output)
}

fn main() -> ExitCode {
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    let [input_path, output_path] = arguments.as_slice() else {
        eprintln!("usage: strip-component <input.wasm> <output.wasm>");
        return ExitCode::from(2);
    };
    let input = match std::fs::read(input_path) {
        Ok(input) => input,
        Err(error) => {
            eprintln!("strip-component: failed to read {input_path}: {error}");
            return ExitCode::FAILURE;
        }
    };
    let output = match strip(&input) {
        Ok(output) => output,
        Err(message) => {
            eprintln!("strip-component: {input_path}: {message}");
            return ExitCode::FAILURE;
        }
    };
    if let Err(error) = std::fs::write(output_path, &output) {
        eprintln!("strip-component: failed to write {output_path}: {error}");
        return ExitCode::FAILURE;
    }
    println!(
        "strip-component: {input_path} ({} bytes) -> {output_path} ({} bytes)",
        input.len(),
        output.len()
    );
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use wasm_encoder::{Component, CustomSection, Module, ModuleSection, NestedComponentSection};

    use super::*;

    fn custom(name: &str) -> CustomSection<'_> {
        CustomSection {
            name: Cow::Borrowed(name),
            data: Cow::Borrowed(b"payload"),
        }
    }

    /// Lists the custom section names of `bytes`, each with the depth it was found at.
    fn custom_sections(bytes: &[u8]) -> Vec<(usize, String)> {
        let mut depth = 0usize;
        let mut found = Vec::new();
        for payload in Parser::new(0).parse_all(bytes) {
            match payload.expect("the component parses") {
                Payload::CustomSection(reader) => found.push((depth, reader.name().to_string())),
                Payload::ModuleSection { .. } | Payload::ComponentSection { .. } => depth += 1,
                Payload::End(_) => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        found
    }

    #[test]
    fn strip_keeps_nested_sections() {
        let mut module = Module::new();
        module.section(&custom("module-note"));
        let mut nested = Component::new();
        nested.section(&custom("nested-note"));

        let mut component = Component::new();
        component.section(&custom("component-name"));
        component.section(&ModuleSection(&module));
        component.section(&NestedComponentSection(&nested));
        component.section(&custom("producers"));
        let input = component.finish();

        let output = strip(&input).expect("the component strips");

        assert_eq!(
            custom_sections(&input),
            [
                (0, "component-name".to_string()),
                (1, "module-note".to_string()),
                (1, "nested-note".to_string()),
                (0, "producers".to_string()),
            ]
        );
        assert_eq!(
            custom_sections(&output),
            [
                (1, "module-note".to_string()),
                (1, "nested-note".to_string())
            ]
        );
        assert!(output.len() < input.len());
    }

    #[test]
    fn strip_rejects_core_module() {
        let module = Module::new().finish();

        let error = strip(&module).expect_err("a core module is not a component");

        assert_eq!(error, "the input is not a WebAssembly component");
    }
}
