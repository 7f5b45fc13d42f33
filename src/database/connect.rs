//! Turning a libpq-style URL into a read-only session.

use std::fmt;
use std::time::Duration;

use percent_encoding::percent_decode_str;
use sqlx::postgres::{PgConnectOptions, PgConnection, PgSslMode};
use sqlx::{ConnectOptions, Connection};

use super::{service, DbError};

/// Which environment a URL points at: production gets stricter defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Local,
    Production,
}

/// Server-side limits for a driftcheck session, plus the client-side connect timeout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    pub connect: Duration,
    pub statement: Duration,
    pub lock: Duration,
    pub idle_in_transaction: Duration,
}

/// Environment variables overriding [`Timeouts::connect`] and [`Timeouts::statement`]
/// (whole seconds, at least 1).
pub const CONNECT_TIMEOUT_VAR: &str = "DRIFTCHECK_CONNECT_TIMEOUT";
pub const STATEMENT_TIMEOUT_VAR: &str = "DRIFTCHECK_STATEMENT_TIMEOUT";

impl Default for Timeouts {
    /// 10 s to connect, 30 s per statement (and for the whole read), unless
    /// `DRIFTCHECK_CONNECT_TIMEOUT` / `DRIFTCHECK_STATEMENT_TIMEOUT` say otherwise.
    fn default() -> Self {
        let mut timeouts = Timeouts {
            connect: Duration::from_secs(10),
            statement: Duration::from_secs(30),
            lock: Duration::from_secs(5),
            idle_in_transaction: Duration::from_secs(60),
        };
        timeouts.connect = timeout_from_env(CONNECT_TIMEOUT_VAR, timeouts.connect);
        timeouts.statement = timeout_from_env(STATEMENT_TIMEOUT_VAR, timeouts.statement);
        // A lock wait is part of a statement: it cannot outlast it.
        timeouts.lock = timeouts.lock.min(timeouts.statement);
        timeouts
    }
}

/// The timeout set by environment variable `var`, else `default` (with a
/// warning on stderr, once, when the value is not usable).
pub fn timeout_from_env(var: &str, default: Duration) -> Duration {
    match std::env::var_os(var) {
        None => default,
        Some(value) => seconds_from_env(var, &value.to_string_lossy()).unwrap_or_else(|message| {
            warn_once(var, &message);
            default
        }),
    }
}

/// A timeout setting in whole seconds (1 to one day).
pub fn seconds_from_env(var: &str, value: &str) -> Result<Duration, String> {
    match value.trim().parse::<u64>() {
        Ok(seconds @ 1..=86_400) => Ok(Duration::from_secs(seconds)),
        _ => Err(format!(
            "{var}={value:?} is not a whole number of seconds between 1 and 86400; using the default"
        )),
    }
}

/// One warning per variable and process, however often the defaults are built.
fn warn_once(var: &str, message: &str) {
    static WARNED: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
    let mut warned = WARNED.lock().unwrap_or_else(|p| p.into_inner());
    if !warned.iter().any(|v| v == var) {
        warned.push(var.to_string());
        eprintln!(
            "driftcheck: warning: {}",
            crate::escape::diagnostic(message)
        );
    }
}

/// A parsed connection target. Holds the password inside the sqlx options
/// (needed to connect) but never prints it: `Debug` and [`describe`](Self::describe)
/// show only database, host and user.
#[derive(Clone)]
pub struct ConnectTarget {
    options: PgConnectOptions,
    role: Role,
    description: String,
    /// Decoded password, kept only to scrub it out of driver messages.
    secret: Option<String>,
}

impl fmt::Debug for ConnectTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectTarget")
            .field("target", &self.description)
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

