//! Runs the demo: the tool's router and the demo platform's router on two loopback
//! listeners in one process (the tool as `http://localhost:<port>`, the platform as
//! `http://127.0.0.1:<port2>`: two sites), until a shutdown signal. Knows nothing of the
//! tool's insides: the caller builds the tool's router and registers the platform.

use std::future::Future;
use std::io;

use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::watch;

use super::{DemoPlatform, platform_app};

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
