//! Where users meet driftcheck (README "Install" and "Integrations"): shell
//! completions loaded in real bash, the man page rendered by man and groff,
//! the pre-commit hook run by the real pre-commit on a real Alembic history,
//! the GitHub Action's steps run as the runner runs them, the release install
//! script against a release laid out as the release workflow publishes it, and
//! every workflow and action.yml checked by action-validator.

#[path = "common/alembic.rs"]
mod alembic;
mod common;

use common::cli::{repo, Test};
use common::cluster::Cluster;
use common::migrated::python;
use serde_yaml_ng::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// man's terminal output without overstrike (bold `X\bX`, underline `_\bX`).
fn plain(rendered: &str) -> String {
    let mut out = String::new();
    for c in rendered.chars() {
        if c == '\u{8}' {
            out.pop();
        } else {
            out.push(c);
        }
    }
    out
}

#[track_caller]
fn ok(output: Output, what: &str) -> String {
    assert!(
        output.status.success(),
        "{what} failed ({:?})\n--- stdout\n{}\n--- stderr\n{}",
        output.status,
        text(&output.stdout),
        text(&output.stderr)
    );
    text(&output.stdout)
}

fn yaml(path: &Path) -> Value {
    let source = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    serde_yaml_ng::from_str(&source).unwrap_or_else(|e| panic!("{path:?}: {e}"))
}

fn driftcheck_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_driftcheck"))
}

/// The version in Cargo.toml, which the action installs by default.
fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

// ---------------------------------------------------------------- completions

