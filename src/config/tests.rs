use super::*;

fn parse(text: &str) -> Result<Config, ConfigError> {
    Config::parse(Path::new("/etc/csms.toml"), text, &SdkDefaults::default())
}

const GOOD: &str = r#"
default_profile = "prod"

[profiles.prod]
region = "cn-north-4"
project_id = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
auth = "aksk"
access_key = "AK"
secret_key_env = "CSMS_SK"

[profiles.dev]
region = "ap-southeast-1"
project_id = "p2"
auth = "token"
token_command = "echo t"
read_only = true
"#;

#[test]
fn good_config_with_defaults() {
    let c = parse(GOOD).unwrap();
    let p = c.profile(None).unwrap();
    assert_eq!(p.name, "prod");
    assert_eq!(p.endpoint, "https://kms.cn-north-4.myhuaweicloud.com");
    assert_eq!(p.iam_endpoint, "https://iam.cn-north-4.myhuaweicloud.com");
    assert_eq!(p.connect_timeout, Duration::from_secs(5));
    assert!(c.profile(Some("dev")).unwrap().read_only);
    assert!(c.profile(Some("nope")).unwrap_err().contains("dev, prod"));
    assert_eq!(c.refresh_interval, Duration::from_secs(60));
}

#[test]
fn unknown_key_names_file_line_and_key() {
    let text = GOOD.replace("read_only = true", "read_onyl = true");
    let e = parse(&text).unwrap_err();
    assert_eq!(e.line, Some(16), "{e}");
    assert_eq!(e.key.as_deref(), Some("profiles.dev.read_onyl"), "{e}");
    let shown = e.to_string();
    assert!(shown.starts_with("/etc/csms.toml:16: profiles.dev.read_onyl: unknown field"), "{shown}");
}

#[test]
fn missing_region_is_located() {
    let text = "[profiles.x]\nproject_id = \"p\"\ntoken_env = \"T\"\nauth = \"token\"\n";
    let e = parse(text).unwrap_err();
    assert!(e.message.contains("missing field `region`"), "{e}");
    assert_eq!((e.line, e.key.as_deref()), (Some(1), Some("profiles.x.region")), "{e}");
}

#[test]
fn bad_values_are_located() {
    let e = parse(&GOOD.replace("auth = \"token\"", "auth = \"kerberos\"")).unwrap_err();
    assert_eq!((e.line, e.key.as_deref()), (Some(14), Some("profiles.dev.auth")), "{e}");
    assert!(e.message.contains("kerberos"));

    let e = parse(&GOOD.replace("region = \"ap-southeast-1\"", "region = \"ap-southeast-1\"\nendpoint = \"ftp:/x\""))
        .unwrap_err();
    assert_eq!(e.key.as_deref(), Some("profiles.dev.endpoint"), "{e}");

    let e = parse(&GOOD.replace("default_profile = \"prod\"", "default_profile = \"stage\"")).unwrap_err();
    assert_eq!((e.line, e.key.as_deref()), (Some(2), Some("default_profile")), "{e}");

    let e = parse(&GOOD.replace("token_command = \"echo t\"", "token_command = \"echo t\"\naccess_key = \"A\""))
        .unwrap_err();
    assert_eq!(e.key.as_deref(), Some("profiles.dev.access_key"), "{e}");
    assert!(e.message.contains("does not apply"), "{e}");

    let e = parse(&GOOD.replace("read_only = true", "read_only = \"yes\"")).unwrap_err();
    assert_eq!((e.line, e.key.as_deref()), (Some(16), Some("profiles.dev.read_only")), "{e}");

    let e = parse("[profiles.x\nregion = \"r\"\n").unwrap_err();
    assert_eq!(e.line, Some(1), "a syntax error is located too: {e}");
}

