//! What the RIS directory already holds: the numbers taken (from file names
//! `ris-052-*.md` and titles `# RIS-052: …`), their zero padding, and the
//! earlier incidents related to this report.

use super::text::contains_token;
use super::IncidentError;
use crate::report::CheckReport;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Padding used when no existing number shows one.
pub const DEFAULT_WIDTH: usize = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Numbering {
    /// The next free number: one past the highest taken.
    pub next: u32,
    /// Digits to zero-pad to.
    pub width: usize,
}

/// An earlier RIS document that mentions a finding code or revision id of
/// this report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelatedIncident {
    pub path: PathBuf,
    /// Its first `# ` heading (else its file name).
    pub title: String,
    /// The codes and revision ids it mentions, in report order.
    pub mentions: Vec<String>,
}

/// A RIS number in `text` after a case-insensitive `RIS-` prefix: its value
/// and digit count.
fn ris_number(text: &str) -> Option<(u32, usize)> {
    let prefix = text.get(..4)?;
    if !prefix.eq_ignore_ascii_case("ris-") {
        return None;
    }
    let digits: &str = &text[4..4 + text[4..].bytes().take_while(u8::is_ascii_digit).count()];
    let number = digits.parse().ok()?;
    Some((number, digits.len()))
}

/// The number in a file name `ris-NNN.md` / `ris-NNN-anything.md`.
fn number_from_file_name(name: &str) -> Option<(u32, usize)> {
    let stem = strip_md(name)?;
    let (number, width) = ris_number(stem)?;
    let rest = &stem[4 + width..];
    (rest.is_empty() || rest.starts_with('-')).then_some((number, width))
}

fn strip_md(name: &str) -> Option<&str> {
    let split = name.len().checked_sub(3)?;
    let (stem, ext) = (name.get(..split)?, name.get(split..)?);
    ext.eq_ignore_ascii_case(".md").then_some(stem)
}

/// The first `# ` heading of a markdown document (after any front matter).
fn first_title(source: &str) -> Option<&str> {
    source
        .lines()
        .map(str::trim_end)
        .find_map(|line| line.strip_prefix("# "))
        .map(str::trim)
}

/// The number in a title `RIS-052: …` / `RIS-052 — …`.
fn number_from_title(title: &str) -> Option<(u32, usize)> {
    let (number, width) = ris_number(title)?;
    let rest = &title[4 + width..];
    (!rest.starts_with(|c: char| c.is_alphanumeric() || c == '_')).then_some((number, width))
}

/// A markdown file of the directory with what we learnt from it.
struct RisFile {
    path: PathBuf,
    name_number: Option<(u32, usize)>,
    title: Option<String>,
    title_number: Option<(u32, usize)>,
    source: String,
}

