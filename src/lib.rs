//! csms: a terminal UI, a CLI and a local emulator for Huawei Cloud's Cloud
//! Secret Management Service.

pub mod app;
pub mod bounded;
pub mod cli;
pub mod config;
pub mod csms;
pub mod discovery;
pub mod emulator;
pub mod journal;
pub mod listing;
pub mod logging;
pub mod names_cache;
pub mod printable;
pub mod private_file;
pub mod remembered;
pub mod signals;
pub mod state_dir;
pub mod timefmt;
pub mod tui;
pub mod ui;
pub mod worker;
pub mod workspace;
