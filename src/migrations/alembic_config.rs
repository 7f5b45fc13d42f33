//! Alembic's own configuration, read as Alembic reads it: the chosen section
//! of `alembic.ini` (`[alembic]`, or `-n/--name SECTION`; Python configparser's
//! rules, `%(here)s`, `%%`) first, then `[tool.alembic]` of `pyproject.toml`
//! (Alembic 1.16+; `%`-formatted strings, lists, booleans). `sqlalchemy.url`
//! is read from the ini section only, as Alembic's `get_main_option` reads it.

use super::MigrationsError;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// key → (raw value, line).
type Section = BTreeMap<String, (String, u32)>;

/// One option's value and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Text(String),
    List(Vec<String>),
    Bool(bool),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    pub value: Value,
    /// `alembic.ini:12` or `pyproject.toml [tool.alembic] key`, for messages.
    pub origin: String,
    /// The file and line (1 in pyproject.toml: parsed TOML keeps no lines).
    pub file: PathBuf,
    pub line: u32,
    /// The file's directory: relative paths in the value start there.
    pub base: PathBuf,
}

struct Ini {
    path: PathBuf,
    sections: BTreeMap<String, Section>,
    here: String,
}

struct Toml {
    path: PathBuf,
    table: toml::Table,
    here: String,
}

/// `alembic.ini` and/or `pyproject.toml` of one project, with the ini section to read.
pub struct AlembicConfig {
    ini: Option<Ini>,
    toml: Option<Toml>,
    section: String,
}

/// `pyproject.toml` with a `[tool.alembic]` table (Alembic's marker for using it).
pub fn has_tool_alembic(path: &Path) -> bool {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|text| text.parse::<toml::Table>().ok())
        .is_some_and(|table| tool_alembic(&table).is_some())
}

fn tool_alembic(table: &toml::Table) -> Option<&toml::Value> {
    table.get("tool")?.as_table()?.get("alembic")
}

/// Alembic's `here`: the absolute directory of the file (kept as written when
/// already absolute, so that paths under the current directory shorten again).
fn here_of(path: &Path) -> (PathBuf, String) {
    let dir = path.parent().unwrap_or(Path::new("")).to_path_buf();
    let abs = std::env::current_dir().unwrap_or_default().join(&dir);
    let text = abs.to_string_lossy().into_owned();
    (dir, text)
}

impl AlembicConfig {
    /// Read the files that exist among `ini` and `toml`. `section` is `--name`
    /// (default `alembic`); a section named explicitly must exist in the ini.
    pub fn load(
        ini: Option<&Path>,
        toml: Option<&Path>,
        section: Option<&str>,
    ) -> Result<Self, MigrationsError> {
        let read = |path: Option<&Path>| -> Result<Option<String>, MigrationsError> {
            path.map(|path| {
                std::fs::read_to_string(path).map_err(|source| MigrationsError::Io {
                    path: path.to_path_buf(),
                    source,
                })
            })
            .transpose()
        };
        let (ini_text, toml_text) = (read(ini)?, read(toml)?);
        AlembicConfig::from_text(
            ini.zip(ini_text.as_deref()),
            toml.zip(toml_text.as_deref()),
            section,
        )
    }

    /// [`load`](Self::load) on texts already read: (path, text) of the ini and
    /// of `pyproject.toml`. Pure; the paths only name the files in messages and
    /// give `%(here)s`.
    pub fn from_text(
        ini: Option<(&Path, &str)>,
        toml: Option<(&Path, &str)>,
        section: Option<&str>,
    ) -> Result<Self, MigrationsError> {
        let ini = match ini {
            Some((path, text)) => {
                let sections = parse_ini(text).map_err(|(line, message)| MigrationsError::Ini {
                    path: path.to_path_buf(),
                    line,
                    message,
                })?;
                Some(Ini {
                    path: path.to_path_buf(),
                    sections,
                    here: here_of(path).1,
                })
            }
            None => None,
        };
        let toml = match toml {
            Some((path, text)) => {
                let table: toml::Table =
                    text.parse()
                        .map_err(|e: toml::de::Error| MigrationsError::Ini {
                            path: path.to_path_buf(),
                            line: line_of(text, e.span()),
                            message: e.message().to_string(),
                        })?;
                if let Some(value) = tool_alembic(&table) {
                    if !value.is_table() {
                        return Err(toml_error(path, "[tool.alembic] must be a table"));
                    }
                }
                Some(Toml {
                    path: path.to_path_buf(),
                    table,
                    here: here_of(path).1,
                })
            }
            None => None,
        };
        if let (Some(name), Some(ini)) = (section, &ini) {
            if !ini.sections.contains_key(name) {
                let found: Vec<&str> = ini
                    .sections
                    .keys()
                    .map(String::as_str)
                    .filter(|s| *s != "DEFAULT" && !is_logging_section(s))
                    .collect();
                return Err(MigrationsError::Ini {
                    path: ini.path.clone(),
                    line: 1,
                    message: format!(
                        "no [{name}] section (--name {name}); sections here: {}",
                        if found.is_empty() {
                            "(none)".to_string()
                        } else {
                            found.join(", ")
                        }
                    ),
                });
            }
        }
        Ok(AlembicConfig {
            ini,
            toml,
            section: section.unwrap_or("alembic").to_string(),
        })
    }

