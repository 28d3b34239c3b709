//! A throwaway PostgreSQL cluster for the store tests: `cargo xtask postgres -- <command…>` and
//! the `cargo test` step of `cargo xtask ci`. Installs Debian's `postgresql` with apt-get when
//! `initdb`/`pg_ctl` are missing, creates a cluster under `target/postgres-test/<pid>/` owned
//! by the `postgres` OS user (PostgreSQL refuses to run as root), starts it on a free loopback
//! port with a socket folder of its own, hands the command `CAIRN_TEST_POSTGRES_URL`, and stops
//! and deletes it afterwards, also when the command fails. Never touches another cluster.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};

use crate::{run_command, show, target_dir};

/// The variable the store tests read the cluster's URL from.
pub const URL_VAR: &str = "CAIRN_TEST_POSTGRES_URL";

/// The OS user that owns and runs the cluster when this task runs as root.
const OS_USER: &str = "postgres";

/// Where Debian installs each PostgreSQL major version's programs.
const DEBIAN_VERSIONS_DIR: &str = "/usr/lib/postgresql";

/// A running throwaway cluster; dropping it stops it and deletes its folder.
pub struct Cluster {
    bin_dir: PathBuf,
    root: PathBuf,
    port: u16,
    as_postgres_user: bool,
    running: bool,
}

impl Cluster {
    /// Installs PostgreSQL if needed, then creates and starts a cluster on a free loopback port.
    pub fn start() -> Result<Cluster> {
        let bin_dir = match find_bin_dir() {
            Some(dir) => dir,
            None => {
                install_postgresql()?;
                find_bin_dir().context(
                    "apt-get installed postgresql, but no initdb and pg_ctl were found on PATH \
                     or under /usr/lib/postgresql/*/bin",
                )?
            }
        };
        let as_postgres_user = is_root()?;
        let root = target_dir()
            .join("postgres-test")
            .join(std::process::id().to_string());
        if root.exists() {
            std::fs::remove_dir_all(&root)
                .with_context(|| format!("cannot clear {}", root.display()))?;
        }
        let socket_dir = root.join("socket");
        std::fs::create_dir_all(&socket_dir)
            .with_context(|| format!("cannot create {}", socket_dir.display()))?;
        let mut cluster = Cluster {
            bin_dir,
            root,
            port: free_loopback_port()?,
            as_postgres_user,
            running: false,
        };
        if as_postgres_user {
            run_command(
                Command::new("chown")
                    .arg("-R")
                    .arg(format!("{OS_USER}:{OS_USER}"))
                    .arg(&cluster.root),
            )
            .with_context(|| {
                format!(
                    "cannot give {} to the `{OS_USER}` user (does it exist? apt-get install \
                     postgresql creates it)",
                    cluster.root.display()
                )
            })?;
        }
        let data = cluster.data_dir();
        cluster
            .run_quietly(
                "initdb",
                &[
                    "-D".as_ref(),
                    data.as_os_str(),
                    "-U".as_ref(),
                    "postgres".as_ref(),
                    "--auth=trust".as_ref(),
                    "--encoding=UTF8".as_ref(),
                    "--no-sync".as_ref(),
                ],
            )
            .with_context(|| {
                format!(
                    "initdb failed; the `{OS_USER}` user must be able to reach {} (every \
                     parent folder needs o+x)",
                    cluster.root.display()
                )
            })?;
        // Loopback only; durability off (a throwaway cluster); room for parallel test pools.
        let options = format!(
            "-c listen_addresses=127.0.0.1 -c port={} -c unix_socket_directories={} \
             -c fsync=off -c synchronous_commit=off -c full_page_writes=off \
             -c max_connections=300",
            cluster.port,
            socket_dir.display()
        );
        let log = cluster.root.join("postgres.log");
        cluster.running = true;
        cluster
            .run_quietly(
                "pg_ctl",
                &[
                    "-D".as_ref(),
                    data.as_os_str(),
                    "-l".as_ref(),
                    log.as_os_str(),
                    "-o".as_ref(),
                    options.as_ref(),
                    "-w".as_ref(),
                    "-t".as_ref(),
                    "60".as_ref(),
                    "start".as_ref(),
                ],
            )
            .with_context(|| format!("PostgreSQL did not start; see {}", log.display()))?;
        eprintln!("xtask: PostgreSQL test cluster on {}", cluster.url());
        Ok(cluster)
    }

    /// The URL the tests connect to (`postgres://postgres@127.0.0.1:PORT/postgres`).
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// Stops the cluster and deletes its folder, reporting failures (drop only logs them).
    pub fn stop(mut self) -> Result<()> {
        self.shut_down()
    }

    fn data_dir(&self) -> PathBuf {
        self.root.join("data")
    }