/// Parse a `postgres://` / `postgresql://` URL (TCP or Unix socket, e.g.
/// `postgresql:///db?host=/run/postgresql`). `sslmode`/`sslrootcert` come from
/// the URL; production defaults to `sslmode=require` over TCP unless the URL
/// (or `PGSSLMODE`) says otherwise. Like libpq, unset parts fall back to the
/// `PG*` environment variables (`PGHOST`, `PGUSER`, `PGPASSWORD`, ...).
pub fn parse_target(url: &str, role: Role) -> Result<ConnectTarget, DbError> {
    let invalid = |reason: String| DbError::InvalidUrl { reason };
    // libpq accepts `postgresql://user:pw@/db?host=/dir` (user, empty host), which
    // URL parsers reject: take the user info out first and apply it afterwards.
    let (url, userinfo) = split_userinfo(&without_sqlalchemy_driver(url));
    let mut parsed = url::Url::parse(&url).map_err(|e| invalid(e.to_string()))?;
    if !matches!(parsed.scheme(), "postgres" | "postgresql") {
        return Err(invalid(
            "the scheme must be postgres:// or postgresql://".to_string(),
        ));
    }
    let decode = |s: &str| percent_decode_str(s).decode_utf8_lossy().into_owned();
    let (mut user, mut secret) = match &userinfo {
        Some(info) => match info.split_once(':') {
            Some((u, p)) => (Some(decode(u)), Some(decode(p))),
            None => (Some(decode(info)), None),
        },
        None => (None, None),
    };
    let has_user = user.as_deref().is_some_and(|u| !u.is_empty());
    apply_service(&mut parsed, has_user, secret.is_some())?;
    let mut ssl_in_url = false;
    for (key, value) in parsed.query_pairs() {
        match &*key {
            // Query parameters come later in the URL and win, as in libpq.
            "password" => secret = Some(value.into_owned()),
            "user" => user = None,
            "sslmode" | "ssl-mode" => ssl_in_url = true,
            _ => {}
        }
    }
    let scrub = |text: String| redact(text, secret.as_deref());
    let mut options =
        PgConnectOptions::from_url(&parsed).map_err(|e| invalid(scrub(e.to_string())))?;
    if let Some(user) = user.filter(|u| !u.is_empty()) {
        options = options.username(&user);
    }
    if let Some(password) = &secret {
        options = options.password(password);
    }

    let over_socket = options.get_socket().is_some() || options.get_host().starts_with('/');
    let ssl_from_env = std::env::var_os("PGSSLMODE").is_some();
    if role == Role::Production && !ssl_in_url && !ssl_from_env && !over_socket {
        options = options.ssl_mode(PgSslMode::Require);
    }

    let description = describe_options(&options);
    Ok(ConnectTarget {
        options,
        role,
        description,
        secret,
    })
}

/// `service=NAME` in the query (else `PGSERVICE`): fill what the URL leaves
/// unset from that `pg_service.conf` section, as query parameters, so that the
/// URL wins over the service file and the service file over the `PG*`
/// variables, as in libpq. `~/.pgpass` still applies afterwards (in sqlx).
fn apply_service(parsed: &mut url::Url, has_user: bool, has_password: bool) -> Result<(), DbError> {
    let pairs: Vec<(String, String)> = parsed.query_pairs().into_owned().collect();
    let from_url = pairs.iter().rev().find(|(k, _)| k == "service");
    let name = match from_url {
        Some((_, name)) => name.clone(),
        None => match std::env::var("PGSERVICE") {
            Ok(name) if !name.is_empty() => name,
            _ => return Ok(()),
        },
    };
    let service = service::lookup(&name, &service::search_path())
        .map_err(|reason| DbError::Service { reason })?;
    tracing::debug!(
        service = %name,
        file = %service.file.display(),
        ignored = ?service.ignored,
        "connection service"
    );
    let in_url = |key: &str| -> bool {
        let same = |k: &str| match key {
            "host" | "hostaddr" => matches!(k, "host" | "hostaddr"),
            "sslmode" => matches!(k, "sslmode" | "ssl-mode"),
            "sslrootcert" => matches!(k, "sslrootcert" | "ssl-root-cert" | "ssl-ca"),
            "sslcert" => matches!(k, "sslcert" | "ssl-cert"),
            "sslkey" => matches!(k, "sslkey" | "ssl-key"),
            _ => k == key,
        };
        pairs.iter().any(|(k, _)| same(k))
            || match key {
                "host" | "hostaddr" => parsed.host_str().is_some_and(|h| !h.is_empty()),
                "port" => parsed.port().is_some(),
                "dbname" => !parsed.path().trim_start_matches('/').is_empty(),
                "user" => has_user,
                "password" => has_password,
                _ => false,
            }
    };
    let added: Vec<(String, String)> = service
        .params
        .iter()
        .filter(|(key, _)| !in_url(key))
        .cloned()
        .collect();
    parsed
        .query_pairs_mut()
        .clear()
        .extend_pairs(pairs.iter().filter(|(k, _)| k != "service"))
        .extend_pairs(added);
    if parsed.query() == Some("") {
        parsed.set_query(None);
    }
    Ok(())
}

