//! Exit codes of the contract, and the error type that carries one to `main`.

use std::fmt;

/// Exit codes (design contract).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitCode {
    /// 0: no drift.
    Clean = 0,
    /// 1: drift found (including codebase graph defects).
    Drift = 1,
    /// 2: usage or input error.
    Input = 2,
    /// 3: a required database or secret could not be reached or read.
    Unreachable = 3,
}

/// An error that decides the process exit code. Attach it with
/// [`input_error`] / [`unreachable_error`]; anything else exits 2.
#[derive(Debug)]
pub struct ExitError {
    pub code: ExitCode,
    pub message: String,
}

impl fmt::Display for ExitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ExitError {}

/// A usage or input error (exit 2). The message names the file, line or flag at fault.
pub fn input_error(message: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(ExitError {
        code: ExitCode::Input,
        message: message.into(),
    })
}

/// A required database or secret could not be reached (exit 3). Never put a secret in `message`.
pub fn unreachable_error(message: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(ExitError {
        code: ExitCode::Unreachable,
        message: message.into(),
    })
}

/// The exit code an error maps to: the first `ExitError` in its chain, else 2.
pub fn code_of(error: &anyhow::Error) -> ExitCode {
    error
        .chain()
        .find_map(|e| e.downcast_ref::<ExitError>())
        .map(|e| e.code)
        .unwrap_or(ExitCode::Input)
}
