//! csms: a terminal UI, a CLI and a local emulator for Huawei Cloud's Cloud
//! Secret Management Service.

pub mod csms;
pub mod emulator;
pub mod config;
pub mod timefmt;