/// `postgresql+psycopg2://…` → `postgresql://…`. Alembic projects keep their
/// URL in SQLAlchemy form, often in the very `DATABASE_URL` driftcheck falls
/// back to; the `+driver` part only picks the Python driver.
fn without_sqlalchemy_driver(url: &str) -> String {
    if let Some((scheme, rest)) = url.split_once("://") {
        if let Some((dialect, driver)) = scheme.split_once('+') {
            let is_driver = !driver.is_empty()
                && driver
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_');
            if is_driver && matches!(dialect, "postgres" | "postgresql") {
                return format!("{dialect}://{rest}");
            }
        }
    }
    url.to_string()
}

/// Split `scheme://userinfo@rest` into (`scheme://rest`, userinfo).
fn split_userinfo(url: &str) -> (String, Option<String>) {
    let Some((scheme, rest)) = url.split_once("://") else {
        return (url.to_string(), None);
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => (
            format!("{scheme}://{}", &rest[at + 1..]),
            Some(rest[..at].to_string()),
        ),
        None => (url.to_string(), None),
    }
}

fn describe_options(options: &PgConnectOptions) -> String {
    let host = match options.get_socket() {
        Some(dir) => dir.display().to_string(),
        None => options.get_host().to_string(),
    };
    // The server uses the user name when no database is given.
    let database = options
        .get_database()
        .unwrap_or_else(|| options.get_username());
    format!(
        "database \"{database}\" on {host}:{port} as user \"{user}\"",
        port = options.get_port(),
        user = options.get_username()
    )
}

/// Replace every occurrence of the secret in a driver message.
fn redact(text: String, secret: Option<&str>) -> String {
    match secret {
        Some(s) if !s.is_empty() && text.contains(s) => text.replace(s, "***"),
        _ => text,
    }
}

impl ConnectTarget {
    /// `database "app" on /tmp/x:5432 as user "dev"`: what every message names.
    pub fn describe(&self) -> String {
        self.description.clone()
    }

    pub fn role(&self) -> Role {
        self.role
    }

    /// The TLS mode that will be used.
    pub fn ssl_mode(&self) -> PgSslMode {
        self.options.get_ssl_mode()
    }

    /// The startup options that make the session read-only and bounded.
    fn session_options(&self, timeouts: &Timeouts) -> PgConnectOptions {
        let ms = |d: Duration| d.as_millis().to_string();
        self.options
            .clone()
            .application_name("driftcheck")
            .options([
                ("default_transaction_read_only", "on".to_string()),
                // As pg_dump: a row-level security policy (code stored in the
                // database) that would apply is an error, never run.
                ("row_security", "off".to_string()),
                ("statement_timeout", ms(timeouts.statement)),
                // Catalog reads are a few scans and joins: compiling them
                // costs more than it saves (80 ms a query at 5,000 tables,
                // where the planner's anti-join estimate crosses jit_above_cost).
                ("jit", "off".to_string()),
                ("lock_timeout", ms(timeouts.lock)),
                (
                    "idle_in_transaction_session_timeout",
                    ms(timeouts.idle_in_transaction),
                ),
            ])
    }

