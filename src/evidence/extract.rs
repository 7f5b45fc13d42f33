//! Static extraction of a migration's `upgrade()` effects with the real Python
//! grammar (tree-sitter): the file is never imported or executed.

use super::model::*;
use std::collections::HashMap;
use tree_sitter::{Node, Parser};

/// Longest `Unknown` call text kept, in characters.
const UNKNOWN_TEXT_MAX: usize = 80;

/// Read the module-level `def upgrade(...)` of a migration and list what it does.
///
/// `downgrade()` is never read. Calls that cannot be understood statically
/// (raw SQL, data changes, conditionals, helpers) become [`EffectKind::Unknown`].
pub fn extract_upgrade_effects(source: &str) -> Extraction {
    let mut parser = Parser::new();
    parser
        .set_language(&tree_sitter_python::LANGUAGE.into())
        .expect("tree-sitter-python is built for the linked tree-sitter version");
    let Some(tree) = parser.parse(source, None) else {
        return Extraction {
            syntax_error: Some(1),
            ..Extraction::default()
        };
    };
    let root = tree.root_node();
    let syntax_error = if root.has_error() {
        Some(first_error_line(root))
    } else {
        None
    };

    let src = source.as_bytes();
    let mut module_consts = HashMap::new();
    let mut upgrade = None;
    for stmt in named_children(root) {
        match stmt.kind() {
            "expression_statement" => {
                if let Some((name, value)) = string_constant(stmt, src, &module_consts) {
                    module_consts.insert(name, value);
                }
            }
            // A later definition replaces an earlier one, as in Python.
            "function_definition" if is_upgrade(stmt, src) => upgrade = Some(stmt),
            "decorated_definition" => {
                if let Some(def) = stmt.child_by_field_name("definition") {
                    if def.kind() == "function_definition" && is_upgrade(def, src) {
                        upgrade = Some(def);
                    }
                }
            }
            _ => {}
        }
    }

    let mut extractor = Extractor {
        src,
        module_consts,
        effects: Vec::new(),
    };
    if let Some(body) = upgrade.and_then(|def| def.child_by_field_name("body")) {
        let mut locals = HashMap::new();
        extractor.block(body, None, &mut locals);
    }
    Extraction {
        effects: extractor.effects,
        has_upgrade: upgrade.is_some(),
        syntax_error,
    }
}

fn is_upgrade(def: Node, src: &[u8]) -> bool {
    def.child_by_field_name("name")
        .is_some_and(|n| text(n, src) == "upgrade")
}

fn first_error_line(node: Node) -> u32 {
    if node.is_error() || node.is_missing() {
        return line_of(node);
    }
    for child in children(node) {
        if child.has_error() {
            return first_error_line(child);
        }
    }
    line_of(node)
}

fn named_children(node: Node) -> Vec<Node> {
    let mut cursor = node.walk();
    node.named_children(&mut cursor)
        .filter(|c| c.kind() != "comment")
        .collect()
}

fn children(node: Node) -> Vec<Node> {
    let mut cursor = node.walk();
    node.children(&mut cursor).collect()
}

fn text<'s>(node: Node, src: &'s [u8]) -> &'s str {
    node.utf8_text(src).unwrap_or("")
}

fn line_of(node: Node) -> u32 {
    u32::try_from(node.start_position().row + 1).unwrap_or(u32::MAX)
}

/// `NAME = "literal"` (optionally annotated) → (NAME, literal).
fn string_constant(
    stmt: Node,
    src: &[u8],
    consts: &HashMap<String, String>,
) -> Option<(String, String)> {
    let assignment = named_children(stmt).into_iter().next()?;
    if assignment.kind() != "assignment" {
        return None;
    }
    let left = assignment.child_by_field_name("left")?;
    let right = assignment.child_by_field_name("right")?;
    if left.kind() != "identifier" {
        return None;
    }
    let value = eval_str(right, src, consts, &HashMap::new())?;
    Some((text(left, src).to_string(), value))
}

/// The value of a Python string literal, `None` for f-strings with
/// interpolations or byte strings.
fn string_literal(node: Node, src: &[u8]) -> Option<String> {
    if node.kind() == "concatenated_string" {
        let mut out = String::new();
        for part in named_children(node) {
            out.push_str(&string_literal(part, src)?);
        }
        return Some(out);
    }
    if node.kind() != "string" {
        return None;
    }
    if named_children(node)
        .iter()
        .any(|c| c.kind() == "interpolation")
    {
        return None;
    }
    let raw = text(node, src);
    let quote_at = raw.find(['"', '\''])?;
    let prefix = raw[..quote_at].to_ascii_lowercase();
    if prefix.contains('b') {
        return None;
    }
    let body = &raw[quote_at..];
    let quote_len = if body.starts_with("\"\"\"") || body.starts_with("'''") {
        3
    } else {
        1
    };
    if body.len() < 2 * quote_len {
        return None;
    }
    let inner = &body[quote_len..body.len() - quote_len];
    if prefix.contains('r') {
        Some(inner.to_string())
    } else {
        Some(unescape(inner))
    }
}

