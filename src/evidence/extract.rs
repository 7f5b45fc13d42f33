//! Static extraction of a migration's `upgrade()` effects from Ruff's Python
//! AST ([`crate::python`], the parser and constant table the revision graph
//! uses): the file is never imported or executed. This file walks the
//! statements of `upgrade()`; one file per operation family (tables, columns,
//! indexes, constraints) turns an `op.<method>(...)` call into an effect;
//! `raw_sql` reads the SQL of `op.execute("…")` and `conn.execute(…)`,
//! `enums` the enum types SQLAlchemy creates. Calls to functions defined in
//! the same file are followed as if inlined (to [`HELPER_DEPTH_MAX`]).

mod args;
mod columns;
mod constraints;
mod dialect;
mod enums;
mod indexes;
mod raw_sql;
mod tables;
mod types;
mod values;

use super::model::*;
use crate::python::{Constants, Source};
use args::{bind, last_segment, shorten, split_args, Bound, Param};
use ruff_python_ast::helpers::any_over_expr;
use ruff_python_ast::{Expr, ExprCall, Stmt, StmtFunctionDef, StmtWith, WithItem};
use ruff_text_size::Ranged;
use std::collections::{HashMap, HashSet};
use values::{Locals, Values};

/// Longest `Unknown` call text kept, in characters.
const UNKNOWN_TEXT_MAX: usize = 80;

/// Read the module-level `def upgrade(...)` of a migration and list what it does.
///
/// `downgrade()` is never read. Calls that cannot be understood statically
/// (raw SQL, data changes, conditionals, helpers) become [`EffectKind::Unknown`].
pub fn extract_upgrade_effects(source: &str) -> Extraction {
    // A large file on a deep stack: hostile nesting must not overflow it.
    crate::python::on_deep_stack(source, || extract(source))
}

fn extract(source: &str) -> Extraction {
    let source = Source::parse(source);
    let syntax_error = source.syntax_error().map(|e| e.line);
    // `upgrade()` runs after the whole module is imported: the last binding wins.
    let consts = Constants::collect(&source, |_| {});
    // A later definition replaces an earlier one, as in Python.
    let upgrade = source
        .suite()
        .iter()
        .filter_map(|stmt| match stmt {
            Stmt::FunctionDef(def) if def.name.as_str() == "upgrade" => Some(def),
            _ => None,
        })
        .next_back();
    let mut defs = HashMap::new();
    for stmt in source.suite() {
        if let Stmt::FunctionDef(def) = stmt {
            defs.insert(def.name.as_str(), def);
        }
    }
    let mut extractor = Extractor {
        source: &source,
        consts: &consts,
        effects: Vec::new(),
        defs,
        stack: Vec::new(),
        frame: Frame::default(),
    };
    if let Some(def) = upgrade {
        extractor.block(&def.body, None, &mut Locals::new());
    }
    Extraction {
        effects: extractor.effects,
        has_upgrade: upgrade.is_some(),
        syntax_error,
    }
}

/// The table implied by `with op.batch_alter_table(...) as alias:`.
struct Batch {
    alias: String,
    table: TableRef,
}

struct Extractor<'a> {
    source: &'a Source<'a>,
    consts: &'a Constants<'a>,
    effects: Vec<Effect>,
    /// Module-level functions by name: helpers `upgrade()` may call.
    defs: HashMap<&'a str, &'a StmtFunctionDef>,
    /// The helpers being followed, innermost last (recursion guard).
    stack: Vec<&'a str>,
    /// Names of the function being read that hold a connection or an enum.
    frame: Frame<'a>,
}

/// Names bound in the function being read (besides string locals).
#[derive(Default, Clone)]
struct Frame<'a> {
    /// Functions defined inside it (closures over its names).
    defs: HashMap<&'a str, &'a StmtFunctionDef>,
    /// Bound to `op.get_bind()` (a connection: `conn.execute(…)` is raw SQL).
    binds: HashSet<String>,
    /// Bound to an `sa.Enum(...)` / `postgresql.ENUM(...)` call.
    enums: HashMap<String, &'a ExprCall>,
    /// Bound to the dialect's name (`conn.dialect.name`).
    dialects: HashSet<String>,
}

/// How deep calls to helpers of the same file are followed.
pub const HELPER_DEPTH_MAX: usize = 4;