/// Run bash's completion function for `words` (the last is being completed)
/// after sourcing the generated script; returns COMPREPLY.
fn complete(script: &Path, words: &[&str]) -> Vec<String> {
    let program = r#"
source "$1"; shift
COMP_WORDS=("$@")
COMP_CWORD=$(( $# - 1 ))
COMP_LINE="$*"
COMP_POINT=${#COMP_LINE}
complete -p driftcheck >/dev/null || { echo "no completion registered for driftcheck" >&2; exit 1; }
_driftcheck driftcheck "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
printf '%s\n' "${COMPREPLY[@]}"
"#;
    let out = Command::new("bash")
        .args(["--norc", "--noprofile", "-c", program, "bash"])
        .arg(script)
        .args(words)
        .output()
        .expect("run bash");
    ok(out, &format!("completing {words:?}"))
        .lines()
        .map(|l| l.trim().to_string())
        .collect()
}

#[test]
fn bash_completion_completes_subcommands_and_flags() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("driftcheck.bash");
    let out = Test::new().args(&["completions", "bash"]).run().status(0);
    std::fs::write(&script, &out.stdout).unwrap();

    let subcommands = complete(&script, &["driftcheck", "gr"]);
    assert_eq!(subcommands, ["graph"], "driftcheck gr<TAB>");
    let all = complete(&script, &["driftcheck", ""]);
    for sub in ["graph", "snapshot", "gate", "completions", "man"] {
        assert!(all.contains(&sub.to_string()), "{sub} not offered: {all:?}");
    }
    let flags = complete(&script, &["driftcheck", "gate", "--allow-p"]);
    assert_eq!(flags, ["--allow-pending"], "driftcheck gate --allow-p<TAB>");
    let formats = complete(&script, &["driftcheck", "graph", "--format", "j"]);
    assert_eq!(formats, ["json"], "driftcheck graph --format j<TAB>");
    let shells = complete(&script, &["driftcheck", "completions", "z"]);
    assert_eq!(shells, ["zsh"]);
}

#[test]
fn every_shell_gets_a_script_and_unknown_shells_are_usage_errors() {
    for (shell, marker) in [
        ("bash", "complete -F _driftcheck"),
        ("zsh", "#compdef driftcheck"),
        ("fish", "complete -c driftcheck"),
        ("powershell", "Register-ArgumentCompleter"),
        ("elvish", "edit:completion:arg-completer[driftcheck]"),
    ] {
        Test::new()
            .args(&["completions", shell])
            .run()
            .status(0)
            .stdout_contains(marker)
            .stdout_contains("allow-pending");
    }
    Test::new()
        .args(&["completions", "tcsh"])
        .run()
        .status(2)
        .stderr_contains("possible values: bash, elvish, fish, powershell, zsh");
}

// ------------------------------------------------------------------------ man

#[test]
fn man_page_renders_without_warnings_and_covers_the_whole_tool() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("driftcheck.1");
    let roff = Test::new().arg("man").run().status(0).stdout;
    std::fs::write(&page, &roff).unwrap();

    // `driftcheck man | man -l -`, as the README shows.
    let mut man = Command::new("man")
        .args(["-l", "-Tutf8", "-"])
        .env("MANWIDTH", "80")
        .env("LC_ALL", "C.UTF-8")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run man (scripts/setup.sh installs man-db)");
    std::io::Write::write_all(&mut man.stdin.take().unwrap(), roff.as_bytes()).unwrap();
    let man = man.wait_with_output().unwrap();
    assert_eq!(text(&man.stderr), "", "man -l warns");
    let rendered = plain(&ok(man, "man -l"));
    let groff = Command::new("groff")
        .args(["-ww", "-z", "-man", "-Tutf8"])
        .arg(&page)
        .output()
        .expect("run groff");
    assert_eq!(text(&groff.stderr), "", "groff -ww warns");
    assert!(groff.status.success());

    for heading in [
        "NAME",
        "SYNOPSIS",
        "OPTIONS",
        "COMMANDS",
        "EXIT STATUS",
        "ENVIRONMENT",
        "FILES",
    ] {
        assert!(
            rendered.lines().any(|l| l == heading),
            "no {heading} section:\n{rendered}"
        );
    }
    for needle in [
        "DRIFTCHECK_LOCAL_URL",
        "DATABASE_URL",
        "GITHUB_STEP_SUMMARY",
        "alembic.ini",
        "driftcheck.toml",
        "~/.pgpass",
    ] {
        assert!(rendered.contains(needle), "page lacks {needle}");
    }
    // Every subcommand, and every long flag of the check and of each subcommand.
    use clap::CommandFactory;
    let cli = driftcheck::cli::Cli::command();
    let flags = |cmd: &clap::Command| -> Vec<String> {
        cmd.get_arguments()
            .filter(|a| !a.is_hide_set())
            .filter_map(|a| {
                a.get_long()
                    .map(|l| format!("\\-\\-{}", l.replace('-', "\\-")))
            })
            .collect()
    };
    for flag in flags(&cli) {
        assert!(roff.contains(&flag), "page lacks {flag}");
    }
    for sub in cli.get_subcommands() {
        let heading = format!(".SS \"driftcheck {}\"", sub.get_name());
        let at = roff
            .find(&heading)
            .unwrap_or_else(|| panic!("page lacks {heading}"));
        for flag in flags(sub) {
            assert!(roff[at..].contains(&flag), "{heading} lacks {flag}");
        }
    }
    // Installed as the README says, `man driftcheck` finds it.
    let man1 = dir.path().join("man/man1");
    std::fs::create_dir_all(&man1).unwrap();
    std::fs::write(man1.join("driftcheck.1"), &roff).unwrap();
    let found = Command::new("man")
        .args(["-w", "driftcheck"])
        .env("MANPATH", dir.path().join("man"))
        .output()
        .unwrap();
    assert_eq!(
        ok(found, "man -w driftcheck").trim(),
        man1.join("driftcheck.1").to_str().unwrap()
    );
    for code in ["0", "1", "2", "3"] {
        assert!(
            roff.contains(&format!(".TP\n\\fB{code}\\fR\n")),
            "exit status {code} missing"
        );
    }
}

// ----------------------------------------------------------------- pre-commit

fn run_in(dir: &Path, program: &Path, args: &[&str]) -> Output {
    Command::new(program)
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .output()
        .unwrap_or_else(|e| panic!("run {program:?}: {e}"))
}

fn git(dir: &Path, args: &[&str]) -> String {
    ok(
        run_in(dir, Path::new("git"), args),
        &format!("git {args:?}"),
    )
}

fn alembic_cli(dir: &Path, args: &[&str]) -> String {
    let args: Vec<&str> = ["-m", "alembic"].iter().chain(args).copied().collect();
    ok(run_in(dir, &python(), &args), &format!("alembic {args:?}"))
}

/// `pre-commit try-repo <this repository> HOOK --all-files` in `app`, with the
/// freshly built driftcheck first on PATH.
fn try_repo(app: &Path, home: &Path, hook: &str) -> Output {
    let path = format!(
        "{}:{}",
        driftcheck_bin().parent().unwrap().display(),
        std::env::var("PATH").unwrap()
    );
    let repo = repo();
    Command::new(python())
        .args(["-m", "pre_commit", "try-repo"])
        .arg(&repo)
        .args([hook, "--all-files", "--color", "never"])
        .current_dir(app)
        .env("PATH", path)
        .env("PRE_COMMIT_HOME", home)
        .env_remove("GITHUB_ACTIONS")
        .output()
        .expect("run pre-commit (scripts/setup.sh installs it into the venv)")
}

#[test]
fn pre_commit_hook_fails_on_two_heads_and_passes_after_alembic_merge_heads() {
    let dir = tempfile::tempdir().unwrap();
    let app = dir.path().join("app");
    let home = dir.path().join("pre-commit-home");
    std::fs::create_dir_all(&app).unwrap();
    git(&app, &["init", "-q", "-b", "main"]);
    alembic_cli(&app, &["init", "migrations"]);
    alembic_cli(&app, &["revision", "-m", "users", "--rev-id", "a1"]);
    alembic_cli(&app, &["revision", "-m", "email", "--rev-id", "b1"]);
    alembic_cli(
        &app,
        &[
            "revision", "-m", "phone", "--rev-id", "c1", "--head", "a1", "--splice",
        ],
    );
    git(&app, &["add", "-A"]);
    git(&app, &["commit", "-q", "-m", "two heads"]);

    let out = try_repo(&app, &home, "driftcheck-graph-system");
    let log = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "two heads must fail:\n{log}");
    assert!(log.contains("multiple_heads"), "{log}");
    for head in ["b1_email.py", "c1_phone.py"] {
        assert!(log.contains(head), "the failure names {head}:\n{log}");
    }
    assert!(
        log.contains("alembic merge heads"),
        "the failure says what to do:\n{log}"
    );

    alembic_cli(&app, &["merge", "heads", "-m", "merge", "--rev-id", "m1"]);
    git(&app, &["add", "-A"]);
    let out = try_repo(&app, &home, "driftcheck-graph-system");
    let log = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert_eq!(
        out.status.code(),
        Some(0),
        "merged history must pass:\n{log}"
    );
    assert!(log.contains("Passed"), "{log}");
}

