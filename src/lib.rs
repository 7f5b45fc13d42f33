//! driftcheck: tell a team that a PostgreSQL database has drifted from its
//! Alembic migrations, or from another environment, before it hurts them.
//!
//! Data flow (see the design contract in README.md): a check is
//! `plan` (flags + environment + `config`, decided once) → `observe`
//! (`database` read-only snapshots, `secrets` for production credentials) →
//! `check` (report: `migrations` graph, `diagnosis`, `compare` → `report`
//! model) → `outputs` (`render` terminal/markdown/JSON, `incident` RIS drafts,
//! GitHub Actions, `notify` alerts).

pub mod check;
pub mod cli;
pub mod commands;
pub mod compare;
pub mod config;
pub mod database;
pub mod diagnosis;
pub mod escape;
pub mod evidence;
pub mod exit;
pub mod explain;
pub mod fsutil;
pub mod gate;
pub mod incident;
pub mod logging;
pub mod migrations;
pub mod notify;
pub mod observe;
pub mod outputs;
pub mod plan;
pub mod python;
pub mod render;
pub mod report;
pub mod schema;
pub mod secrets;
pub mod signals;
