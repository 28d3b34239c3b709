//! `cargo xtask wasm-sizes [learner|views|full]`: where a page module's bytes go. Builds the
//! module's `cairn-wasm` (before bindgen, so the function names are still in its `name`
//! section), then prints the code bytes per owner (the core's module a function belongs to or
//! works for, e.g. `cairn::definition` for serde's reader of a definition, else the crate) with
//! the part in functions that name serde, and the largest functions. The wasm-bindgen
//! `describe` functions are left out: bindgen removes them. A measuring tool for size work,
//! not a CI step; sizes are raw bytes before `wasm-opt` (the shares carry over, not the totals).

use std::collections::BTreeMap;

use anyhow::{Context, Result, bail};

use crate::wasm::{build_unbound, read_leb128};

/// How many of the largest functions to print.
const TOP: usize = 30;

/// Crates to name when a function belongs to none of the core's modules.
const CRATES: &[&str] = &[
    "serde_json",
    "serde_core",
    "serde",
    "num_bigint",
    "num_rational",
    "num_integer",
    "js_sys",
    "web_sys",
    "wasm_bindgen",
    "dlmalloc",
    "alloc",
    "core",
    "std",
    "smol_str",
];

/// Builds `module` (`learner`, `views` or `full`) and prints where its code bytes go.
pub fn run(module: &str) -> Result<()> {
    let folder = match module {
        "learner" | "views" => module,
        "full" => "",
        _ => bail!("usage: cargo xtask wasm-sizes [learner|views|full]"),
    };
    let path = build_unbound(folder)?;
    let bytes = std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let functions = functions(&bytes)
        .with_context(|| format!("{} is not a well-formed wasm module", path.display()))?;
    let total: usize = functions.iter().map(|(_, size)| size).sum();
    println!(
        "{}: {} functions, {total} code bytes",
        path.display(),
        functions.len()
    );
    let mut owners: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for (name, size) in &functions {
        let entry = owners.entry(owner(name)).or_default();
        entry.0 += size;
        if name.contains("serde") {
            entry.1 += size;
        }
    }
    let mut owners: Vec<_> = owners.into_iter().collect();
    owners.sort_by_key(|(_, (size, _))| std::cmp::Reverse(*size));
    println!("{:>9} {:>9}  owner", "bytes", "in serde");
    for (owner, (size, serde)) in &owners {
        println!("{size:>9} {serde:>9}  {owner}");
    }
    let mut largest: Vec<_> = functions.iter().collect();
    largest.sort_by_key(|(_, size)| std::cmp::Reverse(*size));
    println!("the {TOP} largest functions:");
    for (name, size) in largest.into_iter().take(TOP) {
        println!("{size:>9}  {}", name.chars().take(160).collect::<String>());
    }
    Ok(())
}

/// The core module a (mangled) name works for, e.g. `cairn::event`, else the first crate it names.
fn owner(name: &str) -> String {
    for (marker, label) in [
        ("cairn_api_types", "cairn_api_types"),
        ("cairn_wasm", "cairn_wasm"),
    ] {
        if name.contains(marker) {
            return label.to_owned();
        }
    }
    // Both manglings spell a path segment as its length, then its text: `5cairn5event`. (A
    // v0 name may also end with the instantiating crate, `…5cairn`, which names no module.)
    for (at, _) in name.match_indices("5cairn") {
        let rest = &name[at + "5cairn".len()..];
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        if let Ok(len) = digits.parse::<usize>() {
            let text = rest[digits.len()..].trim_start_matches('_');
            if let Some(module) = text.get(..len) {
                return format!("cairn::{module}");
            }
        }
    }
    CRATES
        .iter()
        .filter_map(|c| name.find(c).map(|at| (at, std::cmp::Reverse(c.len()), *c)))
        .min()
        .map_or_else(|| "other".to_owned(), |(_, _, c)| c.to_owned())
}