    /// Map a driver error to a [`DbError`] naming this target; `what` says
    /// which step failed (e.g. "the tables catalog").
    pub fn error(&self, error: sqlx::Error, what: &str, timeouts: &Timeouts) -> DbError {
        let target = self.describe();
        let scrub = |text: String| redact(text, self.secret.as_deref());
        match error {
            sqlx::Error::Database(db) => {
                let code = db.code().map(|c| c.into_owned()).unwrap_or_default();
                match code.as_str() {
                    // 28000 is also pg_hba.conf refusing the connection outright
                    // (e.g. a hostssl-only server and sslmode=disable): not a password problem.
                    "28000" if db.message().contains("pg_hba.conf") => DbError::Rejected {
                        target,
                        reason: scrub(db.message().to_string()),
                    },
                    "28P01" | "28000" => DbError::AuthFailed { target },
                    "3D000" => DbError::DatabaseMissing { target },
                    // max_connections, the reserved slots or the role's CONNECTION LIMIT.
                    "53300" => DbError::Unreachable {
                        target,
                        reason: format!(
                            "too many connections: the server refused a new session ({}, SQLSTATE 53300); retry when fewer sessions are open, or raise max_connections",
                            scrub(db.message().to_string())
                        ),
                    },
                    "57014" => DbError::Timeout {
                        target,
                        seconds: timeouts.statement.as_secs(),
                    },
                    // Not a slow server: another session holds a lock on what
                    // driftcheck reads (typically a migration in progress).
                    "55P03" => DbError::Query {
                        target,
                        what: what.to_string(),
                        reason: format!(
                            "another session held a lock on it for longer than lock_timeout ({} s) — is a migration running? Retry when it has finished (SQLSTATE 55P03)",
                            timeouts.lock.as_secs()
                        ),
                    },
                    // The server ended the session: pg_terminate_backend, a
                    // shutdown or restart, a crashed backend, a dropped database.
                    c if ended_by_server(c) => DbError::ConnectionLost {
                        target,
                        what: what.to_string(),
                        reason: scrub(format!("{} (SQLSTATE {code})", db.message())),
                    },
                    _ => DbError::Query {
                        target,
                        what: what.to_string(),
                        reason: scrub(format!("{} (SQLSTATE {code})", db.message())),
                    },
                }
            }
            // rustls reports handshake failures (an untrusted certificate, a
            // wrong host name) as io errors wrapping its own error.
            sqlx::Error::Io(io) if io.get_ref().is_some_and(|e| e.is::<rustls::Error>()) => {
                DbError::Tls {
                    target,
                    reason: scrub(io.to_string()),
                }
            }
            // The socket failed under an open session (before one exists,
            // [`connect`] reports it as unreachable).
            sqlx::Error::Io(io) => DbError::ConnectionLost {
                target,
                what: what.to_string(),
                reason: scrub(io.to_string()),
            },
            sqlx::Error::Tls(tls) => DbError::Tls {
                target,
                reason: scrub(tls.to_string()),
            },
            other => DbError::Query {
                target,
                what: what.to_string(),
                reason: scrub(other.to_string()),
            },
        }
    }
}

/// SQLSTATEs of a session the server ended: admin_shutdown (57P01, also
/// `pg_terminate_backend` and a fast shutdown or restart), crash_shutdown,
/// database_dropped, idle_session_timeout, and class 08 (connection exception).
fn ended_by_server(code: &str) -> bool {
    matches!(code, "57P01" | "57P02" | "57P04" | "57P05") || code.starts_with("08")
}

/// How long the server's own cancel (statement or lock timeout) has to reach
/// the client before the client gives up: its message says more.
pub const CLIENT_GRACE: Duration = Duration::from_secs(2);

/// Bound a read on an open session on the client side too: the server cancels
/// a statement after `statement_timeout`, but a server or network that stops
/// answering altogether would otherwise hold the run forever. The whole read
/// must finish within the statement timeout plus [`CLIENT_GRACE`] (far above
/// what a catalog read takes: 4 s at 5,000 tables).
pub async fn bounded<T>(
    target: &ConnectTarget,
    timeouts: &Timeouts,
    read: impl std::future::Future<Output = Result<T, DbError>>,
) -> Result<T, DbError> {
    tokio::time::timeout(timeouts.statement + CLIENT_GRACE, read)
        .await
        .unwrap_or_else(|_| {
            Err(DbError::Timeout {
                target: target.describe(),
                seconds: timeouts.statement.as_secs(),
            })
        })
}

