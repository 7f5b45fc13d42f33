//! Where the migration files are: `--migrations DIR`, or Alembic's own
//! configuration — `alembic.ini` and/or `pyproject.toml` `[tool.alembic]`
//! (`script_location`, `version_locations`, `recursive_version_locations`),
//! read as Alembic reads them (see [`super::alembic_config`]) — plus the
//! `sqlalchemy.url` of the chosen section, the local database's last fallback.

use super::alembic_config::{has_tool_alembic, AlembicConfig, Setting, Value};
use super::{Discovery, MigrationsError};
use std::path::{Path, PathBuf};

/// The version directories to scan, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Locations {
    pub dirs: Vec<PathBuf>,
    /// `recursive_version_locations = true`: scan subdirectories too.
    pub recursive: bool,
    /// Where the directories came from, for error messages.
    pub origin: String,
    /// `sqlalchemy.url` of the chosen ini section, when set.
    pub database_url: Option<AlembicUrl>,
}

/// `sqlalchemy.url` from alembic.ini. Holds a password more often than not:
/// `Debug` shows only where it came from; [`expose`](Self::expose) is for
/// connecting (the connection code never prints it).
#[derive(Clone, PartialEq, Eq)]
pub struct AlembicUrl {
    url: String,
    /// `sqlalchemy.url in /path/alembic.ini:12`.
    pub origin: String,
}

impl std::fmt::Debug for AlembicUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AlembicUrl")
            .field("origin", &self.origin)
            .finish_non_exhaustive()
    }
}

impl AlembicUrl {
    /// `origin` says where it was read, e.g. `sqlalchemy.url in alembic.ini:12`.
    pub fn new(url: impl Into<String>, origin: impl Into<String>) -> AlembicUrl {
        AlembicUrl {
            url: url.into(),
            origin: origin.into(),
        }
    }

    pub fn expose(&self) -> &str {
        &self.url
    }

    /// A PostgreSQL URL (any `+driver`), not a template placeholder such as
    /// Alembic's `driver://user:pass@localhost/dbname` or another database's.
    pub fn is_postgres(&self) -> bool {
        let scheme = self.url.split("://").next().unwrap_or("");
        let dialect = scheme.split('+').next().unwrap_or("");
        self.url.contains("://") && matches!(dialect, "postgres" | "postgresql")
    }
}

/// Resolve a [`Discovery`] into version directories. Every directory must exist.
pub fn locate(discovery: &Discovery) -> Result<Locations, MigrationsError> {
    let section = discovery.section.as_deref();
    let locations = if !discovery.migration_dirs.is_empty() {
        from_flags(&discovery.migration_dirs, section)?
    } else if let Some(file) = &discovery.alembic_ini {
        if !file.is_file() {
            return Err(MigrationsError::MissingIni { path: file.clone() });
        }
        from_project(&Project::of_file(file), section)?
    } else {
        let start = match &discovery.start_dir {
            Some(dir) => dir.clone(),
            None => std::env::current_dir().map_err(|source| MigrationsError::Io {
                path: PathBuf::from("."),
                source,
            })?,
        };
        let project = start.ancestors().find_map(Project::in_dir).ok_or_else(|| {
            MigrationsError::NoAlembicIni {
                start: start.clone(),
            }
        })?;
        from_project(&project, section)?
    };
    for dir in &locations.dirs {
        if !dir.is_dir() {
            return Err(MigrationsError::MissingDir {
                dir: dir.clone(),
                origin: locations.origin.clone(),
            });
        }
    }
    Ok(locations)
}

/// Alembic's configuration files of one project directory.
#[derive(Debug, Default)]
struct Project {
    ini: Option<PathBuf>,
    /// `pyproject.toml`, only when it has `[tool.alembic]`.
    toml: Option<PathBuf>,
}

impl Project {
    /// `dir/alembic.ini` and/or `dir/pyproject.toml` with `[tool.alembic]`.
    fn in_dir(dir: &Path) -> Option<Project> {
        let ini = Some(dir.join("alembic.ini")).filter(|p| p.is_file());
        let toml = Some(dir.join("pyproject.toml")).filter(|p| p.is_file() && has_tool_alembic(p));
        (ini.is_some() || toml.is_some()).then_some(Project { ini, toml })
    }

    /// `--alembic-ini FILE`: a pyproject.toml (as Alembic's `-c pyproject.toml`)
    /// or an ini file; the other file of the pair is read from beside it.
    fn of_file(file: &Path) -> Project {
        let dir = file.parent().unwrap_or(Path::new(""));
        let beside = Project::in_dir(dir).unwrap_or_default();
        if file.file_name().is_some_and(|n| n == "pyproject.toml") {
            Project {
                ini: beside.ini,
                toml: Some(file.to_path_buf()),
            }
        } else {
            Project {
                ini: Some(file.to_path_buf()),
                toml: beside.toml,
            }
        }
    }
}

