//! The schema snapshot: one catalog query per object kind (never one per
//! table), all inside one `REPEATABLE READ READ ONLY` transaction so the
//! snapshot describes a single moment. Rows decode straight into the model.

use sqlx::postgres::{PgConnection, PgRow};
use sqlx::{Connection, Row};

use super::connect::bounded;
use super::key_columns;
use super::{connect, ConnectTarget, DbError, Timeouts, VersionTableName};
use crate::schema::{
    Column, Comment, Constraint, Domain, EnumType, EventTrigger, Extension, Function, Index, Name,
    Policy, Rule, Schema, Sequence, SharedInterner, Snapshot, Table, Trigger, UserType, View,
    Visibility, SNAPSHOT_FORMAT,
};

/// What to read and how long to wait.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    pub version_table: VersionTableName,
    /// Only these schemas (empty = all non-system schemas).
    pub include_schemas: Vec<String>,
    /// Never these schemas.
    pub exclude_schemas: Vec<String>,
    pub timeouts: Timeouts,
}

const BEGIN: &str = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";

/// A catalog query (`sql/NAME.sql`) followed by the shared filter on user
/// schemas (`sql/user_schemas.sql`: `$1` include, `$2` exclude).
macro_rules! catalog_sql {
    ($name:literal) => {
        concat!(
            include_str!(concat!("sql/", $name, ".sql")),
            include_str!("sql/user_schemas.sql")
        )
    };
}

/// Connect, read the version table and the whole schema in one read-only
/// transaction, disconnect. The result is sorted ([`Snapshot::sort`]).
/// Repeated names go through `names`, shared by the reads of one run.
pub async fn read_database(
    target: &ConnectTarget,
    options: &ReadOptions,
    names: &SharedInterner,
) -> Result<Snapshot, DbError> {
    let started = std::time::Instant::now();
    let mut conn = connect(target, &options.timeouts).await?;
    let result = bounded(
        target,
        &options.timeouts,
        read_in_transaction(&mut conn, target, options, names),
    )
    .await;
    if result.is_ok() {
        tracing::info!(
            db = %target.describe(),
            elapsed_ms = crate::logging::elapsed_ms(started),
            "read the schema snapshot"
        );
    }
    // Closing politely ends the transaction too; a failure here changes nothing
    // we read, and a server that stopped answering gets one second.
    let _ = tokio::time::timeout(std::time::Duration::from_secs(1), conn.close()).await;
    result
}

