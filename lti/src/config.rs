//! The server's configuration as values: the public base URL every link derives from
//! ([`PublicUrl`]), the admin token, the log format, and the whole `serve` setting
//! ([`ServeConfig`]). Reads no environment and no flags itself (that is `cli.rs`); every
//! parser here returns a [`ConfigError`] that says what to change. `Debug` redacts secrets.

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

/// What is wrong with a configuration value, phrased for the person starting the server.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// The public URL is not an absolute `http(s)://host[:port][/path]` URL.
    #[error(
        "public URL {value:?} is not usable: {reason} (pass --public-url / CAIRN_PUBLIC_URL such as https://cairn.example.edu)"
    )]
    PublicUrl {
        /// The value given.
        value: String,
        /// Why it was refused.
        reason: String,
    },
    /// The listening address is not loopback and no public URL was given.
    #[error(
        "--public-url (or CAIRN_PUBLIC_URL) is required when listening on {addr}: platforms must reach the tool at the URL they were given, never one guessed from the Host header"
    )]
    PublicUrlRequired {
        /// The listening address.
        addr: SocketAddr,
    },
    /// The admin token is too short to resist guessing.
    #[error(
        "the admin token is {length} characters long; use at least {min} (for example `openssl rand -base64 32`)"
    )]
    AdminTokenTooShort {
        /// Its length.
        length: usize,
        /// The minimum.
        min: usize,
    },
    /// The log format is neither `text` nor `json`.
    #[error("log format {0:?} is unknown: use `text` or `json`")]
    LogFormat(String),
}

/// The configured public base URL of the tool (`CAIRN_PUBLIC_URL`): the only source of the
/// URLs Cairn gives out (redirect URI, login, JWKS, config pages). Kept without a trailing
/// slash, so [`PublicUrl::join`] of `/lti/launch` gives `<base>/lti/launch`.
#[derive(Clone, PartialEq, Eq)]
pub struct PublicUrl {
    /// The base, as text without a trailing slash.
    base: String,
    /// `host` or `host:port` (non-default port), as platforms show a tool's domain.
    domain: String,
}

impl PublicUrl {
    /// Parses a base URL: `https://`, or `http://` for a loopback host only (the demo and
    /// local tests); a host; no query, fragment or credentials. A path prefix is kept
    /// (`https://example.edu/cairn`).
    pub fn parse(text: &str) -> Result<PublicUrl, ConfigError> {
        let refuse = |reason: &str| ConfigError::PublicUrl {
            value: text.to_owned(),
            reason: reason.to_owned(),
        };
        let url = url::Url::parse(text.trim()).map_err(|err| refuse(&err.to_string()))?;
        let host = url.host_str().ok_or_else(|| refuse("it has no host"))?;
        match url.scheme() {
            "https" => {}
            "http" if is_loopback_host(host) => {}
            "http" => {
                return Err(refuse(
                    "http:// is allowed for localhost only; platforms require https",
                ));
            }
            _ => return Err(refuse("the scheme must be https")),
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(refuse("it must not have a query or fragment"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(refuse("it must not carry a user name or password"));
        }
        let domain = match url.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_owned(),
        };
        let base = url.as_str().trim_end_matches('/').to_owned();
        Ok(PublicUrl { base, domain })
    }

    /// The demo default: `http://localhost:<port>`, allowed only when `addr` is loopback.
    pub fn default_for(addr: SocketAddr) -> Result<PublicUrl, ConfigError> {
        if !addr.ip().is_loopback() {
            return Err(ConfigError::PublicUrlRequired { addr });
        }
        PublicUrl::parse(&format!("http://localhost:{}", addr.port()))
    }

    /// `<base><path>`; `path` starts with `/` (`join("/lti/launch")`).
    pub fn join(&self, path: &str) -> String {
        debug_assert!(path.starts_with('/'), "join takes an absolute path: {path}");
        format!("{}{path}", self.base)
    }

    /// The base URL without a trailing slash.
    pub fn as_str(&self) -> &str {
        &self.base
    }

    /// The host, with the port when it is not the scheme's default (`tool.test`, `localhost:8080`).
    pub fn domain(&self) -> &str {
        &self.domain
    }

    /// The redirect URI platforms register: `<base>/lti/launch`.
    pub fn launch_url(&self) -> String {
        self.join("/lti/launch")
    }

    /// The OIDC login initiation URL: `<base>/lti/login`.
    pub fn login_url(&self) -> String {
        self.join("/lti/login")
    }

    /// The tool's public keys: `<base>/.well-known/jwks.json`.
    pub fn jwks_url(&self) -> String {
        self.join("/.well-known/jwks.json")
    }
}

impl fmt::Display for PublicUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.base)
    }
}

