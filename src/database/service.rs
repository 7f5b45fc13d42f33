//! libpq connection service files (`pg_service.conf`): `service=NAME` in a URL,
//! or `PGSERVICE`, names a `[NAME]` section of `key=value` connection
//! parameters. Searched as libpq searches: `PGSERVICEFILE` (else
//! `~/.pg_service.conf`), then `PGSYSCONFDIR/pg_service.conf` (else
//! Debian's `/etc/postgresql-common`); the first file holding the section wins.

use std::path::{Path, PathBuf};

/// Parameters driftcheck applies from a service section (libpq keywords).
const APPLIED: &[&str] = &[
    "host",
    "hostaddr",
    "port",
    "dbname",
    "user",
    "password",
    "sslmode",
    "sslrootcert",
    "sslcert",
    "sslkey",
    "options",
];

/// Other libpq keywords: accepted, not used (driftcheck sets its own
/// application_name and timeouts; the rest has no equivalent in its driver).
const IGNORED: &[&str] = &[
    "application_name",
    "fallback_application_name",
    "connect_timeout",
    "client_encoding",
    "keepalives",
    "keepalives_idle",
    "keepalives_interval",
    "keepalives_count",
    "tcp_user_timeout",
    "replication",
    "gssencmode",
    "sslnegotiation",
    "sslcompression",
    "sslpassword",
    "sslcertmode",
    "sslcrl",
    "sslcrldir",
    "sslsni",
    "requirepeer",
    "require_auth",
    "ssl_min_protocol_version",
    "ssl_max_protocol_version",
    "krbsrvname",
    "gsslib",
    "gssdelegation",
    "channel_binding",
    "target_session_attrs",
    "load_balance_hosts",
    "passfile",
    "min_protocol_version",
    "max_protocol_version",
    "scram_client_key",
    "scram_server_key",
];

/// One service section: the parameters to apply, in file order, and where they came from.
#[derive(Clone, PartialEq, Eq)]
pub struct Service {
    pub name: String,
    pub file: PathBuf,
    /// (keyword, value) for the keywords in [`APPLIED`].
    pub params: Vec<(String, String)>,
    /// Keywords present but not used (for the log).
    pub ignored: Vec<String>,
}

impl std::fmt::Debug for Service {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let keys: Vec<&str> = self.params.iter().map(|(k, _)| k.as_str()).collect();
        f.debug_struct("Service")
            .field("name", &self.name)
            .field("file", &self.file)
            .field("keys", &keys)
            .finish_non_exhaustive()
    }
}

/// The files libpq searches, in order, from the environment.
pub fn search_path() -> Vec<PathBuf> {
    let env = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    let user_file = env("PGSERVICEFILE")
        .map(PathBuf::from)
        .or_else(|| env("HOME").map(|home| PathBuf::from(home).join(".pg_service.conf")));
    let sysconf = env("PGSYSCONFDIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/etc/postgresql-common"));
    user_file
        .into_iter()
        .chain([sysconf.join("pg_service.conf")])
        .collect()
}

/// Find `[name]` in the first of `files` that holds it. Files that do not
/// exist are skipped, as libpq skips them.
pub fn lookup(name: &str, files: &[PathBuf]) -> Result<Service, String> {
    for file in files {
        let text = match std::fs::read_to_string(file) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(format!("cannot read service file {}: {e}", file.display())),
        };
        if let Some(service) = parse(name, &text, file)? {
            return Ok(service);
        }
    }
    let searched: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    Err(format!(
        "definition of service {name:?} not found (searched {}); set PGSERVICEFILE or add a [{name}] section",
        searched.join(", ")
    ))
}

/// libpq's format: `#` comments, `[name]` sections, `keyword=value` lines
/// (whitespace around both is trimmed). Only the wanted section is checked,
/// as libpq checks it.
fn parse(name: &str, text: &str, file: &Path) -> Result<Option<Service>, String> {
    let mut service: Option<Service> = None;
    for (index, raw) in text.lines().enumerate() {
        let line = raw.trim();
        let at = || format!("service file {}, line {}", file.display(), index + 1);
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(section) = line.strip_prefix('[') {
            if service.is_some() {
                break; // the next section ends ours
            }
            if section.strip_suffix(']') == Some(name) {
                service = Some(Service {
                    name: name.to_string(),
                    file: file.to_path_buf(),
                    params: Vec::new(),
                    ignored: Vec::new(),
                });
            }
            continue;
        }
        let Some(service) = service.as_mut() else {
            continue;
        };
        let Some((key, value)) = line.split_once('=') else {
            return Err(format!("syntax error in {}: expected keyword=value", at()));
        };
        let (key, value) = (key.trim(), value.trim());
        if key == "service" {
            return Err(format!(
                "nested service specifications are not supported ({})",
                at()
            ));
        }
        if APPLIED.contains(&key) {
            // The first setting wins, as in libpq.
            if !service.params.iter().any(|(k, _)| k == key) {
                service.params.push((key.to_string(), value.to_string()));
            }
        } else if IGNORED.contains(&key) {
            service.ignored.push(key.to_string());
        } else {
            return Err(format!(
                "{}: {key:?} is not a libpq connection keyword",
                at()
            ));
        }
    }
    Ok(service)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn first_file_with_the_section_wins() {
        let tmp = tempfile::tempdir().unwrap();
        let user = write(
            tmp.path(),
            "user.conf",
            "# mine\n[other]\nhost=a\n\n[prod]\nhost = db.internal\nport=6543\nhost=ignored\napplication_name=x\n[next]\nhost=b\n",
        );
        let system = write(
            tmp.path(),
            "system.conf",
            "[prod]\nhost=system\n[sys]\ndbname=s\n",
        );
        let files = [
            tmp.path().join("missing.conf"),
            user.clone(),
            system.clone(),
        ];
        let prod = lookup("prod", &files).unwrap();
        assert_eq!(prod.file, user);
        let pair = |k: &str, v: &str| (k.to_string(), v.to_string());
        assert_eq!(
            prod.params,
            [pair("host", "db.internal"), pair("port", "6543")]
        );
        assert_eq!(prod.ignored, ["application_name"]);
        let sys = lookup("sys", &files).unwrap();
        assert_eq!(sys.file, system);
    }

    #[test]
    fn errors_name_the_file_line_and_service() {
        let tmp = tempfile::tempdir().unwrap();
        let file = write(
            tmp.path(),
            "s.conf",
            "[a]\nhost=x\nbogus line\n[b]\nhst=y\n[c]\nservice=a\n",
        );
        let files = [file.clone()];
        let error = lookup("a", &files).unwrap_err();
        assert!(
            error.contains(&format!("{}, line 3", file.display())),
            "{error}"
        );
        let error = lookup("b", &files).unwrap_err();
        assert!(
            error.contains("line 5") && error.contains("\"hst\""),
            "{error}"
        );
        let error = lookup("c", &files).unwrap_err();
        assert!(
            error.contains("nested") && error.contains("line 7"),
            "{error}"
        );
        let error = lookup("nope", &files).unwrap_err();
        assert!(
            error.contains("service \"nope\" not found") && error.contains("s.conf"),
            "{error}"
        );
    }

    #[test]
    fn debug_never_shows_values() {
        let tmp = tempfile::tempdir().unwrap();
        let file = write(tmp.path(), "s.conf", "[a]\npassword=Hunter2Secret\n");
        let service = lookup("a", &[file]).unwrap();
        assert!(!format!("{service:?}").contains("Hunter2Secret"));
    }
}