    /// The file to name when an option is missing.
    pub fn describe(&self) -> String {
        match (&self.ini, &self.toml) {
            (Some(ini), Some(toml)) => format!(
                "{} ([{}]) and {} ([tool.alembic])",
                ini.path.display(),
                self.section,
                toml.path.display()
            ),
            (Some(ini), None) => format!("{} ([{}])", ini.path.display(), self.section),
            (None, Some(toml)) => format!("{} ([tool.alembic])", toml.path.display()),
            (None, None) => "no configuration file".to_string(),
        }
    }

    /// Alembic's `get_alembic_option`: the ini section, then `[tool.alembic]`.
    pub fn get(&self, key: &str) -> Result<Option<Setting>, MigrationsError> {
        match self.ini_option(key)? {
            Some(setting) => Ok(Some(setting)),
            None => self.toml_option(key),
        }
    }

    /// An option of the ini section alone (Alembic's `get_main_option`).
    pub fn ini_option(&self, key: &str) -> Result<Option<Setting>, MigrationsError> {
        let Some(ini) = &self.ini else {
            return Ok(None);
        };
        let empty = Section::default();
        let section = ini.sections.get(&self.section).unwrap_or(&empty);
        let defaults = ini.sections.get("DEFAULT").unwrap_or(&empty);
        let Some((raw, line)) = section.get(key).or_else(|| defaults.get(key)) else {
            return Ok(None);
        };
        let value = interpolate(raw, section, defaults, &ini.here).map_err(|message| {
            MigrationsError::Ini {
                path: ini.path.clone(),
                line: *line,
                message,
            }
        })?;
        Ok(Some(Setting {
            value: Value::Text(value),
            origin: format!("{}:{line}", ini.path.display()),
            file: ini.path.clone(),
            line: *line,
            base: here_of(&ini.path).0,
        }))
    }

    fn toml_option(&self, key: &str) -> Result<Option<Setting>, MigrationsError> {
        let Some(toml) = &self.toml else {
            return Ok(None);
        };
        let Some(value) = tool_alembic(&toml.table)
            .and_then(toml::Value::as_table)
            .and_then(|t| t.get(key))
        else {
            return Ok(None);
        };
        let origin = format!("{} [tool.alembic] {key}", toml.path.display());
        let format = |text: &str| {
            interpolate(text, &Section::new(), &Section::new(), &toml.here)
                .map_err(|message| toml_error(&toml.path, &format!("{key}: {message}")))
        };
        let value = match value {
            toml::Value::String(text) => Value::Text(format(text)?),
            toml::Value::Boolean(flag) => Value::Bool(*flag),
            toml::Value::Array(items) => Value::List(
                items
                    .iter()
                    .map(|item| match item.as_str() {
                        Some(text) => format(text),
                        None => Err(toml_error(
                            &toml.path,
                            &format!("[tool.alembic] {key} must be a list of strings"),
                        )),
                    })
                    .collect::<Result<_, _>>()?,
            ),
            _ => {
                return Err(toml_error(
                    &toml.path,
                    &format!("[tool.alembic] {key}: unsupported value type"),
                ))
            }
        };
        Ok(Some(Setting {
            value,
            origin,
            file: toml.path.clone(),
            line: 1,
            base: here_of(&toml.path).0,
        }))
    }
}

fn is_logging_section(name: &str) -> bool {
    matches!(
        name,
        "loggers" | "handlers" | "formatters" | "post_write_hooks"
    ) || ["logger_", "handler_", "formatter_"]
        .iter()
        .any(|prefix| name.starts_with(prefix))
}

fn toml_error(path: &Path, message: &str) -> MigrationsError {
    // toml values carry no line once parsed; 1 points at the file.
    MigrationsError::Ini {
        path: path.to_path_buf(),
        line: 1,
        message: message.to_string(),
    }
}