/// The common Python escapes; anything else is kept verbatim.
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('\\') => out.push('\\'),
            Some('\'') => out.push('\''),
            Some('"') => out.push('"'),
            Some('\n') => {}
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

/// A string-valued expression: literal, known constant, `op.f("x")`, `conv("x")`.
fn eval_str(
    node: Node,
    src: &[u8],
    consts: &HashMap<String, String>,
    locals: &HashMap<String, String>,
) -> Option<String> {
    match node.kind() {
        "string" | "concatenated_string" => string_literal(node, src),
        "identifier" => {
            let name = text(node, src);
            locals.get(name).or_else(|| consts.get(name)).cloned()
        }
        "parenthesized_expression" => eval_str(
            named_children(node).into_iter().next()?,
            src,
            consts,
            locals,
        ),
        "call" => {
            let func = node.child_by_field_name("function")?;
            if matches!(last_segment(func, src), "f" | "conv") {
                let args = named_children(node.child_by_field_name("arguments")?);
                if args.len() == 1 {
                    return eval_str(args[0], src, consts, locals);
                }
            }
            None
        }
        _ => None,
    }
}

/// `sa.types.String` → `String`; `Column` → `Column`.
fn last_segment<'s>(func: Node, src: &'s [u8]) -> &'s str {
    match func.kind() {
        "attribute" => func
            .child_by_field_name("attribute")
            .map(|a| text(a, src))
            .unwrap_or(""),
        "identifier" => text(func, src),
        _ => "",
    }
}

fn shorten(raw: &str) -> String {
    let collapsed = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.chars().count() <= UNKNOWN_TEXT_MAX {
        collapsed
    } else {
        let mut cut: String = collapsed.chars().take(UNKNOWN_TEXT_MAX - 1).collect();
        cut.push('…');
        cut
    }
}

/// Arguments of a call, split into positional and keyword.
struct Args<'t> {
    positional: Vec<Node<'t>>,
    keywords: Vec<(String, Node<'t>)>,
    /// `*args` / `**kwargs`: arguments we cannot see.
    has_splat: bool,
}

fn split_args<'t>(call: Node<'t>, src: &[u8]) -> Option<Args<'t>> {
    let list = call.child_by_field_name("arguments")?;
    if list.kind() != "argument_list" {
        return None;
    }
    let mut args = Args {
        positional: Vec::new(),
        keywords: Vec::new(),
        has_splat: false,
    };
    for arg in named_children(list) {
        match arg.kind() {
            "keyword_argument" => {
                let name = arg.child_by_field_name("name")?;
                let value = arg.child_by_field_name("value")?;
                args.keywords.push((text(name, src).to_string(), value));
            }
            "list_splat" | "dictionary_splat" => args.has_splat = true,
            _ => args.positional.push(arg),
        }
    }
    Some(args)
}

/// Arguments bound to Alembic's parameter names.
struct Bound<'t> {
    named: HashMap<&'static str, Node<'t>>,
    /// Positional arguments beyond the declared parameters (`create_table` columns).
    rest: Vec<Node<'t>>,
}

impl<'t> Bound<'t> {
    fn get(&self, name: &str) -> Option<Node<'t>> {
        self.named.get(name).copied()
    }
}

/// A parameter: canonical name first, then older spellings Alembic accepted.
type Param = &'static [&'static str];

