//! Run the real `driftcheck` binary, in the style of casey/just's test
//! builder: `Test::new().args(&["graph"]).run().status(1)`.
#![allow(dead_code)]

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The repository root (where Cargo.toml is).
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub struct Test {
    args: Vec<String>,
    current_dir: PathBuf,
    env: Vec<(String, String)>,
    env_remove: Vec<String>,
    /// Kill the run and fail the test after this long (a hang must not hold CI).
    deadline: Option<Duration>,
}

impl Default for Test {
    fn default() -> Self {
        Self::new()
    }
}

impl Test {
    /// Runs in the repository root with no DRIFTCHECK_* or DATABASE_URL from the caller.
    pub fn new() -> Self {
        Test {
            args: Vec::new(),
            current_dir: repo(),
            env: Vec::new(),
            // Runs must not depend on the developer's environment: no DRIFTCHECK_*,
            // DATABASE_URL, libpq PG* variables, AWS settings or GitHub Actions markers.
            env_remove: std::env::vars()
                .map(|(k, _)| k)
                .filter(|k| {
                    k.starts_with("DRIFTCHECK_")
                        || k.starts_with("PG")
                        || k.starts_with("AWS_")
                        || k.starts_with("GITHUB_")
                        || k == "DATABASE_URL"
                        || k == "NO_COLOR"
                })
                .collect(),
            deadline: None,
        }
    }

    /// Fail the test, killing driftcheck, when the run takes longer than `limit`.
    pub fn deadline(mut self, limit: Duration) -> Self {
        self.deadline = Some(limit);
        self
    }

    pub fn args<S: AsRef<str>>(mut self, args: &[S]) -> Self {
        self.args
            .extend(args.iter().map(|a| a.as_ref().to_string()));
        self
    }

    pub fn arg(self, arg: impl AsRef<str>) -> Self {
        self.args(&[arg.as_ref()])
    }

    pub fn current_dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.current_dir = dir.as_ref().to_path_buf();
        self
    }

    pub fn env(mut self, key: &str, value: impl AsRef<str>) -> Self {
        self.env_remove.retain(|k| k != key);
        self.env.push((key.into(), value.as_ref().into()));
        self
    }

    /// Run driftcheck; JSON it prints or a snapshot file it writes is
    /// validated against `docs/schema/` (see `common::schema`).
    #[track_caller]
    pub fn run(self) -> Output {
        let mut command = Command::new(env!("CARGO_BIN_EXE_driftcheck"));
        command.args(&self.args).current_dir(&self.current_dir);
        for key in &self.env_remove {
            command.env_remove(key);
        }
        for (key, value) in &self.env {
            command.env(key, value);
        }
        let output = match self.deadline {
            None => command.output(),
            Some(limit) => output_within(command, limit, &self.args),
        }
        .unwrap_or_else(|e| panic!("cannot run driftcheck {:?}: {e}", self.args));
        let output = Output {
            args: self.args,
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            code: output.status.code(),
        };
        // Every JSON a run produces must hold to its schema in docs/schema/.
        crate::common::schema::check_run(
            &output.args,
            &self.current_dir,
            &output.stdout,
            output.code,
        );
        output
    }
}

/// `command.output()`, but killed (and the test failed) after `limit`.
#[track_caller]
fn output_within(
    mut command: Command,
    limit: Duration,
    args: &[String],
) -> std::io::Result<std::process::Output> {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            bytes
        })
    };
    let stdout = drain(Box::new(child.stdout.take().unwrap()));
    let stderr = drain(Box::new(child.stderr.take().unwrap()));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("driftcheck {args:?} still running after {limit:?}: killed (a hang)");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Ok(std::process::Output {
        status,
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
    })
}

#[derive(Debug)]
pub struct Output {
    pub args: Vec<String>,
    pub stdout: String,
    pub stderr: String,
    pub code: Option<i32>,
}

impl Output {
    /// Assert the exit status.
    #[track_caller]
    pub fn status(self, expected: i32) -> Self {
        assert_eq!(
            self.code,
            Some(expected),
            "driftcheck {:?} exited {:?}, expected {expected}\n--- stdout\n{}\n--- stderr\n{}",
            self.args,
            self.code,
            self.stdout,
            self.stderr
        );
        self
    }

    #[track_caller]
    pub fn stdout_contains(self, needle: &str) -> Self {
        assert!(
            self.stdout.contains(needle),
            "stdout lacks {needle:?}:\n{}",
            self.stdout
        );
        self
    }

    #[track_caller]
    pub fn stderr_contains(self, needle: &str) -> Self {
        assert!(
            self.stderr.contains(needle),
            "stderr lacks {needle:?}:\n{}",
            self.stderr
        );
        self
    }

    /// Both streams, for scanning for secrets.
    pub fn all_output(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }

    /// stdout parsed as JSON (`Test::run` has validated it against its schema in docs/schema/).
    #[track_caller]
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }
}