/// The two published hooks differ only in how driftcheck is installed.
#[test]
fn published_hooks_run_the_same_check() {
    let hooks = yaml(&repo().join(".pre-commit-hooks.yaml"));
    let hooks = hooks.as_sequence().unwrap();
    let by_id = |id: &str| -> &Value {
        hooks
            .iter()
            .find(|h| h["id"].as_str() == Some(id))
            .unwrap_or_else(|| panic!("no hook {id}"))
    };
    let (rust, system) = (by_id("driftcheck-graph"), by_id("driftcheck-graph-system"));
    assert_eq!(rust["language"].as_str(), Some("rust"));
    assert_eq!(system["language"].as_str(), Some("system"));
    for key in ["entry", "pass_filenames", "files"] {
        assert_eq!(rust[key], system[key], "{key}");
    }
}

// ------------------------------------------------- release and install script

/// The Rust target name of this machine, as the release workflow names archives.
fn host_target() -> String {
    let os = match std::env::consts::OS {
        "linux" => "unknown-linux-gnu",
        "macos" => "apple-darwin",
        other => panic!("no release target for {other}"),
    };
    format!("{}-{os}", std::env::consts::ARCH)
}

/// A release directory laid out like GitHub's (`download/vX/…` and
/// `latest/download/…`) with what taiki-e/upload-rust-binary-action uploads:
/// driftcheck-T.tar.gz (the binary at its top) and driftcheck-T.sha256.
fn fake_release(root: &Path, versions: &[&str]) {
    let stage = root.join("stage");
    std::fs::create_dir_all(&stage).unwrap();
    std::fs::copy(driftcheck_bin(), stage.join("driftcheck")).unwrap();
    let archive = format!("driftcheck-{}.tar.gz", host_target());
    let sums = format!("driftcheck-{}.sha256", host_target());
    let dirs = versions
        .iter()
        .map(|v| root.join("download").join(format!("v{v}")))
        .chain([root.join("latest/download")]);
    for dir in dirs {
        std::fs::create_dir_all(&dir).unwrap();
        let tar = Command::new("tar")
            .arg("-czf")
            .arg(dir.join(&archive))
            .arg("-C")
            .arg(&stage)
            .arg("driftcheck")
            .output()
            .unwrap();
        ok(tar, "tar");
        let sum = ok(
            run_in(&dir, Path::new("sha256sum"), &[&archive]),
            "sha256sum",
        );
        std::fs::write(dir.join(&sums), sum).unwrap();
    }
}