fn markdown_files(dir: &Path) -> Result<Vec<RisFile>, IncidentError> {
    let read_err = |path: &Path| {
        let path = path.to_path_buf();
        move |source| IncidentError::Read { path, source }
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(read_err(dir))? {
        let entry = entry.map_err(read_err(dir))?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if strip_md(name).is_none() || name.starts_with('.') {
            continue;
        }
        let path = entry.path();
        if !path.is_file() {
            continue;
        }
        // Non-UTF-8 markdown is not one of ours; its name still counts.
        let source = match std::fs::read(&path) {
            Ok(bytes) => String::from_utf8(bytes).unwrap_or_default(),
            Err(source) => return Err(IncidentError::Read { path, source }),
        };
        let title = first_title(&source).map(str::to_string);
        let title_number = title.as_deref().and_then(number_from_title);
        files.push(RisFile {
            path,
            name_number: number_from_file_name(name),
            title,
            title_number,
            source,
        });
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// The next free RIS number in `dir` and the padding the existing ones use
/// (the widest zero-padded number seen; [`DEFAULT_WIDTH`] when none is padded).
pub fn scan_numbering(dir: &Path) -> Result<Numbering, IncidentError> {
    let taken: Vec<(u32, usize)> = markdown_files(dir)?
        .iter()
        .flat_map(|f| [f.name_number, f.title_number])
        .flatten()
        .collect();
    Ok(numbering_from(&taken))
}

fn numbering_from(taken: &[(u32, usize)]) -> Numbering {
    let highest = taken.iter().map(|&(n, _)| n).max().unwrap_or(0);
    let width = taken
        .iter()
        .filter(|&&(n, width)| width > n.to_string().len())
        .map(|&(_, width)| width)
        .max()
        .unwrap_or(DEFAULT_WIDTH);
    Numbering {
        next: highest.saturating_add(1),
        width,
    }
}

/// What makes an earlier incident related: the report's finding codes and the
/// revision ids it names (versions found, pending, renamed, unknown).
pub fn related_keys(report: &CheckReport) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    let mut seen = BTreeSet::new();
    let mut add = |key: &str| {
        if !key.is_empty() && seen.insert(key.to_string()) {
            keys.push(key.to_string());
        }
    };
    for finding in &report.findings {
        add(&finding.code);
    }
    for target in report.targets.values() {
        target.current.iter().for_each(|r| add(r));
        target.pending.iter().for_each(|p| add(&p.revision));
        for renamed in &target.renamed {
            add(&renamed.stored);
            add(&renamed.revision);
        }
        target.unknown.iter().for_each(|u| add(&u.stored));
    }
    keys
}

/// Earlier RIS documents in `dir` (by file name or title) that mention a
/// finding code or revision id of `report`, by file name.
pub fn find_related(
    dir: &Path,
    report: &CheckReport,
) -> Result<Vec<RelatedIncident>, IncidentError> {
    let keys = related_keys(report);
    Ok(markdown_files(dir)?
        .into_iter()
        .filter(|f| f.name_number.is_some() || f.title_number.is_some())
        .filter_map(|f| {
            let mentions: Vec<String> = keys
                .iter()
                .filter(|key| contains_token(&f.source, key))
                .cloned()
                .collect();
            if mentions.is_empty() {
                return None;
            }
            let title = f.title.unwrap_or_else(|| {
                f.path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default()
            });
            Some(RelatedIncident {
                path: f.path,
                title,
                mentions,
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_carry_numbers_case_insensitively() {
        assert_eq!(
            number_from_file_name("ris-052-schema-drift.md"),
            Some((52, 3))
        );
        assert_eq!(number_from_file_name("RIS-9-x.MD"), Some((9, 1)));
        assert_eq!(number_from_file_name("ris-0007.md"), Some((7, 4)));
        assert_eq!(number_from_file_name("ris-notes.md"), None);
        assert_eq!(number_from_file_name("ris-052-x.txt"), None);
        assert_eq!(number_from_file_name("ris-052x.md"), None);
        assert_eq!(number_from_file_name("README.md"), None);
        assert_eq!(number_from_file_name("ris-.md"), None);
    }

    #[test]
    fn titles_carry_numbers() {
        let doc = "---\nproject: x\n---\n\n# RIS-052: Schema Drift\n";
        assert_eq!(first_title(doc), Some("RIS-052: Schema Drift"));
        assert_eq!(number_from_title("RIS-052: Schema Drift"), Some((52, 3)));
        assert_eq!(number_from_title("ris-12 — x"), Some((12, 2)));
        assert_eq!(number_from_title("RIS-12abc"), None);
        assert_eq!(number_from_title("Notes"), None);
    }

    #[test]
    fn padding_is_the_widest_padded_number() {
        assert_eq!(numbering_from(&[]), Numbering { next: 1, width: 3 });
        assert_eq!(
            numbering_from(&[(7, 3), (52, 3), (9, 1)]),
            Numbering { next: 53, width: 3 }
        );
        assert_eq!(numbering_from(&[(7, 4)]), Numbering { next: 8, width: 4 });
        // 123 shows no padding: the default stays.
        assert_eq!(
            numbering_from(&[(123, 3)]),
            Numbering {
                next: 124,
                width: 3
            }
        );
        assert_eq!(numbering_from(&[(9, 1)]), Numbering { next: 10, width: 3 });
    }
}
