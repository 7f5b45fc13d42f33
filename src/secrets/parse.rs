//! Turn the content of a secret into a PostgreSQL connection URL.
//!
//! Pure: no AWS, no I/O. Accepted shapes, in the order they are tried:
//! - a JSON object with a URL under `url`, `DATABASE_URL` or `uri`;
//! - a JSON object in the RDS-managed layout (`username`, `password`, `host`,
//!   `port`, `dbname`, `engine`);
//! - a plain `postgresql://` or `postgres://` URL.
//!
//! Errors name keys, never values: a malformed secret must not leak its password.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde_json::{Map, Value};

/// Everything except RFC 3986 "unreserved" characters is encoded, so a
/// password holding `@`, `/`, `:`, `%`, `?` or `#` cannot break the URL apart.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Keys that may hold a complete URL, exactly as people spell them.
const URL_KEYS: [&str; 3] = ["url", "DATABASE_URL", "uri"];

/// Engines of RDS-managed secrets that speak the PostgreSQL protocol.
const POSTGRES_ENGINES: [&str; 3] = ["postgres", "postgresql", "aurora-postgresql"];

const DEFAULT_PORT: u16 = 5432;
const DEFAULT_DBNAME: &str = "postgres";

/// Why a secret's content is not usable. Holds key names and descriptions only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentError {
    /// Required keys that are absent (or empty).
    pub missing: Vec<&'static str>,
    pub reason: String,
}

impl ContentError {
    fn reason(reason: impl Into<String>) -> Self {
        ContentError {
            missing: Vec::new(),
            reason: reason.into(),
        }
    }
}

/// Build a connection URL from the text of a secret (`SecretString`, or
/// `SecretBinary` decoded as UTF-8).
pub fn url_from_content(content: &str) -> Result<String, ContentError> {
    let trimmed = content.trim();
    if trimmed.is_empty() {
        return Err(ContentError::reason("the secret value is empty"));
    }
    if trimmed.starts_with('{') {
        let value: Value = serde_json::from_str(trimmed).map_err(|error| {
            // serde_json's message carries only a position, never the input text.
            ContentError::reason(format!(
                "the secret looks like JSON but does not parse (line {}, column {})",
                error.line(),
                error.column()
            ))
        })?;
        let Value::Object(object) = value else {
            return Err(ContentError::reason("the secret JSON is not an object"));
        };
        return url_from_object(&object);
    }
    if has_postgres_scheme(trimmed) {
        return Ok(trimmed.to_string());
    }
    if trimmed.starts_with('[') || trimmed.starts_with('"') {
        return Err(ContentError::reason(
            "the secret is JSON but not an object; expected an object with `url` or RDS keys",
        ));
    }
    Err(ContentError::reason(
        "the secret is neither a JSON object nor a postgresql:// URL",
    ))
}

fn has_postgres_scheme(text: &str) -> bool {
    let lower = text.get(..13).unwrap_or(text).to_ascii_lowercase();
    lower.starts_with("postgresql://") || lower.starts_with("postgres://")
}

fn url_from_object(object: &Map<String, Value>) -> Result<String, ContentError> {
    let sslmode = optional_string(object, "sslmode")?;
    for key in URL_KEYS {
        let Some(value) = object.get(key) else {
            continue;
        };
        let Value::String(url) = value else {
            return Err(ContentError::reason(format!("key `{key}` is not a string")));
        };
        let url = url.trim();
        if !has_postgres_scheme(url) {
            return Err(ContentError::reason(format!(
                "key `{key}` does not hold a postgresql:// or postgres:// URL"
            )));
        }
        return Ok(with_sslmode(url.to_string(), sslmode.as_deref()));
    }
    url_from_rds_object(object, sslmode.as_deref())
}

