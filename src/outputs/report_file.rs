//! The markdown report file: never over an existing file; a default name that
//! is taken moves to the first free one (`drift-….md`, `-2`, `-3`, …).

use crate::exit::input_error;
use crate::fsutil;
use crate::render;
use crate::report::CheckReport;
use std::path::{Path, PathBuf};

/// `drift-….md`, else `drift-…-2.md`, `-3`, … : the first name not taken.
pub(super) fn first_free_path(path: &Path) -> PathBuf {
    (1..100)
        .map(|attempt| path_variant(path, attempt))
        .find(|candidate| !candidate.exists())
        .unwrap_or_else(|| path_variant(path, 100))
}

fn path_variant(path: &Path, attempt: u32) -> PathBuf {
    if attempt == 1 {
        return path.to_path_buf();
    }
    let stem = path.file_stem().unwrap_or_default().to_string_lossy();
    path.with_file_name(format!("{stem}-{attempt}.md"))
}

/// Write the report, never over an existing file. A default path taken since it
/// was chosen (a concurrent run) moves to the next free name, and the report is
/// rendered again so that it names the file it is in.
pub(super) fn write(report: &mut CheckReport, path: &Path, explicit: bool) -> anyhow::Result<()> {
    let mut candidate = path.to_path_buf();
    loop {
        report.report_path = Some(candidate.display().to_string());
        let text = render::markdown_report(report);
        match fsutil::write_new(&candidate, text.as_bytes()) {
            Ok(()) => {
                crate::logging::output_written(
                    "markdown report",
                    candidate.display(),
                    Some(text.len()),
                );
                return Ok(());
            }
            Err(fsutil::WriteError::Exists { .. }) if !explicit => {
                let next = first_free_path(path);
                if next == candidate || next.exists() {
                    return Err(input_error(format!(
                        "no free report name next to {}",
                        path.display()
                    )));
                }
                candidate = next;
            }
            Err(e) => return Err(input_error(e.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variants_count_from_two() {
        let path = Path::new("drift-reports/drift-20260101T000000Z.md");
        assert_eq!(path_variant(path, 1), path);
        assert_eq!(
            path_variant(path, 3),
            Path::new("drift-reports/drift-20260101T000000Z-3.md")
        );
    }
}
