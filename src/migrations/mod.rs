//! The codebase side: discover Alembic version directories, parse migration
//! files statically (never importing them) and build the revision graph.
//!
//! OWNER: migrations helper (issue 3). The public API below is what the rest of
//! the crate calls; keep these names and signatures.

pub mod alembic_config;
pub mod discover;
pub mod graph;
pub mod parse;
pub mod walk;

pub use discover::AlembicUrl;
use serde::Serialize;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::io::Write as _;
use std::path::PathBuf;

/// Why the migrations could not be read. Every variant is an input error (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum MigrationsError {
    #[error("no alembic.ini found (nor a pyproject.toml with [tool.alembic]) in {} or any parent directory; pass --migrations DIR or --alembic-ini FILE", start.display())]
    NoAlembicIni { start: PathBuf },
    #[error("--alembic-ini {}: no such file", path.display())]
    MissingIni { path: PathBuf },
    #[error("{}:{line}: {message}", path.display())]
    Ini {
        path: PathBuf,
        line: u32,
        message: String,
    },
    #[error("{place}: no `script_location`, so there is no versions directory to read")]
    NoScriptLocation { place: String },
    #[error("migrations directory {} does not exist ({origin})", dir.display())]
    MissingDir { dir: PathBuf, origin: String },
    #[error("migrations directory {} holds no migration files (*.py) ({origin})", dir.display())]
    EmptyDir { dir: PathBuf, origin: String },
    #[error(
        "migrations directory {shown} has a name that is not valid UTF-8 ({origin}); rename it"
    )]
    NonUtf8Dir { shown: String, origin: String },
    #[error("cannot read {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// How to find the migration directories.
#[derive(Debug, Clone, Default)]
pub struct Discovery {
    /// `--migrations DIR` (repeatable). When non-empty, the alembic.ini search is
    /// skipped; a DIR that holds its own alembic.ini is read through it, a script
    /// directory (`env.py` + `versions/`) through its `versions/`.
    pub migration_dirs: Vec<PathBuf>,
    /// `--alembic-ini FILE`.
    pub alembic_ini: Option<PathBuf>,
    /// Where to start looking for alembic.ini (current directory by default).
    pub start_dir: Option<PathBuf>,
    /// `--name SECTION`: the ini section to read instead of `[alembic]`.
    pub section: Option<String>,
}

/// One migration file.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Revision {
    pub revision: String,
    pub down_revisions: Vec<String>,
    pub depends_on: Vec<String>,
    pub branch_labels: Vec<String>,
    pub file: PathBuf,
    /// Other ids this file carries (file name, `Revision ID:` header).
    pub aliases: Vec<String>,
    /// `Create Date:` docstring header, verbatim, when present.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub create_date: Option<String>,
    /// First docstring line (the migration message), when present.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Problem {
    /// Stable code: multiple_heads, cycle, missing_parent, duplicate_revision,
    /// duplicate_branch_label, unresolved_value, syntax_error, not_a_migration,
    /// filename_mismatch; for entries refused while listing and reading
    /// (`walk`): not_a_regular_file, dangling_symlink, unreadable_file,
    /// unreadable_directory, file_too_large, non_utf8_name, non_utf8_content,
    /// nul_byte, symlinked_directory, duplicate_file.
    pub code: String,
    /// `error` or `warning`.
    pub severity: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
}

/// The parsed codebase: every revision and the graph facts derived from them.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Codebase {
    pub migration_dirs: Vec<PathBuf>,
    /// What `alembic upgrade heads` targets.
    pub heads: Vec<String>,
    /// What plain `alembic heads` lists.
    pub branch_heads: Vec<String>,
    pub bases: Vec<String>,
    pub revisions: Vec<Revision>,
    pub problems: Vec<Problem>,
}

/// `sqlalchemy.url` of the configuration `discovery` finds (the chosen ini
/// section), for the local database's last fallback. `None` without one.
pub fn database_url(discovery: &Discovery) -> Result<Option<AlembicUrl>, MigrationsError> {
    discover::locate(discovery).map(|l| l.database_url)
}