fn line_of(text: &str, span: Option<std::ops::Range<usize>>) -> u32 {
    let at = span.map_or(0, |s| s.start).min(text.len());
    text[..at].matches('\n').count() as u32 + 1
}

/// Python configparser's format: `[section]`, `key = value` or `key: value`,
/// `#`/`;` comment lines, indented continuation lines. Keys are lower-cased.
fn parse_ini(text: &str) -> Result<BTreeMap<String, Section>, (u32, String)> {
    let mut sections: BTreeMap<String, Section> = BTreeMap::new();
    let mut current: Option<String> = None;
    let mut last_key: Option<String> = None;
    for (index, raw) in text.lines().enumerate() {
        let line_no = index as u32 + 1;
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            last_key = None;
            continue;
        }
        if trimmed.starts_with('#') || trimmed.starts_with(';') {
            continue;
        }
        let indented = raw.starts_with(' ') || raw.starts_with('\t');
        if indented {
            if let (Some(section), Some(key)) = (&current, &last_key) {
                let entry = sections
                    .get_mut(section)
                    .and_then(|s| s.get_mut(key))
                    .expect("continued key exists");
                entry.0.push('\n');
                entry.0.push_str(trimmed);
                continue;
            }
        }
        if trimmed.starts_with('[') {
            let Some(name) = trimmed.strip_prefix('[').and_then(|t| t.strip_suffix(']')) else {
                return Err((line_no, format!("malformed section header {trimmed:?}")));
            };
            sections.entry(name.to_string()).or_default();
            current = Some(name.to_string());
            last_key = None;
            continue;
        }
        let Some(section) = &current else {
            return Err((line_no, "a key appears before any [section] header".into()));
        };
        let split_at = trimmed.find(['=', ':']);
        let (key, value) = match split_at {
            Some(at) => (trimmed[..at].trim(), trimmed[at + 1..].trim()),
            None => (trimmed, ""),
        };
        let key = key.to_ascii_lowercase();
        sections
            .get_mut(section)
            .expect("section exists")
            .insert(key.clone(), (value.to_string(), line_no));
        last_key = Some(key);
    }
    Ok(sections)
}

/// References one value may expand, in all (configparser has no such limit:
/// ten levels of ten references each are 10^10 expansions).
const MAX_EXPANSIONS: usize = 1_000;
/// Characters one value may grow to (a path list or a URL is far shorter).
const MAX_EXPANDED_LEN: usize = 1 << 20;

/// configparser's BasicInterpolation (and Python's `%` formatting for
/// pyproject.toml): `%(name)s` from the section, then DEFAULT, then `here`
/// (Alembic's default); `%%` is a literal `%`. Bounded: a file whose
/// references multiply is an error, not a hang.
fn interpolate(
    raw: &str,
    section: &Section,
    defaults: &Section,
    here: &str,
) -> Result<String, String> {
    let mut out = String::with_capacity(raw.len());
    let mut expansions = 0;
    expand(raw, section, defaults, here, 0, &mut expansions, &mut out)?;
    Ok(out)
}