/// Calls with no schema effect that are common in migrations.
fn is_harmless_call(func: &Expr, source: &Source) -> bool {
    match func {
        Expr::Name(name) => name.id.as_str() == "print",
        Expr::Attribute(attribute) => {
            let name = source.text(attribute.value.as_ref()).to_ascii_lowercase();
            // `logger`, `_logger`, `log`, `LOG`, `logging`, `warnings`.
            name.ends_with("logger")
                || matches!(name.as_str(), "log" | "_log" | "logging" | "warnings")
        }
        _ => false,
    }
}

/// Whether `expr` calls anything. A call has a `(` in its text; Ruff's
/// walker costs time quadratic in nesting depth, so an expression longer
/// than [`WALKED_EXPR_MAX`] with a `(` counts as calling (an unknown effect,
/// never a guess or a hang).
fn contains_call(expr: &Expr, source: &Source) -> bool {
    let text = source.text(expr);
    if !text.contains('(') {
        return false;
    }
    text.len() > WALKED_EXPR_MAX || any_over_expr(expr, |e| e.is_call_expr())
}

/// Longest expression text walked node by node for calls.
const WALKED_EXPR_MAX: usize = 4096;

impl<'a> Extractor<'a> {
    fn values<'b>(&'b self, locals: &'b Locals) -> Values<'a, 'b> {
        Values {
            source: self.source,
            consts: self.consts,
            locals,
        }
    }

    fn unknown(&mut self, node: &impl Ranged) {
        self.unknown_sql(node, None);
    }

    fn unknown_sql(&mut self, node: &impl Ranged, sql: Option<String>) {
        self.effects.push(Effect {
            line: self.source.line_of(node),
            kind: EffectKind::Unknown {
                text: shorten(self.source.text(node)),
                sql,
                reason: None,
            },
        });
    }

    fn block(&mut self, body: &'a [Stmt], batch: Option<&Batch>, locals: &mut Locals) {
        for stmt in body {
            self.statement(stmt, batch, locals);
        }
    }

    fn statement(&mut self, stmt: &'a Stmt, batch: Option<&Batch>, locals: &mut Locals) {
        match stmt {
            Stmt::Pass(_) => {}
            Stmt::Return(ret) if ret.value.is_none() => {}
            Stmt::Expr(expr) => match expr.value.as_ref() {
                // Docstrings and `...`.
                Expr::StringLiteral(_)
                | Expr::BytesLiteral(_)
                | Expr::FString(_)
                | Expr::TString(_)
                | Expr::EllipsisLiteral(_) => {}
                Expr::Call(call) => self.call(call, stmt, batch, locals),
                value if !contains_call(value, self.source) => {}
                _ => self.unknown(stmt),
            },
            Stmt::Assign(assign) => {
                self.assignment(stmt, &assign.targets, &assign.value, batch, locals)
            }
            Stmt::AnnAssign(assign) => {
                if let Some(value) = &assign.value {
                    let target = std::slice::from_ref(assign.target.as_ref());
                    self.assignment(stmt, target, value, batch, locals);
                }
            }
            Stmt::AugAssign(assign) => {
                if contains_call(&assign.target, self.source)
                    || contains_call(&assign.value, self.source)
                {
                    self.unknown(stmt);
                }
            }
            Stmt::With(with) => self.with_statement(stmt, with, locals),
            Stmt::If(branch) => {
                let is_dialect = |e: &Expr| self.is_dialect(e);
                let mut taken = None;
                match dialect::outcome(&branch.test, &is_dialect) {
                    Some(true) => taken = Some(&branch.body[..]),
                    Some(false) => {
                        for clause in &branch.elif_else_clauses {
                            let outcome = match &clause.test {
                                None => Some(true),
                                Some(test) => dialect::outcome(test, &is_dialect),
                            };
                            match outcome {
                                Some(true) => {
                                    taken = Some(&clause.body[..]);
                                    break;
                                }
                                Some(false) => continue,
                                None => return self.unknown(stmt),
                            }
                        }
                        // No branch for PostgreSQL: nothing runs.
                        taken.get_or_insert(&[]);
                    }
                    None => return self.unknown(stmt),
                }
                if let Some(body) = taken {
                    self.block(body, batch, locals);
                }
            }
            // A local helper: followed where it is called.
            Stmt::FunctionDef(def) if def.decorator_list.is_empty() => {
                self.frame.defs.insert(def.name.as_str(), def);
            }
            // Loops, conditionals, try blocks, nested defs: what runs is not static.
            _ => self.unknown(stmt),
        }
    }

    fn assignment(
        &mut self,
        stmt: &'a Stmt,
        targets: &'a [Expr],
        value: &'a Expr,
        batch: Option<&Batch>,
        locals: &mut Locals,
    ) {
        let resolved = self.values(locals).str_of(value);
        if let [Expr::Name(name)] = targets {
            let name = name.id.to_string();
            self.frame.binds.remove(&name);
            self.frame.enums.remove(&name);
            self.frame.dialects.remove(&name);
            if self.is_dialect(value) {
                locals.remove(&name);
                self.frame.dialects.insert(name);
                return;
            }
            if self.is_bind(value) {
                locals.remove(&name);
                self.frame.binds.insert(name);
                return;
            }
            if let Expr::Call(call) = value {
                if enums::is_enum_call(value) {
                    locals.remove(&name);
                    self.frame.enums.insert(name, call);
                    return;
                }
            }
        }
        for target in targets {
            if let Expr::Name(name) = target {
                match &resolved {
                    Some(text) => {
                        locals.insert(name.id.to_string(), text.clone());
                    }
                    // A rebound name no longer holds the constant.
                    None => {
                        locals.remove(name.id.as_str());
                    }
                }
            }
        }
        if resolved.is_some() && targets.iter().all(Expr::is_name_expr) {
            return;
        }
        if let ([_], Expr::Call(call)) = (targets, value) {
            // `users = op.create_table(...)` (kept for bulk_insert).
            return self.call(call, stmt, batch, locals);
        }
        if contains_call(value, self.source) {
            self.unknown(stmt);
        }
    }

    fn with_statement(&mut self, stmt: &'a Stmt, with: &'a StmtWith, locals: &mut Locals) {
        // `with op.get_context().autocommit_block():` runs its body outside
        // the migration's transaction (`CREATE INDEX CONCURRENTLY`): same effects.
        if let [item] = with.items.as_slice() {
            let text = self.source.text(&item.context_expr);
            if item.optional_vars.is_none() && text == "op.get_context().autocommit_block()" {
                return self.block(&with.body, None, locals);
            }
        }
        let batch = match with.items.as_slice() {
            [item] => self.batch_context(item, locals),
            _ => None,
        };
        match batch {
            Some(batch) => self.block(&with.body, Some(&batch), locals),
            None => self.unknown(stmt),
        }
    }

    /// `op.batch_alter_table("t", schema="s") as batch_op`.
    fn batch_context(&self, item: &WithItem, locals: &Locals) -> Option<Batch> {
        let Expr::Name(alias) = item.optional_vars.as_deref()? else {
            return None;
        };
        let Expr::Call(call) = &item.context_expr else {
            return None;
        };
        let Expr::Attribute(func) = call.func.as_ref() else {
            return None;
        };
        let on_op = matches!(func.value.as_ref(), Expr::Name(n) if n.id.as_str() == "op");
        if !on_op || func.attr.as_str() != "batch_alter_table" {
            return None;
        }
        let bound = bind(split_args(call), &[&["table_name"]], &["schema"])?;
        let values = self.values(locals);
        Some(Batch {
            alias: alias.id.to_string(),
            table: TableRef {
                schema: values.optional(bound.get("schema"))?,
                name: values.str_of(bound.get("table_name")?)?,
            },
        })
    }

    /// A call statement; `statement` is what an unknown effect quotes (the
    /// whole `x = op.get_bind()`, not only the call).
    fn call(
        &mut self,
        call: &'a ExprCall,
        statement: &'a Stmt,
        batch: Option<&Batch>,
        locals: &Locals,
    ) {
        if is_harmless_call(&call.func, self.source) {
            return;
        }
        if self.helper(call, locals) {
            return;
        }
        let receiver = match call.func.as_ref() {
            Expr::Attribute(attribute) => Some(attribute.value.as_ref()),
            _ => None,
        };
        let method = last_segment(&call.func);
        if let Some(object) = receiver {
            if self.connection_call(object, method, call, statement, locals) {
                return;
            }
        }
        let receiver = receiver.map(|r| self.source.text(r));
        let in_batch = batch.filter(|b| Some(b.alias.as_str()) == receiver);
        let values = self.values(locals);
        let kind = if receiver == Some("op") {
            op_call(&values, method, call, None)
        } else if in_batch.is_some() {
            op_call(&values, method, call, in_batch)
        } else {
            None
        };
        let line = self.source.line_of(call);
        match kind {
            Some(kind) => {
                if receiver == Some("op") && method == "create_table" {
                    // SQLAlchemy creates a column's enum type before the table.
                    for created in enums::created_by_columns(&values, call) {
                        self.effects.push(Effect {
                            line,
                            kind: created,
                        });
                    }
                }
                self.effects.push(Effect { line, kind })
            }
            None if receiver == Some("op") && method == "execute" => {
                self.raw_sql(call, statement, locals)
            }
            None => self.unknown(statement),
        }
    }

    /// `conn.dialect.name`, `op.get_context().dialect.name`, or a name bound to one.
    fn is_dialect(&self, expr: &Expr) -> bool {
        if let Expr::Name(name) = expr {
            return self.frame.dialects.contains(name.id.as_str());
        }
        let is_source = |base: &Expr| {
            self.is_bind(base)
                || matches!(
                    self.source.text(base),
                    "op.get_context()" | "context.get_context()" | "op.get_bind().engine"
                )
        };
        dialect::is_dialect_name(expr, &is_source)
    }

    /// `op.get_bind()` or a name bound to it.
    fn is_bind(&self, expr: &Expr) -> bool {
        match expr {
            Expr::Name(name) => self.frame.binds.contains(name.id.as_str()),
            Expr::Call(call) => {
                call.arguments.is_empty() && self.source.text(call.func.as_ref()) == "op.get_bind"
            }
            _ => false,
        }
    }

    /// `conn.execute(…)` / `op.get_bind().exec_driver_sql(…)` (raw SQL) and
    /// `sa.Enum(...).create(bind)` / `.drop(bind)` (an enum type). `true`
    /// when handled.
    fn connection_call(
        &mut self,
        object: &'a Expr,
        method: &str,
        call: &'a ExprCall,
        statement: &'a Stmt,
        locals: &Locals,
    ) -> bool {
        if self.is_bind(object) && matches!(method, "execute" | "exec_driver_sql") {
            self.raw_sql(call, statement, locals);
            return true;
        }
        let enum_call = match object {
            Expr::Name(name) => self.frame.enums.get(name.id.as_str()).copied(),
            Expr::Call(inner) if enums::is_enum_call(object) => Some(inner),
            _ => None,
        };
        let Some(enum_call) = enum_call else {
            return false;
        };
        let on_bind = call.arguments.args.first().is_some_and(|a| self.is_bind(a))
            || call
                .arguments
                .find_keyword("bind")
                .is_some_and(|k| self.is_bind(&k.value));
        if !on_bind || !matches!(method, "create" | "drop") {
            return false;
        }
        let values = self.values(locals);
        let kind = match enums::enum_type(&values, enum_call, false) {
            Some(EffectKind::CreateEnum { schema, name, .. }) if method == "drop" => {
                EffectKind::DropObject {
                    object: ObjectRef {
                        kind: ObjectKind::Type,
                        schema,
                        name,
                        table: None,
                    },
                }
            }
            Some(created) => created,
            None => return false,
        };
        self.effects.push(Effect {
            line: self.source.line_of(call),
            kind,
        });
        true
    }

    /// The SQL of `op.execute(…)` / `conn.execute(…)`: its statements' effects
    /// when it is a constant string, else unknown.
    fn raw_sql(&mut self, call: &'a ExprCall, statement: &'a Stmt, locals: &Locals) {
        let sql = call
            .arguments
            .args
            .first()
            .and_then(|arg| self.values(locals).sql_text(arg));
        let Some(sql) = sql else {
            return self.unknown_sql(statement, None);
        };
        let line = self.source.line_of(call);
        let text = shorten(self.source.text(statement));
        for kind in raw_sql::effects(&sql, &text) {
            self.effects.push(Effect { line, kind });
        }
    }

    /// A call of a function defined in the same file, followed as if inlined:
    /// its string arguments (and literal defaults) bound to its parameters,
    /// a connection passed in still a connection. `false` (an unknown call)
    /// for other calls, `*args`, recursion, or beyond [`HELPER_DEPTH_MAX`].
    fn helper(&mut self, call: &'a ExprCall, locals: &Locals) -> bool {
        let Expr::Name(name) = call.func.as_ref() else {
            return false;
        };
        // A function defined in the one being read sees its names (a closure).
        let nested = self.frame.defs.get(name.id.as_str()).copied();
        let Some(def) = nested.or_else(|| self.defs.get(name.id.as_str()).copied()) else {
            return false;
        };
        let name = def.name.as_str();
        if self.stack.len() >= HELPER_DEPTH_MAX
            || self.stack.contains(&name)
            || name == "upgrade"
            || call.arguments.args.iter().any(Expr::is_starred_expr)
            || call.arguments.keywords.iter().any(|k| k.arg.is_none())
        {
            return false;
        }
        let parameters = &def.parameters;
        let positional = parameters.posonlyargs.iter().chain(&parameters.args);
        let (mut inner, mut frame) = match nested {
            Some(_) => (locals.clone(), self.frame.clone()),
            None => (Locals::new(), Frame::default()),
        };
        let values = self.values(locals);
        let mut bind_param = |param: &str, arg: Option<&'a Expr>| {
            let Some(arg) = arg else { return };
            if let Some(text) = values.str_of(arg) {
                inner.insert(param.to_string(), text);
            } else if self.is_bind(arg) {
                frame.binds.insert(param.to_string());
            } else if let (Expr::Call(enum_call), true) = (arg, enums::is_enum_call(arg)) {
                frame.enums.insert(param.to_string(), enum_call);
            } else if let Expr::Name(passed) = arg {
                if let Some(enum_call) = self.frame.enums.get(passed.id.as_str()) {
                    frame.enums.insert(param.to_string(), enum_call);
                }
            }
        };
        let mut args = call.arguments.args.iter();
        for param in positional.clone() {
            let keyword = call
                .arguments
                .find_keyword(param.parameter.name.as_str())
                .map(|k| &k.value);
            let arg = args.next().or(keyword).or(param.default.as_deref());
            bind_param(param.parameter.name.as_str(), arg);
        }
        for param in &parameters.kwonlyargs {
            let keyword = call
                .arguments
                .find_keyword(param.parameter.name.as_str())
                .map(|k| &k.value);
            bind_param(
                param.parameter.name.as_str(),
                keyword.or(param.default.as_deref()),
            );
        }
        self.stack.push(name);
        let outer = std::mem::replace(&mut self.frame, frame);
        self.block(&def.body, None, &mut inner);
        self.frame = outer;
        self.stack.pop();
        true
    }
}

