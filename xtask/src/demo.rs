//! `cargo xtask demo`: builds the wasm and the server, then runs `cairn-lti serve` on 127.0.0.1
//! with its embedded defaults and prints the URL. Runs until interrupted (Ctrl-C).

use std::net::{Ipv4Addr, SocketAddrV4, TcpListener};
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::{cargo, project_root, show, target_dir};

/// The port tried first.
pub const DEFAULT_PORT: u16 = 8080;

/// Builds everything and serves the page until the server stops.
pub fn run(port: u16) -> Result<()> {
    crate::wasm::build()?;
    crate::run_command(cargo().args(["build", "--package", "cairn-lti", "--bin", "cairn-lti"]))?;

    let port = free_port(port)?;
    let addr = SocketAddrV4::new(Ipv4Addr::LOCALHOST, port);
    let binary = target_dir().join("debug").join("cairn-lti");
    let mut serve = Command::new(&binary);
    serve
        .arg("serve")
        .arg("--addr")
        .arg(addr.to_string())
        .arg("--www")
        .arg(project_root().join("www"))
        .current_dir(project_root());
    println!();
    println!("Cairn is running at http://{addr}/   (Ctrl-C to stop)");
    println!();
    eprintln!("$ {}", show(&serve));
    let status = serve
        .status()
        .with_context(|| format!("could not start {}", binary.display()))?;
    if !status.success() {
        bail!("cairn-lti stopped ({status})");
    }
    Ok(())
}

/// `wanted` if it is free on 127.0.0.1, else a free port the system picks.
fn free_port(wanted: u16) -> Result<u16> {
    if wanted != 0 && TcpListener::bind(SocketAddrV4::new(Ipv4Addr::LOCALHOST, wanted)).is_ok() {
        return Ok(wanted);
    }
    let listener = TcpListener::bind(SocketAddrV4::new(Ipv4Addr::LOCALHOST, 0))
        .context("cannot find a free port on 127.0.0.1")?;
    let port = listener.local_addr()?.port();
    if wanted != 0 {
        eprintln!("xtask: port {wanted} is taken; using {port}");
    }
    Ok(port)
}
