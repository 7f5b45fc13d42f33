//! Output injection (issue 16 item 1): catalog names and revision ids someone
//! else chose (`|`, backticks, `<`, `&`, line breaks, ANSI escapes, a
//! right-to-left override, Slack mentions, markdown links) reach every output
//! inert. Two real clusters (local and production) hold the hostile objects,
//! a migration directory declares hostile ids in hostile file names, and one
//! run writes everything: terminal, markdown report, RIS draft, GitHub
//! annotations and step summary, webhook; then JSON and `graph` on their own.

mod common;

use common::cli::Test;
use common::cluster::Cluster;
use common::hook::Hook;
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use serde_json::Value;
use std::path::Path;

/// Production's stored revision: unknown to the codebase (fits varchar(32)).
const PROD_REVISION: &str = "<!channel>\x1b[31m|`x";
/// The pending migration's id, its message and the table it creates.
const PENDING_REVISION: &str = "r2|`<!channel>\x1b[2J\u{202e}";
const PENDING_TABLE: &str = "t|`<!here>\x1b[31m";
/// Tables only production has.
const PROD_TABLES: [&str; 3] = [
    "p|ipe`tick<b>&amp;",
    "nl\nrow\x1b[2J\u{202e}bidi",
    "<!channel> [x](http://evil.test)",
];
/// A column only production has.
const PROD_COLUMN: &str = "c|<@U123>`x";

/// A Python string literal for `text` (ASCII source, escapes for the rest).
fn py(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            ' '..='~' => out.push(c),
            c if (c as u32) < 0x100 => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push_str(&format!("\\u{:04x}", c as u32)),
        }
    }
    out.push('"');
    out
}

/// A PostgreSQL quoted identifier / escape-string literal for `text`.
fn ident(text: &str) -> String {
    format!("U&\"{}\"", unicode_escaped(text, '"'))
}

fn literal(text: &str) -> String {
    format!("U&'{}'", unicode_escaped(text, '\''))
}

fn unicode_escaped(text: &str, quote: char) -> String {
    let mut out = String::new();
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            c if c == quote => {
                out.push(c);
                out.push(c);
            }
            ' '..='~' => out.push(c),
            c => out.push_str(&format!("\\+{:06x}", c as u32)),
        }
    }
    out
}

