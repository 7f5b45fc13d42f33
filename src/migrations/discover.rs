//! Where the migration files are: `--migrations DIR`, or alembic.ini
//! (`script_location`, `version_locations`, `recursive_version_locations`),
//! read with Python configparser's rules and Alembic's `%(here)s` default.

use super::{Discovery, MigrationsError};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The version directories to scan, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Locations {
    pub dirs: Vec<PathBuf>,
    /// `recursive_version_locations = true`: scan subdirectories too.
    pub recursive: bool,
    /// Where the directories came from, for error messages.
    pub origin: String,
}

/// Resolve a [`Discovery`] into version directories. Every directory must exist.
pub fn locate(discovery: &Discovery) -> Result<Locations, MigrationsError> {
    let locations = if !discovery.migration_dirs.is_empty() {
        from_flags(&discovery.migration_dirs)?
    } else if let Some(ini) = &discovery.alembic_ini {
        if !ini.is_file() {
            return Err(MigrationsError::MissingIni { path: ini.clone() });
        }
        from_ini(ini)?
    } else {
        let start = match &discovery.start_dir {
            Some(dir) => dir.clone(),
            None => std::env::current_dir().map_err(|source| MigrationsError::Io {
                path: PathBuf::from("."),
                source,
            })?,
        };
        let ini =
            find_upwards(&start, "alembic.ini").ok_or_else(|| MigrationsError::NoAlembicIni {
                start: start.clone(),
            })?;
        from_ini(&ini)?
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

/// `--migrations DIR`: a version directory, or a script directory (has `env.py`
/// and `versions/`), or a project directory holding its own alembic.ini.
fn from_flags(dirs: &[PathBuf]) -> Result<Locations, MigrationsError> {
    let mut out = Vec::new();
    let mut recursive = false;
    for dir in dirs {
        let ini = dir.join("alembic.ini");
        if ini.is_file() {
            let located = from_ini(&ini)?;
            recursive |= located.recursive;
            out.extend(located.dirs);
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
    })
}

fn find_upwards(start: &Path, name: &str) -> Option<PathBuf> {
    start
        .ancestors()
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

/// Read the `[alembic]` section of an ini file.
pub fn from_ini(ini: &Path) -> Result<Locations, MigrationsError> {
    let text = std::fs::read_to_string(ini).map_err(|source| MigrationsError::Io {
        path: ini.to_path_buf(),
        source,
    })?;
    let here = ini.parent().unwrap_or(Path::new("")).to_path_buf();
    // Alembic's `here` is absolute; paths under the current directory are
    // shown relative again (see `resolve`) so output stays readable.
    let cwd = std::env::current_dir().unwrap_or_default();
    let here_abs = cwd.join(&here);
    let here_str = here_abs.to_string_lossy().into_owned();
    let sections = parse_ini(&text).map_err(|(line, message)| MigrationsError::Ini {
        path: ini.to_path_buf(),
        line,
        message,
    })?;
    let empty = Section::default();
    let section = sections.get("alembic").unwrap_or(&empty);
    let defaults = sections.get("DEFAULT").unwrap_or(&empty);
    let get = |key: &str| -> Result<Option<(String, u32)>, MigrationsError> {
        let Some((raw, line)) = section.get(key).or_else(|| defaults.get(key)) else {
            return Ok(None);
        };
        interpolate(raw, section, defaults, &here_str, 0)
            .map(|value| Some((value, *line)))
            .map_err(|message| MigrationsError::Ini {
                path: ini.to_path_buf(),
                line: *line,
                message,
            })
    };
    let recursive = match get("recursive_version_locations")? {
        Some((value, line)) => parse_bool(&value).ok_or_else(|| MigrationsError::Ini {
            path: ini.to_path_buf(),
            line,
            message: format!("recursive_version_locations = {value:?} is not a boolean"),
        })?,
        None => false,
    };
    let resolve = |value: &str| {
        let path = PathBuf::from(value);
        let path = if path.is_absolute() {
            path
        } else {
            here.join(path)
        };
        let path = normalize(&path);
        match path.strip_prefix(&cwd) {
            Ok(relative) if path.is_absolute() && !relative.as_os_str().is_empty() => {
                relative.to_path_buf()
            }
            _ => path,
        }
    };
    if let Some((value, line)) = get("version_locations")? {
        let separator = match get("path_separator")?.or(get("version_path_separator")?) {
            Some((name, sep_line)) => Some(separator_char(&name).ok_or_else(|| {
                MigrationsError::Ini {
                    path: ini.to_path_buf(),
                    line: sep_line,
                    message: format!(
                        "{name:?} is not a valid path separator; expected space, newline, os, ':' or ';'"
                    ),
                }
            })?),
            None => None,
        };
        let dirs: Vec<PathBuf> = split_locations(&value, separator)
            .iter()
            .map(|part| resolve(part))
            .collect();
        if !dirs.is_empty() {
            return Ok(Locations {
                dirs,
                recursive,
                origin: format!("version_locations in {}:{line}", ini.display()),
            });
        }
    }
    let Some((script_location, line)) = get("script_location")? else {
        return Err(MigrationsError::NoScriptLocation {
            path: ini.to_path_buf(),
        });
    };
    Ok(Locations {
        dirs: vec![resolve(script_location.trim()).join("versions")],
        recursive,
        origin: format!(
            "script_location {script_location:?} in {}:{line}, plus versions/",
            ini.display()
        ),
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

/// key → (raw value, line).
type Section = BTreeMap<String, (String, u32)>;

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

/// configparser's BasicInterpolation: `%(name)s` from the section, then
/// DEFAULT, then `here` (Alembic's default); `%%` is a literal `%`.
fn interpolate(
    raw: &str,
    section: &Section,
    defaults: &Section,
    here: &str,
    depth: usize,
) -> Result<String, String> {
    if depth > 10 {
        return Err("interpolation nests too deeply (a %(name)s refers to itself?)".into());
    }
    let mut out = String::with_capacity(raw.len());
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
            let name = tail[..close].to_ascii_lowercase();
            let value = match section.get(&name).or_else(|| defaults.get(&name)) {
                Some((value, _)) => interpolate(value, section, defaults, here, depth + 1)?,
                None if name == "here" => here.to_string(),
                None => return Err(format!("%({name})s is not defined")),
            };
            out.push_str(&value);
            rest = &tail[close + 2..];
        } else {
            return Err(format!("'%' must be followed by '%' or '(' in {raw:?}"));
        }
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write_ini(dir: &Path, text: &str) -> PathBuf {
        let ini = dir.join("alembic.ini");
        std::fs::write(&ini, text).unwrap();
        ini
    }

    #[test]
    fn script_location_with_here() {
        let tmp = tempfile::tempdir().unwrap();
        let ini = write_ini(tmp.path(), "[alembic]\nscript_location = %(here)s/db\n");
        let located = from_ini(&ini).unwrap();
        assert_eq!(located.dirs, vec![tmp.path().join("db").join("versions")]);
        assert!(!located.recursive);
    }

    #[test]
    fn relative_script_location_is_relative_to_the_ini() {
        let tmp = tempfile::tempdir().unwrap();
        let ini = write_ini(tmp.path(), "[alembic]\nscript_location = migrations\n");
        assert_eq!(
            from_ini(&ini).unwrap().dirs,
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
        let dirs = from_ini(&ini).unwrap().dirs;
        let names: Vec<_> = dirs.iter().map(|d| d.file_name().unwrap()).collect();
        assert_eq!(names, ["a", "b", "c"]);

        let ini = write_ini(
            tmp.path(),
            "[alembic]\nscript_location = x\npath_separator = ;\nversion_locations = a b;c\n",
        );
        let dirs = from_ini(&ini).unwrap().dirs;
        assert_eq!(dirs, vec![tmp.path().join("a b"), tmp.path().join("c")]);

        let ini = write_ini(
            tmp.path(),
            "[alembic]\nscript_location = x\npath_separator = newline\nversion_locations =\n    %(here)s/one\n    two\nrecursive_version_locations = true\n",
        );
        let located = from_ini(&ini).unwrap();
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
        let error = from_ini(&ini).unwrap_err().to_string();
        assert!(error.contains("alembic.ini:3"), "{error}");
    }

    #[test]
    fn missing_script_location_is_an_error() {
        let tmp = tempfile::tempdir().unwrap();
        let ini = write_ini(tmp.path(), "[alembic]\nsqlalchemy.url = x\n");
        assert!(matches!(
            from_ini(&ini),
            Err(MigrationsError::NoScriptLocation { .. })
        ));
    }

    #[test]
    fn interpolation_rules() {
        let mut section = Section::new();
        section.insert("base".into(), ("/srv".into(), 1));
        let defaults = Section::new();
        assert_eq!(
            interpolate("%(base)s/x %% %(here)s", &section, &defaults, "/h", 0).unwrap(),
            "/srv/x % /h"
        );
        assert!(interpolate("%(nope)s", &section, &defaults, "/h", 0).is_err());
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
}