/// Each defined function's name (from the `name` section) and body size, without the
/// wasm-bindgen `describe` functions (WebAssembly core specification §5.5).
fn functions(module: &[u8]) -> Result<Vec<(String, usize)>> {
    if module.len() < 8 || &module[..4] != b"\0asm" {
        bail!("missing the wasm header");
    }
    let mut imported = 0usize;
    let mut bodies = Vec::new();
    let mut names = BTreeMap::new();
    let mut at = 8;
    while at < module.len() {
        let id = module[at];
        let (size, start) = read_leb128(module, at + 1)?;
        let end = start + size;
        let section = module
            .get(start..end)
            .context("a section runs past the end")?;
        match id {
            2 => imported = imported_functions(section)?,
            10 => {
                let (count, mut p) = read_leb128(section, 0)?;
                for _ in 0..count {
                    let (len, body) = read_leb128(section, p)?;
                    bodies.push(len);
                    p = body + len;
                }
            }
            0 => {
                let (len, p) = read_leb128(section, 0)?;
                if section.get(p..p + len) == Some(b"name".as_slice()) {
                    read_function_names(&section[p + len..], &mut names)?;
                }
            }
            _ => {}
        }
        at = end;
    }
    Ok(bodies
        .into_iter()
        .enumerate()
        .map(|(i, size)| {
            let name = names
                .remove(&(imported + i))
                .unwrap_or_else(|| format!("#{i}"));
            (name, size)
        })
        .filter(|(name, _)| !name.contains("describe"))
        .collect())
}

/// How many functions the import section imports.
fn imported_functions(section: &[u8]) -> Result<usize> {
    let (count, mut p) = read_leb128(section, 0)?;
    let mut functions = 0;
    for _ in 0..count {
        for _ in 0..2 {
            let (len, text) = read_leb128(section, p)?;
            p = text + len;
        }
        let kind = *section.get(p).context("truncated import")?;
        p += 1;
        p = match kind {
            0 => {
                functions += 1;
                read_leb128(section, p)?.1
            }
            1 => {
                let flags = *section.get(p + 1).context("truncated table import")?;
                let (_, p) = read_leb128(section, p + 2)?;
                if flags & 1 == 1 {
                    read_leb128(section, p)?.1
                } else {
                    p
                }
            }
            2 => {
                let flags = *section.get(p).context("truncated memory import")?;
                let (_, p) = read_leb128(section, p + 1)?;
                if flags & 1 == 1 {
                    read_leb128(section, p)?.1
                } else {
                    p
                }
            }
            3 => p + 2,
            other => bail!("unknown import kind {other}"),
        };
    }
    Ok(functions)
}

/// The function names subsection (id 1) of a `name` section's contents.
fn read_function_names(mut rest: &[u8], names: &mut BTreeMap<usize, String>) -> Result<()> {
    while let Some(&id) = rest.first() {
        let (size, start) = read_leb128(rest, 1)?;
        let body = rest
            .get(start..start + size)
            .context("truncated name subsection")?;
        if id == 1 {
            let (count, mut p) = read_leb128(body, 0)?;
            for _ in 0..count {
                let (index, q) = read_leb128(body, p)?;
                let (len, text) = read_leb128(body, q)?;
                let name = body
                    .get(text..text + len)
                    .context("truncated function name")?;
                names.insert(index, String::from_utf8_lossy(name).into_owned());
                p = text + len;
            }
        }
        rest = &rest[start + size..];
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::owner;

    #[test]
    fn a_function_is_owned_by_the_core_module_it_works_for() {
        assert_eq!(
            owner("_ZN98_serde_json..de..deserialize_struct..5cairn5event3_1_Visitor17h00E"),
            "cairn::event"
        );
        assert_eq!(
            owner("_ZN5cairn10definition5check5check17h0E"),
            "cairn::definition"
        );
        assert_eq!(owner("_ZN10serde_json2de5parse17h0E"), "serde_json");
        assert_eq!(owner("_ZN15cairn_api_types6bodies3foo"), "cairn_api_types");
        assert_eq!(owner("__muloti4"), "other");
        assert_eq!(
            owner("_RNvXs_NtCs1_4core3fmt5Write9write_str5cairn"),
            "core"
        );
    }
}
