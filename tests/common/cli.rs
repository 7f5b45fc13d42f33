//! Run the driftcheck binary the way a user would (casey/just style builder).

use std::path::{Path, PathBuf};
use std::process::Command;

/// Variables that would make a run depend on the developer's environment.
const ISOLATE: &[&str] = &[
    "DATABASE_URL",
    "DRIFTCHECK_LOCAL_URL",
    "DRIFTCHECK_PROD_URL",
    "DRIFTCHECK_PROD_SECRET_ID",
    "PGHOST",
    "PGPORT",
    "PGUSER",
    "PGPASSWORD",
    "PGDATABASE",
    "PGSSLMODE",
    "PGOPTIONS",
    "PGAPPNAME",
];

#[derive(Default)]
pub struct Test {
    args: Vec<String>,
    env: Vec<(String, String)>,
    current_dir: Option<PathBuf>,
}

pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Test {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn arg(mut self, arg: impl AsRef<str>) -> Self {
        self.args.push(arg.as_ref().to_string());
        self
    }

    pub fn args<S: AsRef<str>>(mut self, args: &[S]) -> Self {
        self.args
            .extend(args.iter().map(|a| a.as_ref().to_string()));
        self
    }

    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.env.push((key.to_string(), value.to_string()));
        self
    }

    pub fn current_dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.current_dir = Some(dir.as_ref().to_path_buf());
        self
    }

    pub fn run(self) -> Output {
        let mut command = Command::new(env!("CARGO_BIN_EXE_driftcheck"));
        command.args(&self.args);
        for key in ISOLATE {
            command.env_remove(key);
        }
        for (k, v) in &self.env {
            command.env(k, v);
        }
        if let Some(dir) = &self.current_dir {
            command.current_dir(dir);
        }
        let out = command.output().expect("failed to run driftcheck");
        Output {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

impl Output {
    /// Assert the exit code, showing both streams when it differs.
    pub fn status(self, expected: i32) -> Self {
        assert_eq!(
            self.code, expected,
            "unexpected exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }

    pub fn stderr_contains(self, needle: &str) -> Self {
        assert!(
            self.stderr.contains(needle),
            "stderr lacks {needle:?}:\n{}",
            self.stderr
        );
        self
    }

    pub fn stdout_contains(self, needle: &str) -> Self {
        assert!(
            self.stdout.contains(needle),
            "stdout lacks {needle:?}:\n{}",
            self.stdout
        );
        self
    }

    /// Both streams, for scanning for secrets.
    pub fn all_output(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }
}
