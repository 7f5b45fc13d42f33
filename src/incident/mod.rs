//! Incident drafts in the RIS (Resolution / Incident Summary) format: when a
//! check finds drift, `--create-ris` writes the next `ris-NNN-<slug>.md` so the
//! person on call edits a draft full of facts instead of starting from nothing.
//!
//! [`render_draft`] is pure (report + context → markdown); [`write_draft`] picks
//! the number, finds related incidents and creates the file exclusively.

mod frontmatter;
mod numbering;
mod render;
mod text;

pub use frontmatter::{render_front_matter, yaml_scalar};
pub use numbering::{find_related, scan_numbering, Numbering, RelatedIncident};
pub use render::{draft_file_name, draft_slug, draft_title, severity, SeverityLevel};

use crate::report::{CheckReport, Status};
use chrono::NaiveDate;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The `[ris]` table of `driftcheck.toml`. Every field is optional; the
/// compliance block defaults to the values of the reference incident (RIS-052).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, rename_all = "kebab-case", deny_unknown_fields)]
pub struct RisConfig {
    /// Where drafts go (the `--ris-dir` flag wins; resolved by the caller).
    pub dir: Option<PathBuf>,
    /// `project:` in the front matter; default: the repository directory name.
    pub project: Option<String>,
    /// `version:` of the document in the front matter.
    pub version: String,
    pub compliance: ComplianceConfig,
}