/// `--migrations DIR`: a version directory, or a script directory (has `env.py`
/// and `versions/`), or a project directory holding its own alembic.ini or
/// pyproject.toml. The database URL is taken when a single project is given.
fn from_flags(dirs: &[PathBuf], section: Option<&str>) -> Result<Locations, MigrationsError> {
    let mut out = Vec::new();
    let mut recursive = false;
    let mut urls = Vec::new();
    for dir in dirs {
        if let Some(project) = Project::in_dir(dir) {
            let located = from_project(&project, section)?;
            recursive |= located.recursive;
            out.extend(located.dirs);
            urls.extend(located.database_url);
        } else if dir.join("env.py").is_file() && dir.join("versions").is_dir() {
            out.push(dir.join("versions"));
        } else {
            out.push(dir.clone());
        }
    }
    Ok(Locations {
        dirs: out,
        recursive,
        origin: "given with --migrations".into(),
        database_url: if dirs.len() == 1 { urls.pop() } else { None },
    })
}

/// Read one project's configuration.
fn from_project(project: &Project, section: Option<&str>) -> Result<Locations, MigrationsError> {
    let config = AlembicConfig::load(project.ini.as_deref(), project.toml.as_deref(), section)?;
    let cwd = std::env::current_dir().unwrap_or_default();
    // Alembic's `here` is absolute; paths under the current directory are
    // shown relative again so output stays readable.
    let resolve = |base: &Path, value: &str| {
        let path = PathBuf::from(value);
        let path = normalize(&if path.is_absolute() {
            path
        } else {
            base.join(path)
        });
        match path.strip_prefix(&cwd) {
            Ok(relative) if path.is_absolute() && !relative.as_os_str().is_empty() => {
                relative.to_path_buf()
            }
            _ => path,
        }
    };
    let invalid = |setting: &Setting, message: String| MigrationsError::Ini {
        path: setting.file.clone(),
        line: setting.line,
        message,
    };
    let recursive = match config.get("recursive_version_locations")? {
        None => false,
        Some(Setting {
            value: Value::Bool(flag),
            ..
        }) => flag,
        Some(setting) => match &setting.value {
            Value::Text(text) => parse_bool(text).ok_or_else(|| {
                invalid(
                    &setting,
                    format!("recursive_version_locations = {text:?} is not a boolean"),
                )
            })?,
            _ => {
                return Err(invalid(
                    &setting,
                    "recursive_version_locations must be a boolean".into(),
                ))
            }
        },
    };
    let database_url = match config.ini_option("sqlalchemy.url")? {
        Some(Setting {
            value: Value::Text(url),
            origin,
            ..
        }) if !url.trim().is_empty() => Some(AlembicUrl {
            url: url.trim().to_string(),
            origin: format!("sqlalchemy.url in {origin}"),
        }),
        _ => None,
    };
    if let Some(setting) = config.get("version_locations")? {
        let parts = match &setting.value {
            Value::List(items) => items.clone(),
            Value::Text(text) => {
                let separator = match config
                    .get("path_separator")?
                    .or(config.get("version_path_separator")?)
                {
                    Some(sep) => {
                        let Value::Text(name) = &sep.value else {
                            return Err(invalid(&sep, "path_separator must be a string".into()));
                        };
                        Some(separator_char(name).ok_or_else(|| {
                            invalid(&sep, format!(
                                "{name:?} is not a valid path separator; expected space, newline, os, ':' or ';'"
                            ))
                        })?)
                    }
                    None => None,
                };
                split_locations(text, separator)
            }
            Value::Bool(_) => {
                return Err(invalid(
                    &setting,
                    "version_locations must be a list of paths".into(),
                ))
            }
        };
        let dirs: Vec<PathBuf> = parts
            .iter()
            .map(|part| resolve(&setting.base, part.trim()))
            .collect();
        if !dirs.is_empty() {
            return Ok(Locations {
                dirs,
                recursive,
                origin: format!("version_locations in {}", setting.origin),
                database_url,
            });
        }
    }
    let Some(setting) = config.get("script_location")? else {
        return Err(MigrationsError::NoScriptLocation {
            place: config.describe(),
        });
    };
    let Value::Text(script_location) = &setting.value else {
        return Err(invalid(&setting, "script_location must be a string".into()));
    };
    Ok(Locations {
        dirs: vec![resolve(&setting.base, script_location.trim()).join("versions")],
        recursive,
        origin: format!(
            "script_location {script_location:?} in {}, plus versions/",
            setting.origin
        ),
        database_url,
    })
}

