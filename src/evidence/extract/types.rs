//! SQLAlchemy column types (`sa.String(255)`, `postgresql.JSONB`, ...) mapped
//! to PostgreSQL `format_type` text, so a column's type can be compared with
//! the catalog.

use super::args::{bool_of, int_of, last_segment, split_args, Args};
use ruff_python_ast::Expr;

/// Map a SQLAlchemy type expression to PostgreSQL `format_type` text.
/// `None` when the type is not known (it is then not checked).
pub(super) fn map_type(expr: &Expr) -> Option<String> {
    let (head, args) = match expr {
        Expr::Call(call) => (call.func.as_ref(), split_args(call)),
        Expr::Attribute(_) | Expr::Name(_) => (expr, Args::none()),
        _ => return None,
    };
    let keyword = |key: &str| {
        args.keywords
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| *v)
    };
    let arg =
        |index: usize, key: &str| keyword(key).or_else(|| args.positional.get(index).copied());
    let int_arg = |index: usize, key: &str| arg(index, key).and_then(int_of);
    let timezone = arg(0, "timezone").and_then(bool_of).unwrap_or(false);
    let zone = if timezone { "with" } else { "without" };

    let mapped = match last_segment(head) {
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
        "DateTime" | "TIMESTAMP" => match keyword("precision").and_then(int_of) {
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
        "ARRAY" => format!("{}[]", map_type(arg(0, "item_type")?)?),
        _ => return None,
    };
    Some(mapped)
}
