//! Call arguments bound to Alembic's parameter names (positional or keyword,
//! with the older spellings Alembic accepted), and readers of literal
//! arguments: booleans, integers, the last segment of a dotted name.

use super::UNKNOWN_TEXT_MAX;
use ruff_python_ast::{Expr, ExprCall, Number};
use std::collections::HashMap;

/// Arguments of a call, split into positional and keyword.
pub(super) struct Args<'a> {
    pub positional: Vec<&'a Expr>,
    pub keywords: Vec<(&'a str, &'a Expr)>,
    /// `*args` / `**kwargs`: arguments we cannot see.
    pub has_splat: bool,
}

impl Args<'_> {
    pub fn none() -> Self {
        Args {
            positional: Vec::new(),
            keywords: Vec::new(),
            has_splat: false,
        }
    }
}

pub(super) fn split_args(call: &ExprCall) -> Args<'_> {
    let mut args = Args::none();
    for arg in call.arguments.args.iter() {
        match arg {
            Expr::Starred(_) => args.has_splat = true,
            _ => args.positional.push(arg),
        }
    }
    for keyword in &call.arguments.keywords {
        match &keyword.arg {
            Some(name) => args.keywords.push((name.as_str(), &keyword.value)),
            None => args.has_splat = true,
        }
    }
    args
}

/// Arguments bound to Alembic's parameter names.
pub(super) struct Bound<'a> {
    named: HashMap<&'static str, &'a Expr>,
    /// Positional arguments beyond the declared parameters (`create_table` columns).
    pub rest: Vec<&'a Expr>,
}

impl<'a> Bound<'a> {
    pub fn get(&self, name: &str) -> Option<&'a Expr> {
        self.named.get(name).copied()
    }
}

/// A parameter: canonical name first, then older spellings Alembic accepted.
pub(super) type Param = &'static [&'static str];

pub(super) fn bind<'a>(
    args: Args<'a>,
    params: &[Param],
    keywords: &[&'static str],
) -> Option<Bound<'a>> {
    if args.has_splat {
        return None;
    }
    let mut named = HashMap::new();
    let mut positional = args.positional.into_iter();
    for param in params {
        match positional.next() {
            Some(expr) => {
                named.insert(param[0], expr);
            }
            None => break,
        }
    }
    let rest: Vec<&Expr> = positional.collect();
    for (key, value) in args.keywords {
        let canonical = params
            .iter()
            .find(|p| p.contains(&key))
            .map(|p| p[0])
            .or_else(|| keywords.iter().copied().find(|k| *k == key));
        // Keywords we do not interpret (comment=, postgresql_where=, ...) are
        // ignored: they do not change what we verify.
        if let Some(canonical) = canonical {
            if named.insert(canonical, value).is_some() {
                return None; // the same parameter twice: not valid Python
            }
        }
    }
    Some(Bound { named, rest })
}

/// `sa.types.String` → `String`; `Column` → `Column`; anything else → "".
pub(super) fn last_segment(func: &Expr) -> &str {
    match func {
        Expr::Attribute(attribute) => attribute.attr.as_str(),
        Expr::Name(name) => name.id.as_str(),
        _ => "",
    }
}

/// The last segment of the function a call expression calls, "" for other expressions.
pub(super) fn callee(expr: &Expr) -> &str {
    match expr {
        Expr::Call(call) => last_segment(&call.func),
        _ => "",
    }
}

pub(super) fn bool_of(expr: &Expr) -> Option<bool> {
    match expr {
        Expr::BooleanLiteral(b) => Some(b.value),
        _ => None,
    }
}

pub(super) fn int_of(expr: &Expr) -> Option<u32> {
    match expr {
        Expr::NumberLiteral(n) => match &n.value {
            Number::Int(i) => i.as_u64().and_then(|i| u32::try_from(i).ok()),
            _ => None,
        },
        _ => None,
    }
}

/// Source text on one line, cut to [`UNKNOWN_TEXT_MAX`] characters.
pub(super) fn shorten(raw: &str) -> String {
    let collapsed = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.chars().count() <= UNKNOWN_TEXT_MAX {
        collapsed
    } else {
        let mut cut: String = collapsed.chars().take(UNKNOWN_TEXT_MAX - 1).collect();
        cut.push('…');
        cut
    }
}
