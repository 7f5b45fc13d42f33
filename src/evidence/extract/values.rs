//! Argument values of an `upgrade()` call: strings (literals, module
//! constants, local string variables, `op.f("x")`, `conv("x")`), lists of
//! them, SQL text (`sa.text("x")`) and `server_default=` values.

use super::args::{last_segment, shorten};
use crate::evidence::model::DefaultSpec;
use crate::python::{literal_string, Constants, Source, Value};
use ruff_python_ast::Expr;
use std::collections::HashMap;

/// Names bound to strings earlier in `upgrade()`.
pub(super) type Locals = HashMap<String, String>;

/// Resolves argument expressions against the module constants and the locals.
#[derive(Clone, Copy)]
pub(super) struct Values<'a, 'b> {
    pub source: &'a Source<'a>,
    pub consts: &'a Constants<'a>,
    pub locals: &'b Locals,
}

impl<'a> Values<'a, '_> {
    /// The source text of an expression.
    pub fn text(&self, expr: &Expr) -> &'a str {
        self.source.text(expr)
    }

    /// A string-valued expression: literal, known constant, `op.f("x")`, `conv("x")`.
    pub fn str_of(&self, expr: &Expr) -> Option<String> {
        if let Some(text) = literal_string(expr) {
            return Some(text);
        }
        match expr {
            Expr::Name(name) => {
                let name = name.id.as_str();
                match (self.locals.get(name), self.consts.get(name)) {
                    (Some(local), _) => Some(local.clone()),
                    (None, Some(Value::Str(constant))) => Some(constant.clone()),
                    _ => None,
                }
            }
            Expr::Call(call)
                if matches!(last_segment(&call.func), "f" | "conv")
                    && call.arguments.keywords.is_empty() =>
            {
                match &*call.arguments.args {
                    [only] => self.str_of(only),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// A string or `None` (Python `None` → `Some(None)`).
    pub fn opt_str_of(&self, expr: &Expr) -> Option<Option<String>> {
        if expr.is_none_literal_expr() {
            return Some(None);
        }
        self.str_of(expr).map(Some)
    }

    /// An optional argument that is a string or `None`: absent → `Some(None)`.
    pub fn optional(&self, expr: Option<&Expr>) -> Option<Option<String>> {
        match expr {
            Some(expr) => self.opt_str_of(expr),
            None => Some(None),
        }
    }

    /// A list or tuple of strings, or one string.
    pub fn str_list(&self, expr: &Expr) -> Option<Vec<String>> {
        let items = match expr {
            Expr::List(list) => &list.elts,
            Expr::Tuple(tuple) => &tuple.elts,
            _ => return self.str_of(expr).map(|s| vec![s]),
        };
        items.iter().map(|item| self.str_of(item)).collect()
    }

    /// SQL text of `"x"`, `sa.text("x")`, `sa.literal_column("x")`.
    pub fn sql_text(&self, expr: &Expr) -> Option<String> {
        if let Some(s) = self.str_of(expr) {
            return Some(s);
        }
        match expr {
            Expr::Call(call) if matches!(last_segment(&call.func), "text" | "literal_column") => {
                self.str_of(call.arguments.args.first()?)
            }
            _ => None,
        }
    }

    /// A `server_default=` value.
    pub fn default_of(&self, expr: &Expr) -> DefaultSpec {
        if expr.is_none_literal_expr() {
            return DefaultSpec::Null;
        }
        if let Some(sql) = self.sql_text(expr) {
            return DefaultSpec::Sql(sql);
        }
        if let Expr::Call(call) = expr {
            let no_args = call.arguments.is_empty();
            let name = last_segment(&call.func);
            let through_func = match call.func.as_ref() {
                Expr::Attribute(attribute) => {
                    let object = attribute.value.as_ref();
                    last_segment(object) == "func" || self.text(object) == "func"
                }
                _ => false,
            };
            if no_args && matches!(name, "true" | "false") {
                return DefaultSpec::Sql(name.to_string());
            }
            if no_args && through_func {
                return DefaultSpec::Sql(format!("{name}()"));
            }
        }
        DefaultSpec::Opaque(shorten(self.text(expr)))
    }
}