/// Read everything inside one transaction on an open driftcheck session.
pub async fn read_in_transaction(
    conn: &mut PgConnection,
    target: &ConnectTarget,
    options: &ReadOptions,
    names: &SharedInterner,
) -> Result<Snapshot, DbError> {
    let timeouts = &options.timeouts;
    sqlx::raw_sql(BEGIN)
        .execute(&mut *conn)
        .await
        .map_err(|e| target.error(e, "a read-only transaction", timeouts))?;

    let mut reader = Reader {
        conn,
        target,
        options,
        names,
    };
    // The only query run with the role's own search_path; like every other
    // one, it names each function, operator and type with its pg_catalog schema.
    let (server_version, database, taken_at, search_schemas) = reader
        .one(
            "the server version",
            include_str!("sql/session.sql"),
            |row| {
                Ok((
                    row.try_get(0)?,
                    row.try_get(1)?,
                    row.try_get(2)?,
                    row.try_get::<Vec<String>, _>(3)?,
                ))
            },
        )
        .await?;
    // From here on name resolution sees pg_catalog only (pg_dump's defence
    // since CVE-2018-1058): nothing the database holds can stand in for a
    // catalog function or operator.
    reader
        .one(
            "an empty search_path",
            include_str!("sql/empty_search_path.sql"),
            |row| row.try_get::<String, _>(0),
        )
        .await?;
    let started = std::time::Instant::now();
    let visibility = read_visibility(&mut reader).await?;
    reader.log("the role's privileges", 1, started);
    let started = std::time::Instant::now();
    let version_table = super::version_table::read(
        &mut *reader.conn,
        &options.version_table,
        &search_schemas,
        target,
        timeouts,
    )
    .await?;
    let rows = version_table.as_ref().map_or(0, |v| v.revisions.len());
    reader.log("the version table", rows, started);
    // Catalog functions print names relative to search_path, which differs per
    // user and environment; pin it (for this transaction only) so that the same
    // schema renders the same text everywhere. Only printing depends on it: the
    // queries below qualify every function, operator and type.
    reader
        .one(
            "a fixed search_path",
            include_str!("sql/pin_search_path.sql"),
            |row| row.try_get::<String, _>(0),
        )
        .await?;

    let mut snapshot = Snapshot {
        format: SNAPSHOT_FORMAT,
        server_version,
        database,
        taken_at,
        version_table,
        schemas: reader
            .all("the schemas catalog", catalog_sql!("schemas"), schema)
            .await?,
        tables: reader
            .all("the tables catalog", catalog_sql!("tables"), table)
            .await?,
        columns: reader
            .all("the columns catalog", catalog_sql!("columns"), column)
            .await?,
        constraints: reader
            .all(
                "the constraints catalog",
                catalog_sql!("constraints"),
                constraint,
            )
            .await?,
        indexes: reader
            .all("the indexes catalog", catalog_sql!("indexes"), index)
            .await?,
        sequences: reader
            .all("the sequences catalog", catalog_sql!("sequences"), sequence)
            .await?,
        views: reader
            .all("the views catalog", catalog_sql!("views"), view)
            .await?,
        enums: reader
            .all("the enums catalog", catalog_sql!("enums"), enum_type)
            .await?,
        domains: reader
            .all("the domains catalog", catalog_sql!("domains"), domain)
            .await?,
        functions: reader
            .all("the functions catalog", catalog_sql!("functions"), function)
            .await?,
        triggers: reader
            .all("the triggers catalog", catalog_sql!("triggers"), trigger)
            .await?,
        extensions: reader
            .all(
                "the extensions catalog",
                catalog_sql!("extensions"),
                extension,
            )
            .await?,
        policies: reader
            .all("the policies catalog", catalog_sql!("policies"), policy)
            .await?,
        types: reader
            .all("the types catalog", catalog_sql!("types"), user_type)
            .await?,
        rules: reader
            .all("the rules catalog", catalog_sql!("rules"), rule)
            .await?,
        event_triggers: reader
            .all(
                "the event triggers catalog",
                catalog_sql!("event_triggers"),
                event_trigger,
            )
            .await?,
        comments: reader
            .all("the comments catalog", catalog_sql!("comments"), comment)
            .await?,
        visibility: Some(visibility).filter(|v| !v.is_complete()),
    };

    sqlx::raw_sql("COMMIT")
        .execute(&mut *reader.conn)
        .await
        .map_err(|e| target.error(e, "the end of the read-only transaction", timeouts))?;
    snapshot.sort();
    Ok(snapshot)
}

/// What the role cannot see. A version table it cannot read is an error here:
/// reading past it would report the database as never stamped, or fail on a
/// bare "permission denied"; the message names the grant instead.
async fn read_visibility(reader: &mut Reader<'_>) -> Result<Visibility, DbError> {
    let table = &reader.options.version_table;
    let (role, schemas_without_usage, unreadable_version_tables): (
        String,
        Vec<String>,
        Vec<String>,
    ) = sqlx::query(include_str!("sql/visibility.sql"))
        .bind(reader.options.include_schemas.as_slice())
        .bind(reader.options.exclude_schemas.as_slice())
        .bind(&table.name)
        .bind(table.schema.as_deref())
        .try_map(|row: PgRow| Ok((row.try_get(0)?, row.try_get(1)?, row.try_get(2)?)))
        .fetch_one(&mut *reader.conn)
        .await
        .map_err(|e| {
            reader
                .target
                .error(e, "the role's privileges", &reader.options.timeouts)
        })?;
    if let Some(hidden) = unreadable_version_tables.first() {
        let schema = hidden.split('.').next().unwrap_or("public");
        return Err(DbError::Query {
            target: reader.target.describe(),
            what: format!("the version table {hidden}"),
            reason: format!(
                "role \"{role}\" may not read it; grant `USAGE ON SCHEMA {schema}` and `SELECT ON {hidden}` to it (see docs/automation.md)"
            ),
        });
    }
    Ok(Visibility {
        role,
        schemas_without_usage,
        unreadable_version_tables,
    })
}