/// sqlx builds its `sslmode=verify-ca` verifier from rustls' process-wide
/// crypto provider; with both ring and aws-lc-rs in the build (the AWS SDK
/// brings the latter) rustls cannot pick one and panics. Pick ring, the one
/// sqlx uses for everything else.
fn ensure_crypto_provider() {
    static INSTALL: std::sync::Once = std::sync::Once::new();
    INSTALL.call_once(|| {
        // Err only when another provider is already installed: that one serves.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

/// Failures before the session exists mean the server could not be used at all.
fn before_session(error: DbError) -> DbError {
    match error {
        DbError::Query { target, reason, .. } | DbError::ConnectionLost { target, reason, .. } => {
            DbError::Unreachable { target, reason }
        }
        other => other,
    }
}

/// Open one read-only session to `target`, bounded by `timeouts.connect`.
pub async fn connect(target: &ConnectTarget, timeouts: &Timeouts) -> Result<PgConnection, DbError> {
    ensure_crypto_provider();
    let options = target.session_options(timeouts);
    let started = std::time::Instant::now();
    match tokio::time::timeout(timeouts.connect, PgConnection::connect_with(&options)).await {
        Ok(Ok(connection)) => {
            tracing::info!(
                db = %target.describe(),
                sslmode = %ssl_mode_name(target.ssl_mode()),
                server_version = %server_version(connection.server_version_num()),
                elapsed_ms = crate::logging::elapsed_ms(started),
                "connected"
            );
            Ok(connection)
        }
        Ok(Err(error)) => Err(before_session(target.error(
            error,
            "the connection",
            timeouts,
        ))),
        Err(_) => Err(DbError::Timeout {
            target: target.describe(),
            seconds: timeouts.connect.as_secs(),
        }),
    }
}

/// libpq's name of an sslmode.
fn ssl_mode_name(mode: PgSslMode) -> &'static str {
    match mode {
        PgSslMode::Disable => "disable",
        PgSslMode::Allow => "allow",
        PgSslMode::Prefer => "prefer",
        PgSslMode::Require => "require",
        PgSslMode::VerifyCa => "verify-ca",
        PgSslMode::VerifyFull => "verify-full",
    }
}

/// `150004` → `15.4` (PostgreSQL 10 and later), `90624` → `9.6.24`.
fn server_version(number: Option<u32>) -> String {
    match number {
        Some(n) if n >= 100_000 => format!("{}.{}", n / 10_000, n % 10_000),
        Some(n) => format!("{}.{}.{}", n / 10_000, n / 100 % 100, n % 100),
        None => "unknown".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describes_socket_targets_without_password() {
        let t = parse_target(
            "postgresql://dev:hunter2@/app?host=/tmp/x&port=6543",
            Role::Local,
        )
        .unwrap();
        assert_eq!(
            t.describe(),
            r#"database "app" on /tmp/x:6543 as user "dev""#
        );
        assert!(!format!("{t:?}").contains("hunter2"));
    }

    #[test]
    fn describes_tcp_targets() {
        let t = parse_target("postgres://u:p@db.example.com:5433/prod", Role::Local).unwrap();
        assert_eq!(
            t.describe(),
            r#"database "prod" on db.example.com:5433 as user "u""#
        );
    }

    #[test]
    fn production_defaults_to_tls_over_tcp_only() {
        if std::env::var_os("PGSSLMODE").is_some() {
            return; // the environment decides; nothing to assert about our default
        }
        let prod = parse_target("postgres://u@db.example.com/prod", Role::Production).unwrap();
        assert!(matches!(prod.ssl_mode(), PgSslMode::Require));
        let explicit = parse_target(
            "postgres://u@db.example.com/prod?sslmode=disable",
            Role::Production,
        )
        .unwrap();
        assert!(matches!(explicit.ssl_mode(), PgSslMode::Disable));
        let local = parse_target("postgres://u@db.example.com/prod", Role::Local).unwrap();
        assert!(matches!(local.ssl_mode(), PgSslMode::Prefer));
        let socket = parse_target("postgresql:///prod?host=/run/pg", Role::Production).unwrap();
        assert!(matches!(socket.ssl_mode(), PgSslMode::Prefer));
    }

    #[test]
    fn invalid_urls_never_echo_the_password() {
        for url in [
            "mysql://u:S3cretPw@host/db",
            "postgres://u:S3cretPw@host:notaport/db",
            "postgres://u:S3cretPw@host/db?sslmode=S3cretPw",
            "S3cretPw",
        ] {
            let error = parse_target(url, Role::Local).unwrap_err();
            assert!(
                matches!(error, DbError::InvalidUrl { .. }),
                "{url}: {error}"
            );
            assert!(!error.to_string().contains("S3cretPw"), "{url}: {error}");
            assert_eq!(error.exit_code(), crate::exit::ExitCode::Input);
        }
    }

    #[test]
    fn splits_user_info_from_socket_urls() {
        assert_eq!(
            split_userinfo("postgresql://u:p@ss@/db?host=/x"),
            (
                "postgresql:///db?host=/x".to_string(),
                Some("u:p@ss".to_string())
            )
        );
        assert_eq!(
            split_userinfo("postgres://h:5/db?x=a@b"),
            ("postgres://h:5/db?x=a@b".to_string(), None)
        );
        let t = parse_target("postgresql://us%40r:p%2Fw@/db?host=/s", Role::Local).unwrap();
        assert_eq!(t.describe(), r#"database "db" on /s:5432 as user "us@r""#);
        assert_eq!(t.secret.as_deref(), Some("p/w"));
    }

    #[test]
    fn sqlalchemy_driver_urls_are_accepted() {
        for scheme in [
            "postgresql+psycopg2",
            "postgresql+psycopg",
            "postgresql+asyncpg",
        ] {
            let t = parse_target(&format!("{scheme}://u:pw@/db?host=/s"), Role::Local).unwrap();
            assert_eq!(t.describe(), r#"database "db" on /s:5432 as user "u""#);
        }
        for url in [
            "mysql+pymysql://u:pw@h/db",
            "postgresql+://u@h/db",
            "postgresql+a-b://u@h/db",
        ] {
            assert!(parse_target(url, Role::Local).is_err(), "{url}");
        }
    }

    #[test]
    fn certificate_failures_are_tls_errors_not_unreachable() {
        let t = parse_target("postgres://u:pw@db.example.com/prod", Role::Production).unwrap();
        let timeouts = Timeouts::default();
        let untrusted = std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer),
        );
        let error = t.error(sqlx::Error::Io(untrusted), "the connection", &timeouts);
        assert!(
            matches!(&error, DbError::Tls { reason, .. } if reason.contains("UnknownIssuer")),
            "{error}"
        );
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        let error = t.error(sqlx::Error::Io(refused), "the connection", &timeouts);
        assert!(
            matches!(before_session(error), DbError::Unreachable { .. }),
            "a refused connection is an unreachable server"
        );
        // The same failure under an open session is a lost connection, naming the read.
        let reset = std::io::Error::from(std::io::ErrorKind::ConnectionReset);
        let error = t.error(sqlx::Error::Io(reset), "the tables catalog", &timeouts);
        assert!(
            matches!(&error, DbError::ConnectionLost { what, .. } if what == "the tables catalog"),
            "{error}"
        );
    }

    #[test]
    fn a_crypto_provider_is_installed_for_verify_ca() {
        ensure_crypto_provider();
        // What sqlx calls for verify-ca; it panics without a process default.
        let roots = std::sync::Arc::new(rustls::RootCertStore::empty());
        let _ = rustls::client::WebPkiServerVerifier::builder(roots).build();
        assert!(rustls::crypto::CryptoProvider::get_default().is_some());
    }

    #[test]
    fn sessions_ended_by_the_server_are_recognised() {
        for code in ["57P01", "57P02", "57P04", "57P05", "08006", "08P01"] {
            assert!(ended_by_server(code), "{code}");
        }
        for code in ["57014", "57P03", "55P03", "42501"] {
            assert!(!ended_by_server(code), "{code}");
        }
    }

    #[test]
    fn timeout_settings_are_whole_seconds() {
        assert_eq!(seconds_from_env("V", " 3 "), Ok(Duration::from_secs(3)));
        for bad in ["0", "-1", "1.5", "abc", "", "86401"] {
            let error = seconds_from_env("V", bad).unwrap_err();
            assert!(error.starts_with("V="), "{error}");
        }
    }

    #[test]
    fn redact_replaces_the_secret() {
        assert_eq!(redact("a pw b".into(), Some("pw")), "a *** b");
        assert_eq!(redact("a pw b".into(), None), "a pw b");
    }
}