/// Discover, parse (in parallel) and build the revision graph.
pub fn load(discovery: &Discovery) -> Result<Codebase, MigrationsError> {
    let started = std::time::Instant::now();
    let locations = discover::locate(discovery)?;
    let mut listing = walk::Listing::default();
    for dir in &locations.dirs {
        // Every path driftcheck prints, JSON included, is UTF-8.
        if dir.to_str().is_none() {
            return Err(MigrationsError::NonUtf8Dir {
                shown: walk::escaped(dir),
                origin: locations.origin.clone(),
            });
        }
        if let Some(0) = listing.add(dir, locations.recursive)? {
            return Err(MigrationsError::EmptyDir {
                dir: dir.clone(),
                origin: locations.origin.clone(),
            });
        }
    }
    let paths = listing.files;
    tracing::info!(
        dirs = ?locations.dirs,
        origin = %locations.origin,
        files = paths.len(),
        elapsed_ms = crate::logging::elapsed_ms(started),
        "discovered the migrations"
    );
    let started = std::time::Instant::now();
    let parsed = parse_files(&paths);
    tracing::info!(
        files = parsed.len(),
        elapsed_ms = crate::logging::elapsed_ms(started),
        "parsed the migrations"
    );
    let started = std::time::Instant::now();
    let codebase = graph::build(locations.dirs, parsed, listing.problems);
    tracing::info!(
        revisions = codebase.revisions.len(),
        heads = ?codebase.heads,
        problems = codebase.problems.len(),
        elapsed_ms = crate::logging::elapsed_ms(started),
        "built the revision graph"
    );
    Ok(codebase)
}

/// Read (see [`walk::read`]) and parse files on every available core; the
/// result keeps `paths`' order. A file that cannot be read safely comes back
/// with its problem and no revision. Workers take small batches from a shared
/// counter, so a core slowed down by other load does not leave the others idle.
fn parse_files(paths: &[PathBuf]) -> Vec<parse::ParsedFile> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    const BATCH: usize = 64;
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(paths.len().div_ceil(BATCH))
        .max(1);
    let next = AtomicUsize::new(0);
    let read_one = |path: &PathBuf| match walk::read(path) {
        Ok(source) => {
            let mut parsed = parse::parse_source(path, &source.text);
            parsed.problems.splice(0..0, source.problems);
            parsed
        }
        Err(problem) => parse::ParsedFile {
            path: path.clone(),
            problems: vec![problem],
            ..parse::ParsedFile::default()
        },
    };
    type Batch = (usize, Vec<parse::ParsedFile>);
    let results: Vec<Vec<Batch>> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let start = next.fetch_add(BATCH, Ordering::Relaxed);
                        if start >= paths.len() {
                            return done;
                        }
                        let end = (start + BATCH).min(paths.len());
                        done.push((start, paths[start..end].iter().map(read_one).collect()));
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().expect("parser thread panicked"))
            .collect()
    });
    let mut batches: Vec<Batch> = results.into_iter().flatten().collect();
    batches.sort_unstable_by_key(|(start, _)| *start);
    batches.into_iter().flat_map(|(_, files)| files).collect()
}

/// One revision in `revisions_list`. Fields in alphabetical order, the order
/// a `serde_json::Value` object prints them in: `graph_json` and the direct
/// writer ([`Codebase::write_graph_json`]) give the same text.
#[derive(Serialize)]
struct RevisionJson<'a> {
    aliases: &'a [String],
    branch_labels: &'a [String],
    create_date: &'a Option<String>,
    depends_on: &'a [String],
    down_revisions: &'a [String],
    file: &'a PathBuf,
    message: &'a Option<String>,
    revision: &'a str,
}

impl<'a> RevisionJson<'a> {
    fn new(rev: &'a Revision) -> Self {
        RevisionJson {
            aliases: &rev.aliases,
            branch_labels: &rev.branch_labels,
            create_date: &rev.create_date,
            depends_on: &rev.depends_on,
            down_revisions: &rev.down_revisions,
            file: &rev.file,
            message: &rev.message,
            revision: &rev.revision,
        }
    }
}

/// `driftcheck graph --format json`, fields in alphabetical order (see
/// [`RevisionJson`]).
#[derive(Serialize)]
struct GraphJson<'a> {
    bases: &'a [String],
    branch_heads: &'a [String],
    branch_points: Vec<&'a str>,
    heads: &'a [String],
    merge_points: Vec<&'a str>,
    migration_dirs: &'a [PathBuf],
    /// As values, so their keys print sorted as before.
    problems: Vec<Value>,
    revisions: usize,
    revisions_list: Vec<RevisionJson<'a>>,
}

impl Codebase {
    pub fn get(&self, id: &str) -> Option<&Revision> {
        self.revisions.iter().find(|r| r.revision == id)
    }

