//! Static reading of Python source with Ruff's parser (`ruff_python_parser`),
//! shared by the revision graph (`migrations::parse`) and the evidence check
//! (`evidence::extract`) so both read a file the same way: one parse per file,
//! line numbers from byte offsets, literal strings and the module-level
//! constant table ([`Constants`]). Files are never imported or executed.

mod constants;

pub use constants::{literal_string, Constants, Value};

use ruff_python_ast::{ModModule, PySourceType, Stmt};
use ruff_python_parser::Parsed;
use ruff_text_size::{Ranged, TextSize};

/// Sources up to this size are read on the calling thread. Nesting deep
/// enough to exhaust a thread's stack (in the parser, our walkers, or while
/// the syntax tree is freed: `- - - … 1`, `a + a + … + a`) needs more text.
const SMALL_SOURCE: usize = 8 * 1024;

/// Stack for reading a larger source: a page is only committed when used, so
/// this costs address space, not memory; 10 MiB of hostile nesting fits.
const DEEP_STACK: usize = 2 << 30;

/// Run `read` (which parses `text` and walks and frees its syntax tree) where
/// hostile nesting cannot overflow the stack: on this thread for a small
/// source, else on a scoped thread with a [`DEEP_STACK`].
pub fn on_deep_stack<T: Send>(text: &str, read: impl FnOnce() -> T + Send) -> T {
    if text.len() <= SMALL_SOURCE {
        return read();
    }
    // Shared with the thread so that, should no thread start (address space
    // or thread limits), the read still happens here.
    let slot = std::sync::Mutex::new(Some(read));
    let take = || {
        slot.lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .take()
    };
    std::thread::scope(|scope| {
        let spawned = std::thread::Builder::new()
            .name("python-reader".into())
            .stack_size(DEEP_STACK)
            .spawn_scoped(scope, || take().map(|read| read()));
        match spawned.map(|handle| handle.join()) {
            Ok(Ok(Some(value))) => value,
            Ok(Err(panic)) => std::panic::resume_unwind(panic),
            _ => take().expect("the read has not run")(),
        }
    })
}

/// A parsed Python file: its text, its AST and a line index.
pub struct Source<'s> {
    text: &'s str,
    parsed: Parsed<ModModule>,
    /// Byte offset of the start of each line after the first.
    line_starts: Vec<u32>,
}

/// The first syntax error of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// 1-based line.
    pub line: u32,
    /// Ruff's message, e.g. ``Expected `,`, found `=` ``.
    pub message: String,
}

impl<'s> Source<'s> {
    /// Parse `text`. The parse recovers from syntax errors, so the statements
    /// around a broken one are still in [`Source::suite`].
    pub fn parse(text: &'s str) -> Self {
        let parsed = ruff_python_parser::parse_unchecked_source(text, PySourceType::Python);
        let line_starts = text
            .bytes()
            .enumerate()
            .filter(|&(_, b)| b == b'\n')
            .map(|(i, _)| u32::try_from(i + 1).unwrap_or(u32::MAX))
            .collect();
        Source {
            text,
            parsed,
            line_starts,
        }
    }

    /// The module-level statements.
    pub fn suite(&self) -> &[Stmt] {
        self.parsed.suite()
    }

    /// The syntax error that starts first, if any.
    pub fn syntax_error(&self) -> Option<SyntaxError> {
        let error = self
            .parsed
            .errors()
            .iter()
            .min_by_key(|e| e.location.start())?;
        Some(SyntaxError {
            line: self.line_at(error.location.start()),
            message: error.error.to_string(),
        })
    }

    /// 1-based line of a byte offset.
    pub fn line_at(&self, offset: TextSize) -> u32 {
        let before = self.line_starts.partition_point(|&s| s <= offset.to_u32());
        u32::try_from(before + 1).unwrap_or(u32::MAX)
    }

    /// 1-based line a node starts on.
    pub fn line_of(&self, node: &impl Ranged) -> u32 {
        self.line_at(node.start())
    }

    /// The source text of a node.
    pub fn text(&self, node: &impl Ranged) -> &'s str {
        &self.text[node.range()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_from_offsets() {
        let source = Source::parse("a = 1\n\nb = 2\nc = (\n  3)\n");
        let lines: Vec<u32> = source.suite().iter().map(|s| source.line_of(s)).collect();
        assert_eq!(lines, [1, 3, 4]);
        assert_eq!(source.line_at(TextSize::new(5)), 1); // the newline itself
        assert_eq!(source.line_at(TextSize::new(6)), 2);
        assert_eq!(source.text(&source.suite()[2]), "c = (\n  3)");
        assert_eq!(source.syntax_error(), None);
    }

    #[test]
    fn first_syntax_error_line() {
        let source = Source::parse("x = 1\ndef f(:\n    pass\ny = 'abc\n");
        assert_eq!(source.syntax_error().map(|e| e.line), Some(2));
    }
}