impl fmt::Debug for PublicUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicUrl({:?})", self.base)
    }
}

fn is_loopback_host(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// The admin API's bearer token. Never printed: `Debug` shows `AdminToken(<redacted>)`.
#[derive(Clone)]
pub struct AdminToken(String);

impl AdminToken {
    /// The shortest token accepted.
    pub const MIN_LENGTH: usize = 16;

    /// Accepts a token of at least [`AdminToken::MIN_LENGTH`] characters (surrounding
    /// whitespace dropped, as left by `echo` into an env file).
    pub fn new(token: &str) -> Result<AdminToken, ConfigError> {
        let token = token.trim();
        let length = token.chars().count();
        if length < Self::MIN_LENGTH {
            return Err(ConfigError::AdminTokenTooShort {
                length,
                min: Self::MIN_LENGTH,
            });
        }
        Ok(AdminToken(token.to_owned()))
    }

    /// Whether `presented` is this token, in time independent of where they differ: both
    /// sides are hashed first, so neither length nor content leaks through timing.
    pub fn matches(&self, presented: &str) -> bool {
        use aws_lc_rs::digest::{SHA256, digest};
        let expected = digest(&SHA256, self.0.as_bytes());
        let given = digest(&SHA256, presented.as_bytes());
        #[allow(deprecated, reason = "the ring-compatible constant-time compare")]
        aws_lc_rs::constant_time::verify_slices_are_equal(expected.as_ref(), given.as_ref()).is_ok()
    }
}

impl fmt::Debug for AdminToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AdminToken(<redacted>)")
    }
}

/// How log lines are written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines (the default).
    #[default]
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

impl std::str::FromStr for LogFormat {
    type Err = ConfigError;

    fn from_str(text: &str) -> Result<LogFormat, ConfigError> {
        match text.trim().to_ascii_lowercase().as_str() {
            "text" => Ok(LogFormat::Text),
            "json" => Ok(LogFormat::Json),
            _ => Err(ConfigError::LogFormat(text.to_owned())),
        }
    }
}

/// What request handlers need of the configuration (held by [`crate::AppState`]).
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// The base every URL Cairn gives out derives from.
    pub public_url: PublicUrl,
    /// The tool page's folder (`www/`), served as static files.
    pub www_dir: PathBuf,
    /// The admin API's token; `None` turns the admin API off (404).
    pub admin_token: Option<AdminToken>,
}

/// Everything `cairn-lti serve` was given, validated.
#[derive(Clone)]
pub struct ServeConfig {
    /// Where to listen.
    pub addr: SocketAddr,
    /// The database (`sqlite://…` or `postgres://…`).
    pub database_url: String,
    /// The folder for the SQLite file and the generated key-encryption key.
    pub data_dir: PathBuf,
    /// Log line format.
    pub log_format: LogFormat,
    /// `CAIRN_KEY_ENCRYPTION_KEY` as given, read by [`crate::keys`]; `None` means the key file
    /// under the data folder.
    pub key_encryption_key: Option<String>,
    /// What the handlers see.
    pub server: ServerConfig,
}

impl fmt::Debug for ServeConfig {
    /// Redacts the key-encryption key and any database password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServeConfig")
            .field("addr", &self.addr)
            .field("database_url", &redact_database_url(&self.database_url))
            .field("data_dir", &self.data_dir)
            .field("log_format", &self.log_format)
            .field(
                "key_encryption_key",
                &self.key_encryption_key.as_ref().map(|_| "<redacted>"),
            )
            .field("server", &self.server)
            .finish()
    }
}