#[test]
fn aksk_without_keys_needs_the_sdk_fallback() {
    let text = "[profiles.x]\nregion = \"cn-north-4\"\nproject_id = \"p\"\n";
    let e = parse(text).unwrap_err();
    assert_eq!(e.key.as_deref(), Some("profiles.x.access_key"), "{e}");
    let sdk =
        SdkDefaults { access_key: Some("AK".into()), secret_key: Some(Redacted::new("SK")), ..SdkDefaults::default() };
    let c = Config::parse(Path::new("c.toml"), text, &sdk).unwrap();
    assert!(matches!(c.profiles["x"].auth, AuthConfig::AkSk { access_key: None, .. }));
}

#[cfg(unix)]
#[test]
fn literal_secrets_need_a_private_file() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    let text = "[profiles.x]\nregion = \"cn-north-4\"\nproject_id = \"p\"\naccess_key = \"AK\"\nsecret_key = \"SK\"\n";
    std::fs::write(&path, text).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let e = Config::load(&path).unwrap_err();
    assert!(e.message.contains("0644"), "{e}");
    assert_eq!(e.key.as_deref(), Some("profiles.x.secret_key"));
    assert!(!e.to_string().contains("SK\""), "the error never shows the secret");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    Config::load(&path).unwrap();
}

#[test]
fn debug_output_redacts_literal_secrets() {
    let text =
        "[profiles.x]\nregion = \"cn-north-4\"\nproject_id = \"p\"\naccess_key = \"AK\"\nsecret_key = \"TOPSECRET\"\n";
    let c = Config::parse(Path::new("/nonexistent/c.toml"), text, &SdkDefaults::default()).unwrap();
    assert!(!format!("{c:?}").contains("TOPSECRET"));
}

#[test]
fn the_shipped_example_parses() {
    let text = include_str!("../../assets/config.example.toml");
    let sdk = SdkDefaults { project_id: Some("p".into()), ..SdkDefaults::default() };
    let sdk = SdkDefaults { access_key: Some("AK".into()), secret_key: Some(Redacted::new("SK")), ..sdk };
    let c = Config::parse(Path::new("config.example.toml"), text, &sdk).unwrap();
    assert_eq!(c.profiles.len(), 4);
    assert!(c.profiles["staging"].read_only);
}

#[test]
fn an_unknown_region_is_a_config_error_unless_the_endpoint_is_named() {
    let e = parse("[profiles.x]\nregion = \"mars-north-1\"\nproject_id = \"p\"\ntoken_env = \"T\"\nauth = \"token\"\n")
        .unwrap_err();
    assert_eq!(e.key.as_deref(), Some("profiles.x.region"));
    assert!(e.message.contains("not a region the SDKs know") && e.message.contains("cn-north-4"), "{}", e.message);
    let ok = parse(
        "[profiles.x]\nregion = \"lab-1\"\nendpoint = \"https://kms.lab\"\nproject_id = \"p\"\nauth = \"token\"\ntoken_env = \"T\"\n",
    );
    assert!(ok.is_ok(), "{:?}", ok.err());
}

#[test]
fn mouse_and_clipboard_settings() {
    let c = parse("mouse = false\nclipboard_clear_seconds = 0\n").unwrap();
    assert!(!c.mouse);
    assert!(c.clipboard_clear.is_zero());
    assert!(parse("").unwrap().mouse, "on by default");
    let e = parse("clipboard_clear_seconds = 100000\n").unwrap_err();
    assert_eq!(e.key.as_deref(), Some("clipboard_clear_seconds"));
}

#[test]
fn pages_are_as_large_as_the_service_allows_unless_a_profile_says() {
    let c = parse("[profiles.x]\nregion = \"cn-north-4\"\nproject_id = \"p\"\nauth = \"token\"\ntoken_env = \"T\"\n")
        .unwrap();
    assert_eq!(c.profiles["x"].page_size, 1000);
    let c = parse("[profiles.x]\nregion = \"cn-north-4\"\nproject_id = \"p\"\nauth = \"token\"\ntoken_env = \"T\"\npage_size = 50\n")
        .unwrap();
    assert_eq!(c.profiles["x"].page_size, 50);
    let e = parse("[profiles.x]\nregion = \"cn-north-4\"\nproject_id = \"p\"\nauth = \"token\"\ntoken_env = \"T\"\npage_size = 5000\n")
        .unwrap_err();
    assert_eq!(e.key.as_deref(), Some("profiles.x.page_size"));
}

