//! `driftcheck snapshot`: save a schema snapshot (JSON) for offline compares.

use std::io::Write;
use std::path::Path;

use crate::cli::SnapshotArgs;
use crate::database::{self, ReadOptions, Role, VersionTableName};
use crate::exit::{input_error, ExitCode};
use crate::schema::Snapshot;

pub fn run(args: &SnapshotArgs) -> anyhow::Result<ExitCode> {
    let target = database::parse_target(&args.url, Role::Local)
        .map_err(|e| input_error(format!("--url: {e}")))?;
    let version_table = match &args.version_table {
        Some(text) => VersionTableName::parse(text)
            .map_err(|e| input_error(format!("--version-table {text:?}: {e}")))?,
        None => VersionTableName::default(),
    };
    let to_stdout = args.output == Path::new("-");
    // Refuse before touching the database: the file would be refused anyway.
    if !to_stdout && args.output.exists() {
        return Err(input_error(format!(
            "-o {}: the file already exists; driftcheck never overwrites a file (choose another path or move the old one)",
            args.output.display()
        )));
    }
    let options = ReadOptions {
        version_table,
        include_schemas: args.filter.schemas.clone(),
        exclude_schemas: args.filter.exclude_schemas.clone(),
        ..ReadOptions::default()
    };
    let snapshot = super::block_on(database::read_database(
        &target,
        &options,
        &Default::default(),
    ))
    .map_err(database::DbError::into_exit_error)?;

    let mut json = serde_json::to_vec_pretty(&snapshot)?;
    json.push(b'\n');
    if to_stdout {
        std::io::stdout().lock().write_all(&json)?;
    } else {
        crate::fsutil::write_new(&args.output, &json).map_err(|e| match e {
            crate::fsutil::WriteError::Exists { .. } => input_error(format!("-o: {e}")),
            other => anyhow::Error::new(other),
        })?;
    }
    let destination = if to_stdout {
        "stdout".to_string()
    } else {
        args.output.display().to_string()
    };
    crate::logging::output_written("snapshot", destination, Some(json.len()));
    crate::logging::note(format!(
        "snapshot of {}: {}",
        target.describe(),
        summary(&snapshot)
    ));
    Ok(ExitCode::Clean)
}

/// One line of counts per object kind, e.g. `3 tables, 12 columns, ...`.
pub fn summary(s: &Snapshot) -> String {
    let version = match &s.version_table {
        Some(v) if v.revisions.is_empty() => format!("version table {} (empty)", v.name),
        Some(v) => format!("version table {} at {}", v.name, v.revisions.join(", ")),
        None => "no version table".to_string(),
    };
    let counts = [
        (s.schemas.len(), "schemas"),
        (s.tables.len(), "tables"),
        (s.columns.len(), "columns"),
        (s.constraints.len(), "constraints"),
        (s.indexes.len(), "indexes"),
        (s.sequences.len(), "sequences"),
        (s.views.len(), "views"),
        (s.enums.len(), "enums"),
        (s.domains.len(), "domains"),
        (s.functions.len(), "functions"),
        (s.triggers.len(), "triggers"),
        (s.extensions.len(), "extensions"),
        (s.policies.len(), "policies"),
    ]
    .iter()
    .map(|(n, kind)| format!("{n} {kind}"))
    .collect::<Vec<_>>()
    .join(", ");
    format!("{counts}; {version}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{Table, VersionTable};

    #[test]
    fn summary_counts_kinds_and_names_the_version() {
        let snapshot = Snapshot {
            tables: vec![Table::default(), Table::default()],
            version_table: Some(VersionTable {
                name: "public.alembic_version".into(),
                revisions: vec!["abc".into()],
            }),
            ..Snapshot::default()
        };
        let line = summary(&snapshot);
        assert!(line.contains("2 tables"), "{line}");
        assert!(line.contains("0 columns"), "{line}");
        assert!(
            line.ends_with("version table public.alembic_version at abc"),
            "{line}"
        );
    }
}
