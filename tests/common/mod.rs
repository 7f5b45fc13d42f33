#![allow(dead_code)]
pub mod alembic;
pub mod cli;
pub mod cluster;