struct Reader<'a> {
    conn: &'a mut PgConnection,
    target: &'a ConnectTarget,
    options: &'a ReadOptions,
    /// Names shared with the other reads of the run.
    names: &'a SharedInterner,
}

/// Decodes one catalog row; names that repeat across rows (schemas, tables,
/// columns, column types) go through [`Names`].
type Decode<T> = fn(&PgRow, &mut Names) -> Result<T, sqlx::Error>;

/// Names as one read decodes them: the last name of each catalog column is
/// kept (rows come table by table, so schema and table repeat from one row
/// to the next), anything else is looked up in the run's interner, locked
/// only for that lookup (the reads of a run take turns on one thread).
struct Names<'a> {
    recent: &'a mut [Option<Name>; RECENT],
    shared: &'a SharedInterner,
}

/// Catalog columns with a recent name (more only share a slot).
const RECENT: usize = 8;

impl Names<'_> {
    fn intern(&mut self, text: &str) -> Name {
        self.shared
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .intern(text)
    }
}

/// A name shared with every row of the run that holds it.
fn name(row: &PgRow, index: usize, names: &mut Names) -> Result<Name, sqlx::Error> {
    let text: &str = row.try_get(index)?;
    let slot = index % RECENT;
    if let Some(name) = &names.recent[slot] {
        if name.as_str() == text {
            return Ok(name.clone());
        }
    }
    let name = names.intern(text);
    names.recent[slot] = Some(name.clone());
    Ok(name)
}

impl Reader<'_> {
    /// One catalog query, with the schema filters as `$1` (include) and `$2` (exclude).
    async fn all<T: Send + Unpin + 'static>(
        &mut self,
        what: &str,
        sql: &'static str,
        decode: Decode<T>,
    ) -> Result<Vec<T>, DbError> {
        use futures_util::TryStreamExt;
        let started = std::time::Instant::now();
        // Rows gathered in chunks that are never grown (64 rows, then as many
        // as so far, at most 4,096), then moved once into a vector of the
        // exact size: a vector grown by doubling copies every row again at
        // each step and keeps up to half of itself as slack (measured in
        // bench/README.md).
        const CHUNK: usize = 4096;
        let mut chunks: Vec<Vec<T>> = Vec::new();
        let mut count = 0;
        let mut stream = sqlx::query(sql)
            .bind(self.options.include_schemas.as_slice())
            .bind(self.options.exclude_schemas.as_slice())
            .fetch(&mut *self.conn);
        let failed = |e| self.target.error(e, what, &self.options.timeouts);
        let mut recent = Default::default();
        while let Some(row) = stream.try_next().await.map_err(failed)? {
            let mut names = Names {
                recent: &mut recent,
                shared: self.names,
            };
            let row = decode(&row, &mut names).map_err(failed)?;
            match chunks.last_mut() {
                Some(chunk) if chunk.len() < chunk.capacity() => chunk.push(row),
                _ => {
                    let mut chunk = Vec::with_capacity(count.clamp(64, CHUNK));
                    chunk.push(row);
                    chunks.push(chunk);
                }
            }
            count += 1;
        }
        drop(stream);
        let mut rows = Vec::with_capacity(count);
        for chunk in chunks {
            rows.extend(chunk);
        }
        self.log(what, rows.len(), started);
        Ok(rows)
    }

    /// One query's timing, per target (`-v`).
    fn log(&self, what: &str, rows: usize, started: std::time::Instant) {
        tracing::info!(
            db = %self.target.describe(),
            rows,
            elapsed_ms = crate::logging::elapsed_ms(started),
            "read {what}"
        );
    }

    /// A parameterless query returning exactly one row.
    async fn one<T: Send + Unpin + 'static>(
        &mut self,
        what: &str,
        sql: &'static str,
        decode: fn(PgRow) -> Result<T, sqlx::Error>,
    ) -> Result<T, DbError> {
        let started = std::time::Instant::now();
        let row = sqlx::query(sql)
            .try_map(decode)
            .fetch_one(&mut *self.conn)
            .await
            .map_err(|e| self.target.error(e, what, &self.options.timeouts))?;
        self.log(what, 1, started);
        Ok(row)
    }
}