fn url_from_rds_object(
    object: &Map<String, Value>,
    sslmode: Option<&str>,
) -> Result<String, ContentError> {
    if let Some(engine) = optional_string(object, "engine")? {
        if !POSTGRES_ENGINES.contains(&engine.to_ascii_lowercase().as_str()) {
            return Err(ContentError::reason(format!(
                "key `engine` names `{engine}`, not a PostgreSQL engine"
            )));
        }
    }
    let username = first_string(object, &["username", "user"])?;
    let password = optional_string(object, "password")?;
    let host = optional_string(object, "host")?;

    let mut missing = Vec::new();
    if username.as_deref().is_none_or(str::is_empty) {
        missing.push("username");
    }
    if password.is_none() {
        missing.push("password");
    }
    if host.as_deref().is_none_or(str::is_empty) {
        missing.push("host");
    }
    if !missing.is_empty() {
        let reason = if object.keys().any(|k| k.eq_ignore_ascii_case("url")) {
            "no `url`, `DATABASE_URL` or `uri` key (URL keys are case-sensitive) and no complete RDS credentials".to_string()
        } else {
            "neither a URL key (`url`, `DATABASE_URL`, `uri`) nor complete RDS credentials"
                .to_string()
        };
        return Err(ContentError { missing, reason });
    }
    let (username, password, host) = (
        username.unwrap_or_default(),
        password.unwrap_or_default(),
        host.unwrap_or_default(),
    );

    let port = port(object)?;
    let dbname = first_string(object, &["dbname", "database"])?
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| DEFAULT_DBNAME.to_string());

    if host
        .chars()
        .any(|c| c.is_whitespace() || "/?#@".contains(c))
    {
        return Err(ContentError::reason(
            "key `host` is not a host name or address",
        ));
    }
    // An IPv6 literal needs brackets inside a URL.
    let host = if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]")
    } else {
        host
    };

    let url = format!(
        "postgresql://{}:{}@{}:{}/{}",
        utf8_percent_encode(&username, COMPONENT),
        utf8_percent_encode(&password, COMPONENT),
        host,
        port,
        utf8_percent_encode(&dbname, COMPONENT),
    );
    Ok(with_sslmode(url, sslmode))
}

fn port(object: &Map<String, Value>) -> Result<u16, ContentError> {
    let invalid = || ContentError::reason("key `port` is not a TCP port number (1-65535)");
    match object.get("port") {
        None | Some(Value::Null) => Ok(DEFAULT_PORT),
        Some(Value::Number(number)) => number
            .as_u64()
            .and_then(|n| u16::try_from(n).ok())
            .filter(|&n| n != 0)
            .ok_or_else(invalid),
        Some(Value::String(text)) if text.trim().is_empty() => Ok(DEFAULT_PORT),
        Some(Value::String(text)) => text
            .trim()
            .parse::<u16>()
            .ok()
            .filter(|&n| n != 0)
            .ok_or_else(invalid),
        Some(_) => Err(invalid()),
    }
}

/// A string value, `None` when the key is absent or null.
fn optional_string(
    object: &Map<String, Value>,
    key: &'static str,
) -> Result<Option<String>, ContentError> {
    match object.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.clone())),
        Some(_) => Err(ContentError::reason(format!("key `{key}` is not a string"))),
    }
}

