//! WebAssembly bindings of Cairn's pure core: a thin translator of types, no domain logic.
