#![allow(dead_code)]
pub mod cli;
pub mod cluster;
pub mod explained;
pub mod hook;
pub mod migrated;
pub mod proxy;
pub mod schema;
pub mod written_twice;
