//! `driftcheck graph`: the codebase revision graph alone, no database.
//! OWNER: migrations helper (issue 3).

use crate::cli::{Format, GraphArgs};
use crate::escape::{md_code, md_code_cell, md_text, visible};
use crate::exit::{input_error, ExitCode};
use crate::migrations::{self, Codebase, Discovery, Problem, Revision};
use comfy_table::{presets, Cell, Color, ContentArrangement, Table};
use std::io::IsTerminal;

pub fn run(args: &GraphArgs) -> anyhow::Result<ExitCode> {
    let discovery = Discovery {
        migration_dirs: args.migrations.migrations.clone(),
        alembic_ini: args.migrations.alembic_ini.clone(),
        start_dir: None,
        section: args.migrations.name.clone(),
    };
    let codebase = migrations::load(&discovery).map_err(|e| input_error(e.to_string()))?;
    if args.effects {
        let migrations = super::effects::read(&codebase);
        crate::fsutil::to_stdout(&match args.format {
            Format::Json => format!(
                "{:#}\n",
                super::effects::json(codebase.graph_json(), &migrations)
            ),
            Format::Markdown => super::effects::markdown(&migrations),
            Format::Text => super::effects::text(&migrations),
        });
    } else {
        write_graph_view(args, &codebase);
    }
    Ok(if codebase.has_errors() {
        ExitCode::Drift
    } else {
        ExitCode::Clean
    })
}

fn write_graph_view(args: &GraphArgs, codebase: &Codebase) {
    match args.format {
        // Written as it is serialized: the graph of 10,000 revisions is 3 MB.
        Format::Json => crate::fsutil::write_stdout(|out| codebase.write_graph_json(out)),
        Format::Markdown => crate::fsutil::to_stdout(&markdown(codebase)),
        Format::Text => {
            let color = std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
            crate::fsutil::to_stdout(&text(codebase, color))
        }
    }
}

fn list(ids: &[String]) -> String {
    if ids.is_empty() {
        "(none)".into()
    } else {
        ids.join(", ")
    }
}

fn merges(codebase: &Codebase) -> Vec<String> {
    codebase
        .merge_points()
        .iter()
        .map(|r| format!("{} merges {}", r.revision, r.down_revisions.join(" + ")))
        .collect()
}

fn branches(codebase: &Codebase) -> Vec<String> {
    // Children of every revision in one pass: scanning all revisions for each
    // branch point took minutes on 100,000 revisions (docs/reliability.md).
    let mut children: std::collections::HashMap<&str, Vec<&str>> = Default::default();
    for child in &codebase.revisions {
        for down in &child.down_revisions {
            let list = children.entry(down.as_str()).or_default();
            if list.last() != Some(&child.revision.as_str()) {
                list.push(&child.revision);
            }
        }
    }
    codebase
        .branch_points()
        .iter()
        .map(|r| {
            let children = children
                .get(r.revision.as_str())
                .map_or(&[][..], Vec::as_slice);
            format!("{} branches into {}", r.revision, children.join(", "))
        })
        .collect()
}

fn location(problem: &Problem) -> String {
    match (&problem.file, problem.line) {
        (Some(file), Some(line)) => format!("{}:{line}", file.display()),
        (Some(file), None) => file.display().to_string(),
        _ => String::new(),
    }
}

fn labelled(codebase: &Codebase) -> Vec<&Revision> {
    codebase
        .revisions
        .iter()
        .filter(|r| !r.branch_labels.is_empty())
        .collect()
}

