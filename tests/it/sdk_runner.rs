//! `tests/sdk/run.sh`, the official SDK's checks, when the SDK cannot be
//! installed: a failure under CI (which reaches PyPI), a visible skip elsewhere.

use std::process::{Command, Output};

/// Runs the script with a `python3` that always fails, as on a machine
/// without PyPI or without the venv module; `ci` sets `CI=true`.
fn run_without_the_sdk(ci: bool) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let python = bin.join("python3");
    std::fs::write(&python, "#!/bin/sh\nexit 1\n").unwrap();
    std::fs::set_permissions(&python, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/sdk/run.sh");
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let mut cmd = Command::new("bash");
    cmd.arg(script).arg(env!("CARGO_BIN_EXE_csms")).env("PATH", path).env("CSMS_SDK_VENV", dir.path().join("venv"));
    if ci {
        cmd.env("CI", "true");
    } else {
        cmd.env_remove("CI");
    }
    cmd.output().unwrap()
}

#[test]
fn without_the_sdk_the_checks_fail_under_ci() {
    let out = run_without_the_sdk(true);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("huaweicloudsdkcsms could not be installed from PyPI, and CI=true"), "{stderr}");
}

#[test]
fn without_the_sdk_the_checks_are_a_visible_skip_elsewhere() {
    let out = run_without_the_sdk(false);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("SKIPPED the official SDK checks"), "{stderr}");
}
