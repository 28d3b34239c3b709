//! The `cairn-lti` command: `cairn-lti serve [--addr 127.0.0.1:8080] [--www DIR]`. Reads flags
//! (or `CAIRN_ADDR`, `CAIRN_WWW`), binds, and serves [`cairn_lti::app`] until Ctrl-C.
//! `cairn-lti demo` serves the tool and the demo platform side by side (two sites).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use cairn_lti::{AppState, app};

const USAGE: &str = "\
usage: cairn-lti serve [--addr ADDR] [--www DIR]
       cairn-lti demo [--tool-port N] [--platform-port N] [--www DIR] [--database-url URL]

  --addr ADDR         address to listen on (env CAIRN_ADDR; default 127.0.0.1:8080)
  --www DIR           the tool page's folder, with the wasm in DIR/pkg (env CAIRN_WWW; default www)
  --tool-port N       demo: the tool on http://localhost:N (default 8080; a free port if taken)
  --platform-port N   demo: the demo platform on http://127.0.0.1:N (default 8081; a free port if taken)
  --database-url URL  demo: the tool's store (default data/demo.sqlite3, apart from serve's)
";

/// The `serve` command's settings.
#[derive(Debug)]
struct ServeConfig {
    addr: SocketAddr,
    www_dir: PathBuf,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("serve") => match parse_serve(&args[1..]).and_then(serve) {
            Ok(()) => ExitCode::SUCCESS,
            Err(err) => {
                eprintln!("cairn-lti: error: {err:#}");
                ExitCode::FAILURE
            }
        },
        Some("demo") => match parse_demo(&args[1..]).and_then(demo) {
            Ok(()) => ExitCode::SUCCESS,
            Err(err) => {
                eprintln!("cairn-lti: error: {err:#}");
                ExitCode::FAILURE
            }
        },
        Some("--version" | "-V") => {
            println!("cairn-lti {}", cairn_lti::VERSION);
            ExitCode::SUCCESS
        }
        Some("--help" | "-h" | "help") => {
            print!("{USAGE}");
            ExitCode::SUCCESS
        }
        _ => {
            eprint!("{USAGE}");
            ExitCode::FAILURE
        }
    }
}

fn parse_serve(args: &[String]) -> Result<ServeConfig> {
    let mut addr = std::env::var("CAIRN_ADDR").unwrap_or_else(|_| "127.0.0.1:8080".to_owned());
    let mut www = std::env::var("CAIRN_WWW").unwrap_or_else(|_| "www".to_owned());
    let mut rest = args.iter();
    while let Some(flag) = rest.next() {
        let value = rest.next();
        match (flag.as_str(), value) {
            ("--addr", Some(value)) => addr = value.clone(),
            ("--www", Some(value)) => www = value.clone(),
            _ => bail!("unexpected argument {flag:?}\n\n{USAGE}"),
        }
    }
    let addr: SocketAddr = addr
        .parse()
        .with_context(|| format!("--addr {addr:?} is not an address such as 127.0.0.1:8080"))?;
    let www_dir = PathBuf::from(www);
    if !www_dir.join("index.html").is_file() {
        bail!(
            "{} has no index.html: pass the tool page's folder with --www",
            www_dir.display()
        );
    }
    if !www_dir.join("pkg").is_dir() {
        eprintln!(
            "cairn-lti: warning: {} has no pkg/ (the wasm core); run `cargo xtask wasm`",
            www_dir.display()
        );
    }
    Ok(ServeConfig { addr, www_dir })
}

fn serve(config: ServeConfig) -> Result<()> {
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::INFO)
        .init();
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(config.addr)
            .await
            .with_context(|| format!("cannot listen on {}", config.addr))?;
        let local = listener.local_addr()?;
        tracing::info!(addr = %local, www = %config.www_dir.display(), "cairn-lti serving");
        println!("cairn-lti: listening on http://{local}/");
        let app = app(AppState {
            www_dir: config.www_dir,
        });
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                // If the signal cannot be installed, run until killed.
                if tokio::signal::ctrl_c().await.is_err() {
                    std::future::pending::<()>().await;
                }
            })
            .await
            .context("the server stopped with an error")
    })
}

/// The `demo` command's settings.
#[derive(Debug)]
struct DemoConfig {
    options: cairn_lti::demo::run::DemoOptions,
    www_dir: PathBuf,
    database_url: String,
}

fn parse_demo(args: &[String]) -> Result<DemoConfig> {
    use cairn_lti::demo::run::{DEFAULT_PLATFORM_PORT, DEFAULT_TOOL_PORT, DemoOptions};
    let mut options = DemoOptions {
        tool_port: DEFAULT_TOOL_PORT,
        platform_port: DEFAULT_PLATFORM_PORT,
    };
    let mut www = std::env::var("CAIRN_WWW").unwrap_or_else(|_| "www".to_owned());
    let mut database_url = "data/demo.sqlite3".to_owned();
    let mut rest = args.iter();
    while let Some(flag) = rest.next() {
        let value = rest.next();
        let port = |value: &String| {
            value
                .parse::<u16>()
                .with_context(|| format!("{flag} {value:?} is not a port number"))
        };
        match (flag.as_str(), value) {
            ("--tool-port", Some(value)) => options.tool_port = port(value)?,
            ("--platform-port", Some(value)) => options.platform_port = port(value)?,
            ("--www", Some(value)) => www = value.clone(),
            ("--database-url", Some(value)) => database_url = value.clone(),
            _ => bail!("unexpected argument {flag:?}\n\n{USAGE}"),
        }
    }
    Ok(DemoConfig {
        options,
        www_dir: PathBuf::from(www),
        database_url,
    })
}

fn demo(config: DemoConfig) -> Result<()> {
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::INFO)
        .with_writer(std::io::stderr)
        .init();
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    let www_dir = config.www_dir;
    runtime.block_on(async move {
        let store = cairn_lti::store::open(&config.database_url)
            .await
            .with_context(|| format!("cannot open the demo's store {:?}", config.database_url))?;
        cairn_lti::demo::run::run(
            config.options,
            Some(store),
            |_tool_url| app(AppState { www_dir }),
            |course_url| {
                println!();
                println!("Demo course: {course_url}   (Ctrl-C to stop)");
                println!();
            },
            async {
                // If the signal cannot be installed, run until killed.
                if tokio::signal::ctrl_c().await.is_err() {
                    std::future::pending::<()>().await;
                }
            },
        )
        .await
        .context("the demo stopped with an error")
    })
}