/// The terminal view: a facts table, then a problems table, then a verdict.
pub fn text(codebase: &Codebase, color: bool) -> String {
    let new_table = || {
        let mut table = Table::new();
        table
            .load_preset(presets::UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Dynamic);
        if !color {
            table.force_no_tty();
        }
        table
    };
    let dirs: Vec<String> = codebase
        .migration_dirs
        .iter()
        .map(|d| d.display().to_string())
        .collect();
    let mut facts = new_table();
    // Ids, labels and paths come from the repository: no raw control character
    // may reach the terminal (line breaks between entries are ours).
    let mut fact = |label: &str, values: &[String]| {
        let values: Vec<String> = values.iter().map(|v| visible(v).into_owned()).collect();
        facts.add_row(vec![label.to_string(), values.join("\n")]);
    };
    fact("migrations", &dirs);
    fact("revisions", &[codebase.revisions.len().to_string()]);
    fact("heads (upgrade heads)", &[list(&codebase.heads)]);
    fact(
        "branch heads (alembic heads)",
        &[list(&codebase.branch_heads)],
    );
    fact("bases", &[list(&codebase.bases)]);
    let merges = merges(codebase);
    if !merges.is_empty() {
        fact("merges", &merges);
    }
    let branches = branches(codebase);
    if !branches.is_empty() {
        fact("branch points", &branches);
    }
    let labels: Vec<String> = labelled(codebase)
        .iter()
        .map(|r| format!("{} = {}", r.branch_labels.join(", "), r.revision))
        .collect();
    if !labels.is_empty() {
        fact("branch labels", &labels);
    }
    let aliased: Vec<String> = codebase
        .revisions
        .iter()
        .filter(|r| !r.aliases.is_empty())
        .map(|r| format!("{} also carries {}", r.revision, r.aliases.join(", ")))
        .collect();
    if !aliased.is_empty() {
        fact("aliases", &aliased);
    }
    let mut out = format!("{facts}\n");

    if !codebase.problems.is_empty() {
        let mut problems = new_table();
        problems.set_header(vec!["severity", "code", "where", "message"]);
        for problem in &codebase.problems {
            let severity = Cell::new(&problem.severity);
            let severity = if !color {
                severity
            } else if problem.severity == "error" {
                severity.fg(Color::Red)
            } else {
                severity.fg(Color::Yellow)
            };
            problems.add_row(vec![
                severity,
                Cell::new(visible(&problem.code)),
                Cell::new(visible(&location(problem))),
                Cell::new(visible(&problem.message)),
            ]);
        }
        out.push_str(&format!("{problems}\n"));
    }
    out.push_str(&verdict(codebase));
    out.push('\n');
    out
}

fn verdict(codebase: &Codebase) -> String {
    let errors = codebase
        .problems
        .iter()
        .filter(|p| p.severity == "error")
        .count();
    let warnings = codebase.problems.len() - errors;
    match (errors, warnings) {
        (0, 0) => "graph is sound".into(),
        (0, w) => format!("graph is sound ({w} warning(s))"),
        (e, w) => format!("graph has {e} error(s) and {w} warning(s)"),
    }
}

/// A markdown rendering of the same facts.
pub fn markdown(codebase: &Codebase) -> String {
    let code_list = |ids: &[String]| -> String {
        if ids.is_empty() {
            "(none)".into()
        } else {
            ids.iter()
                .map(|i| md_code(i))
                .collect::<Vec<_>>()
                .join(", ")
        }
    };
    let mut out = String::from("# Alembic revision graph\n\n");
    let dirs: Vec<String> = codebase
        .migration_dirs
        .iter()
        .map(|d| md_code(&d.display().to_string()))
        .collect();
    out.push_str(&format!("- Migrations: {}\n", dirs.join(", ")));
    out.push_str(&format!("- Revisions: {}\n", codebase.revisions.len()));
    out.push_str(&format!(
        "- Heads (`alembic upgrade heads`): {}\n",
        code_list(&codebase.heads)
    ));
    out.push_str(&format!(
        "- Branch heads (`alembic heads`): {}\n",
        code_list(&codebase.branch_heads)
    ));
    out.push_str(&format!("- Bases: {}\n", code_list(&codebase.bases)));
    for merge in merges(codebase) {
        out.push_str(&format!("- Merge: {}\n", md_text(&merge)));
    }
    for branch in branches(codebase) {
        out.push_str(&format!("- Branch point: {}\n", md_text(&branch)));
    }
    for rev in labelled(codebase) {
        out.push_str(&format!(
            "- Branch label(s) {} on {}\n",
            code_list(&rev.branch_labels),
            md_code(&rev.revision)
        ));
    }
    out.push_str(&format!("\n**{}**\n", verdict(codebase)));
    if !codebase.problems.is_empty() {
        out.push_str("\n## Problems\n\n| severity | code | where | message |\n|---|---|---|---|\n");
        for p in &codebase.problems {
            out.push_str(&format!(
                "| {} | {} | {} | {} |\n",
                p.severity,
                md_code_cell(&p.code),
                md_code_cell(&location(p)),
                md_text(&p.message)
            ));
        }
    }
    out.push_str(
        "\n## Upgrade order\n\n| # | revision | down revisions | file |\n|---|---|---|---|\n",
    );
    for (i, rev) in codebase.upgrade_order().iter().enumerate() {
        out.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            i + 1,
            md_code_cell(&rev.revision),
            if rev.down_revisions.is_empty() {
                "(none)".to_string()
            } else {
                rev.down_revisions
                    .iter()
                    .map(|d| md_code_cell(d))
                    .collect::<Vec<_>>()
                    .join(", ")
            },
            md_code_cell(&rev.file.display().to_string())
        ));
    }
    out
}