    fn shut_down(&mut self) -> Result<()> {
        let stopped = if self.running {
            self.running = false;
            let data = self.data_dir();
            self.run_quietly(
                "pg_ctl",
                &[
                    "-D".as_ref(),
                    data.as_os_str(),
                    "-m".as_ref(),
                    "immediate".as_ref(),
                    "-w".as_ref(),
                    "stop".as_ref(),
                ],
            )
        } else {
            Ok(())
        };
        // Deleted even when the stop failed: a postmaster whose pid file is gone exits by itself.
        let removed = if self.root.exists() {
            std::fs::remove_dir_all(&self.root)
                .with_context(|| format!("cannot delete {}", self.root.display()))
        } else {
            Ok(())
        };
        stopped.and(removed)
    }

    /// Runs one of PostgreSQL's programs (as the `postgres` user when we are root), its
    /// chatter hidden; errors still reach stderr.
    fn run_quietly(&self, program: &str, args: &[&std::ffi::OsStr]) -> Result<()> {
        let path = self.bin_dir.join(program);
        let mut cmd = if self.as_postgres_user {
            let mut cmd = Command::new("runuser");
            cmd.args(["-u", OS_USER, "--"]).arg(&path);
            cmd
        } else {
            Command::new(&path)
        };
        cmd.args(args).current_dir(&self.root).stdout(Stdio::null());
        let shown = show(&cmd);
        eprintln!("$ {shown}");
        let status = cmd
            .status()
            .with_context(|| format!("could not start `{shown}`"))?;
        if !status.success() {
            bail!("`{shown}` failed ({status})");
        }
        Ok(())
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if let Err(err) = self.shut_down() {
            eprintln!("xtask: could not clean up the PostgreSQL test cluster: {err:#}");
        }
    }
}

/// `cargo xtask postgres -- <command…>`: runs the command with a throwaway cluster's URL in
/// `CAIRN_TEST_POSTGRES_URL`, then stops the cluster whatever the command's outcome.
pub fn run(command: &[String]) -> Result<()> {
    let Some((program, args)) = command.split_first() else {
        bail!(
            "usage: cargo xtask postgres -- <command…> (for example `cargo test -p cairn-lti --test store`)"
        );
    };
    let cluster = Cluster::start()?;
    let outcome = run_command(Command::new(program).args(args).env(URL_VAR, cluster.url()));
    let stopped = cluster.stop();
    outcome.and(stopped)
}

/// The folder holding `initdb` and `pg_ctl`: from PATH, else Debian's newest version folder.
fn find_bin_dir() -> Option<PathBuf> {
    let has_both = |dir: &Path| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file();
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            if has_both(&dir) {
                // Resolve symlinks (Debian links a few programs into /usr/bin or /usr/local/bin)
                // so the programs run from their own version folder.
                let initdb = std::fs::canonicalize(dir.join("initdb")).ok()?;
                return initdb.parent().map(Path::to_path_buf);
            }
        }
    }
    let versions: Vec<String> = std::fs::read_dir(DEBIAN_VERSIONS_DIR)
        .ok()?
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .collect();
    newest_version(&versions)
        .map(|v| Path::new(DEBIAN_VERSIONS_DIR).join(v).join("bin"))
        .filter(|dir| has_both(dir))
}

/// The highest numeric major version among folder names (`15` over `9.6`; non-numbers ignored).
fn newest_version(names: &[String]) -> Option<&str> {
    names
        .iter()
        .filter_map(|name| {
            let mut parts = name.split('.').map(str::parse::<u32>);
            let major = parts.next()?.ok()?;
            let minor = match parts.next() {
                Some(minor) => minor.ok()?,
                None => 0,
            };
            Some(((major, minor), name.as_str()))
        })
        .max()
        .map(|(_, name)| name)
}

/// Installs Debian's `postgresql` (needs root).
fn install_postgresql() -> Result<()> {
    if !is_root()? {
        bail!(
            "PostgreSQL's initdb and pg_ctl were not found, and installing them needs root: run \
             `sudo apt-get install postgresql`, then rerun"
        );
    }
    eprintln!("xtask: initdb and pg_ctl are missing; installing Debian's postgresql");
    run_command(Command::new("apt-get").arg("update"))?;
    run_command(
        Command::new("apt-get")
            .args(["install", "-y", "--no-install-recommends", "postgresql"])
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )
}

/// Whether this process runs as root (`id -u` is 0).
pub fn is_root() -> Result<bool> {
    let out = Command::new("id")
        .arg("-u")
        .output()
        .context("could not run `id -u`")?;
    Ok(String::from_utf8_lossy(&out.stdout).trim() == "0")
}

/// A loopback port nothing listens on right now.
fn free_loopback_port() -> Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").context("cannot bind a loopback port")?;
    Ok(listener.local_addr()?.port())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_newest_numeric_version_folder_wins() {
        let names = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(newest_version(&names(&["9.6", "15", "13"])), Some("15"));
        assert_eq!(newest_version(&names(&["16", "9.6", "lib"])), Some("16"));
        assert_eq!(newest_version(&names(&["9.5", "9.6"])), Some("9.6"));
        assert_eq!(newest_version(&names(&["common"])), None);
    }

    #[test]
    fn a_free_port_is_on_loopback_and_not_zero() {
        let port = free_loopback_port().unwrap();
        assert_ne!(port, 0);
        assert!(TcpListener::bind(("127.0.0.1", port)).is_ok());
    }
}
