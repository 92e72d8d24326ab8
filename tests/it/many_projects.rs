//! One credential, every project: a profile with `regions` becomes one
//! target per project IAM lists for its credentials, against a real
//! `csms serve` with three regions, five reachable projects (two of them
//! sub-projects) and one it may not reach.

use crate::common;

use std::fmt::Write as _;
use std::time::Duration;

use common::*;
use csms_tui::csms::{Client, ProjectRef, RetryPolicy};

/// (name, region, id); the last is out of the key's reach.
const PROJECTS: [(&str, &str, &str); 6] = [
    ("cn-north-4", "cn-north-4", "10000000000000000000000000000001"),
    ("cn-north-4_payments", "cn-north-4", "10000000000000000000000000000002"),
    ("ap-southeast-1", "ap-southeast-1", "10000000000000000000000000000003"),
    ("ap-southeast-1_data", "ap-southeast-1", "10000000000000000000000000000004"),
    ("cn-east-3", "cn-east-3", "10000000000000000000000000000005"),
    ("cn-north-4_hidden", "cn-north-4", "10000000000000000000000000000006"),
];

fn accounts() -> String {
    let mut text = String::new();
    for (name, region, id) in PROJECTS {
        let _ = write!(text, "[[projects]]\nid = \"{id}\"\nregion = \"{region}\"\nname = \"{name}\"\n\n");
    }
    let reach = |n: usize| PROJECTS[..n].iter().map(|p| format!("\"{}\"", p.2)).collect::<Vec<_>>().join(", ");
    let _ =
        write!(text, "[[credentials]]\naccess_key = \"{AK}\"\nsecret_key = \"{SK}\"\nprojects = [{}]\n\n", reach(5));
    // The hidden project's own key, to put secrets there.
    let hidden = PROJECTS[5].2;
    let _ = write!(
        text,
        "[[credentials]]\naccess_key = \"{OTHER_AK}\"\nsecret_key = \"{OTHER_SK}\"\nprojects = [\"{hidden}\"]\n\n"
    );
    let _ = write!(
        text,
        "[[users]]\ndomain = \"{DOMAIN}\"\nname = \"{USER}\"\npassword = \"{PASSWORD}\"\nprojects = [{}]\n",
        reach(2)
    );
    text
}

/// Two secrets in each project, one of them pending deletion, named after it.
async fn populate_every_project(server: &Server) {
    for (i, (name, _, id)) in PROJECTS.iter().enumerate() {
        let (ak, sk) = if i == 5 { (OTHER_AK, OTHER_SK) } else { (AK, SK) };
        let mut options = Server::options_for(&server.url, aksk(ak, sk));
        options.project = ProjectRef::Id(id.to_string());
        options.retry =
            RetryPolicy { max_attempts: 1, base: Duration::from_millis(10), cap: Duration::from_millis(10) };
        let client = Client::new(options).unwrap();
        populate(&client, &format!("{name}-s"), 2, false).await;
        client.schedule_deletion(&format!("{name}-s-0000"), 7).await.unwrap();
    }
}

fn aksk(ak: &str, sk: &str) -> csms_tui::csms::Credentials {
    csms_tui::csms::Credentials::AkSk {
        access_key: ak.into(),
        secret_key: csms_tui::csms::Redacted::new(sk),
        security_token: None,
    }
}

/// A config with the profile `acme` (AK/SK, the lines given) and a plain `solo`.
fn config(server: &Server, acme: &str) -> std::path::PathBuf {
    let path = server.dir.path().join("config.toml");
    let text = format!(
        "[profiles.acme]\n{acme}\nendpoint = \"{url}\"\niam_endpoint = \"{url}\"\naccess_key = \"{AK}\"\n\
         secret_key_env = \"TEST_CSMS_SK\"\n\n\
         [profiles.solo]\nregion = \"cn-east-3\"\nproject_id = \"{id}\"\nendpoint = \"{url}\"\naccess_key = \"{AK}\"\n\
         secret_key_env = \"TEST_CSMS_SK\"\n",
        url = server.url,
        id = PROJECTS[4].2
    );
    std::fs::write(&path, text).unwrap();
    path
}

/// A config of one profile `name` with `regions = ["*"]` on the server and these auth lines.
fn every_region(server: &Server, name: &str, auth: &str) -> std::path::PathBuf {
    let path = server.dir.path().join("config.toml");
    let url = &server.url;
    let text =
        format!("[profiles.{name}]\nregions = [\"*\"]\nendpoint = \"{url}\"\niam_endpoint = \"{url}\"\n{auth}\n");
    std::fs::write(&path, text).unwrap();
    path
}