fn bind<'t>(args: Args<'t>, params: &[Param], keywords: &[&'static str]) -> Option<Bound<'t>> {
    if args.has_splat {
        return None;
    }
    let mut named = HashMap::new();
    let mut positional = args.positional.into_iter();
    for param in params {
        match positional.next() {
            Some(node) => {
                named.insert(param[0], node);
            }
            None => break,
        }
    }
    let rest: Vec<Node> = positional.collect();
    for (key, value) in args.keywords {
        let canonical = params
            .iter()
            .find(|p| p.contains(&key.as_str()))
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

/// The table implied by `with op.batch_alter_table(...) as alias:`.
struct Batch {
    alias: String,
    table: TableRef,
}

struct Extractor<'s> {
    src: &'s [u8],
    module_consts: HashMap<String, String>,
    effects: Vec<Effect>,
}

/// Calls with no schema effect that are common in migrations.
fn is_harmless_call(func: Node, src: &[u8]) -> bool {
    match func.kind() {
        "identifier" => text(func, src) == "print",
        "attribute" => func.child_by_field_name("object").is_some_and(|o| {
            let name = text(o, src).to_ascii_lowercase();
            // `logger`, `_logger`, `log`, `LOG`, `logging`, `warnings`.
            name.ends_with("logger")
                || matches!(name.as_str(), "log" | "_log" | "logging" | "warnings")
        }),
        _ => false,
    }
}

fn contains_call(node: Node) -> bool {
    node.kind() == "call" || children(node).into_iter().any(contains_call)
}

impl<'s> Extractor<'s> {
    fn unknown(&mut self, node: Node) {
        self.effects.push(Effect {
            line: line_of(node),
            kind: EffectKind::Unknown {
                text: shorten(text(node, self.src)),
            },
        });
    }

    fn str_of(&self, node: Node, locals: &HashMap<String, String>) -> Option<String> {
        eval_str(node, self.src, &self.module_consts, locals)
    }

    /// A string or `None` (Python `None` → `Some(None)`).
    fn opt_str_of(&self, node: Node, locals: &HashMap<String, String>) -> Option<Option<String>> {
        if node.kind() == "none" {
            return Some(None);
        }
        self.str_of(node, locals).map(Some)
    }

    fn str_list(&self, node: Node, locals: &HashMap<String, String>) -> Option<Vec<String>> {
        match node.kind() {
            "list" | "tuple" => named_children(node)
                .into_iter()
                .map(|item| self.str_of(item, locals))
                .collect(),
            _ => self.str_of(node, locals).map(|s| vec![s]),
        }
    }

    fn block(&mut self, block: Node, batch: Option<&Batch>, locals: &mut HashMap<String, String>) {
        for stmt in named_children(block) {
            self.statement(stmt, batch, locals);
        }
    }

    fn statement(
        &mut self,
        stmt: Node,
        batch: Option<&Batch>,
        locals: &mut HashMap<String, String>,
    ) {
        match stmt.kind() {
            "pass_statement" => {}
            "return_statement" if named_children(stmt).is_empty() => {}
            "expression_statement" => {
                let Some(expr) = named_children(stmt).into_iter().next() else {
                    return;
                };
                match expr.kind() {
                    // Docstrings and `...`.
                    "string" | "concatenated_string" | "ellipsis" => {}
                    "call" => self.call(expr, expr, batch, locals),
                    "assignment" => self.assignment(expr, batch, locals),
                    _ if !contains_call(expr) => {}
                    _ => self.unknown(stmt),
                }
            }
            "with_statement" => self.with_statement(stmt, locals),
            // Loops, conditionals, try blocks, nested defs: what runs is not static.
            _ => self.unknown(stmt),
        }
    }

    fn assignment(
        &mut self,
        assignment: Node,
        batch: Option<&Batch>,
        locals: &mut HashMap<String, String>,
    ) {
        let (Some(left), Some(right)) = (
            assignment.child_by_field_name("left"),
            assignment.child_by_field_name("right"),
        ) else {
            return self.unknown(assignment);
        };
        if left.kind() == "identifier" {
            let name = text(left, self.src).to_string();
            match self.str_of(right, locals) {
                Some(value) => {
                    locals.insert(name, value);
                    return;
                }
                None => {
                    // A rebound name no longer holds the constant.
                    locals.remove(&name);
                }
            }
        }
        if right.kind() == "call" {
            // `users = op.create_table(...)` (kept for bulk_insert).
            return self.call(right, assignment, batch, locals);
        }
        if contains_call(right) {
            self.unknown(assignment);
        }
    }

    fn with_statement(&mut self, stmt: Node, locals: &mut HashMap<String, String>) {
        let items: Vec<Node> = stmt
            .named_child(0)
            .filter(|c| c.kind() == "with_clause")
            .map(named_children)
            .unwrap_or_default();
        let body = stmt.child_by_field_name("body");
        let inner = match (items.as_slice(), body) {
            ([item], Some(body)) => self.batch_context(*item, locals).map(|b| (b, body)),
            _ => None,
        };
        match inner {
            Some((inner_batch, body)) => self.block(body, Some(&inner_batch), locals),
            None => self.unknown(stmt),
        }
    }

    /// `op.batch_alter_table("t", schema="s") as batch_op`.
    fn batch_context(&self, item: Node, locals: &HashMap<String, String>) -> Option<Batch> {
        let pattern = item.child_by_field_name("value")?;
        if pattern.kind() != "as_pattern" {
            return None;
        }
        let call = named_children(pattern).into_iter().next()?;
        let alias = pattern.child_by_field_name("alias")?;
        let alias_name = named_children(alias)
            .into_iter()
            .next()
            .filter(|n| n.kind() == "identifier")
            .map(|n| text(n, self.src).to_string())
            .or_else(|| {
                (alias.kind() == "identifier").then(|| text(alias, self.src).to_string())
            })?;
        if call.kind() != "call" {
            return None;
        }
        let func = call.child_by_field_name("function")?;
        if func.kind() != "attribute"
            || last_segment(func, self.src) != "batch_alter_table"
            || func
                .child_by_field_name("object")
                .map(|o| text(o, self.src))
                != Some("op")
        {
            return None;
        }
        let bound = bind(split_args(call, self.src)?, &[&["table_name"]], &["schema"])?;
        let table = self.str_of(bound.get("table_name")?, locals)?;
        let schema = match bound.get("schema") {
            Some(s) => self.opt_str_of(s, locals)?,
            None => None,
        };
        Some(Batch {
            alias: alias_name,
            table: TableRef {
                schema,
                name: table,
            },
        })
    }

    /// A call statement; `statement` is what an unknown effect quotes (the
    /// whole `x = op.get_bind()`, not only the call).
    fn call(
        &mut self,
        call: Node,
        statement: Node,
        batch: Option<&Batch>,
        locals: &HashMap<String, String>,
    ) {
        let Some(func) = call.child_by_field_name("function") else {
            return self.unknown(statement);
        };
        if is_harmless_call(func, self.src) {
            return;
        }
        let receiver = (func.kind() == "attribute")
            .then(|| func.child_by_field_name("object"))
            .flatten()
            .map(|o| text(o, self.src));
        let method = last_segment(func, self.src);
        let in_batch = batch.filter(|b| Some(b.alias.as_str()) == receiver);
        let kind = if receiver == Some("op") {
            self.op_call(method, call, None, locals)
        } else if in_batch.is_some() {
            self.op_call(method, call, in_batch, locals)
        } else {
            None
        };
        match kind {
            Some(kind) => self.effects.push(Effect {
                line: line_of(call),
                kind,
            }),
            None => self.unknown(statement),
        }
    }

    /// One `op.<method>(...)` or `batch_op.<method>(...)` call; `None` when not understood.
    fn op_call(
        &self,
        method: &str,
        call: Node,
        batch: Option<&Batch>,
        locals: &HashMap<String, String>,
    ) -> Option<EffectKind> {
        const TABLE: Param = &["table_name"];
        const SCHEMA: &str = "schema";
        let args = split_args(call, self.src)?;
        // In a batch block the table argument is implied and must be left out.
        let params = |full: &[Param]| -> Vec<Param> {
            if batch.is_some() {
                full.iter()
                    .copied()
                    .filter(|p| !matches!(p[0], "table_name" | "source_table"))
                    .collect()
            } else {
                full.to_vec()
            }
        };
        let table_of = |bound: &Bound| -> Option<TableRef> {
            if let Some(b) = batch {
                return Some(b.table.clone());
            }
            let name = self.str_of(bound.get("table_name")?, locals)?;
            let schema = match bound.get(SCHEMA) {
                Some(s) => self.opt_str_of(s, locals)?,
                None => None,
            };
            Some(TableRef { schema, name })
        };

        match method {
            "create_table" if batch.is_none() => {
                let bound = bind(args, &[&["table_name", "name"]], &[SCHEMA])?;
                let table = table_of(&bound)?;
                let mut columns = Vec::new();
                let mut constraints = Vec::new();
                for item in &bound.rest {
                    let item_call = (item.kind() == "call").then_some(*item)?;
                    let name = last_segment(item_call.child_by_field_name("function")?, self.src);
                    if name == "Column" {
                        columns.push(self.column(item_call, locals)?);
                    } else {
                        constraints.push(self.table_constraint(item_call, name, locals)?);
                    }
                }
                // Column-level primary_key=True makes an unnamed primary key.
                if !constraints
                    .iter()
                    .any(|c| c.kind == ConstraintKind::PrimaryKey)
                {
                    let pk: Vec<String> = columns
                        .iter()
                        .filter(|c| c.primary_key)
                        .map(|c| c.name.clone())
                        .collect();
                    if !pk.is_empty() {
                        constraints.push(ConstraintSpec {
                            kind: ConstraintKind::PrimaryKey,
                            name: None,
                            columns: pk,
                            references: None,
                            condition: None,
                            on_delete: None,
                            on_update: None,
                        });
                    }
                }
                Some(EffectKind::CreateTable {
                    table,
                    columns,
                    constraints,
                })
            }
            "drop_table" if batch.is_none() => {
                let bound = bind(args, &[&["table_name", "name"]], &[SCHEMA])?;
                Some(EffectKind::DropTable {
                    table: table_of(&bound)?,
                })
            }
            "rename_table" if batch.is_none() => {
                let bound = bind(args, &[&["old_table_name"], &["new_table_name"]], &[SCHEMA])?;
                let old = self.str_of(bound.get("old_table_name")?, locals)?;
                let new_name = self.str_of(bound.get("new_table_name")?, locals)?;
                let schema = match bound.get(SCHEMA) {
                    Some(s) => self.opt_str_of(s, locals)?,
                    None => None,
                };
                Some(EffectKind::RenameTable {
                    table: TableRef { schema, name: old },
                    new_name,
                })
            }
            "add_column" => {
                let bound = bind(args, &params(&[TABLE, &["column"]]), &[SCHEMA])?;
                let column_call = bound.get("column").filter(|c| c.kind() == "call")?;
                Some(EffectKind::AddColumn {
                    table: table_of(&bound)?,
                    column: self.column(column_call, locals)?,
                })
            }
            "drop_column" => {
                let bound = bind(args, &params(&[TABLE, &["column_name"]]), &[SCHEMA])?;
                Some(EffectKind::DropColumn {
                    table: table_of(&bound)?,
                    column: self.str_of(bound.get("column_name")?, locals)?,
                })
            }
            "create_index" => {
                let bound = bind(
                    args,
                    &params(&[&["index_name", "name"], TABLE, &["columns"]]),
                    &[SCHEMA, "unique"],
                )?;
                let unique = match bound.get("unique") {
                    Some(u) => bool_of(u)?,
                    None => false,
                };
                // Functional indexes (sa.text(...) items) keep their columns unverified.
                let columns = self
                    .str_list(bound.get("columns")?, locals)
                    .unwrap_or_default();
                Some(EffectKind::CreateIndex {
                    table: table_of(&bound)?,
                    name: self.str_of(bound.get("index_name")?, locals)?,
                    columns,
                    unique,
                })
            }
            "drop_index" => {
                let bound = bind(args, &params(&[&["index_name", "name"], TABLE]), &[SCHEMA])?;
                let name = self.str_of(bound.get("index_name")?, locals)?;
                let (table, schema) = match batch {
                    Some(b) => (Some(b.table.name.clone()), b.table.schema.clone()),
                    None => {
                        let table = match bound.get("table_name") {
                            Some(t) => self.opt_str_of(t, locals)?,
                            None => None,
                        };
                        let schema = match bound.get(SCHEMA) {
                            Some(s) => self.opt_str_of(s, locals)?,
                            None => None,
                        };
                        (table, schema)
                    }
                };
                Some(EffectKind::DropIndex {
                    table,
                    schema,
                    name,
                })
            }
            "create_unique_constraint" | "create_primary_key" => {
                let bound = bind(
                    args,
                    &params(&[
                        &["constraint_name", "name"],
                        &["table_name", "source"],
                        &["columns", "local_cols", "cols"],
                    ]),
                    &[SCHEMA],
                )?;
                let kind = if method == "create_primary_key" {
                    ConstraintKind::PrimaryKey
                } else {
                    ConstraintKind::Unique
                };
                Some(EffectKind::CreateConstraint {
                    table: table_of(&bound)?,
                    constraint: ConstraintSpec {
                        kind,
                        name: self.opt_str_of(bound.get("constraint_name")?, locals)?,
                        columns: self.str_list(bound.get("columns")?, locals)?,
                        references: None,
                        condition: None,
                        on_delete: None,
                        on_update: None,
                    },
                })
            }
            "create_check_constraint" => {
                let bound = bind(
                    args,
                    &params(&[
                        &["constraint_name", "name"],
                        &["table_name", "source"],
                        &["condition"],
                    ]),
                    &[SCHEMA],
                )?;
                let condition = bound.get("condition")?;
                Some(EffectKind::CreateConstraint {
                    table: table_of(&bound)?,
                    constraint: ConstraintSpec {
                        kind: ConstraintKind::Check,
                        name: self.opt_str_of(bound.get("constraint_name")?, locals)?,
                        columns: Vec::new(),
                        references: None,
                        condition: self.sql_text(condition, locals),
                        on_delete: None,
                        on_update: None,
                    },
                })
            }
            "create_foreign_key" => {
                let full: &[Param] = &[
                    &["constraint_name", "name"],
                    &["source_table", "source"],
                    &["referent_table", "referent"],
                    &["local_cols"],
                    &["remote_cols"],
                ];
                let bound = bind(
                    args,
                    &params(full),
                    &["source_schema", "referent_schema", "ondelete", "onupdate"],
                )?;
                let on_delete = match bound.get("ondelete") {
                    Some(v) => self.opt_str_of(v, locals)?.map(|a| a.to_uppercase()),
                    None => None,
                };
                let on_update = match bound.get("onupdate") {
                    Some(v) => self.opt_str_of(v, locals)?.map(|a| a.to_uppercase()),
                    None => None,
                };
                let table = match batch {
                    Some(b) => b.table.clone(),
                    None => TableRef {
                        name: self.str_of(bound.get("source_table")?, locals)?,
                        schema: match bound.get("source_schema") {
                            Some(s) => self.opt_str_of(s, locals)?,
                            None => None,
                        },
                    },
                };
                let referent = self.str_of(bound.get("referent_table")?, locals)?;
                let referent_schema = match bound.get("referent_schema") {
                    Some(s) => self.opt_str_of(s, locals)?,
                    None => None,
                };
                Some(EffectKind::CreateConstraint {
                    table,
                    constraint: ConstraintSpec {
                        kind: ConstraintKind::ForeignKey,
                        name: self.opt_str_of(bound.get("constraint_name")?, locals)?,
                        columns: self.str_list(bound.get("local_cols")?, locals)?,
                        references: Some(match referent_schema {
                            Some(s) => format!("{s}.{referent}"),
                            None => referent,
                        }),
                        condition: None,
                        on_delete,
                        on_update,
                    },
                })
            }
            "drop_constraint" => {
                let bound = bind(
                    args,
                    &params(&[&["constraint_name", "name"], TABLE, &["type_", "type"]]),
                    &[SCHEMA],
                )?;
                let kind = match bound.get("type_") {
                    Some(t) => match self.opt_str_of(t, locals)? {
                        Some(t) => Some(ConstraintKind::from_alembic_type(&t)?),
                        None => None,
                    },
                    None => None,
                };
                Some(EffectKind::DropConstraint {
                    table: table_of(&bound)?,
                    name: self.str_of(bound.get("constraint_name")?, locals)?,
                    kind,
                })
            }
            "alter_column" => {
                let bound = bind(
                    args,
                    &params(&[TABLE, &["column_name"]]),
                    &[
                        SCHEMA,
                        "nullable",
                        "type_",
                        "new_column_name",
                        "server_default",
                    ],
                )?;
                let nullable = match bound.get("nullable") {
                    Some(n) if n.kind() == "none" => None,
                    Some(n) => Some(bool_of(n)?),
                    None => None,
                };
                let type_ = bound.get("type_").map(|t| match map_type(t, self.src) {
                    Some(mapped) => TypeChange::Mapped(mapped),
                    None => TypeChange::Unmapped(shorten(text(t, self.src))),
                });
                let new_name = match bound.get("new_column_name") {
                    Some(n) => self.opt_str_of(n, locals)?,
                    None => None,
                };
                // `server_default=False` is Alembic's "leave unchanged" sentinel.
                let server_default = match bound.get("server_default") {
                    Some(d) if d.kind() == "false" => None,
                    Some(d) => Some(self.default_of(d, locals)),
                    None => None,
                };
                Some(EffectKind::AlterColumn {
                    table: table_of(&bound)?,
                    column: self.str_of(bound.get("column_name")?, locals)?,
                    nullable,
                    type_,
                    new_name,
                    server_default,
                })
            }
            _ => None,
        }
    }

    /// `sa.Column("name", sa.Type(...), nullable=..., server_default=..., primary_key=...)`.
    fn column(&self, call: Node, locals: &HashMap<String, String>) -> Option<ColumnSpec> {
        let func = call.child_by_field_name("function")?;
        if last_segment(func, self.src) != "Column" {
            return None;
        }
        let args = split_args(call, self.src)?;
        if args.has_splat {
            return None;
        }
        let mut positional = args.positional.into_iter().peekable();
        let mut name = match positional.peek() {
            Some(first)
                if matches!(
                    first.kind(),
                    "string" | "concatenated_string" | "identifier"
                ) =>
            {
                let value = self.str_of(*first, locals);
                if value.is_some() {
                    positional.next();
                }
                value
            }
            _ => None,
        };
        // The type is the first positional that is not a column option object.
        let mut type_node = positional.find(|p| {
            let head = if p.kind() == "call" {
                p.child_by_field_name("function")
                    .map(|f| last_segment(f, self.src))
                    .unwrap_or("")
            } else {
                ""
            };
            !matches!(
                head,
                "ForeignKey" | "Sequence" | "Identity" | "Computed" | "FetchedValue"
            )
        });
        let mut nullable = None;
        let mut server_default = None;
        let mut primary_key = false;
        for (key, value) in &args.keywords {
            match key.as_str() {
                "name" => name = Some(self.str_of(*value, locals)?),
                "type_" => type_node = Some(*value),
                "nullable" => nullable = Some(bool_of(*value)?),
                "primary_key" => primary_key = bool_of(*value)?,
                "server_default" => server_default = Some(self.default_of(*value, locals)),
                _ => {}
            }
        }
        Some(ColumnSpec {
            name: name?,
            data_type: type_node.and_then(|t| map_type(t, self.src)),
            nullable: nullable.unwrap_or(!primary_key),
            server_default: server_default.filter(|d| *d != DefaultSpec::Null),
            primary_key,
        })
    }

    /// `sa.PrimaryKeyConstraint(...)` and friends inside `op.create_table`.
    fn table_constraint(
        &self,
        call: Node,
        kind_name: &str,
        locals: &HashMap<String, String>,
    ) -> Option<ConstraintSpec> {
        let kind = match kind_name {
            "PrimaryKeyConstraint" => ConstraintKind::PrimaryKey,
            "UniqueConstraint" => ConstraintKind::Unique,
            "CheckConstraint" => ConstraintKind::Check,
            "ForeignKeyConstraint" => ConstraintKind::ForeignKey,
            _ => return None,
        };
        let args = split_args(call, self.src)?;
        if args.has_splat {
            return None;
        }
        let mut name = None;
        let mut keyword_columns = None;
        let mut keyword_refs = None;
        let mut keyword_condition = None;
        let mut on_delete: Option<String> = None;
        let mut on_update: Option<String> = None;
        for (key, value) in &args.keywords {
            match key.as_str() {
                "name" => name = self.opt_str_of(*value, locals)?,
                "columns" => keyword_columns = Some(self.str_list(*value, locals)?),
                "refcolumns" => keyword_refs = Some(self.str_list(*value, locals)?),
                "sqltext" => keyword_condition = Some(*value),
                "ondelete" => on_delete = self.opt_str_of(*value, locals)?,
                "onupdate" => on_update = self.opt_str_of(*value, locals)?,
                _ => {}
            }
        }
        let mut spec = ConstraintSpec {
            kind,
            name,
            columns: Vec::new(),
            references: None,
            condition: None,
            on_delete: on_delete.map(|a| a.to_uppercase()),
            on_update: on_update.map(|a| a.to_uppercase()),
        };
        match kind {
            ConstraintKind::PrimaryKey | ConstraintKind::Unique => {
                spec.columns = args
                    .positional
                    .iter()
                    .map(|p| self.str_of(*p, locals))
                    .collect::<Option<_>>()?;
            }
            ConstraintKind::Check => {
                let condition = args.positional.first().copied().or(keyword_condition)?;
                spec.condition = self.sql_text(condition, locals);
            }
            ConstraintKind::ForeignKey => {
                let mut positional = args.positional.iter();
                spec.columns = match keyword_columns {
                    Some(c) => c,
                    None => self.str_list(*positional.next()?, locals)?,
                };
                let refs = match keyword_refs {
                    Some(r) => r,
                    None => self.str_list(*positional.next()?, locals)?,
                };
                // "schema.table.column" → "schema.table".
                spec.references = refs
                    .first()
                    .and_then(|r| r.rsplit_once('.'))
                    .map(|(table, _)| table.to_string());
            }
        }
        Some(spec)
    }

    /// SQL text of `"x"`, `sa.text("x")`, `sa.literal_column("x")`.
    fn sql_text(&self, node: Node, locals: &HashMap<String, String>) -> Option<String> {
        if let Some(s) = self.str_of(node, locals) {
            return Some(s);
        }
        if node.kind() == "call" {
            let func = node.child_by_field_name("function")?;
            if matches!(last_segment(func, self.src), "text" | "literal_column") {
                let args = named_children(node.child_by_field_name("arguments")?);
                return self.str_of(*args.first()?, locals);
            }
        }
        None
    }

    fn default_of(&self, node: Node, locals: &HashMap<String, String>) -> DefaultSpec {
        if node.kind() == "none" {
            return DefaultSpec::Null;
        }
        if let Some(sql) = self.sql_text(node, locals) {
            return DefaultSpec::Sql(sql);
        }
        if node.kind() == "call" {
            if let Some(func) = node.child_by_field_name("function") {
                let no_args = node
                    .child_by_field_name("arguments")
                    .is_some_and(|a| named_children(a).is_empty());
                let name = last_segment(func, self.src);
                let through_func = func.child_by_field_name("object").is_some_and(|o| {
                    last_segment(o, self.src) == "func" || text(o, self.src) == "func"
                });
                if no_args && matches!(name, "true" | "false") {
                    return DefaultSpec::Sql(name.to_string());
                }
                if no_args && through_func {
                    return DefaultSpec::Sql(format!("{name}()"));
                }
            }
        }
        DefaultSpec::Opaque(shorten(text(node, self.src)))
    }
}

fn bool_of(node: Node) -> Option<bool> {
    match node.kind() {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

fn int_of(node: Node, src: &[u8]) -> Option<u32> {
    (node.kind() == "integer")
        .then(|| text(node, src).replace('_', "").parse().ok())
        .flatten()
}

/// Map a SQLAlchemy type expression to PostgreSQL `format_type` text.
/// `None` when the type is not known (it is then not checked).
pub(crate) fn map_type(node: Node, src: &[u8]) -> Option<String> {
    let (head, args) = match node.kind() {
        "call" => (
            node.child_by_field_name("function")?,
            split_args(node, src)?,
        ),
        "attribute" | "identifier" => (
            node,
            Args {
                positional: Vec::new(),
                keywords: Vec::new(),
                has_splat: false,
            },
        ),
        _ => return None,
    };
    let name = last_segment(head, src);
    let keyword = |key: &str| {
        args.keywords
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| *v)
    };
    let arg =
        |index: usize, key: &str| keyword(key).or_else(|| args.positional.get(index).copied());
    let int_arg = |index: usize, key: &str| arg(index, key).and_then(|n| int_of(n, src));
    let timezone = arg(0, "timezone").and_then(bool_of).unwrap_or(false);
    let zone = if timezone { "with" } else { "without" };

    let mapped = match name {
        "String" | "VARCHAR" | "Unicode" | "NVARCHAR" => match int_arg(0, "length") {
            Some(n) => format!("character varying({n})"),
            None => "character varying".to_string(),
        },
        "CHAR" | "NCHAR" => format!("character({})", int_arg(0, "length").unwrap_or(1)),
        "Text" | "TEXT" | "UnicodeText" => "text".to_string(),
        "Integer" | "INTEGER" | "INT" => "integer".to_string(),
        "BigInteger" | "BIGINT" => "bigint".to_string(),
        "SmallInteger" | "SMALLINT" => "smallint".to_string(),
        "Boolean" | "BOOLEAN" => "boolean".to_string(),
        "DateTime" | "TIMESTAMP" => match keyword("precision").and_then(|p| int_of(p, src)) {
            Some(p) => format!("timestamp({p}) {zone} time zone"),
            None => format!("timestamp {zone} time zone"),
        },
        "Time" | "TIME" => format!("time {zone} time zone"),
        "Date" | "DATE" => "date".to_string(),
        "Numeric" | "NUMERIC" | "DECIMAL" => match (int_arg(0, "precision"), int_arg(1, "scale")) {
            (Some(p), Some(s)) => format!("numeric({p},{s})"),
            (Some(p), None) => format!("numeric({p},0)"),
            _ => "numeric".to_string(),
        },
        "Float" | "FLOAT" => match int_arg(0, "precision") {
            Some(p) if p <= 24 => "real".to_string(),
            _ => "double precision".to_string(),
        },
        "REAL" => "real".to_string(),
        "Double" | "DOUBLE" | "DOUBLE_PRECISION" => "double precision".to_string(),
        "JSONB" => "jsonb".to_string(),
        "JSON" => "json".to_string(),
        "UUID" | "Uuid" => "uuid".to_string(),
        "LargeBinary" | "BYTEA" => "bytea".to_string(),
        "Interval" | "INTERVAL" => "interval".to_string(),
        "INET" => "inet".to_string(),
        "CIDR" => "cidr".to_string(),
        "MACADDR" => "macaddr".to_string(),
        "CITEXT" => "citext".to_string(),
        "TSVECTOR" => "tsvector".to_string(),
        "ARRAY" => format!("{}[]", map_type(arg(0, "item_type")?, src)?),
        _ => return None,
    };
    Some(mapped)
}

#[cfg(test)]
mod tests;
