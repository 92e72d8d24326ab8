//! `csms config init` on what it cannot use: a config file it cannot read,
//! and an answer that is not an environment variable's name.

use crate::common;

use common::*;

/// The answers for an AK/SK profile `lab` on `url`, the secret key's source as given.
fn answers(url: &str, secret_key_source: &str) -> String {
    format!("lab\ncn-north-4\n{url}\naksk\n{AK}\n{secret_key_source}\n{PROJECT}\ny\n")
}

#[test]
fn an_existing_config_it_cannot_read_is_named_and_left_alone() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    let unreadable = b"[profiles.old]\nregion = \"cn-north-4\"\ndescription = \"\xff\xfe\"\n".to_vec();
    std::fs::write(&config, &unreadable).unwrap();
    let input = answers(&server.url, "env TEST_CSMS_SK");
    let run = csms_with_input(&config, "", &["config", "init"], Some(input.as_bytes()));
    assert_eq!(run.status, 2, "{}", run.stderr);
    assert!(run.stderr.contains(&format!("{}: cannot read it", config.display())), "{}", run.stderr);
    assert!(run.stderr.contains("nothing was written"), "{}", run.stderr);
    assert_eq!(std::fs::read(&config).unwrap(), unreadable, "the file is as it was");
}

#[test]
fn a_secret_pasted_for_a_variable_name_is_refused_and_never_repeated() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    for pasted in [SK.to_string(), format!("env {SK}"), format!("{SK} and more")] {
        let input = answers(&server.url, &pasted);
        let run = csms_with_input(&config, "", &["config", "init"], Some(input.as_bytes()));
        assert_eq!(run.status, 2, "{pasted}: {}", run.stderr);
        assert!(!run.stderr.contains(SK), "the secret is repeated: {}", run.stderr);
        assert!(!config.exists(), "{pasted}: nothing is written");
    }
    let input = answers(&server.url, "env TEST_CSMS_SK");
    let run = csms_with_input(&config, "", &["config", "init"], Some(input.as_bytes()));
    assert_eq!(run.status, 0, "a variable's name is taken: {}", run.stderr);
}

/// A secret pasted where a variable's name belongs is refused without being
/// repeated, and the question comes again; a few refusals end it.
#[test]
fn a_refused_source_is_asked_again_a_few_times() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    let input = answers(&server.url, &format!("{SK}\nenv TEST_CSMS_SK"));
    let run = csms_with_input(&config, "", &["config", "init"], Some(input.as_bytes()));
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(run.stderr.contains("not an environment variable's name") && run.stderr.contains("try again"));
    assert!(!run.stderr.contains(SK), "the secret is repeated: {}", run.stderr);
    assert!(std::fs::read_to_string(&config).unwrap().contains("secret_key_env = \"TEST_CSMS_SK\""));

    let config = dir.path().join("other.toml");
    let input = answers(&server.url, &[SK; 3].join("\n"));
    let run = csms_with_input(&config, "", &["config", "init"], Some(input.as_bytes()));
    assert_eq!(run.status, 2, "{}", run.stderr);
    assert_eq!(run.stderr.matches("try again").count(), 2, "{}", run.stderr);
    assert!(run.stderr.contains("nothing was written") && !run.stderr.contains(SK), "{}", run.stderr);
    assert!(!config.exists());
}

/// A custom endpoint becomes the IAM endpoint too, and init says so and why.
#[test]
fn a_custom_endpoint_serving_iam_too_is_said() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    let input = answers(&server.url, "env TEST_CSMS_SK");
    let run = csms_with_input(&config, "", &["config", "init"], Some(input.as_bytes()));
    assert_eq!(run.status, 0, "{}", run.stderr);
    let said = format!("note: iam_endpoint is {} too", server.url);
    assert!(run.stderr.contains(&said) && run.stderr.contains("change iam_endpoint in"), "{}", run.stderr);
    let written = std::fs::read_to_string(&config).unwrap();
    assert!(written.contains(&format!("iam_endpoint = \"{}\"", server.url)), "{written}");
}