/// One `op.<method>(...)` or `batch_op.<method>(...)` call; `None` when not understood.
fn op_call(
    values: &Values,
    method: &str,
    call: &ExprCall,
    batch: Option<&Batch>,
) -> Option<EffectKind> {
    let op = Op { values, batch };
    let args = split_args(call);
    match method {
        "create_table" if batch.is_none() => tables::create_table(&op, args),
        "drop_table" if batch.is_none() => tables::drop_table(&op, args),
        "rename_table" if batch.is_none() => tables::rename_table(&op, args),
        "add_column" => columns::add_column(&op, args),
        "drop_column" => columns::drop_column(&op, args),
        "alter_column" => columns::alter_column(&op, args),
        "create_index" => indexes::create_index(&op, args),
        "drop_index" => indexes::drop_index(&op, args),
        "create_unique_constraint" => constraints::create_keyed(&op, args, ConstraintKind::Unique),
        "create_primary_key" => constraints::create_keyed(&op, args, ConstraintKind::PrimaryKey),
        "create_check_constraint" => constraints::create_check(&op, args),
        "create_foreign_key" => constraints::create_foreign_key(&op, args),
        "drop_constraint" => constraints::drop_constraint(&op, args),
        _ => None,
    }
}

/// The parameter of the table an operation applies to.
const TABLE: Param = &["table_name"];
/// The keyword of its schema.
const SCHEMA: &str = "schema";

/// What every operation reader needs: argument values and the batch block, if any.
struct Op<'v, 'a, 'b> {
    values: &'v Values<'a, 'b>,
    batch: Option<&'v Batch>,
}

impl Op<'_, '_, '_> {
    /// Alembic's parameters for this call: in a batch block the table argument
    /// is implied and must be left out.
    fn params(&self, full: &[Param]) -> Vec<Param> {
        full.iter()
            .copied()
            .filter(|p| self.batch.is_none() || !matches!(p[0], "table_name" | "source_table"))
            .collect()
    }

    /// The table of the call: the batch block's, or `table_name` + `schema`.
    fn table_of(&self, bound: &Bound) -> Option<TableRef> {
        if let Some(b) = self.batch {
            return Some(b.table.clone());
        }
        Some(TableRef {
            schema: self.values.optional(bound.get(SCHEMA))?,
            name: self.values.str_of(bound.get("table_name")?)?,
        })
    }
}

#[cfg(test)]
mod tests;
