//! `driftcheck.toml`: defaults for the command line, ignore rules and RIS
//! metadata. Found like `alembic.ini` (the current directory or a parent) unless
//! `--config` names one. Precedence everywhere: flag, then environment, then file.

use serde::Deserialize;
use std::path::{Path, PathBuf};

pub const FILE_NAME: &str = "driftcheck.toml";

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("invalid config file {path}: {message}")]
    Parse { path: PathBuf, message: String },
}

/// The whole file. Unknown keys are errors, so a typo never silently does nothing.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    /// The file this was read from (not a key).
    #[serde(skip)]
    pub path: Option<PathBuf>,
    /// Alembic version directories, relative to the config file.
    #[serde(default)]
    pub migrations: Vec<PathBuf>,
    pub alembic_ini: Option<PathBuf>,
    pub version_table: Option<String>,
    #[serde(default)]
    pub schemas: Vec<String>,
    #[serde(default)]
    pub exclude_schemas: Vec<String>,
    /// Directory for default report paths (default `drift-reports`).
    pub report_dir: Option<PathBuf>,
    /// A snapshot of a database at the codebase heads (`--expected-snapshot`),
    /// relative to the config file.
    pub expected_snapshot: Option<PathBuf>,
    /// Compare `COMMENT ON` text (`--include-comments`).
    #[serde(default)]
    pub include_comments: bool,
    #[serde(default)]
    pub local: LocalConfig,
    #[serde(default)]
    pub production: ProductionConfig,
    /// `[ignore]`: ignore rules for the schema diff.
    #[serde(default)]
    pub ignore: Option<toml::Table>,
    /// `[ris]`: incident draft metadata.
    #[serde(default)]
    pub ris: Option<toml::Table>,
    /// `[env.NAME]`: named environments checked with `--env NAME` / `--all-envs`.
    #[serde(default)]
    pub env: std::collections::BTreeMap<String, EnvConfig>,
    /// `[notify]`: where drift alerts go.
    #[serde(default)]
    pub notify: NotifyConfig,
}

/// One named environment. Exactly one source: `url-env`, `url` or `secret-id`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct EnvConfig {
    /// Name of an environment variable holding the URL (URLs with passwords
    /// do not belong in a committed file).
    pub url_env: Option<String>,
    /// A URL without a password (e.g. peer or certificate authentication).
    pub url: Option<String>,
    pub secret_id: Option<String>,
    pub region: Option<String>,
    pub profile: Option<String>,
    pub version_table: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct NotifyConfig {
    /// Name of an environment variable holding the Slack-compatible webhook URL
    /// (webhook URLs are credentials).
    pub webhook_url_env: Option<String>,
    /// Post even when no drift is found.
    #[serde(default)]
    pub always: bool,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct LocalConfig {
    /// Name of an environment variable holding the local URL (the URL itself
    /// does not belong in a committed file).
    pub url_env: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ProductionConfig {
    pub secret_id: Option<String>,
    pub region: Option<String>,
    pub profile: Option<String>,
    /// Name of an environment variable holding the production URL.
    pub url_env: Option<String>,
    pub version_table: Option<String>,
    #[serde(default)]
    pub require: bool,
}

impl Config {
    /// Parse a config file's text; `path` is only used for messages and relative paths.
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let mut config: Config = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: path.to_path_buf(),
            message: describe_toml_error(text, &e),
        })?;
        config.path = Some(path.to_path_buf());
        Ok(config)
    }

    pub fn read(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Config::parse(&text, path)
    }

    /// `--config FILE`, else `driftcheck.toml` in `start` or a parent, else defaults.
    pub fn load(explicit: Option<&Path>, start: &Path) -> Result<Config, ConfigError> {
        if let Some(path) = explicit {
            return Config::read(path);
        }
        match find_upwards(start, FILE_NAME) {
            Some(path) => Config::read(&path),
            None => Ok(Config::default()),
        }
    }

    /// Resolve a path written in the config file against the file's directory.
    pub fn resolve(&self, relative: &Path) -> PathBuf {
        match self.path.as_deref().and_then(Path::parent) {
            Some(dir) if relative.is_relative() => dir.join(relative),
            _ => relative.to_path_buf(),
        }
    }
}

/// `name` in `start` or the nearest parent that has it.
pub fn find_upwards(start: &Path, name: &str) -> Option<PathBuf> {
    start
        .ancestors()
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

/// toml's message with the line and column spelled out.
fn describe_toml_error(text: &str, error: &toml::de::Error) -> String {
    let message = error.message().trim().to_string();
    match error.span() {
        Some(span) => {
            let before = &text[..span.start.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let column = before.len() - before.rfind('\n').map(|i| i + 1).unwrap_or(0) + 1;
            format!("line {line}, column {column}: {message}")
        }
        None => message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_full_file() {
        let text = r#"
migrations = ["alembic/versions"]
version-table = "public.alembic_version"
exclude-schemas = ["audit"]

[production]
secret-id = "credmate/prod/db-credentials"
region = "us-east-1"

[ignore]
tables = ["audit.*_2024*"]

[ris]
project = "credentialmate"

[env.staging]
url-env = "STAGING_DATABASE_URL"

[env.production]
secret-id = "credmate/prod/db-credentials"
region = "us-east-1"
version-table = "public.alembic_version"

[notify]
webhook-url-env = "SLACK_WEBHOOK_URL"
"#;
        let config = Config::parse(text, Path::new("/repo/driftcheck.toml")).unwrap();
        assert_eq!(config.migrations, vec![PathBuf::from("alembic/versions")]);
        assert_eq!(
            config.production.secret_id.as_deref(),
            Some("credmate/prod/db-credentials")
        );
        assert_eq!(config.exclude_schemas, vec!["audit".to_string()]);
        assert!(config.ignore.as_ref().unwrap().contains_key("tables"));
        assert_eq!(
            config.env.keys().collect::<Vec<_>>(),
            ["production", "staging"]
        );
        assert_eq!(
            config.env["staging"].url_env.as_deref(),
            Some("STAGING_DATABASE_URL")
        );
        assert_eq!(
            config.env["production"].region.as_deref(),
            Some("us-east-1")
        );
        assert_eq!(
            config.notify.webhook_url_env.as_deref(),
            Some("SLACK_WEBHOOK_URL")
        );
        assert_eq!(
            config.resolve(Path::new("alembic/versions")),
            PathBuf::from("/repo/alembic/versions")
        );
    }

    #[test]
    fn unknown_keys_are_errors_with_a_line() {
        let text = "migrations = []\n\n[production]\nsecret = \"x\"\n";
        let err = Config::parse(text, Path::new("driftcheck.toml")).unwrap_err();
        let message = err.to_string();
        assert!(message.contains("driftcheck.toml"), "{message}");
        assert!(message.contains("line 4"), "{message}");
        assert!(message.contains("secret"), "{message}");
    }

    #[test]
    fn unknown_environment_keys_are_errors() {
        let text = "[env.staging]\nurl_env = \"X\"\n";
        let message = Config::parse(text, Path::new("driftcheck.toml"))
            .unwrap_err()
            .to_string();
        assert!(message.contains("line 2"), "{message}");
        assert!(message.contains("url_env"), "{message}");
    }
}