/// The database URL with its password replaced by `<redacted>`, for logs.
pub fn redact_database_url(database_url: &str) -> String {
    match url::Url::parse(database_url) {
        Ok(mut url) if url.password().is_some() => {
            // Cannot fail: a URL with a password has a host.
            let _ = url.set_password(Some("<redacted>"));
            url.to_string()
        }
        _ => database_url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_derives_every_url_from_the_base() {
        let url = PublicUrl::parse("https://tool.test/").expect("valid");
        assert_eq!(url.launch_url(), "https://tool.test/lti/launch");
        assert_eq!(url.login_url(), "https://tool.test/lti/login");
        assert_eq!(url.jwks_url(), "https://tool.test/.well-known/jwks.json");
        assert_eq!(url.domain(), "tool.test");
        let prefixed = PublicUrl::parse("https://example.edu:8443/cairn/").expect("valid");
        assert_eq!(
            prefixed.join("/lti/launch"),
            "https://example.edu:8443/cairn/lti/launch"
        );
        assert_eq!(prefixed.domain(), "example.edu:8443");
    }

    #[test]
    fn http_is_refused_unless_loopback() {
        assert!(PublicUrl::parse("http://localhost:8080").is_ok());
        assert!(PublicUrl::parse("http://127.0.0.1:8080").is_ok());
        assert!(PublicUrl::parse("http://[::1]:8080").is_ok());
        for bad in [
            "http://tool.example.edu",
            "ftp://tool.test",
            "https://tool.test/?x=1",
            "https://tool.test/#frag",
            "https://user:pw@tool.test",
            "tool.test",
            "",
        ] {
            assert!(
                matches!(PublicUrl::parse(bad), Err(ConfigError::PublicUrl { .. })),
                "{bad} accepted"
            );
        }
    }

    #[test]
    fn the_localhost_default_needs_a_loopback_address() {
        let loopback: SocketAddr = "127.0.0.1:9000".parse().expect("addr");
        assert_eq!(
            PublicUrl::default_for(loopback).expect("loopback").as_str(),
            "http://localhost:9000"
        );
        let any: SocketAddr = "0.0.0.0:9000".parse().expect("addr");
        assert_eq!(
            PublicUrl::default_for(any),
            Err(ConfigError::PublicUrlRequired { addr: any })
        );
    }

    #[test]
    fn admin_token_compares_whole_and_never_prints() {
        assert!(matches!(
            AdminToken::new("short"),
            Err(ConfigError::AdminTokenTooShort { length: 5, .. })
        ));
        let token = AdminToken::new("correct horse battery staple").expect("long enough");
        assert!(token.matches("correct horse battery staple"));
        assert!(!token.matches("correct horse battery stapl"));
        assert!(!token.matches(""));
        assert!(!format!("{token:?}").contains("horse"));
    }

    #[test]
    fn debug_redacts_secrets() {
        let config = ServeConfig {
            addr: "127.0.0.1:8080".parse().expect("addr"),
            database_url: "postgres://cairn:s3cret@db.local/cairn".to_owned(),
            data_dir: PathBuf::from("data"),
            log_format: LogFormat::Json,
            key_encryption_key: Some("kek-material".to_owned()),
            server: ServerConfig {
                public_url: PublicUrl::parse("https://tool.test").expect("valid"),
                www_dir: PathBuf::from("www"),
                admin_token: Some(AdminToken::new("admin-token-long-enough").expect("ok")),
            },
        };
        let printed = format!("{config:?}");
        for secret in ["s3cret", "kek-material", "admin-token-long-enough"] {
            assert!(!printed.contains(secret), "{secret} in {printed}");
        }
        assert!(printed.contains("db.local"), "{printed}");
    }

    #[test]
    fn log_format_parses_both_spellings() {
        assert_eq!("json".parse::<LogFormat>(), Ok(LogFormat::Json));
        assert_eq!("TEXT".parse::<LogFormat>(), Ok(LogFormat::Text));
        assert!("yaml".parse::<LogFormat>().is_err());
    }
}