fn install(releases: &Path, args: &[&str]) -> Output {
    Command::new("sh")
        .arg(repo().join("scripts/install.sh"))
        .args(args)
        .env(
            "DRIFTCHECK_RELEASES",
            format!("file://{}", releases.display()),
        )
        .env_remove("DRIFTCHECK_VERSION")
        .env_remove("DRIFTCHECK_INSTALL_DIR")
        .output()
        .unwrap()
}

#[test]
fn install_script_installs_a_checked_release_binary() {
    let dir = tempfile::tempdir().unwrap();
    let releases = dir.path().join("releases");
    fake_release(&releases, &[version()]);
    let bin = dir.path().join("bin");
    let bin_arg = bin.to_str().unwrap();

    for args in [
        vec!["--version", version(), "--to", bin_arg],
        vec!["--to", bin_arg], // latest
    ] {
        let out = install(&releases, &args);
        let stderr = text(&out.stderr);
        ok(out, "install.sh");
        assert!(stderr.contains("installed driftcheck"), "{stderr}");
        let installed = Command::new(bin.join("driftcheck"))
            .arg("--version")
            .output()
            .unwrap();
        assert_eq!(
            ok(installed, "installed driftcheck"),
            format!("driftcheck {}\n", version())
        );
    }

    // No release for that version: exit 3, so callers can build instead.
    let out = install(&releases, &["--version", "9.9.9", "--to", bin_arg]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("cargo install --locked driftcheck"));

    // A tampered archive is refused and nothing is installed.
    let archive = releases
        .join("latest/download")
        .join(format!("driftcheck-{}.tar.gz", host_target()));
    let mut bytes = std::fs::read(&archive).unwrap();
    bytes.push(0);
    std::fs::write(&archive, bytes).unwrap();
    let fresh = dir.path().join("fresh");
    let out = install(&releases, &["--to", fresh.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("checksum mismatch"));
    assert!(!fresh.join("driftcheck").exists());
}

#[test]
fn release_workflow_builds_what_the_install_script_downloads() {
    let release = yaml(&repo().join(".github/workflows/release.yml"));
    let targets: Vec<&str> = release["jobs"]["upload-binaries"]["strategy"]["matrix"]["include"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|t| t["target"].as_str().unwrap())
        .collect();
    assert_eq!(
        targets,
        [
            "x86_64-unknown-linux-gnu",
            "aarch64-unknown-linux-gnu",
            "x86_64-apple-darwin",
            "aarch64-apple-darwin"
        ]
    );
    let install = std::fs::read_to_string(repo().join("scripts/install.sh")).unwrap();
    for piece in [
        "$arch-unknown-linux-gnu",
        "$arch-apple-darwin",
        "arch=x86_64",
        "arch=aarch64",
    ] {
        assert!(install.contains(piece), "install.sh lacks {piece}");
    }
    // The install script downloads from the repository Cargo.toml names.
    let manifest: toml::Value =
        toml::from_str(&std::fs::read_to_string(repo().join("Cargo.toml")).unwrap()).unwrap();
    let repository = manifest["package"]["repository"].as_str().unwrap();
    assert!(
        install.contains(&format!("{repository}/releases}}")),
        "install.sh's default releases URL is not {repository}/releases"
    );
}

// ---------------------------------------------------------- the GitHub Action

/// Runs action.yml's steps the way the runner runs a composite action: each
/// `run` with `bash --noprofile --norc -eo pipefail`, `${{ inputs.* }}` and
/// `${{ github.action_path }}` substituted, GITHUB_PATH entries prepended to
/// PATH for later steps. Returns the last step's output and GITHUB_OUTPUT.
struct Runner {
    temp: tempfile::TempDir,
    inputs: BTreeMap<String, String>,
    env: Vec<(String, String)>,
}

struct Step {
    code: Option<i32>,
    log: String,
}

impl Runner {
    fn new(inputs: &[(&str, &str)]) -> Runner {
        let action = yaml(&repo().join("action.yml"));
        let mut all: BTreeMap<String, String> = action["inputs"]
            .as_mapping()
            .unwrap()
            .iter()
            .map(|(k, v)| {
                let default = v["default"].as_str().unwrap_or("");
                (k.as_str().unwrap().to_string(), default.to_string())
            })
            .collect();
        for (k, v) in inputs {
            assert!(all.contains_key(*k), "action.yml has no input {k}");
            all.insert(k.to_string(), v.to_string());
        }
        Runner {
            temp: tempfile::tempdir().unwrap(),
            inputs: all,
            env: Vec::new(),
        }
    }

    fn env(mut self, key: &str, value: impl Into<String>) -> Runner {
        self.env.push((key.into(), value.into()));
        self
    }

    fn file(&self, name: &str) -> PathBuf {
        self.temp.path().join(name)
    }

    fn expand(&self, value: &str) -> String {
        let mut out = value.replace("${{ github.action_path }}", repo().to_str().unwrap());
        for (k, v) in &self.inputs {
            out = out.replace(&format!("${{{{ inputs.{k} }}}}"), v);
        }
        assert!(!out.contains("${{"), "unsupported expression in {value:?}");
        out
    }

    fn run(&self) -> (Vec<Step>, String) {
        let action = yaml(&repo().join("action.yml"));
        assert_eq!(action["runs"]["using"].as_str(), Some("composite"));
        for name in ["GITHUB_PATH", "GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY"] {
            std::fs::write(self.file(name), "").unwrap();
        }
        let mut steps = Vec::new();
        for step in action["runs"]["steps"].as_sequence().unwrap() {
            assert_eq!(step["shell"].as_str(), Some("bash"));
            let script = self.file("step.sh");
            std::fs::write(&script, self.expand(step["run"].as_str().unwrap())).unwrap();
            let dir = step["working-directory"]
                .as_str()
                .map(|d| repo().join(self.expand(d)))
                .unwrap_or_else(repo);
            let extra_path = std::fs::read_to_string(self.file("GITHUB_PATH")).unwrap();
            let base_path = self
                .env
                .iter()
                .find(|(k, _)| k == "PATH")
                .map(|(_, v)| v.clone())
                .unwrap_or_else(|| std::env::var("PATH").unwrap());
            let path = extra_path
                .lines()
                .rev()
                .chain(std::iter::once(base_path.as_str()))
                .collect::<Vec<_>>()
                .join(":");
            let mut command = Command::new("bash");
            command
                .args(["--noprofile", "--norc", "-eo", "pipefail"])
                .arg(&script)
                .current_dir(dir)
                .env("PATH", path)
                .env("RUNNER_TEMP", self.temp.path())
                .env("GITHUB_ACTIONS", "true")
                .env(
                    "DRIFTCHECK_RELEASES",
                    format!("file://{}", self.file("releases").display()),
                );
            for name in ["GITHUB_PATH", "GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY"] {
                command.env(name, self.file(name));
            }
            for (k, v) in step["env"].as_mapping().into_iter().flatten() {
                command.env(k.as_str().unwrap(), self.expand(v.as_str().unwrap()));
            }
            for (k, v) in self.env.iter().filter(|(k, _)| k != "PATH") {
                command.env(k, v);
            }
            let out = command.output().unwrap();
            let step = Step {
                code: out.status.code(),
                log: format!("{}{}", text(&out.stdout), text(&out.stderr)),
            };
            let failed = step.code != Some(0);
            steps.push(step);
            if failed {
                break;
            }
        }
        let outputs = std::fs::read_to_string(self.file("GITHUB_OUTPUT")).unwrap();
        (steps, outputs)
    }
}

#[test]
fn action_installs_the_release_binary_and_passes_driftcheck_exit_status() {
    let runner = Runner::new(&[
        ("command", "graph"),
        ("args", "--migrations migrations-fixtures/two_heads"),
    ]);
    fake_release(&runner.file("releases"), &[version()]);
    let (steps, outputs) = runner.run();
    assert_eq!(steps.len(), 2);
    assert_eq!(steps[0].code, Some(0), "{}", steps[0].log);
    assert!(
        steps[0].log.contains("installed driftcheck"),
        "{}",
        steps[0].log
    );
    assert_eq!(
        steps[1].code,
        Some(1),
        "two heads: exit 1\n{}",
        steps[1].log
    );
    assert!(steps[1].log.contains("driftcheck graph --migrations"));
    assert!(steps[1].log.contains("multiple_heads"), "{}", steps[1].log);
    assert_eq!(outputs, "exit-code=1\n");
}

#[test]
fn action_builds_with_cargo_when_no_release_binary_exists() {
    // Stand-in for `cargo install`: records its arguments and installs the
    // binary this test suite built (a real `cargo install` is a release build).
    let runner = Runner::new(&[("command", "graph"), ("args", "--help")]);
    let stub_dir = runner.file("stub");
    std::fs::create_dir_all(&stub_dir).unwrap();
    let stub = stub_dir.join("cargo");
    std::fs::write(
        &stub,
        format!(
            "#!/bin/sh\necho \"$@\" > \"$RUNNER_TEMP/cargo-args\"\nmkdir -p \"$RUNNER_TEMP/driftcheck/bin\"\ncp '{}' \"$RUNNER_TEMP/driftcheck/bin/\"\n",
            driftcheck_bin().display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&stub, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::create_dir_all(runner.file("releases")).unwrap(); // no release at all
    let path = format!("{}:{}", stub_dir.display(), std::env::var("PATH").unwrap());
    let runner = runner.env("PATH", path);
    let (steps, outputs) = runner.run();
    assert_eq!(steps.len(), 2, "{}", steps[0].log);
    assert!(
        steps[0].log.contains("building driftcheck with cargo"),
        "{}",
        steps[0].log
    );
    let args = std::fs::read_to_string(runner.file("cargo-args")).unwrap();
    assert_eq!(
        args.trim(),
        format!(
            "install --locked --root {} --path {}",
            runner.file("driftcheck").display(),
            repo().display()
        )
    );
    assert_eq!(steps[1].code, Some(0), "{}", steps[1].log);
    assert_eq!(outputs, "exit-code=0\n");
}

#[test]
fn action_gates_an_environment_and_leaves_the_step_summary() {
    let cluster = Cluster::start();
    cluster.create_database("app");
    alembic::upgrade(&cluster, "app", "heads");
    let work = tempfile::tempdir().unwrap();
    std::fs::write(
        work.path().join("driftcheck.toml"),
        "[env.production]\nurl-env = \"PRODUCTION_DATABASE_URL\"\n",
    )
    .unwrap();
    let versions = repo().join(alembic::VERSIONS);
    let args = format!(
        "--allow-pending --migrations {} --report drift-reports/gate.md",
        versions.display()
    );
    let runner = Runner::new(&[
        ("environment", "production"),
        ("args", &args),
        ("working-directory", work.path().to_str().unwrap()),
    ])
    .env("PRODUCTION_DATABASE_URL", cluster.url("app"));
    fake_release(&runner.file("releases"), &[version()]);
    let (steps, outputs) = runner.run();
    let run = steps.last().unwrap();
    assert_eq!(run.code, Some(0), "at head: deployable\n{}", run.log);
    assert!(run
        .log
        .contains("driftcheck gate --env production --allow-pending"));
    assert_eq!(outputs, "exit-code=0\n");
    let summary = std::fs::read_to_string(runner.file("GITHUB_STEP_SUMMARY")).unwrap();
    assert!(summary.contains("gate"), "step summary:\n{summary}");
    assert!(work.path().join("drift-reports/gate.md").exists());
}

// ------------------------------------------------------------------ workflows

/// action-validator (npm @action-validator/cli, installed by scripts/setup.sh).
fn validate(path: &Path) {
    let validator = repo().join(".ci/node/node_modules/.bin/action-validator");
    assert!(
        validator.exists(),
        "{} missing: run scripts/setup.sh",
        validator.display()
    );
    let out = Command::new(&validator).arg(path).output().unwrap();
    ok(out, &format!("action-validator {}", path.display()));
}

#[test]
fn every_workflow_and_the_action_pass_action_validator() {
    validate(&repo().join("action.yml"));
    let mut count = 0;
    for entry in std::fs::read_dir(repo().join(".github/workflows")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "yml" || e == "yaml") {
            validate(&path);
            count += 1;
        }
    }
    assert!(count >= 4, "ci, gate, nightly and release workflows");
}

/// The example workflows are inert on this repository (every job guarded by
/// `vars.DRIFTCHECK_ENABLED`, no push/pull_request trigger), run driftcheck
/// through this repository's action, and every command they give it parses.
#[test]
fn example_workflows_are_inert_and_their_commands_parse() {
    let action = yaml(&repo().join("action.yml"));
    for (file, triggers) in [
        (
            "driftcheck-gate.yml",
            ["workflow_dispatch", "workflow_call"],
        ),
        ("driftcheck-nightly.yml", ["schedule", "workflow_dispatch"]),
    ] {
        let workflow = yaml(&repo().join(".github/workflows").join(file));
        let on: Vec<&str> = workflow["on"]
            .as_mapping()
            .unwrap_or_else(|| panic!("{file}: no `on` mapping"))
            .keys()
            .map(|k| k.as_str().unwrap())
            .collect();
        assert_eq!(on, triggers, "{file}");
        let mut commands = 0;
        for (name, job) in workflow["jobs"].as_mapping().unwrap() {
            assert_eq!(
                job["if"].as_str(),
                Some("vars.DRIFTCHECK_ENABLED == 'true'"),
                "{file}: job {name:?} is not guarded"
            );
            for step in job["steps"].as_sequence().unwrap() {
                assert!(
                    !step["run"]
                        .as_str()
                        .is_some_and(|r| r.contains("driftcheck")),
                    "{file}: run driftcheck through the action"
                );
                if step["uses"].as_str() != Some("./") {
                    continue;
                }
                commands += 1;
                let with = step["with"].as_mapping().unwrap();
                for key in with.keys() {
                    let key = key.as_str().unwrap();
                    assert!(!action["inputs"][key].is_null(), "{file}: no input {key}");
                }
                let input = |k: &str| with.get(k).and_then(Value::as_str).unwrap_or("");
                let mut args: Vec<String> = Vec::new();
                match input("command") {
                    "" | "check" => {}
                    other => args.push(other.into()),
                }
                if !input("environment").is_empty() {
                    args.extend(["--env".into(), "x".into()]);
                }
                // Expressions (`${{ github.run_id }}`) stand for one word.
                let mut extra = input("args").to_string();
                while let Some(start) = extra.find("${{") {
                    let end = extra[start..].find("}}").expect("closed expression") + start;
                    extra.replace_range(start..end + 2, "x");
                }
                args.extend(extra.split_whitespace().map(String::from));
                // --help last: clap has validated every flag before it.
                args.push("--help".into());
                Test::new().args(&args).run().status(0);
            }
        }
        assert_eq!(commands, 1, "{file}: one driftcheck step");
    }
}

// --------------------------------------------------------- README's snippets

/// The fenced code blocks of README's "Install" and "Integrations" sections.
fn readme_snippets() -> Vec<String> {
    use pulldown_cmark::{Event, Parser, Tag, TagEnd};
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let start = readme
        .find("\n## Install\n")
        .expect("README has ## Install");
    let end = readme.find("\n## Usage\n").expect("README has ## Usage");
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for event in Parser::new(&readme[start..end]) {
        match event {
            Event::Start(Tag::CodeBlock(_)) => current = Some(String::new()),
            Event::Text(t) => {
                if let Some(block) = current.as_mut() {
                    block.push_str(&t);
                }
            }
            Event::End(TagEnd::CodeBlock) => blocks.extend(current.take()),
            _ => {}
        }
    }
    blocks
}

fn snippet(containing: &str) -> String {
    readme_snippets()
        .into_iter()
        .find(|b| b.contains(containing))
        .unwrap_or_else(|| panic!("README has no snippet with {containing:?}"))
}

fn repository() -> String {
    let manifest: toml::Value =
        toml::from_str(&std::fs::read_to_string(repo().join("Cargo.toml")).unwrap()).unwrap();
    manifest["package"]["repository"]
        .as_str()
        .unwrap()
        .to_string()
}

/// What each README snippet names exists: the install script's published URL
/// and options, the completion and man commands, the pre-commit hook and the
/// action's inputs (the workflow passes action-validator).
#[test]
fn readme_snippets_match_what_is_tested() {
    let repository = repository();
    let version = version();

    let install = snippet("install.sh");
    let url = format!("{repository}/releases/latest/download/install.sh");
    assert!(
        install.contains(&format!("curl -fsSL {url} | sh\n")),
        "{install}"
    );
    assert!(install.contains(&format!("| sh -s -- --version {version} --to ")));
    let release = std::fs::read_to_string(repo().join(".github/workflows/release.yml")).unwrap();
    assert!(release.contains("gh release upload \"$GITHUB_REF_NAME\" scripts/install.sh"));
    assert!(install.contains("cargo install --locked driftcheck"));

    let completions = snippet("driftcheck completions");
    assert!(
        completions.contains("driftcheck completions bash > "),
        "{completions}"
    );
    let man = snippet("driftcheck man");
    assert!(man.contains("driftcheck man | man -l -\n"), "{man}");
    assert!(man.contains("driftcheck man > ~/.local/share/man/man1/driftcheck.1"));

    let pre_commit: Value = serde_yaml_ng::from_str(&snippet("repos:")).unwrap();
    let entry = &pre_commit["repos"][0];
    assert_eq!(entry["repo"].as_str(), Some(repository.as_str()));
    assert_eq!(entry["rev"].as_str(), Some(format!("v{version}").as_str()));
    let hooks = yaml(&repo().join(".pre-commit-hooks.yaml"));
    for hook in entry["hooks"].as_sequence().unwrap() {
        let id = hook["id"].as_str().unwrap();
        assert!(
            hooks
                .as_sequence()
                .unwrap()
                .iter()
                .any(|h| h["id"].as_str() == Some(id)),
            "no hook {id}"
        );
    }

    let workflow_text = snippet("uses: driftcheck/driftcheck@");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("schema-gate.yml");
    std::fs::write(&path, &workflow_text).unwrap();
    validate(&path);
    let workflow: Value = serde_yaml_ng::from_str(&workflow_text).unwrap();
    let action = yaml(&repo().join("action.yml"));
    let slug = repository.trim_start_matches("https://github.com/");
    let mut uses_action = 0;
    for (_, job) in workflow["jobs"].as_mapping().unwrap() {
        for step in job["steps"].as_sequence().unwrap() {
            if step["uses"].as_str() != Some(&format!("{slug}@v{version}")) {
                continue;
            }
            uses_action += 1;
            for key in step["with"].as_mapping().unwrap().keys() {
                let key = key.as_str().unwrap();
                assert!(
                    !action["inputs"][key].is_null(),
                    "action.yml has no input {key}"
                );
            }
        }
    }
    assert_eq!(uses_action, 1, "{workflow_text}");
}

/// Item 8: the demo says what it is doing before the (long) build and lets
/// cargo's own progress through. A stand-in `cargo` first on PATH records the
/// call and fails, so the demo stops right after it (set -e).
#[test]
fn demo_announces_the_build_and_shows_cargos_output() {
    let bin = tempfile::tempdir().unwrap();
    let cargo = bin.path().join("cargo");
    std::fs::write(
        &cargo,
        "#!/bin/sh\necho \"stand-in cargo: $*\" >&2\nexit 7\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&cargo, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!(
        "{}:{}",
        bin.path().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let output = Command::new("bash")
        .arg(repo().join("scripts/demo.sh"))
        .env("PATH", path)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(7), "{}", text(&output.stderr));
    let stderr = text(&output.stderr);
    let announced = stderr
        .find("demo: building driftcheck")
        .unwrap_or_else(|| panic!("no progress line before the build:\n{stderr}"));
    let built = stderr
        .find("stand-in cargo: build --locked --bin driftcheck")
        .unwrap_or_else(|| panic!("cargo's output is hidden:\n{stderr}"));
    assert!(announced < built, "{stderr}");
}