/// Two migrations: a plain base, and a pending one with a hostile id,
/// message and table, in a file whose name is hostile too.
fn hostile_migrations(dir: &Path) {
    std::fs::write(
        dir.join("0001_base.py"),
        "\"\"\"base\"\"\"\nfrom alembic import op\nimport sqlalchemy as sa\n\n\
         revision = \"base_0001\"\ndown_revision = None\n\n\
         def upgrade():\n    op.create_table(\"plain\", sa.Column(\"id\", sa.Integer))\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("0002_a|b`c<!here>\x1b[1m.py"),
        format!(
            "\"\"\"doc <!channel> [x](http://evil.test) | # not a heading\"\"\"\n\
             from alembic import op\nimport sqlalchemy as sa\n\n\
             revision = {}\ndown_revision = \"base_0001\"\n\n\
             def upgrade():\n    op.create_table({}, sa.Column(\"id\", sa.Integer))\n",
            py(PENDING_REVISION),
            py(PENDING_TABLE)
        ),
    )
    .unwrap();
}

fn databases() -> (Cluster, Cluster) {
    let version_table = |revision: &str| {
        format!(
            "CREATE TABLE alembic_version (version_num varchar(32) NOT NULL PRIMARY KEY);
             INSERT INTO alembic_version VALUES ({});
             CREATE TABLE plain (id integer);",
            literal(revision)
        )
    };
    let local = Cluster::start();
    local.create_database("app");
    local.psql("app", &version_table("base_0001"));
    let production = Cluster::start();
    production.create_database("app");
    production.psql("app", &version_table(PROD_REVISION));
    for table in PROD_TABLES {
        production.psql(
            "app",
            &format!("CREATE TABLE {} (id integer);", ident(table)),
        );
    }
    production.psql(
        "app",
        &format!(
            "ALTER TABLE plain ADD COLUMN {} integer;",
            ident(PROD_COLUMN)
        ),
    );
    (local, production)
}

/// No raw control or invisible format character; line breaks and (for the
/// RIS draft's table padding) nothing else.
#[track_caller]
fn assert_no_raw_controls(what: &str, text: &str) {
    let bad: Vec<char> = text
        .chars()
        .filter(|&c| {
            (c.is_control() && c != '\n')
                || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
        })
        .collect();
    assert!(bad.is_empty(), "{what}: raw {bad:?} in\n{text}");
}

/// Parse `doc` as GFM (tables, strikethrough) and check it is inert: no HTML,
/// no link to anything hostile, no heading or table row made by a name, every
/// table row with its header's cell count. Returns the text of its code spans.
#[track_caller]
fn assert_inert_markdown(what: &str, doc: &str) -> String {
    assert_no_raw_controls(what, doc);
    let mut code = String::new();
    let mut cells = 0usize;
    let mut header_cells = Vec::new();
    let mut in_heading = false;
    let mut heading = String::new();
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    for event in Parser::new_ext(doc, options) {
        match event {
            Event::Html(html) | Event::InlineHtml(html) => {
                panic!("{what}: HTML {html:?} in\n{doc}")
            }
            Event::Start(Tag::Link { dest_url, .. })
            | Event::Start(Tag::Image { dest_url, .. }) => {
                assert!(
                    !dest_url.contains("evil") && !dest_url.contains('<'),
                    "{what}: link to {dest_url:?} in\n{doc}"
                );
            }
            Event::Start(Tag::Heading { .. }) => {
                in_heading = true;
                heading.clear();
            }
            Event::End(TagEnd::Heading(_)) => {
                in_heading = false;
                // The message may sit in a heading of ours; it must not make one.
                assert!(
                    !heading.trim_start().starts_with("not a heading"),
                    "{what}: a name made the heading {heading:?}"
                );
            }
            Event::Start(Tag::TableHead) | Event::Start(Tag::TableRow) => cells = 0,
            Event::Start(Tag::TableCell) => cells += 1,
            Event::End(TagEnd::TableHead) => header_cells.push(cells),
            Event::End(TagEnd::TableRow) => {
                let header = *header_cells.last().unwrap();
                assert_eq!(cells, header, "{what}: a row lost its columns in\n{doc}");
            }
            Event::Start(Tag::Strikethrough) => panic!("{what}: strikethrough from a name"),
            Event::Code(text) => {
                code.push_str(&text);
                code.push('\n');
                if in_heading {
                    heading.push_str(&text);
                }
            }
            Event::Text(text) if in_heading => heading.push_str(&text),
            _ => {}
        }
    }
    assert!(
        !header_cells.is_empty(),
        "{what}: no table at all in\n{doc}"
    );
    code
}

/// What a name looks like once its hazards are shown as escapes.
fn shown(text: &str) -> String {
    text.replace('\n', "\\n")
        .replace('\x1b', "\\x1b")
        .replace('\u{202e}', "\\u{202e}")
}

fn strings(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) => out.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|v| strings(v, out)),
        Value::Object(map) => {
            for (key, value) in map {
                out.push(key.clone());
                strings(value, out);
            }
        }
        _ => {}
    }
}

#[test]
fn hostile_names_reach_every_output_inert() {
    let (local, production) = databases();
    let work = tempfile::tempdir().unwrap();
    let versions = work.path().join("versions");
    std::fs::create_dir(&versions).unwrap();
    hostile_migrations(&versions);
    std::fs::create_dir(work.path().join("ris")).unwrap();
    let summary = work.path().join("summary.md");
    let hook = Hook::start(200);
    let base = || {
        Test::new()
            .current_dir(work.path())
            .args(&["--migrations", versions.to_str().unwrap()])
            .args(&["--local-url", &local.url("app")])
            .args(&["--prod-url", &production.url("app")])
            .env("NO_COLOR", "1")
    };

    let out = base()
        .args(&["--report", "report.md", "--create-ris", "--ris-dir", "ris"])
        .args(&["--notify-webhook", &hook.url()])
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", summary.to_str().unwrap())
        .run()
        .status(1);

    // Terminal: escapes, never the raw characters.
    let terminal = out.all_output();
    assert_no_raw_controls("terminal", &terminal);
    for name in [PROD_REVISION, PROD_TABLES[1], PENDING_REVISION] {
        assert!(
            terminal.contains(&shown(name)),
            "{} not shown in\n{terminal}",
            shown(name)
        );
    }
    // Annotations: one line per workflow command.
    let annotations: Vec<&str> = terminal.lines().filter(|l| l.starts_with("::")).collect();
    assert!(!annotations.is_empty(), "{terminal}");

    // Markdown report and GitHub step summary: inert, names shown whole.
    let report = std::fs::read_to_string(work.path().join("report.md")).unwrap();
    let step_summary = std::fs::read_to_string(&summary).unwrap();
    for (what, doc) in [("report", &report), ("step summary", &step_summary)] {
        let code = assert_inert_markdown(what, doc);
        for name in PROD_TABLES
            .iter()
            .chain([&PROD_COLUMN, &PROD_REVISION, &PENDING_REVISION])
        {
            assert!(
                code.contains(&shown(name)),
                "{what}: {:?} not in a code span; spans:\n{code}",
                shown(name)
            );
        }
    }

    // RIS draft: YAML front matter that parses, an inert body.
    let drafts: Vec<_> = std::fs::read_dir(work.path().join("ris"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(drafts.len(), 1, "{drafts:?}");
    let draft = std::fs::read_to_string(&drafts[0]).unwrap();
    let (front, body) = draft
        .strip_prefix("---\n")
        .and_then(|rest| rest.split_once("\n---\n"))
        .unwrap_or_else(|| panic!("no front matter in\n{draft}"));
    let yaml: serde_yaml_ng::Value = serde_yaml_ng::from_str(front)
        .unwrap_or_else(|e| panic!("front matter is not YAML: {e}\n{front}"));
    assert!(yaml.is_mapping(), "{front}");
    let code = assert_inert_markdown("RIS draft", body);
    assert!(code.contains(&shown(PROD_REVISION)), "{code}");

    // Webhook: no mention, no link, every mrkdwn field verbatim.
    let (_, body) = hook.request().expect("the webhook was posted");
    let payload: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(payload["parse"], "none", "{payload:#}");
    let mut texts = Vec::new();
    strings(&payload, &mut texts);
    for text in &texts {
        assert!(
            !text.contains('<') && !text.contains('>'),
            "webhook text can mention or link: {text:?}"
        );
        assert_no_raw_controls("webhook", text);
    }
    assert!(
        texts.iter().any(|t| t.contains("&lt;!channel&gt;")),
        "the hostile revision is missing from the payload: {payload:#}"
    );
    for block in payload["blocks"].as_array().unwrap() {
        let fields = block["text"].as_object().into_iter().chain(
            block["elements"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_object),
        );
        for field in fields {
            if field["type"] == "mrkdwn" {
                assert_eq!(field["verbatim"], true, "{block:#}");
            }
        }
    }

    // JSON: valid, and the names exactly as the catalog holds them.
    let json = base()
        .args(&["--format", "json", "--no-report"])
        .run()
        .status(1)
        .json();
    let mut values = Vec::new();
    strings(&json, &mut values);
    for name in PROD_TABLES
        .iter()
        .chain([&PROD_COLUMN, &PROD_REVISION, &PENDING_REVISION])
    {
        assert!(
            values.iter().any(|v| v.contains(name)),
            "{name:?} not in the JSON:\n{json:#}"
        );
    }
}

#[test]
fn hostile_ids_and_file_names_in_the_graph_output() {
    let work = tempfile::tempdir().unwrap();
    hostile_migrations(work.path());
    let graph = |format: &str| {
        Test::new()
            .args(&["graph", "--migrations", work.path().to_str().unwrap()])
            .args(&["--format", format])
            .env("NO_COLOR", "1")
            .run()
            .status(0)
    };
    let text = graph("text").all_output();
    assert_no_raw_controls("graph text", &text);
    assert!(text.contains(&shown(PENDING_REVISION)), "{text}");
    let markdown = graph("markdown").all_output();
    let code = assert_inert_markdown("graph markdown", &markdown);
    assert!(code.contains(&shown(PENDING_REVISION)), "{code}");
    assert!(code.contains("0002_a|b`c<!here>\\x1b[1m.py"), "{code}");
}