fn schema(row: &PgRow, _names: &mut Names) -> Result<Schema, sqlx::Error> {
    Ok(Schema {
        name: row.try_get(0)?,
        owner: row.try_get(1)?,
        acl: row.try_get(2)?,
    })
}

fn table(row: &PgRow, names: &mut Names) -> Result<Table, sqlx::Error> {
    Ok(Table {
        schema: name(row, 0, names)?,
        name: row.try_get(1)?,
        kind: row.try_get(2)?,
        partition_key: row.try_get(3)?,
        partition_of: row.try_get(4)?,
        partition_bound: row.try_get(5)?,
        rls_enabled: row.try_get(6)?,
        rls_forced: row.try_get(7)?,
        owner: row.try_get(8)?,
        acl: row.try_get(9)?,
        comment: row.try_get(10)?,
        unlogged: row.try_get(11)?,
        inherits: row.try_get(12)?,
        options: row.try_get(13)?,
        replica_identity: row.try_get(14)?,
    })
}

fn column(row: &PgRow, names: &mut Names) -> Result<Column, sqlx::Error> {
    Ok(Column {
        schema: name(row, 0, names)?,
        table: name(row, 1, names)?,
        name: name(row, 2, names)?,
        position: row.try_get(3)?,
        data_type: name(row, 4, names)?,
        nullable: row.try_get(5)?,
        default: row.try_get(6)?,
        identity: row.try_get(7)?,
        generated: row.try_get(8)?,
        collation: row.try_get(9)?,
        comment: row.try_get(10)?,
    })
}

fn constraint(row: &PgRow, names: &mut Names) -> Result<Constraint, sqlx::Error> {
    let definition: String = row.try_get(4)?;
    let columns = key_columns(row.try_get(5)?, &definition, names);
    Ok(Constraint {
        schema: name(row, 0, names)?,
        table: name(row, 1, names)?,
        name: row.try_get(2)?,
        kind: name(row, 3, names)?,
        definition,
        columns,
        references: row.try_get(6)?,
    })
}

fn index(row: &PgRow, names: &mut Names) -> Result<Index, sqlx::Error> {
    let definition: String = row.try_get(3)?;
    let columns = key_columns(row.try_get(7)?, &definition, names);
    Ok(Index {
        schema: name(row, 0, names)?,
        table: name(row, 1, names)?,
        name: row.try_get(2)?,
        definition,
        unique: row.try_get(4)?,
        primary: row.try_get(5)?,
        constraint: row.try_get(6)?,
        columns,
    })
}

/// Key columns as the catalog gave them, or else read from the definition.
/// A shape the reader does not know is logged and left without columns (the
/// evidence check then says it cannot compare them), rather than failing
/// the whole read.
fn key_columns(given: Option<Vec<String>>, definition: &str, names: &mut Names) -> Vec<Name> {
    let columns = given.or_else(|| key_columns::read(definition));
    let Some(columns) = columns else {
        tracing::warn!(
            definition = %crate::escape::visible(definition),
            "could not read the key columns from this definition"
        );
        return Vec::new();
    };
    columns.iter().map(|column| names.intern(column)).collect()
}

fn sequence(row: &PgRow, names: &mut Names) -> Result<Sequence, sqlx::Error> {
    Ok(Sequence {
        schema: name(row, 0, names)?,
        name: row.try_get(1)?,
        data_type: row.try_get(2)?,
        start: row.try_get(3)?,
        increment: row.try_get(4)?,
        min: row.try_get(5)?,
        max: row.try_get(6)?,
        cycle: row.try_get(7)?,
        owned_by: row.try_get(8)?,
        owner: row.try_get(9)?,
        acl: row.try_get(10)?,
        cache: Some(row.try_get(11)?),
    })
}

