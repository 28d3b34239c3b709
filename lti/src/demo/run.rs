//! Runs the demo: the tool's router and the demo platform's router on two loopback
//! listeners in one process (the tool as `http://localhost:<port>`, the platform as
//! `http://127.0.0.1:<port2>`: two sites), until a shutdown signal. [`run`] is what
//! `cairn-lti demo` does: bind, register the platform with the tool's store (and put the
//! sample credential in its course when asked), make this run's random admin token (the
//! tool's admin API takes it; the course page shows it beside the LMS admin), report the
//! course page's URL and the token, serve.

use std::future::Future;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::watch;

use super::{DemoError, DemoPlatform, DemoSettings, platform_app, register_with_tool};
use crate::config::AdminToken;
use crate::store::Store;

/// The tool's port tried first.
pub const DEFAULT_TOOL_PORT: u16 = 8080;
/// The platform's port tried first.
pub const DEFAULT_PLATFORM_PORT: u16 = 8081;

/// What `cairn-lti demo` needs.
#[derive(Clone, Debug)]
pub struct DemoOptions {
    /// The tool's port on 127.0.0.1 (`0`, or taken: any free port).
    pub tool_port: u16,
    /// The platform's port on 127.0.0.1 (`0`, or taken: any free port).
    pub platform_port: u16,
    /// Whether to put the sample credential in the demo course ([`super::sample::seed`]).
    pub sample_course: bool,
}

