//! What a migration's `upgrade()` does, as plain data.

use serde::Serialize;

/// The statically extracted effects of one migration's `upgrade()`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Extraction {
    /// Effects in source order.
    pub effects: Vec<Effect>,
    /// Whether a module-level `def upgrade(...)` was found.
    pub has_upgrade: bool,
    /// 1-based line of the first syntax error, when the file does not parse cleanly.
    pub syntax_error: Option<u32>,
}

/// One schema operation, with the 1-based line it starts on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Effect {
    pub line: u32,
    pub kind: EffectKind,
}

/// A table reference: `schema` is `None` when the migration relies on the default schema.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TableRef {
    pub schema: Option<String>,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ColumnSpec {
    pub name: String,
    /// PostgreSQL `format_type` text; `None` when the SQLAlchemy type has no known mapping.
    pub data_type: Option<String>,
    pub nullable: bool,
    pub server_default: Option<DefaultSpec>,
    pub primary_key: bool,
}

/// A `server_default=` argument.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum DefaultSpec {
    /// `server_default=None`: no default.
    Null,
    /// A literal or `sa.text(...)` / `sa.func.f()` with a known SQL text.
    Sql(String),
    /// An expression we cannot turn into SQL text.
    Opaque(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConstraintKind {
    PrimaryKey,
    Unique,
    Check,
    ForeignKey,
}

impl ConstraintKind {
    /// The `kind` text used in [`crate::schema::Constraint`].
    pub fn catalog_kind(self) -> &'static str {
        match self {
            ConstraintKind::PrimaryKey => "primary_key",
            ConstraintKind::Unique => "unique",
            ConstraintKind::Check => "check",
            ConstraintKind::ForeignKey => "foreign_key",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ConstraintKind::PrimaryKey => "primary key",
            ConstraintKind::Unique => "unique constraint",
            ConstraintKind::Check => "check constraint",
            ConstraintKind::ForeignKey => "foreign key",
        }
    }

    /// `type_=` of `op.drop_constraint`.
    pub fn from_alembic_type(text: &str) -> Option<Self> {
        match text {
            "primary" => Some(ConstraintKind::PrimaryKey),
            "unique" => Some(ConstraintKind::Unique),
            "check" => Some(ConstraintKind::Check),
            "foreignkey" => Some(ConstraintKind::ForeignKey),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConstraintSpec {
    pub kind: ConstraintKind,
    /// `None` for unnamed constraints (the database generates a name).
    pub name: Option<String>,
    /// Constrained columns, empty for check constraints.
    pub columns: Vec<String>,
    /// Referenced table of a foreign key, as written (`table` or `schema.table`).
    pub references: Option<String>,
    /// SQL text of a check condition, when literal.
    pub condition: Option<String>,
    /// `ondelete=` / `onupdate=` of a foreign key, upper-cased (`CASCADE`).
    pub on_delete: Option<String>,
    pub on_update: Option<String>,
}

/// `type_=` of `op.alter_column`: absent, a mapped type, or a type we cannot map.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum TypeChange {
    Mapped(String),
    Unmapped(String),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum EffectKind {
    CreateTable {
        table: TableRef,
        columns: Vec<ColumnSpec>,
        constraints: Vec<ConstraintSpec>,
    },
    DropTable {
        table: TableRef,
    },
    RenameTable {
        table: TableRef,
        new_name: String,
    },
    AddColumn {
        table: TableRef,
        column: ColumnSpec,
    },
    DropColumn {
        table: TableRef,
        column: String,
    },
    CreateIndex {
        table: TableRef,
        name: String,
        columns: Vec<String>,
        unique: bool,
        /// Every key as SQL text, when one is an expression (`lower(label)`):
        /// compared with the catalog's definition after normalisation.
        #[serde(skip_serializing_if = "Option::is_none")]
        expressions: Option<Vec<String>>,
    },
    DropIndex {
        /// Table when given (`table_name=`); indexes are found by schema + name.
        table: Option<String>,
        schema: Option<String>,
        name: String,
    },
    CreateConstraint {
        table: TableRef,
        constraint: ConstraintSpec,
    },
    DropConstraint {
        table: TableRef,
        name: String,
        kind: Option<ConstraintKind>,
    },
    AlterColumn {
        table: TableRef,
        column: String,
        nullable: Option<bool>,
        type_: Option<TypeChange>,
        new_name: Option<String>,
        server_default: Option<DefaultSpec>,
    },
    /// A view, function, trigger, extension or type (not an enum) created by raw SQL.
    CreateObject {
        object: ObjectRef,
    },
    DropObject {
        object: ObjectRef,
    },
    /// `CREATE TYPE x AS ENUM (…)`, a `sa.Enum(name=…)` column of
    /// `create_table`, `sa.Enum(…).create(op.get_bind())`.
    CreateEnum {
        schema: Option<String>,
        name: String,
        /// Labels in order, when literal.
        values: Option<Vec<String>>,
    },
    /// `ALTER TYPE x ADD VALUE 'v'`.
    AddEnumValue {
        schema: Option<String>,
        name: String,
        value: String,
    },
    /// Rows read or written (`UPDATE`, `INSERT`, `DELETE`, `SELECT`): no
    /// schema change, nothing a catalog can confirm.
    DataChange {
        text: String,
    },
    /// Anything not understood: raw SQL the parser cannot read or that is not
    /// followed, conditionals, calls to functions driftcheck cannot see.
    Unknown {
        text: String,
        /// The SQL of an `op.execute("…")` whose argument is a constant
        /// string (or `sa.text("…")` of one): the statement not followed, or
        /// the whole text when it does not parse.
        #[serde(skip_serializing_if = "Option::is_none")]
        sql: Option<String>,
        /// Why it is not understood (the SQL parser's message).
        #[serde(skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
}

/// Schema objects raw SQL creates or drops besides tables, columns, indexes,
/// constraints and enums.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectKind {
    View,
    MaterializedView,
    Function,
    Trigger,
    Extension,
    /// `CREATE TYPE` other than an enum, or `DROP TYPE` (any type).
    Type,
}

impl ObjectKind {
    pub fn label(self) -> &'static str {
        match self {
            ObjectKind::View => "view",
            ObjectKind::MaterializedView => "materialized view",
            ObjectKind::Function => "function",
            ObjectKind::Trigger => "trigger",
            ObjectKind::Extension => "extension",
            ObjectKind::Type => "type",
        }
    }
}

/// A view, function, trigger, extension or type, by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ObjectRef {
    pub kind: ObjectKind,
    /// `None`: the default schema (always `None` for extensions).
    pub schema: Option<String>,
    pub name: String,
    /// The table of a trigger.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub table: Option<TableRef>,
}