/// The server with every project populated, and a config whose `acme` has `regions = ["*"]`.
async fn populated_every_region() -> (Server, std::path::PathBuf) {
    let server = Server::start_with_accounts(&accounts());
    populate_every_project(&server).await;
    let config = config(&server, "regions = [\"*\"]");
    (server, config)
}

fn json(run: &CliRun) -> serde_json::Value {
    assert_eq!(run.status, 0, "{}", run.stderr);
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout))
}

fn profile_names(rows: &serde_json::Value) -> Vec<String> {
    rows.as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap().to_string()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discovery_finds_exactly_the_projects_the_key_may_reach() {
    let server = Server::start_with_accounts(&accounts());
    let config = config(&server, "regions = [\"*\"]");
    let rows = json(&csms(&config, "", &["profiles", "-o", "json"]));
    assert_eq!(
        profile_names(&rows),
        [
            "acme/ap-southeast-1",
            "acme/ap-southeast-1_data",
            "acme/cn-east-3",
            "acme/cn-north-4",
            "acme/cn-north-4_payments",
            "solo"
        ]
    );
    let payments = &rows[4];
    assert_eq!(payments["region"], "cn-north-4");
    assert_eq!(payments["project_id"], PROJECTS[1].2);

    let only = config_rows(&server, "regions = [\"cn-north-4\", \"cn-east-3\"]");
    assert_eq!(only, ["acme/cn-east-3", "acme/cn-north-4", "acme/cn-north-4_payments", "solo"]);
    let narrowed = config_rows(&server, "regions = [\"*\"]\nprojects = [\"cn-north-4_payments\"]");
    assert_eq!(narrowed, ["acme/cn-north-4_payments", "solo"]);
}

/// A listing of a profile with regions spans several projects: each row
/// says which, in the table and in `watch`, since names may repeat.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_listing_of_several_targets_names_each_rows_project() {
    let (_server, config) = populated_every_region().await;
    let table = csms(&config, "", &["list", "--profile", "acme"]);
    assert_eq!(table.status, 0, "{}", table.stderr);
    let lines: Vec<&str> = table.stdout.lines().collect();
    assert!(lines[0].starts_with("PROFILE "), "{}", table.stdout);
    let row = lines.iter().find(|l| l.contains("cn-north-4_payments-s-0001")).unwrap();
    assert!(row.starts_with("acme/cn-north-4_payments "), "{row}");
    let watch = csms(&config, "", &["watch", "--profile", "acme", "--within", "30d"]);
    assert_eq!(watch.status, 3, "{}", watch.stderr);
    assert!(watch.stdout.starts_with("PROFILE "), "{}", watch.stdout);
    assert!(watch.stdout.lines().any(|l| l.starts_with("acme/cn-east-3 ")), "{}", watch.stdout);
}