impl Default for RisConfig {
    fn default() -> Self {
        RisConfig {
            dir: None,
            project: None,
            version: "1.0".to_string(),
            compliance: ComplianceConfig::default(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(default, rename_all = "kebab-case", deny_unknown_fields)]
pub struct ComplianceConfig {
    pub hipaa: HipaaConfig,
    pub iso27001: Iso27001Config,
    pub soc2: Soc2Config,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, rename_all = "kebab-case", deny_unknown_fields)]
pub struct HipaaConfig {
    pub access_audit_required: bool,
    pub controls: Vec<String>,
    pub encryption_required: bool,
    pub phi_contains: String,
    pub retention_period: String,
    pub review_frequency: String,
}

impl Default for HipaaConfig {
    fn default() -> Self {
        HipaaConfig {
            access_audit_required: true,
            controls: vec![
                "164.308(a)(1)(ii)(D)".to_string(),
                "164.312(a)(1)".to_string(),
            ],
            encryption_required: true,
            phi_contains: "credential-data".to_string(),
            retention_period: "7-years".to_string(),
            review_frequency: "quarterly".to_string(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, rename_all = "kebab-case", deny_unknown_fields)]
pub struct Iso27001Config {
    pub classification: String,
    pub controls: Vec<String>,
    pub review_frequency: String,
}

impl Default for Iso27001Config {
    fn default() -> Self {
        Iso27001Config {
            classification: "internal".to_string(),
            controls: vec!["A.12.1.1".to_string(), "A.18.1.3".to_string()],
            review_frequency: "quarterly".to_string(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, rename_all = "kebab-case", deny_unknown_fields)]
pub struct Soc2Config {
    pub controls: Vec<String>,
    pub evidence_type: String,
    pub retention_period: String,
}

impl Default for Soc2Config {
    fn default() -> Self {
        Soc2Config {
            controls: vec!["CC7.3".to_string(), "CC8.1".to_string()],
            evidence_type: "documentation".to_string(),
            retention_period: "7-years".to_string(),
        }
    }
}

/// Facts about the run that the report does not carry.
#[derive(Debug, Clone, PartialEq)]
pub struct RisContext {
    /// `created`, `updated` and **Date**.
    pub today: NaiveDate,
    /// RFC 3339 time the drift was detected (normally `report.checked_at`).
    pub detected_at: String,
    pub project: String,
    pub driftcheck_version: String,
    /// The markdown drift report of the same run, if one was written.
    pub report_path: Option<PathBuf>,
    /// The directory relative paths in the report (migration files, report
    /// path) are relative to: the working directory of the check.
    pub working_dir: PathBuf,
    /// `Create Date:` of revisions the report names without a date (renamed
    /// revisions), keyed by revision id; see [`read_revision_dates`].
    pub revision_dates: BTreeMap<String, String>,
}

impl RisContext {
    /// The context of a check that just ran in `working_dir`: today's date,
    /// detection time and version from the report, project from the config or
    /// the repository name, create dates of renamed revisions from their files.
    pub fn for_report(report: &CheckReport, config: &RisConfig, working_dir: &Path) -> Self {
        RisContext {
            today: chrono::Local::now().date_naive(),
            detected_at: report.checked_at.clone(),
            project: config
                .project
                .clone()
                .unwrap_or_else(|| default_project_name(working_dir)),
            driftcheck_version: report.driftcheck_version.clone(),
            report_path: report.report_path.as_ref().map(PathBuf::from),
            working_dir: working_dir.to_path_buf(),
            revision_dates: read_revision_dates(report, working_dir),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum IncidentError {
    #[error("RIS directory {path} does not exist (create it, or pass another --ris-dir)")]
    MissingDir { path: PathBuf },
    #[error("RIS directory {path} is not a directory")]
    NotADirectory { path: PathBuf },
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write a RIS draft in {path}: {source}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("no free RIS number found in {path} after {attempts} attempts")]
    NoFreeNumber { path: PathBuf, attempts: u32 },
}

/// The project name when the config gives none: the name of the repository
/// root (the nearest directory at or above `start_dir` holding `.git`), else
/// the name of `start_dir` itself.
pub fn default_project_name(start_dir: &Path) -> String {
    let start = std::path::absolute(start_dir).unwrap_or_else(|_| start_dir.to_path_buf());
    let root = start
        .ancestors()
        .find(|dir| dir.join(".git").exists())
        .unwrap_or(&start);
    root.file_name()
        .or_else(|| start.file_name())
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| "project".to_string())
}

/// Conventional directory for drafts when neither flag nor config names one.
pub const DEFAULT_RIS_DIR: &str = "docs/ris";

/// Where drafts go: `--ris-dir`, else `[ris] dir`, else `docs/ris/` under
/// `working_dir` when that directory exists; `None` when nothing applies.
/// A named directory is returned even if missing: [`write_draft`] reports it.
pub fn resolve_ris_dir(
    flag: Option<&Path>,
    config: &RisConfig,
    working_dir: &Path,
) -> Option<PathBuf> {
    if let Some(dir) = flag.or(config.dir.as_deref()) {
        return Some(dir.to_path_buf());
    }
    working_dir
        .join(DEFAULT_RIS_DIR)
        .is_dir()
        .then(|| PathBuf::from(DEFAULT_RIS_DIR))
}

/// `Create Date:` headers of the renamed revisions' files (the report carries
/// dates for pending migrations only). Unreadable files are left out: the
/// timeline is a convenience, not a reason to fail.
pub fn read_revision_dates(report: &CheckReport, working_dir: &Path) -> BTreeMap<String, String> {
    let mut dates = BTreeMap::new();
    for target in report.targets.values() {
        for renamed in &target.renamed {
            let path = working_dir.join(&renamed.file);
            if let Some(date) = std::fs::read_to_string(&path)
                .ok()
                .and_then(|source| text::create_date_header(&source))
            {
                dates.insert(renamed.revision.clone(), date);
            }
        }
    }
    dates
}

/// The draft as markdown (YAML front matter + body) for RIS number `number`,
/// zero-padded to `width` digits. `links_base` is the directory the draft will
/// live in (absolute, or relative to `ctx.working_dir`): links are relative to it.
pub fn render_draft(
    number: u32,
    width: usize,
    report: &CheckReport,
    ctx: &RisContext,
    config: &RisConfig,
    related: &[RelatedIncident],
    links_base: &Path,
) -> String {
    render::render(number, width, report, ctx, config, related, links_base)
}

/// Write the next RIS draft into `dir` (absolute, or relative to
/// `ctx.working_dir`; it must exist) when the report found drift; `None` when
/// it did not. Returns `dir` joined with the new file's name. The file is
/// created atomically under a name no other file has; concurrent runs
/// (threads or processes) get distinct numbers.
pub fn write_draft(
    dir: &Path,
    report: &CheckReport,
    ctx: &RisContext,
    config: &RisConfig,
) -> Result<Option<PathBuf>, IncidentError> {
    if report.status != Status::Drift {
        return Ok(None);
    }
    let resolved_dir = if dir.is_absolute() {
        dir.to_path_buf()
    } else {
        ctx.working_dir.join(dir)
    };
    match std::fs::metadata(&resolved_dir) {
        Ok(meta) if meta.is_dir() => {}
        Ok(_) => {
            return Err(IncidentError::NotADirectory {
                path: dir.to_path_buf(),
            })
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(IncidentError::MissingDir {
                path: dir.to_path_buf(),
            })
        }
        Err(source) => {
            return Err(IncidentError::Read {
                path: dir.to_path_buf(),
                source,
            })
        }
    }
    // Serialise scan + create between driftcheck runs sharing the directory,
    // so two runs with different slugs cannot both take the same number.
    let _lock = DirLock::acquire(&resolved_dir)?;
    let numbering = scan_numbering(&resolved_dir)?;
    let related = find_related(&resolved_dir, report)?;
    let path = create_exclusive(&resolved_dir, numbering.next, |n| {
        (
            draft_file_name(n, numbering.width, report),
            render_draft(
                n,
                numbering.width,
                report,
                ctx,
                config,
                &related,
                &resolved_dir,
            ),
        )
    })?;
    // Named the way the caller named the directory (relative stays relative).
    Ok(Some(dir.join(
        path.file_name().expect("a created file has a name"),
    )))
}

/// Attempts before giving up on finding a free name (only reached when the
/// directory keeps filling up under us).
const MAX_ATTEMPTS: u32 = 1000;

/// Create `dir/<name>` for the first number from `first` whose name is free,
/// never replacing a file: the content goes to a temp file in `dir`, which is
/// then linked into place with a no-clobber rename; on AlreadyExists the next
/// number is tried (its content re-rendered, since it carries the number).
pub(crate) fn create_exclusive(
    dir: &Path,
    first: u32,
    render: impl Fn(u32) -> (String, String),
) -> Result<PathBuf, IncidentError> {
    let write_err = |source| IncidentError::Write {
        path: dir.to_path_buf(),
        source,
    };
    let mut number = first;
    for _ in 0..MAX_ATTEMPTS {
        let (name, contents) = render(number);
        let target = dir.join(&name);
        // Registered, so that a signal removes it (see `fsutil`).
        let mut temp =
            crate::fsutil::TempFile::new_in(dir, ".driftcheck-ris-").map_err(write_err)?;
        temp.write_synced(contents.as_bytes()).map_err(write_err)?;
        match temp.persist_noclobber(&target) {
            Ok(()) => return Ok(target),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => number += 1,
            Err(e) => return Err(write_err(e)),
        }
    }
    Err(IncidentError::NoFreeNumber {
        path: dir.to_path_buf(),
        attempts: MAX_ATTEMPTS,
    })
}

/// An advisory exclusive lock on the directory itself (no lock file is left
/// behind). Where directories cannot be opened as files, no lock is taken and
/// the no-clobber creation alone prevents overwrites.
struct DirLock(Option<std::fs::File>);

impl DirLock {
    fn acquire(dir: &Path) -> Result<Self, IncidentError> {
        match std::fs::File::open(dir) {
            Ok(file) => {
                file.lock().map_err(|source| IncidentError::Write {
                    path: dir.to_path_buf(),
                    source,
                })?;
                Ok(DirLock(Some(file)))
            }
            Err(_) => Ok(DirLock(None)),
        }
    }
}

impl Drop for DirLock {
    fn drop(&mut self) {
        if let Some(file) = &self.0 {
            let _ = file.unlock();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_defaults_are_the_reference_values_and_overrides_apply() {
        let config: RisConfig = toml::from_str(
            r#"
            dir = "docs/06-ris/resolutions"
            project = "credentialmate"
            [compliance.hipaa]
            phi-contains = "none"
            controls = ["164.312(b)"]
            [compliance.soc2]
            evidence-type = "screenshots"
            "#,
        )
        .unwrap();
        assert_eq!(config.dir, Some(PathBuf::from("docs/06-ris/resolutions")));
        assert_eq!(config.project.as_deref(), Some("credentialmate"));
        assert_eq!(config.version, "1.0");
        assert_eq!(config.compliance.hipaa.phi_contains, "none");
        assert_eq!(config.compliance.hipaa.controls, vec!["164.312(b)"]);
        assert!(config.compliance.hipaa.access_audit_required);
        assert_eq!(config.compliance.hipaa.retention_period, "7-years");
        assert_eq!(config.compliance.iso27001, Iso27001Config::default());
        assert_eq!(config.compliance.soc2.evidence_type, "screenshots");
        assert_eq!(config.compliance.soc2.controls, vec!["CC7.3", "CC8.1"]);
    }

    #[test]
    fn config_rejects_misspelled_keys() {
        let err = toml::from_str::<RisConfig>("[compliance.hipaa]\nphi-contain = \"x\"\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("phi-contain"), "{err}");
    }

    #[test]
    fn project_name_is_the_repository_root_name() {
        let tmp = tempfile::tempdir().unwrap();
        let repo = tmp.path().join("credentialmate");
        let nested = repo.join("apps/backend-api");
        std::fs::create_dir_all(&nested).unwrap();
        std::fs::create_dir(repo.join(".git")).unwrap();
        assert_eq!(default_project_name(&nested), "credentialmate");
        let plain = tmp.path().join("plain-dir");
        std::fs::create_dir(&plain).unwrap();
        // Normally no repository encloses the temp dir: the directory's own name.
        let enclosing_repo = tmp.path().ancestors().find(|d| d.join(".git").exists());
        let expected = enclosing_repo
            .and_then(|root| root.file_name())
            .map_or("plain-dir".to_string(), |n| {
                n.to_string_lossy().into_owned()
            });
        assert_eq!(default_project_name(&plain), expected);
    }

    #[test]
    fn ris_dir_comes_from_flag_then_config_then_docs_ris() {
        let tmp = tempfile::tempdir().unwrap();
        let config = RisConfig {
            dir: Some(PathBuf::from("incidents")),
            ..RisConfig::default()
        };
        let flag = Path::new("elsewhere");
        assert_eq!(
            resolve_ris_dir(Some(flag), &config, tmp.path()),
            Some(PathBuf::from("elsewhere"))
        );
        assert_eq!(
            resolve_ris_dir(None, &config, tmp.path()),
            Some(PathBuf::from("incidents"))
        );
        let default = RisConfig::default();
        assert_eq!(resolve_ris_dir(None, &default, tmp.path()), None);
        std::fs::create_dir_all(tmp.path().join("docs/ris")).unwrap();
        assert_eq!(
            resolve_ris_dir(None, &default, tmp.path()),
            Some(PathBuf::from("docs/ris"))
        );
    }

    #[test]
    fn create_exclusive_skips_a_taken_number_and_never_replaces_it() {
        let dir = tempfile::tempdir().unwrap();
        let taken = dir.path().join("ris-053-x.md");
        std::fs::write(&taken, "keep me").unwrap();
        let path = create_exclusive(dir.path(), 53, |n| {
            (format!("ris-{n:03}-x.md"), format!("# RIS-{n:03}: x\n"))
        })
        .unwrap();
        assert_eq!(path, dir.path().join("ris-054-x.md"));
        assert_eq!(std::fs::read_to_string(&taken).unwrap(), "keep me");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "# RIS-054: x\n");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }
}