    /// The revision that carries `id` as an alias (file name or `Revision ID:` header).
    pub fn find_by_alias(&self, id: &str) -> Option<&Revision> {
        self.revisions
            .iter()
            .find(|r| r.aliases.iter().any(|a| a == id))
    }

    /// `id` (a revision or a branch label) and everything it needs, through
    /// down_revisions and depends_on. Empty when `id` is unknown.
    pub fn ancestors(&self, id: &str) -> BTreeSet<String> {
        graph::closure(self, &[id])
    }

    /// Every revision, parents before children (bases first), deterministic.
    /// Revisions on or after a cycle come last.
    pub fn upgrade_order(&self) -> Vec<&Revision> {
        // `revisions` is stored in upgrade order by `graph::build`.
        self.revisions.iter().collect()
    }

    /// What `alembic upgrade heads` would run from the applied set `current`
    /// (ids or labels; unknown ids are ignored), in upgrade order.
    pub fn pending(&self, current: &[String]) -> Vec<&Revision> {
        let heads: Vec<&str> = self.heads.iter().map(String::as_str).collect();
        let wanted = graph::closure(self, &heads);
        let current: Vec<&str> = current.iter().map(String::as_str).collect();
        let applied = graph::closure(self, &current);
        self.upgrade_order()
            .into_iter()
            .filter(|r| wanted.contains(&r.revision) && !applied.contains(&r.revision))
            .collect()
    }

    pub fn has_errors(&self) -> bool {
        self.problems.iter().any(|p| p.severity == "error")
    }

    /// Revisions with several down_revisions.
    pub fn merge_points(&self) -> Vec<&Revision> {
        self.revisions
            .iter()
            .filter(|r| r.down_revisions.len() > 1)
            .collect()
    }

    /// Revisions that several revisions name as their down_revision.
    pub fn branch_points(&self) -> Vec<&Revision> {
        let mut children: std::collections::HashMap<&str, usize> = Default::default();
        for rev in &self.revisions {
            for down in &rev.down_revisions {
                *children.entry(down.as_str()).or_default() += 1;
            }
        }
        self.revisions
            .iter()
            .filter(|r| children.get(r.revision.as_str()).copied().unwrap_or(0) > 1)
            .collect()
    }

    /// Revisions whose id starts with `partial` (for "did you mean" hints).
    pub fn prefix_matches(&self, partial: &str) -> Vec<&Revision> {
        if partial.is_empty() {
            return Vec::new();
        }
        self.revisions
            .iter()
            .filter(|r| r.revision.starts_with(partial))
            .collect()
    }

    /// The contract's `codebase` object (`revisions` is a count).
    pub fn codebase_json(&self) -> Value {
        json!({
            "migration_dirs": self.migration_dirs,
            "heads": self.heads,
            "branch_heads": self.branch_heads,
            "revisions": self.revisions.len(),
            "problems": self.problems,
        })
    }

    /// `driftcheck graph --format json`: the codebase object plus bases,
    /// merge/branch points and `revisions_list` in upgrade order.
    pub fn graph_json(&self) -> Value {
        serde_json::to_value(self.graph()).expect("the graph serializes")
    }

    /// [`Codebase::graph_json`] written pretty, straight to `out`: at 10,000
    /// revisions building the value first was a sixth of `driftcheck graph`.
    pub fn write_graph_json(&self, out: impl std::io::Write) -> std::io::Result<()> {
        let mut out = std::io::BufWriter::new(out);
        serde_json::to_writer_pretty(&mut out, &self.graph())?;
        out.write_all(b"\n")?;
        out.flush()
    }

    fn graph(&self) -> GraphJson<'_> {
        fn ids(revs: Vec<&Revision>) -> Vec<&str> {
            revs.into_iter().map(|r| r.revision.as_str()).collect()
        }
        GraphJson {
            bases: &self.bases,
            branch_heads: &self.branch_heads,
            branch_points: ids(self.branch_points()),
            heads: &self.heads,
            merge_points: ids(self.merge_points()),
            migration_dirs: &self.migration_dirs,
            problems: self
                .problems
                .iter()
                .map(|p| serde_json::to_value(p).expect("a problem serializes"))
                .collect(),
            revisions: self.revisions.len(),
            revisions_list: self
                .upgrade_order()
                .into_iter()
                .map(RevisionJson::new)
                .collect(),
        }
    }
}