fn config_rows(server: &Server, acme: &str) -> Vec<String> {
    let config = config(server, acme);
    profile_names(&json(&csms(&config, "", &["profiles", "-o", "json"])))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_listing_covers_every_target_and_never_a_project_out_of_reach() {
    let (_server, config) = populated_every_region().await;
    let rows = json(&csms(&config, "", &["list", "--profile", "acme", "-o", "json"]));
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 10, "two secrets in each of five projects");
    assert!(rows.iter().all(|r| !r["name"].as_str().unwrap().starts_with("cn-north-4_hidden")));
    let payments: Vec<_> = rows.iter().filter(|r| r["profile"] == "acme/cn-north-4_payments").collect();
    assert_eq!(payments.len(), 2);
    assert_eq!(payments[0]["region"], "cn-north-4");
    assert_eq!(payments[0]["project_id"], PROJECTS[1].2);
    assert!(payments[0]["name"].as_str().unwrap().starts_with("cn-north-4_payments-s-"));

    let all = json(&csms(&config, "", &["list", "--all-profiles", "-o", "json"]));
    assert_eq!(all.as_array().unwrap().len(), 12, "the five targets and solo");

    let table = csms(&config, "", &["list", "--profile", "acme", "--all-profiles"]);
    assert_eq!(table.status, 0, "{}", table.stderr);
    assert!(table.stdout.contains("acme/ap-southeast-1_data"), "{}", table.stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_target_by_name_works_in_every_command() {
    let (_server, config) = populated_every_region().await;
    let target = "acme/cn-north-4_payments";
    let rows = json(&csms(&config, "", &["list", "--profile", target, "-o", "json"]));
    assert_eq!(profile_names(&rows), ["cn-north-4_payments-s-0000", "cn-north-4_payments-s-0001"]);

    let show = json(&csms(&config, "", &["show", "cn-north-4_payments-s-0000", "--profile", target, "-o", "json"]));
    assert_eq!(show["state"], "PENDING_DELETE");
    assert_eq!(show["profile"], target);

    let cancel = csms(&config, "", &["cancel-deletion", "cn-north-4_payments-s-0000", "--profile", target]);
    assert_eq!(cancel.status, 0, "{}", cancel.stderr);
    let journal = std::fs::read_to_string(journal_path(&config)).unwrap();
    let entry: serde_json::Value = serde_json::from_str(journal.lines().last().unwrap()).unwrap();
    assert_eq!(entry["profile"], target);
    assert_eq!(entry["project"], PROJECTS[1].2);
    assert_eq!(entry["region"], "cn-north-4");

    let watch = csms(&config, "", &["watch", "--profile", target]);
    assert_eq!(watch.status, 0, "nothing pending there any more: {}", watch.stderr);

    // A whole profile of several projects is not one place to act on.
    let ambiguous = csms(&config, "", &["show", "cn-north-4_payments-s-0000", "--profile", "acme"]);
    assert_eq!(ambiguous.status, 2);
    assert!(ambiguous.stderr.contains("profile 'acme' has 5 projects: name one"), "{}", ambiguous.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_target_whose_auth_fails_is_named_while_the_others_list() {
    let (server, config) = populated_every_region().await;
    let refused = PROJECTS[2].2;
    server.faults(serde_json::json!({ "error_rate": 1.0, "error_status": 401, "path_regex": refused })).await;
    let run = csms(&config, "", &["list", "--profile", "acme", "-o", "json"]);
    assert_eq!(run.status, 1, "some targets answered: {}", run.stderr);
    assert!(
        run.stderr.contains("authentication failed for profile 'acme/ap-southeast-1'"),
        "the failed target is named: {}",
        run.stderr
    );
    let rows: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 8, "the four others listed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_profile_iam_refuses_fails_alone_and_says_why() {
    let (server, config) = populated_every_region().await;
    server.faults(serde_json::json!({ "error_rate": 1.0, "error_status": 401, "path_regex": "^/v3/projects" })).await;
    let run = csms(&config, "", &["list", "--all-profiles", "-o", "json"]);
    assert_eq!(run.status, 1, "solo answered: {}", run.stderr);
    assert_eq!(run.stderr.matches("authentication failed for profile 'acme'").count(), 1, "{}", run.stderr);
    let rows: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(profile_names(&rows), ["cn-east-3-s-0000", "cn-east-3-s-0001"], "solo still lists");

    server.faults(serde_json::json!({})).await;
    let run = csms(&config, "", &["list", "--profile", "acme", "-o", "json"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_user_finds_the_projects_it_may_reach() {
    let server = Server::start_with_accounts(&accounts());
    populate_every_project(&server).await;
    let auth =
        format!("auth = \"password\"\ndomain = \"{DOMAIN}\"\nuser = \"{USER}\"\npassword_env = \"TEST_CSMS_PASSWORD\"");
    let path = every_region(&server, "ops", &auth);
    let rows = json(&csms(&path, "", &["profiles", "-o", "json"]));
    assert_eq!(profile_names(&rows), ["ops/cn-north-4", "ops/cn-north-4_payments"]);
    let listed = json(&csms(&path, "", &["list", "--profile", "ops", "-o", "json"]));
    assert_eq!(listed.as_array().unwrap().len(), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_discovery_found_is_cached_privately_and_refresh_asks_again() {
    let (server, config) = populated_every_region().await;
    assert_eq!(profile_names(&json(&csms(&config, "", &["profiles", "-o", "json"]))).len(), 6);
    let cache = state_dir(&config).join("csms-tui/targets.json");
    let text = std::fs::read_to_string(&cache).unwrap();
    assert!(text.contains("cn-north-4_payments") && text.contains(PROJECTS[1].2), "{text}");
    assert!(!text.contains(SK), "names and ids only");
    let completions = csms(&config, "", &["completions", "bash"]);
    assert!(completions.stdout.contains("acme/cn-north-4_payments"), "targets complete as last found");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&cache).unwrap().permissions().mode() & 0o777, 0o600);
    }

    // IAM refuses from now on: the listing goes on from what was found.
    server.faults(serde_json::json!({ "error_rate": 1.0, "error_status": 401, "path_regex": "^/v3/" })).await;
    let rows = json(&csms(&config, "", &["list", "--profile", "acme", "-o", "json"]));
    assert_eq!(rows.as_array().unwrap().len(), 10);

    let refreshed = json(&csms(&config, "", &["profiles", "--refresh", "-o", "json"]));
    assert_eq!(profile_names(&refreshed), ["acme", "solo"], "asked again, IAM refused: no targets");
    let error = refreshed[0]["project_error"].as_str().unwrap();
    assert!(error.contains("authentication failed"), "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_finds_every_project_its_user_may_reach() {
    let server = Server::start_with_accounts(&accounts());
    populate_every_project(&server).await;
    let body = serde_json::json!({"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "domain": {"name": DOMAIN}, "name": USER, "password": PASSWORD}}},
        "scope": {"project": {"name": "cn-north-4_payments"}}}});
    let r = reqwest::Client::new().post(format!("{}/v3/auth/tokens", server.url)).json(&body).send().await.unwrap();
    assert_eq!(r.status(), 201);
    let token = r.headers()["X-Subject-Token"].to_str().unwrap().to_string();
    let scoped: serde_json::Value = r.json().await.unwrap();
    assert_eq!(scoped["token"]["project"]["id"], PROJECTS[1].2, "scoped by name");
    let path = every_region(&server, "tok", "auth = \"token\"\ntoken_env = \"TEST_CSMS_TOKEN\"");
    let rows = json(&csms(&path, &token, &["profiles", "-o", "json"]));
    assert_eq!(profile_names(&rows), ["tok/cn-north-4", "tok/cn-north-4_payments"], "GET /v3/auth/projects");
    // A token acts on the project it is scoped to: the other target is refused, and named.
    let run = csms(&path, &token, &["list", "--profile", "tok", "-o", "json"]);
    assert_eq!(run.status, 1, "{}", run.stderr);
    assert!(run.stderr.contains("tok/cn-north-4"), "{}", run.stderr);
    let listed: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 2, "the payments project's two secrets");
}

/// The README's fenced block that contains `marker`.
fn readme_block(marker: &str) -> String {
    let readme = include_str!("../../README.md");
    readme
        .split("```")
        .skip(1)
        .step_by(2)
        .find(|b| b.contains(marker))
        .unwrap_or_else(|| panic!("no README block with {marker}"))
        .trim_start_matches("toml")
        .to_string()
}

/// The README's worked example, as written: its accounts file served, its
/// profile discovers both projects, and a listing names each row's project.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_readme_worked_example_discovers_its_two_projects() {
    let server = Server::start_with_accounts(&readme_block("name = \"cn-north-4_payments\""));
    let address = server.url.trim_start_matches("http://").to_string();
    let profile = readme_block("[profiles.lab]").replace("127.0.0.1:8090", &address);
    let config = server.dir.path().join("config.toml");
    std::fs::write(&config, profile).unwrap();
    let run = |args: &[&str]| {
        let out = csms_command(&config, "", args).env("CSMS_LAB_SK", SK).output().unwrap();
        let run = CliRun {
            status: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        };
        assert_eq!(run.status, 0, "{args:?}: {}", run.stderr);
        run
    };
    let targets = json(&run(&["profiles", "-o", "json"]));
    assert_eq!(profile_names(&targets), ["lab/cn-north-4", "lab/cn-north-4_payments"]);
    assert_eq!(targets[1]["project_id"], "9f8e7d6c5b4a39281706f5e4d3c2b1a0");
    run(&["--profile", "lab/cn-north-4", "create", "db", "--generate"]);
    run(&["--profile", "lab/cn-north-4_payments", "create", "db", "--generate"]);
    let table = run(&["--profile", "lab", "list"]).stdout;
    assert!(table.starts_with("PROFILE "), "{table}");
    assert!(table.lines().any(|l| l.starts_with("lab/cn-north-4_payments ") && l.contains(" db ")), "{table}");
    assert!(table.lines().any(|l| l.starts_with("lab/cn-north-4 ") && l.contains(" db ")), "{table}");
}

/// `regions = ["*"]` needs no `endpoint`: IAM is asked, and each target
/// takes its region's endpoint from the table.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_region_needs_no_endpoint() {
    let server = Server::start_with_accounts(&accounts());
    let config = server.dir.path().join("config.toml");
    let text = format!(
        "[profiles.acme]\nregions = [\"*\"]\niam_endpoint = \"{}\"\naccess_key = \"{AK}\"\nsecret_key_env = \"TEST_CSMS_SK\"\n",
        server.url
    );
    std::fs::write(&config, text).unwrap();
    let rows = json(&csms(&config, "", &["profiles", "--refresh", "-o", "json"]));
    assert_eq!(profile_names(&rows).len(), 5, "{rows}");
    assert_eq!(rows[4]["name"], "acme/cn-north-4_payments");
    assert_eq!(rows[4]["endpoint"], "https://kms.cn-north-4.myhuaweicloud.com", "{rows}");
}

/// A config of `afast` (key from the environment), `slow` and the profile
/// with regions `zhang` (keys from a command that takes 4 s; `zhang`'s
/// counts its runs in `runs`).
fn slow_and_fast(server: &Server, runs: &std::path::Path) -> std::path::PathBuf {
    let path = server.dir.path().join("config.toml");
    let (url, id) = (&server.url, PROJECTS[4].2);
    let plain = format!("region = \"cn-east-3\"\nproject_id = \"{id}\"\nendpoint = \"{url}\"\naccess_key = \"{AK}\"\n");
    let slow = "sleep 4; printf %s $TEST_CSMS_SK";
    let text = format!(
        "[profiles.afast]\n{plain}secret_key_env = \"TEST_CSMS_SK\"\n\n\
         [profiles.slow]\n{plain}secret_key_command = \"{slow}\"\n\n\
         [profiles.zhang]\nregions = [\"*\"]\nendpoint = \"{url}\"\niam_endpoint = \"{url}\"\naccess_key = \"{AK}\"\n\
         secret_key_command = \"echo run >> {runs}; {slow}\"\n",
        runs = runs.display()
    );
    std::fs::write(&path, text).unwrap();
    path
}

/// A command on one profile resolves that profile's credentials only, and
/// a listing of every profile writes a fast profile's rows while slow
/// credential commands still run; the targets from the cache of a profile
/// with regions run its command once, together.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_credential_command_holds_up_only_its_own_profile() {
    let server = Server::start_with_accounts(&accounts());
    populate_every_project(&server).await;
    let runs = server.dir.path().join("runs");
    let config = slow_and_fast(&server, &runs);
    // IAM is asked once, and its answer cached.
    let run = csms(&config, "", &["-p", "zhang/cn-east-3", "list"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    std::fs::remove_file(&runs).unwrap();

    let started = std::time::Instant::now();
    let run = csms(&config, "", &["-p", "afast", "show", "cn-east-3-s-0001"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(started.elapsed() < Duration::from_secs(2), "took {:?}", started.elapsed());
    assert!(!runs.exists(), "zhang's command did not run");

    let started = std::time::Instant::now();
    let mut child = csms_command(&config, "", &["-o", "json", "list", "--all-profiles"]).spawn().unwrap();
    let stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        use std::io::BufRead;
        let mut first_fast = None;
        let mut text = String::new();
        for line in std::io::BufReader::new(stdout).lines().take(10_000) {
            let line = line.unwrap();
            if first_fast.is_none() && line.contains("\"profile\": \"afast\"") {
                first_fast = Some(started.elapsed());
            }
            text.push_str(&line);
            text.push('\n');
        }
        (first_fast, text)
    });
    let pid = child.id();
    let watchdog = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(30));
        let _ = std::process::Command::new("kill").args(["-9", &pid.to_string()]).status();
    });
    let status = child.wait().unwrap();
    drop(watchdog);
    let (first_fast, text) = reader.join().unwrap();
    assert_eq!(status.code(), Some(0), "{text}");
    let first_fast = first_fast.expect("afast's rows");
    assert!(first_fast < Duration::from_secs(2), "afast's first row came after {first_fast:?}");
    let rows: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
    let profiles: std::collections::BTreeSet<&str> = rows.iter().map(|r| r["profile"].as_str().unwrap()).collect();
    assert!(profiles.contains("slow") && profiles.contains("zhang/cn-north-4_payments"), "{profiles:?}");
    assert_eq!(std::fs::read_to_string(&runs).unwrap().lines().count(), 1, "once for zhang's 5 targets");
}