fn expand(
    raw: &str,
    section: &Section,
    defaults: &Section,
    here: &str,
    depth: usize,
    expansions: &mut usize,
    out: &mut String,
) -> Result<(), String> {
    if depth > 10 {
        return Err("interpolation nests too deeply (a %(name)s refers to itself?)".into());
    }
    let mut rest = raw;
    while let Some(at) = rest.find('%') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        if let Some(tail) = after.strip_prefix('%') {
            out.push('%');
            rest = tail;
        } else if let Some(tail) = after.strip_prefix('(') {
            let Some(close) = tail.find(")s") else {
                return Err(format!("bad interpolation syntax in {raw:?}"));
            };
            *expansions += 1;
            if *expansions > MAX_EXPANSIONS || out.len() > MAX_EXPANDED_LEN {
                return Err(format!(
                    "interpolation expands more than {MAX_EXPANSIONS} %(name)s references or \
                     {MAX_EXPANDED_LEN} characters (references that multiply?)"
                ));
            }
            let name = tail[..close].to_ascii_lowercase();
            match section.get(&name).or_else(|| defaults.get(&name)) {
                Some((value, _)) => {
                    expand(value, section, defaults, here, depth + 1, expansions, out)?
                }
                None if name == "here" => out.push_str(here),
                None => return Err(format!("%({name})s is not defined")),
            }
            rest = &tail[close + 2..];
        } else {
            return Err(format!("'%' must be followed by '%' or '(' in {raw:?}"));
        }
    }
    out.push_str(rest);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interpolation_rules() {
        let mut section = Section::new();
        section.insert("base".into(), ("/srv".into(), 1));
        let defaults = Section::new();
        assert_eq!(
            interpolate("%(base)s/x %% %(here)s", &section, &defaults, "/h").unwrap(),
            "/srv/x % /h"
        );
        assert!(interpolate("%(nope)s", &section, &defaults, "/h").is_err());
    }

    /// Found writing `fuzz/fuzz_targets/alembic_ini.rs`, confirmed by it (a
    /// libFuzzer timeout): 552 bytes whose references multiply (8 per level,
    /// 9 levels: 8^9 expansions) held a run for minutes and gigabytes; now an
    /// error naming the file and line, at once.
    #[test]
    fn multiplying_references_are_an_error_not_a_hang() {
        let mut text = "[alembic]\nscript_location = %(a1)s\n".to_string();
        for level in 1..10 {
            text += &format!("a{level} = {}\n", format!("%(a{})s", level + 1).repeat(8));
        }
        text += "a10 = xxxxxxxxxxxxxxxx\n";
        let path = Path::new("project/alembic.ini");
        let config = AlembicConfig::from_text(Some((path, &text)), None, None).unwrap();
        let started = std::time::Instant::now();
        let message = config.get("script_location").unwrap_err().to_string();
        assert!(started.elapsed() < std::time::Duration::from_secs(1));
        assert!(
            message.starts_with("project/alembic.ini:2: interpolation expands more than 1000"),
            "{message}"
        );
        // Empty leaves: no output to cap, the same number of expansions.
        let empty = text.replace("a10 = xxxxxxxxxxxxxxxx", "a10 =");
        let config = AlembicConfig::from_text(Some((path, &empty)), None, None).unwrap();
        assert!(config.get("script_location").is_err());
    }

    #[test]
    fn ini_section_first_then_pyproject() {
        let tmp = tempfile::tempdir().unwrap();
        let ini = tmp.path().join("alembic.ini");
        std::fs::write(
            &ini,
            "[alembic]\nsqlalchemy.url = postgresql://u:p%%40ss@h/db\n\n[other]\nscript_location = %(here)s/other\n",
        )
        .unwrap();
        let toml = tmp.path().join("pyproject.toml");
        std::fs::write(
            &toml,
            "[tool.alembic]\nscript_location = \"%(here)s/alembic\"\nversion_locations = [\"%(here)s/a\", \"b%%\"]\nrecursive_version_locations = true\nsqlalchemy.url = \"ignored\"\n",
        )
        .unwrap();
        assert!(has_tool_alembic(&toml));
        let config = AlembicConfig::load(Some(&ini), Some(&toml), None).unwrap();
        let here = tmp.path().display().to_string();
        let url = config.ini_option("sqlalchemy.url").unwrap().unwrap();
        assert_eq!(url.value, Value::Text("postgresql://u:p%40ss@h/db".into()));
        assert!(url.origin.ends_with("alembic.ini:2"), "{}", url.origin);
        let script = config.get("script_location").unwrap().unwrap();
        assert_eq!(script.value, Value::Text(format!("{here}/alembic")));
        assert_eq!(
            config.get("version_locations").unwrap().unwrap().value,
            Value::List(vec![format!("{here}/a"), "b%".into()])
        );
        assert_eq!(
            config
                .get("recursive_version_locations")
                .unwrap()
                .unwrap()
                .value,
            Value::Bool(true)
        );

        let other = AlembicConfig::load(Some(&ini), Some(&toml), Some("other")).unwrap();
        assert_eq!(
            other.get("script_location").unwrap().unwrap().value,
            Value::Text(format!("{here}/other"))
        );
        assert!(other.ini_option("sqlalchemy.url").unwrap().is_none());
        let missing = AlembicConfig::load(Some(&ini), None, Some("nope"))
            .err()
            .unwrap();
        let message = missing.to_string();
        assert!(
            message.contains("no [nope] section") && message.contains("alembic, other"),
            "{message}"
        );
    }

    #[test]
    fn pyproject_errors_name_the_file() {
        let tmp = tempfile::tempdir().unwrap();
        let toml = tmp.path().join("pyproject.toml");
        std::fs::write(&toml, "[tool.alembic]\nversion_locations = [1]\n").unwrap();
        let config = AlembicConfig::load(None, Some(&toml), None).unwrap();
        let error = config.get("version_locations").unwrap_err().to_string();
        assert!(
            error.contains("pyproject.toml") && error.contains("list of strings"),
            "{error}"
        );
        std::fs::write(&toml, "[tool.alembic\n").unwrap();
        assert!(AlembicConfig::load(None, Some(&toml), None).is_err());
        assert!(!has_tool_alembic(&toml));
    }
}
