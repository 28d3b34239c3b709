//! Installs the process's log subscriber: `tracing` lines as text or JSON (`--log-format`),
//! filtered by `RUST_LOG` (default `info`). Called once by `serve`; tests never call it.

use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;

/// Installs the global subscriber; a second call is ignored (the first one stays).
pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    let installed = match format {
        LogFormat::Text => builder.try_init(),
        // Span fields (the request id) go on every line inside the request.
        LogFormat::Json => builder
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .try_init(),
    };
    drop(installed);
}