fn first_string(
    object: &Map<String, Value>,
    keys: &[&'static str],
) -> Result<Option<String>, ContentError> {
    for key in keys {
        if let Some(value) = optional_string(object, key)? {
            return Ok(Some(value));
        }
    }
    Ok(None)
}

/// Add `sslmode` from the secret unless the URL already says which one it wants.
fn with_sslmode(url: String, sslmode: Option<&str>) -> String {
    let Some(mode) = sslmode.map(str::trim).filter(|m| !m.is_empty()) else {
        return url;
    };
    let query = url.split_once('?').map(|(_, query)| query).unwrap_or("");
    if query
        .split('&')
        .any(|pair| pair.split('=').next() == Some("sslmode"))
    {
        return url;
    }
    let separator = if url.contains('?') { '&' } else { '?' };
    format!(
        "{url}{separator}sslmode={}",
        utf8_percent_encode(mode, COMPONENT)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rds_json_with_numeric_port() {
        let content = r#"{"username":"app","password":"s3cret","engine":"postgres",
            "host":"db.example.internal","port":5433,"dbname":"credmate"}"#;
        assert_eq!(
            url_from_content(content).unwrap(),
            "postgresql://app:s3cret@db.example.internal:5433/credmate"
        );
    }

    #[test]
    fn rds_json_string_port_and_default_dbname() {
        let content = r#"{"username":"app","password":"pw","host":"h","port":"6432"}"#;
        assert_eq!(
            url_from_content(content).unwrap(),
            "postgresql://app:pw@h:6432/postgres"
        );
    }

    #[test]
    fn rds_json_without_port_uses_5432() {
        let content =
            r#"{"username":"app","password":"pw","host":"h","engine":"aurora-postgresql"}"#;
        assert_eq!(
            url_from_content(content).unwrap(),
            "postgresql://app:pw@h:5432/postgres"
        );
    }

    #[test]
    fn password_special_characters_are_percent_encoded() {
        let content = r#"{"username":"app user","password":"p@ss/w:rd%41?#","host":"h","port":5432,"dbname":"my db"}"#;
        assert_eq!(
            url_from_content(content).unwrap(),
            "postgresql://app%20user:p%40ss%2Fw%3Ard%2541%3F%23@h:5432/my%20db"
        );
    }

    #[test]
    fn sslmode_key_is_kept() {
        let content = r#"{"username":"a","password":"b","host":"h","sslmode":"verify-full"}"#;
        assert_eq!(
            url_from_content(content).unwrap(),
            "postgresql://a:b@h:5432/postgres?sslmode=verify-full"
        );
    }

    #[test]
    fn ipv6_host_is_bracketed() {
        let content = r#"{"username":"a","password":"b","host":"::1"}"#;
        assert_eq!(
            url_from_content(content).unwrap(),
            "postgresql://a:b@[::1]:5432/postgres"
        );
    }

    #[test]
    fn url_keys_are_accepted_as_given() {
        for key in ["url", "DATABASE_URL", "uri"] {
            let content = format!(r#"{{"{key}":"postgres://u:p@h/db?sslmode=disable"}}"#);
            assert_eq!(
                url_from_content(&content).unwrap(),
                "postgres://u:p@h/db?sslmode=disable",
                "key {key}"
            );
        }
    }

    #[test]
    fn url_key_gets_sslmode_from_json_unless_url_has_one() {
        let content = r#"{"url":"postgresql://u:p@h/db?application_name=x","sslmode":"require"}"#;
        assert_eq!(
            url_from_content(content).unwrap(),
            "postgresql://u:p@h/db?application_name=x&sslmode=require"
        );
        let content = r#"{"url":"postgresql://u:p@h/db?sslmode=disable","sslmode":"require"}"#;
        assert_eq!(
            url_from_content(content).unwrap(),
            "postgresql://u:p@h/db?sslmode=disable"
        );
    }

    #[test]
    fn plain_url_is_passed_through() {
        assert_eq!(
            url_from_content("  postgresql://u:p%40@h:5432/db?sslmode=require\n").unwrap(),
            "postgresql://u:p%40@h:5432/db?sslmode=require"
        );
        assert_eq!(
            url_from_content("POSTGRES://h/db").unwrap(),
            "POSTGRES://h/db"
        );
    }

    #[test]
    fn missing_keys_are_named_without_values() {
        let content = r#"{"username":"app","dbname":"x","port":5432,"token":"hunter2"}"#;
        let error = url_from_content(content).unwrap_err();
        assert_eq!(error.missing, vec!["password", "host"]);
        assert!(!error.reason.contains("hunter2"));
    }

    #[test]
    fn wrong_engine_is_rejected() {
        let content = r#"{"username":"a","password":"b","host":"h","engine":"mysql"}"#;
        let error = url_from_content(content).unwrap_err();
        assert!(error.reason.contains("mysql"), "{}", error.reason);
    }

    #[test]
    fn bad_port_is_rejected_without_value() {
        let content = r#"{"username":"a","password":"b","host":"h","port":"70000"}"#;
        let error = url_from_content(content).unwrap_err();
        assert!(error.reason.contains("`port`"), "{}", error.reason);
        assert!(!error.reason.contains("70000"));
    }

    #[test]
    fn non_string_password_is_named() {
        let content = r#"{"username":"a","password":12345,"host":"h"}"#;
        let error = url_from_content(content).unwrap_err();
        assert!(error.reason.contains("`password`"));
        assert!(!error.reason.contains("12345"));
    }

    #[test]
    fn broken_json_does_not_echo_content() {
        let error = url_from_content(r#"{"password":"hunter2""#).unwrap_err();
        assert!(error.reason.contains("does not parse"), "{}", error.reason);
        assert!(!error.reason.contains("hunter2"));
    }

    #[test]
    fn other_text_is_rejected_without_echo() {
        let error = url_from_content("mysql://root:hunter2@h/db").unwrap_err();
        assert!(!error.reason.contains("hunter2"));
        assert!(error.reason.contains("neither"));
        assert!(url_from_content("   ").is_err());
        assert!(url_from_content(r#"["postgresql://h/db"]"#).is_err());
    }

    #[test]
    fn url_key_with_other_scheme_is_rejected() {
        let error = url_from_content(r#"{"url":"mysql://u:hunter2@h/db"}"#).unwrap_err();
        assert!(error.reason.contains("`url`"));
        assert!(!error.reason.contains("hunter2"));
    }
}
