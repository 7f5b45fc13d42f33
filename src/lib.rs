//! driftcheck: tell a team that a PostgreSQL database has drifted from its
//! Alembic migrations, or from another environment, before it hurts them.
//!
//! Data flow (see the design contract in README.md):
//! `migrations` (codebase graph) + `database` (read-only snapshots, `secrets`
//! for production credentials) → `diagnosis` / `compare` → `report` model →
//! `render` (terminal, markdown, JSON) and `incident` (RIS drafts).

pub mod check;
pub mod cli;
pub mod commands;
pub mod compare;
pub mod config;
pub mod database;
pub mod diagnosis;
pub mod evidence;
pub mod exit;
pub mod fsutil;
pub mod gate;
pub mod incident;
pub mod migrations;
pub mod notify;
pub mod render;
pub mod report;
pub mod schema;
pub mod secrets;
pub mod signals;