fn view(row: &PgRow, names: &mut Names) -> Result<View, sqlx::Error> {
    Ok(View {
        schema: name(row, 0, names)?,
        name: row.try_get(1)?,
        materialized: row.try_get(2)?,
        definition: row.try_get(3)?,
        owner: row.try_get(4)?,
        acl: row.try_get(5)?,
        options: row.try_get(6)?,
    })
}

fn enum_type(row: &PgRow, names: &mut Names) -> Result<EnumType, sqlx::Error> {
    Ok(EnumType {
        schema: name(row, 0, names)?,
        name: row.try_get(1)?,
        values: row.try_get(2)?,
        owner: row.try_get(3)?,
    })
}

fn domain(row: &PgRow, names: &mut Names) -> Result<Domain, sqlx::Error> {
    Ok(Domain {
        schema: name(row, 0, names)?,
        name: row.try_get(1)?,
        data_type: row.try_get(2)?,
        not_null: row.try_get(3)?,
        default: row.try_get(4)?,
        checks: row.try_get(5)?,
        owner: row.try_get(6)?,
        check_names: Some(row.try_get(7)?),
    })
}

fn function(row: &PgRow, names: &mut Names) -> Result<Function, sqlx::Error> {
    Ok(Function {
        schema: name(row, 0, names)?,
        name: row.try_get(1)?,
        arguments: row.try_get(2)?,
        kind: row.try_get(3)?,
        result: row.try_get(4)?,
        language: row.try_get(5)?,
        definition: row.try_get(6)?,
        owner: row.try_get(7)?,
        acl: row.try_get(8)?,
    })
}

fn trigger(row: &PgRow, names: &mut Names) -> Result<Trigger, sqlx::Error> {
    Ok(Trigger {
        schema: name(row, 0, names)?,
        table: name(row, 1, names)?,
        name: row.try_get(2)?,
        definition: row.try_get(3)?,
        enabled: row.try_get(4)?,
    })
}

fn extension(row: &PgRow, names: &mut Names) -> Result<Extension, sqlx::Error> {
    Ok(Extension {
        name: row.try_get(0)?,
        schema: name(row, 1, names)?,
        version: row.try_get(2)?,
    })
}

fn policy(row: &PgRow, names: &mut Names) -> Result<Policy, sqlx::Error> {
    Ok(Policy {
        schema: name(row, 0, names)?,
        table: name(row, 1, names)?,
        name: row.try_get(2)?,
        command: row.try_get(3)?,
        permissive: row.try_get(4)?,
        roles: row.try_get(5)?,
        using: row.try_get(6)?,
        with_check: row.try_get(7)?,
    })
}

fn user_type(row: &PgRow, names: &mut Names) -> Result<UserType, sqlx::Error> {
    Ok(UserType {
        schema: name(row, 0, names)?,
        name: row.try_get(1)?,
        kind: row.try_get(2)?,
        attributes: row.try_get(3)?,
        definition: row.try_get(4)?,
        owner: row.try_get(5)?,
    })
}

fn rule(row: &PgRow, names: &mut Names) -> Result<Rule, sqlx::Error> {
    Ok(Rule {
        schema: name(row, 0, names)?,
        table: name(row, 1, names)?,
        name: row.try_get(2)?,
        definition: row.try_get(3)?,
        enabled: row.try_get(4)?,
    })
}

fn event_trigger(row: &PgRow, names: &mut Names) -> Result<EventTrigger, sqlx::Error> {
    Ok(EventTrigger {
        name: row.try_get(0)?,
        schema: name(row, 1, names)?,
        event: row.try_get(2)?,
        tags: row.try_get(3)?,
        function: row.try_get(4)?,
        enabled: row.try_get(5)?,
        owner: row.try_get(6)?,
    })
}

fn comment(row: &PgRow, names: &mut Names) -> Result<Comment, sqlx::Error> {
    Ok(Comment {
        kind: row.try_get(0)?,
        object: row.try_get(1)?,
        schema: name(row, 2, names)?,
        text: row.try_get(3)?,
    })
}