/// Why the demo stopped.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// A listener could not be bound, or a server failed.
    #[error("demo server: {0}")]
    Io(#[from] io::Error),
    /// The platform could not start or register.
    #[error(transparent)]
    Demo(#[from] DemoError),
    /// The tool's router could not be built for its public URL.
    #[error("the tool could not start: {0}")]
    Tool(String),
    /// The sample credential could not be put in the demo course.
    #[error(transparent)]
    Sample(#[from] super::sample::SampleError),
    /// The system's random source failed, so no admin token could be made.
    #[error("no admin token: the system's random source is unavailable")]
    Random,
}

/// A fresh admin token for one run (never a fixed secret): 32 random bytes in hex. Returns the
/// text to show and the token the tool checks.
pub fn random_admin_token() -> Result<(String, AdminToken), RunError> {
    let mut bytes = [0u8; 32];
    aws_lc_rs::rand::fill(&mut bytes).map_err(|_| RunError::Random)?;
    let text: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let token = AdminToken::new(&text).map_err(|_| RunError::Random)?;
    Ok((text, token))
}

/// Binds both listeners, starts the platform, registers it in `store` (when given) and
/// calls `ready` with the course page's URL and this run's admin token, then serves the tool
/// (built by `tool` from its public URL and the admin token; an error there is
/// [`RunError::Tool`]) and the platform until `shutdown`.
pub async fn run(
    options: DemoOptions,
    store: Option<Arc<dyn Store>>,
    tool: impl FnOnce(&str, AdminToken) -> Result<Router, String>,
    ready: impl FnOnce(&str, &str),
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), RunError> {
    let tool_listener = bind_loopback(options.tool_port).await?;
    let platform_listener = bind_loopback(options.platform_port).await?;
    // Two sites: the browser treats localhost and 127.0.0.1 as different.
    let tool_url = format!("http://localhost:{}", tool_listener.local_addr()?.port());
    let platform_url = format!("http://{}", platform_listener.local_addr()?);
    let platform = DemoPlatform::new(DemoSettings {
        platform_url,
        tool_url: tool_url.clone(),
    })?;
    match store {
        Some(store) => {
            let rows = register_with_tool(store.as_ref(), &platform, platform.now())
                .await
                .map_err(DemoError::from)?;
            for (registration, deployment) in &rows {
                tracing::info!(
                    issuer = %registration.fields.issuer,
                    client_id = %registration.fields.client_id,
                    deployment_id = %deployment.deployment_id,
                    "demo platform registered with the tool"
                );
            }
            if options.sample_course {
                let registrations: Vec<_> = rows.into_iter().map(|(r, _)| r).collect();
                let seeded =
                    super::sample::seed(store.as_ref(), &registrations, platform.now()).await?;
                tracing::info!(courses = seeded, "sample credential put in the demo course");
            }
        }
        None => tracing::warn!(
            "the tool has no store yet: the demo platform is not registered and launches will fail"
        ),
    }
    let (admin_text, admin_token) = random_admin_token()?;
    platform.show_admin_token(&admin_text);
    let tool_app = tool(&tool_url, admin_token).map_err(RunError::Tool)?;
    ready(&platform.course_url(), &admin_text);
    serve_both(
        tool_listener,
        tool_app,
        platform_listener,
        platform,
        shutdown,
    )
    .await?;
    Ok(())
}

/// A listener on 127.0.0.1:`port`, or on a free port when `port` is 0 or taken.
async fn bind_loopback(port: u16) -> io::Result<TcpListener> {
    let wanted = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    match TcpListener::bind(wanted).await {
        Ok(listener) => Ok(listener),
        Err(err) if port != 0 && err.kind() == io::ErrorKind::AddrInUse => {
            TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await
        }
        Err(err) => Err(err),
    }
}

/// Serves `tool` on `tool_listener` and the platform on `platform_listener` until `shutdown`
/// completes; then both stop gracefully. Returns the first server error.
pub async fn serve_both(
    tool_listener: TcpListener,
    tool: Router,
    platform_listener: TcpListener,
    platform: DemoPlatform,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let (stop, stopped) = watch::channel(false);
    let signal = tokio::spawn(async move {
        shutdown.await;
        let _ = stop.send(true);
    });
    let until_stopped = |mut stopped: watch::Receiver<bool>| async move {
        // A dropped sender also means stop.
        let _ = stopped.wait_for(|stop| *stop).await;
    };
    let tool_server =
        axum::serve(tool_listener, tool).with_graceful_shutdown(until_stopped(stopped.clone()));
    let platform_server = axum::serve(platform_listener, platform_app(platform))
        .with_graceful_shutdown(until_stopped(stopped));
    let (tool_result, platform_result) = tokio::join!(tool_server, platform_server);
    signal.abort();
    tool_result.and(platform_result)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::DemoSettings;
    use axum::routing::get;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    async fn http_get(addr: std::net::SocketAddr, path: &str) -> String {
        let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).await.unwrap();
        answer
    }

    #[test]
    fn admin_tokens_are_random_and_long_enough() {
        let (first, token) = random_admin_token().unwrap();
        let (second, _) = random_admin_token().unwrap();
        assert_eq!(first.len(), 64);
        assert_ne!(first, second, "a fresh token each run");
        assert!(token.matches(&first));
        assert!(!token.matches(&second));
    }

    #[tokio::test]
    async fn a_taken_port_falls_back_to_a_free_one() {
        let taken = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = taken.local_addr().unwrap().port();
        let other = bind_loopback(port).await.unwrap();
        assert_ne!(other.local_addr().unwrap().port(), port);
        assert!(other.local_addr().unwrap().ip().is_loopback());
    }

    #[tokio::test]
    async fn run_reports_the_course_page_on_another_site_than_the_tool() {
        let (url_tx, url_rx) = tokio::sync::oneshot::channel::<(String, String)>();
        let (tool_tx, tool_rx) = tokio::sync::oneshot::channel::<String>();
        let (token_tx, token_rx) = tokio::sync::oneshot::channel::<AdminToken>();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let options = DemoOptions {
            tool_port: 0,
            platform_port: 0,
            sample_course: false,
        };
        let demo = tokio::spawn(run(
            options,
            None,
            move |tool_url, token: AdminToken| {
                let _ = tool_tx.send(tool_url.to_owned());
                let _ = token_tx.send(token);
                Ok(Router::new().route("/health", get(|| async { "tool ok" })))
            },
            move |url, token| {
                let _ = url_tx.send((url.to_owned(), token.to_owned()));
            },
            async move {
                let _ = stopped.await;
            },
        ));
        let (course, shown) = url_rx.await.unwrap();
        let tool = tool_rx.await.unwrap();
        let checked = token_rx.await.unwrap();
        assert!(shown.len() >= AdminToken::MIN_LENGTH, "{shown}");
        assert!(
            checked.matches(&shown),
            "the tool checks the token reported"
        );
        assert!(
            course.starts_with("http://127.0.0.1:") && course.ends_with('/'),
            "{course}"
        );
        assert!(tool.starts_with("http://localhost:"), "{tool}");
        let addr: SocketAddr = course
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .parse()
            .unwrap();
        let page = http_get(addr, "/?flavour=moodle").await;
        assert!(page.starts_with("HTTP/1.1 200"), "{page}");
        assert!(page.contains(&format!("action=\"{tool}/lti/login\"")));
        assert!(
            page.contains(&format!("<code id=\"admin-token\">{shown}</code>")),
            "the course page shows the run's admin token"
        );
        stop.send(()).unwrap();
        let finished = tokio::time::timeout(std::time::Duration::from_secs(10), demo)
            .await
            .expect("the demo stops within 10 s");
        assert!(finished.unwrap().is_ok());
    }

    #[tokio::test]
    async fn both_sites_answer_and_stop_on_signal() {
        let tool_listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let platform_listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let tool_addr = tool_listener.local_addr().unwrap();
        let platform_addr = platform_listener.local_addr().unwrap();
        let platform = DemoPlatform::new(DemoSettings {
            platform_url: format!("http://{platform_addr}"),
            tool_url: format!("http://localhost:{}", tool_addr.port()),
        })
        .unwrap();
        let tool = Router::new().route("/health", get(|| async { "tool ok" }));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let servers = tokio::spawn(serve_both(
            tool_listener,
            tool,
            platform_listener,
            platform,
            async move {
                let _ = stopped.await;
            },
        ));
        assert!(http_get(tool_addr, "/health").await.ends_with("tool ok"));
        let jwks = http_get(platform_addr, "/jwks").await;
        assert!(jwks.starts_with("HTTP/1.1 200"), "{jwks}");
        assert!(jwks.contains("\"kty\":\"RSA\""));
        stop.send(()).unwrap();
        let finished = tokio::time::timeout(std::time::Duration::from_secs(10), servers)
            .await
            .expect("servers stop within 10 s");
        assert!(finished.unwrap().is_ok());
    }
}
