//! The integration tests, in one binary so the library is linked once: each
//! module drives the real `csms` binary or a real `csms serve` on loopback.

mod common;

mod bounded_input;
mod cli;
mod config_init;
mod emulator_api;
mod emulator_tokens;
mod fidelity;
mod hardening;
mod hostile_answers;
mod hostile_names;
mod lifecycle;
mod many_projects;
mod project_lookup;
mod resilience;
mod resilience_props;
mod sdk_runner;
mod tls;
mod tui_e2e;