#[test]
fn regions_expand_a_profile_and_their_mistakes_are_located() {
    let base = "[profiles.acme]\naccess_key = \"AK\"\nsecret_key_env = \"SK\"\n";
    let c = parse(&format!("{base}regions = [\"cn-north-4\", \"ap-southeast-1\"]\nprojects = [\"cn-north-4_pay\"]\n"))
        .unwrap();
    let d = c.profiles["acme"].discovery.clone().unwrap();
    assert_eq!(d.regions, Some(vec!["cn-north-4".to_string(), "ap-southeast-1".to_string()]));
    assert_eq!(d.projects, ["cn-north-4_pay"]);
    assert_eq!(c.profiles["acme"].iam_endpoint, "https://iam.cn-north-4.myhuaweicloud.com", "IAM of the first region");
    assert_eq!(c.profiles["acme"].project_id, None);

    let cases = [
        ("region = \"cn-north-4\"\nregions = [\"*\"]\n", 5, "regions", "not both"),
        ("region = \"cn-north-4\"\nprojects = [\"x\"]\n", 5, "projects", "name regions too"),
        ("regions = [\"*\", \"cn-north-4\"]\n", 4, "regions", "alone means every region"),
        ("regions = []\n", 4, "regions", "lists no region"),
        ("regions = [\"mars-1\"]\n", 4, "regions", "not a region the SDKs know"),
        ("regions = [\"*\"]\nproject_id = \"p\"\n", 5, "project_id", "keep one of the two"),
        (
            "regions = [\"*\"]\niam_endpoint = \"https://iam.{region}.lab\"\n",
            5,
            "iam_endpoint",
            "no region to be asked in",
        ),
    ];
    for (extra, line, key, says) in cases {
        let e = parse(&format!("{base}{extra}")).unwrap_err();
        assert_eq!(
            (e.line, e.key.as_deref()),
            (Some(line), Some(format!("profiles.acme.{key}").as_str())),
            "{extra}: {e}"
        );
        assert!(e.message.contains(says), "{extra}: {e}");
    }
    let e = parse("[profiles.\"a/b\"]\nregion = \"cn-north-4\"\ntoken_env = \"T\"\nauth = \"token\"\n").unwrap_err();
    assert!(e.message.contains("cannot hold '/'"), "{e}");
}

#[test]
fn endpoints_may_name_the_region() {
    let c = parse(
        "[profiles.x]\nregion = \"cn-north-4\"\nendpoint = \"https://kms.{region}.lab\"\n\
         iam_endpoint = \"https://iam.{region}.lab\"\ntoken_env = \"T\"\nauth = \"token\"\n",
    )
    .unwrap();
    assert_eq!(c.profiles["x"].endpoint, "https://kms.cn-north-4.lab");
    assert_eq!(c.profiles["x"].iam_endpoint, "https://iam.cn-north-4.lab");
}

/// The demo says how to open real profiles when the file has some, and
/// where one goes when it has none (or there is no file).
#[test]
fn the_demo_hint_points_to_profiles_that_exist() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(&path, GOOD).unwrap();
    let hint = demo_hint(Some(&path));
    assert!(hint.contains(&path.display().to_string()) || hint.contains("~/"), "{hint}");
    assert!(hint.contains("open with csms (without --demo); p picks one"), "{hint}");
    std::fs::write(&path, "default_profile = \"x\"\n").unwrap();
    assert!(demo_hint(Some(&path)).starts_with("configure a real account in "));
    assert!(demo_hint(Some(&dir.path().join("missing.toml"))).starts_with("configure a real account in "));
}
