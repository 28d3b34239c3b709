//! `cargo xtask demo`: builds the wasm and the server, then runs `cairn-lti demo`, which serves
//! the tool on `http://localhost:<port>` and the demo platform on `http://127.0.0.1:<port+1>`
//! (two sites) and prints the one URL to open, the demo course, which holds the sample
//! credential (`--sample-course`): place its exam by Deep Linking as the instructor, launch the
//! placed link as a learner, answer it, and see the score in the demo gradebook. Runs until
//! interrupted (Ctrl-C).

use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::{cargo, project_root, show, target_dir};

/// The tool's port tried first (the platform tries the next one; the server picks free
/// ports when these are taken).
pub const DEFAULT_PORT: u16 = 8080;

/// Builds everything and serves the tool and the demo platform until the server stops.
pub fn run(port: u16) -> Result<()> {
    crate::wasm::build()?;
    crate::run_command(cargo().args(["build", "--package", "cairn-lti", "--bin", "cairn-lti"]))?;

    let binary = target_dir().join("debug").join("cairn-lti");
    let mut demo = Command::new(&binary);
    demo.arg("demo")
        .arg("--tool-port")
        .arg(port.to_string())
        .arg("--platform-port")
        .arg(port.saturating_add(1).to_string())
        .arg("--www")
        .arg(project_root().join("www"))
        .arg("--sample-course")
        .current_dir(project_root());
    eprintln!("$ {}", show(&demo));
    // The server prints the course page's URL once both sites listen.
    let status = demo
        .status()
        .with_context(|| format!("could not start {}", binary.display()))?;
    if !status.success() {
        bail!("cairn-lti demo stopped ({status})");
    }
    Ok(())
}