/// Drop `.` components (`%(here)s/./x`), keep the rest as written.
fn normalize(path: &Path) -> PathBuf {
    path.components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .collect()
}

fn parse_bool(value: &str) -> Option<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "yes" | "true" | "on" => Some(true),
        "0" | "no" | "false" | "off" => Some(false),
        _ => None,
    }
}

/// Alembic's `path_separator` names.
fn separator_char(name: &str) -> Option<&'static str> {
    match name.trim() {
        "space" => Some(" "),
        "newline" => Some("\n"),
        "os" => Some(if cfg!(windows) { ";" } else { ":" }),
        ":" => Some(":"),
        ";" => Some(";"),
        _ => None,
    }
}

/// Without a separator setting Alembic splits on `, *| +` (its legacy rule);
/// we also accept newlines there, as configparser keeps them in continued values.
fn split_locations(value: &str, separator: Option<&str>) -> Vec<String> {
    match separator {
        Some(sep) => value
            .split(sep)
            .map(str::trim)
            .filter(|part| !part.is_empty())
            .map(String::from)
            .collect(),
        None => value
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|part| !part.is_empty())
            .map(String::from)
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from_ini_file(ini: &Path) -> Result<Locations, MigrationsError> {
        from_project(&Project::of_file(ini), None)
    }

    fn write_ini(dir: &Path, text: &str) -> PathBuf {
        let ini = dir.join("alembic.ini");
        std::fs::write(&ini, text).unwrap();
        ini
    }

    #[test]
    fn script_location_with_here() {
        let tmp = tempfile::tempdir().unwrap();
        let ini = write_ini(tmp.path(), "[alembic]\nscript_location = %(here)s/db\n");
        let located = from_ini_file(&ini).unwrap();
        assert_eq!(located.dirs, vec![tmp.path().join("db").join("versions")]);
        assert!(!located.recursive);
    }

    #[test]
    fn relative_script_location_is_relative_to_the_ini() {
        let tmp = tempfile::tempdir().unwrap();
        let ini = write_ini(tmp.path(), "[alembic]\nscript_location = migrations\n");
        assert_eq!(
            from_ini_file(&ini).unwrap().dirs,
            vec![tmp.path().join("migrations").join("versions")]
        );
    }

    #[test]
    fn version_locations_space_comma_and_separator() {
        let tmp = tempfile::tempdir().unwrap();
        let ini = write_ini(
            tmp.path(),
            "[alembic]\nscript_location = x\nversion_locations = a, b c\n",
        );
        let dirs = from_ini_file(&ini).unwrap().dirs;
        let names: Vec<_> = dirs.iter().map(|d| d.file_name().unwrap()).collect();
        assert_eq!(names, ["a", "b", "c"]);

        let ini = write_ini(
            tmp.path(),
            "[alembic]\nscript_location = x\npath_separator = ;\nversion_locations = a b;c\n",
        );
        let dirs = from_ini_file(&ini).unwrap().dirs;
        assert_eq!(dirs, vec![tmp.path().join("a b"), tmp.path().join("c")]);

        let ini = write_ini(
            tmp.path(),
            "[alembic]\nscript_location = x\npath_separator = newline\nversion_locations =\n    %(here)s/one\n    two\nrecursive_version_locations = true\n",
        );
        let located = from_ini_file(&ini).unwrap();
        assert_eq!(located.dirs.len(), 2);
        assert!(located.dirs[0].ends_with("one"));
        assert!(located.recursive);
    }

    #[test]
    fn bad_separator_names_the_line() {
        let tmp = tempfile::tempdir().unwrap();
        let ini = write_ini(
            tmp.path(),
            "[alembic]\nscript_location = x\npath_separator = pipe\nversion_locations = a\n",
        );
        let error = from_ini_file(&ini).unwrap_err().to_string();
        assert!(error.contains("alembic.ini:3"), "{error}");
    }

    #[test]
    fn missing_script_location_is_an_error() {
        let tmp = tempfile::tempdir().unwrap();
        let ini = write_ini(tmp.path(), "[alembic]\nsqlalchemy.url = x\n");
        assert!(matches!(
            from_ini_file(&ini),
            Err(MigrationsError::NoScriptLocation { .. })
        ));
    }

    #[test]
    fn migrations_flag_accepts_version_script_and_project_dirs() {
        let tmp = tempfile::tempdir().unwrap();
        let script = tmp.path().join("script");
        std::fs::create_dir_all(script.join("versions")).unwrap();
        std::fs::write(script.join("env.py"), "").unwrap();
        let located = locate(&Discovery {
            migration_dirs: vec![script.clone(), script.join("versions")],
            ..Discovery::default()
        })
        .unwrap();
        assert_eq!(
            located.dirs,
            vec![script.join("versions"), script.join("versions")]
        );

        let missing = locate(&Discovery {
            migration_dirs: vec![tmp.path().join("nope")],
            ..Discovery::default()
        })
        .unwrap_err()
        .to_string();
        assert!(
            missing.contains("nope does not exist (given with --migrations)"),
            "{missing}"
        );
    }

    #[test]
    fn ini_found_in_a_parent() {
        let tmp = tempfile::tempdir().unwrap();
        write_ini(tmp.path(), "[alembic]\nscript_location = m\n");
        std::fs::create_dir_all(tmp.path().join("m/versions/deep")).unwrap();
        let located = locate(&Discovery {
            start_dir: Some(tmp.path().join("m/versions/deep")),
            ..Discovery::default()
        })
        .unwrap();
        assert_eq!(located.dirs, vec![tmp.path().join("m").join("versions")]);
    }

    #[test]
    fn pyproject_is_found_like_alembic_ini_and_urls_stay_in_the_ini() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(tmp.path().join("alembic/versions/deep")).unwrap();
        std::fs::create_dir_all(tmp.path().join("more")).unwrap();
        std::fs::write(
            tmp.path().join("pyproject.toml"),
            "[project]\nname = \"x\"\n[tool.alembic]\nscript_location = \"%(here)s/alembic\"\nversion_locations = [\"%(here)s/alembic/versions\", \"more\"]\n",
        )
        .unwrap();
        let start = tmp.path().join("alembic/versions/deep");
        let located = locate(&Discovery {
            start_dir: Some(start.clone()),
            ..Discovery::default()
        })
        .unwrap();
        assert_eq!(
            located.dirs,
            vec![tmp.path().join("alembic/versions"), tmp.path().join("more")]
        );
        assert!(located.origin.contains("[tool.alembic] version_locations"));
        assert_eq!(located.database_url, None);

        write_ini(
            tmp.path(),
            "[alembic]\nsqlalchemy.url = postgresql+psycopg2://app:Secr3tPw%%21@/db?host=%(here)s\n",
        );
        let located = locate(&Discovery {
            start_dir: Some(start),
            ..Discovery::default()
        })
        .unwrap();
        let url = located.database_url.unwrap();
        assert_eq!(
            url.expose(),
            format!(
                "postgresql+psycopg2://app:Secr3tPw%21@/db?host={}",
                tmp.path().display()
            )
        );
        assert!(url.is_postgres());
        assert!(
            url.origin.starts_with("sqlalchemy.url in ") && url.origin.ends_with("alembic.ini:2")
        );
        assert!(!format!("{url:?}").contains("Secr3tPw"));

        let via_toml = locate(&Discovery {
            alembic_ini: Some(tmp.path().join("pyproject.toml")),
            ..Discovery::default()
        })
        .unwrap();
        assert_eq!(via_toml.dirs.len(), 2);
        assert!(via_toml.database_url.is_some());
    }

    #[test]
    fn placeholder_urls_are_not_postgres() {
        let url = |text: &str| AlembicUrl {
            url: text.into(),
            origin: String::new(),
        };
        assert!(!url("driver://user:pass@localhost/dbname").is_postgres());
        assert!(!url("mysql+pymysql://u@h/d").is_postgres());
        assert!(url("postgresql+asyncpg://u@h/d").is_postgres());
        assert!(url("postgres://u@h/d").is_postgres());
    }

    #[test]
    fn name_picks_another_section() {
        let tmp = tempfile::tempdir().unwrap();
        let ini = write_ini(
            tmp.path(),
            "[alembic]\nscript_location = a\n[reports]\nscript_location = b\nsqlalchemy.url = postgresql:///reports\n",
        );
        let located = locate(&Discovery {
            alembic_ini: Some(ini.clone()),
            section: Some("reports".into()),
            ..Discovery::default()
        });
        // b/versions does not exist: the error names the section's directory.
        let error = located.unwrap_err().to_string();
        assert!(
            error.contains("b/versions") && error.contains("alembic.ini:4"),
            "{error}"
        );
        std::fs::create_dir_all(tmp.path().join("b/versions")).unwrap();
        let located = locate(&Discovery {
            alembic_ini: Some(ini),
            section: Some("reports".into()),
            ..Discovery::default()
        })
        .unwrap();
        assert_eq!(
            located.database_url.unwrap().expose(),
            "postgresql:///reports"
        );
    }
}
