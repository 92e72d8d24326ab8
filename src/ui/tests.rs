//! Whole screens as snapshots of ratatui's TestBackend, at a fixed clock.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::{Color, Modifier};

use super::{Theme, draw};
use crate::app::{Effect, Msg, ProfileInfo, State, View, update};
use crate::csms::model::{Millis, VersionMetadata};
use crate::csms::{CancelOutcome, Error, Secret, SecretState};
use crate::timefmt::Zone;

const NOW: Millis = 1_800_000_000_000;
const HOUR: Millis = 3_600_000;
const DAY: Millis = 24 * HOUR;

fn profiles() -> Vec<ProfileInfo> {
    vec![
        ProfileInfo {
            name: "prod".into(),
            region: "cn-north-4".into(),
            project_id: "0a1b2c3d4e5f60718293a4b5c6d7e8f9".into(),
            project_from_iam: false,
            finding: false,
            read_only: false,
            insecure_tls: false,
            endpoint: "https://kms.cn-north-4.myhuaweicloud.com".into(),
        },
        ProfileInfo {
            name: "staging".into(),
            region: "ap-southeast-1".into(),
            project_id: "ffeeddccbbaa99887766554433221100".into(),
            project_from_iam: false,
            finding: false,
            read_only: true,
            insecure_tls: true,
            endpoint: "https://kms.ap-southeast-1.myhuaweicloud.com".into(),
        },
    ]
}

fn secret(name: &str, state: SecretState, deletes_in: Option<Millis>, updated_ago: Millis) -> Secret {
    Secret {
        id: Some("5d5e6e8c-1a2b-4c3d-9e8f-0123456789ab".into()),
        state: Some(state),
        scheduled_delete_time: deletes_in.map(|d| NOW + d),
        description: Some(format!("{name} for the payments service")),
        update_time: Some(NOW - updated_ago),
        create_time: Some(NOW - 90 * DAY),
        secret_type: Some("COMMON".into()),
        ..Secret::named(name)
    }
}

fn secrets() -> Vec<Secret> {
    vec![
        secret("payments-db-password", SecretState::PendingDelete, Some(4 * 60_000 + 2_000), HOUR),
        secret("orders-api-key", SecretState::PendingDelete, Some(20 * HOUR), 3 * DAY),
        secret("billing-stripe-key", SecretState::PendingDelete, Some(2 * DAY + 6 * HOUR), 22 * HOUR),
        secret("old-ldap-bind", SecretState::PendingDelete, Some(7 * DAY - 2_000), 2 * DAY),
        secret("auth-jwt-signing-key", SecretState::Enabled, None, DAY),
        secret("warehouse-readonly", SecretState::Disabled, None, 5 * DAY),
        secret("rds-fg-rotation", SecretState::Frozen, None, 40 * 60_000),
        secret("legacy-archive", SecretState::Unknown("ARCHIVED".into()), None, 10 * DAY),
    ]
}

/// A state loaded with `secrets`, laid out for a terminal `height` rows tall.
fn state_with(secrets: Vec<Secret>, height: u16) -> State {
    let (mut state, _) = State::new(profiles(), View::Profile(0), 60_000, None, NOW - 5_000);
    update(&mut state, Msg::Loaded { generation: 1, profile: 0, result: Ok(secrets) });
    update(&mut state, Msg::Tick(NOW));
    update(&mut state, Msg::Viewport { rows: super::table_height(height), screen: (80, height) });
    state
}

fn key(state: &mut State, c: char) -> Vec<Effect> {
    update(state, Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)))
}

/// Screens show times in Beijing's zone (+08:00), whatever the machine's.
const ZONE: Zone = Zone::Fixed(chrono::FixedOffset::east_opt(8 * 3600).unwrap());

fn render(state: &State, width: u16, height: u16, theme: Theme) -> Terminal<TestBackend> {
    let mut zoned = state.clone();
    zoned.zone = ZONE;
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|f| draw(f, &zoned, &theme)).unwrap();
    // What drawing learnt of the layout (how the details scroll) is the state's, as in the UI.
    state.details_layout.set(zoned.details_layout.get());
    terminal
}

fn screen(state: &State, width: u16, height: u16) -> String {
    format!("{}", render(state, width, height, Theme { color: true }).backend())
}

macro_rules! snap {
    ($name:expr, $value:expr) => {
        insta::assert_snapshot!($name, $value);
    };
}

#[test]
fn main_table_with_pending_rows() {
    let state = state_with(secrets(), 20);
    snap!("main_110x20", screen(&state, 110, 20));
}

#[test]
fn a_fuzzy_filter_ranks_by_match_and_says_so() {
    let mut state = state_with(secrets(), 14);
    key(&mut state, '/');
    typed(&mut state, "~pky");
    press(&mut state, KeyCode::Enter);
    let screen = screen(&state, 110, 14);
    assert!(screen.contains("best match first"), "{screen}");
    snap!("fuzzy_filter_110x14", screen);
}

#[test]
fn main_table_at_80x24() {
    let state = state_with(secrets(), 24);
    snap!("main_80x24", screen(&state, 80, 24));
}

#[test]
fn a_header_too_wide_for_the_terminal_ends_in_an_ellipsis() {
    let state = state_with(secrets(), 24);
    let text = screen(&state, 80, 24);
    let second = text.lines().nth(1).unwrap().trim_matches('"');
    assert!(second.ends_with("│ fetched just …"), "{second}");
}

#[test]
fn the_footer_names_the_keys_of_the_table_as_far_as_the_width_goes() {
    let state = state_with(secrets(), 50);
    let wide = screen(&state, 200, 50);
    let keys = wide.lines().last().unwrap().to_string();
    for k in ["d delete", "n new", "u value", "e edit", "t tags", "y copy", "H history", "/ filter", "? help", "q quit"]
    {
        assert!(keys.contains(k), "{k} missing: {keys}");
    }
    snap!("main_200x50", wide);
    let narrow = screen(&state, 80, 24);
    let keys = narrow.lines().last().unwrap().to_string();
    for k in ["d delete", "n new", "u value", "e edit", "t tags", "y copy", "H history", "? help"] {
        assert!(keys.contains(k), "{k} missing at 80 columns: {keys}");
    }
}

#[test]
fn an_empty_view_says_how_to_create_a_secret() {
    let state = state_with(vec![], 24);
    let text = screen(&state, 80, 24);
    assert!(text.contains("No secrets in this view: n creates one."), "{text}");
    let keys = text.lines().last().unwrap();
    assert!(keys.contains("n new"), "{keys}");
    for needs_a_secret in ["d delete", "u value", "e edit", "t tags", "y copy"] {
        assert!(!keys.contains(needs_a_secret), "nothing is selected for {needs_a_secret}: {keys}");
    }
    snap!("empty_80x24", text);
}

#[test]
fn countdown_ticks_and_reads_due() {
    let mut state = state_with(secrets(), 24);
    update(&mut state, Msg::Tick(NOW + 1000));
    assert!(screen(&state, 80, 24).contains("00:04:01"));
    update(&mut state, Msg::Tick(NOW + 5 * 60_000));
    let text = screen(&state, 80, 24);
    assert!(text.contains(" due "), "{text}");
}

#[test]
fn confirm_dialog() {
    let mut state = state_with(secrets(), 24);
    key(&mut state, 'c');
    snap!("confirm_80x24", screen(&state, 80, 24));
}

#[test]
fn error_message_after_a_failed_cancel() {
    let mut state = state_with(secrets(), 16);
    key(&mut state, 'c');
    key(&mut state, 'y');
    let err = Error::Api {
        status: 400,
        code: Some("CSMS.0108".into()),
        message: "the secret is not scheduled for deletion".into(),
        request_id: Some("7f3c2a90b1e64d5f".into()),
        attempts: 1,
    };
    update(
        &mut state,
        Msg::CancelDone {
            profile: 0,
            name: "payments-db-password".into(),
            outcome: Box::new(CancelOutcome::Failed(err)),
            bulk: false,
        },
    );
    snap!("error_100x16", screen(&state, 100, 16));
}

#[test]
fn cancel_in_flight_row() {
    let mut state = state_with(secrets(), 12);
    key(&mut state, 'c');
    key(&mut state, 'y');
    let text = screen(&state, 100, 12);
    assert!(text.contains("cancelling…"), "{text}");
}

#[test]
fn help_screen() {
    let mut state = state_with(secrets(), 40);
    key(&mut state, '?');
    snap!("help_80x40", screen(&state, 80, 40));
}

#[test]
fn details_with_versions() {
    let mut state = state_with(secrets(), 34);
    update(&mut state, Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)));
    let versions = vec![
        VersionMetadata {
            id: "v1".into(),
            create_time: Some(NOW - 90 * DAY),
            expire_time: None,
            kms_key_id: None,
            secret_name: Some("payments-db-password".into()),
            version_stages: vec!["SYSPREVIOUS".into()],
        },
        VersionMetadata {
            id: "v2".into(),
            create_time: Some(NOW - HOUR),
            expire_time: None,
            kms_key_id: None,
            secret_name: Some("payments-db-password".into()),
            version_stages: vec!["SYSCURRENT".into()],
        },
    ];
    update(&mut state, Msg::VersionsLoaded { profile: 0, name: "payments-db-password".into(), result: Ok(versions) });
    snap!("details_90x34", screen(&state, 90, 34));
}

#[test]
fn all_profiles_view_with_a_failing_profile() {
    let mut state = state_with(secrets(), 18);
    key(&mut state, 'a');
    let generation = state.generation;
    update(&mut state, Msg::Loaded { generation, profile: 0, result: Ok(secrets()) });
    update(
        &mut state,
        Msg::Loaded {
            generation,
            profile: 1,
            result: Err("authentication failed for profile 'staging': APIGW.0301".into()),
        },
    );
    update(&mut state, Msg::Tick(NOW));
    snap!("all_profiles_100x18", screen(&state, 100, 18));
}

/// One secret reached through two profiles on the same endpoint and project
/// counts once in the header; the same name in another project counts apart.
#[test]
fn a_secret_seen_through_two_profiles_on_one_project_counts_once() {
    let mut infos = profiles();
    infos.push(ProfileInfo { name: "prod-ro".into(), read_only: true, ..infos[0].clone() });
    let (mut state, _) = State::new(infos, View::All, 60_000, None, NOW);
    let generation = state.generation;
    let one = || vec![secret("pay-db", SecretState::PendingDelete, Some(DAY), HOUR)];
    for profile in 0..3 {
        update(&mut state, Msg::Loaded { generation, profile, result: Ok(one()) });
    }
    let text = screen(&state, 120, 12);
    assert!(text.contains("2 PENDING_DELETE"), "{text}");
    assert!(text.contains("prod    pay-db") && text.contains("prod-ro pay-db"), "every profile shows its row: {text}");
}

/// Several failures in the all-profiles view: each named with why, in a word.
#[test]
fn a_health_strip_names_every_failed_profile() {
    let mut state = state_with(secrets(), 12);
    key(&mut state, 'a');
    let generation = state.generation;
    update(&mut state, Msg::Loaded { generation, profile: 0, result: Ok(secrets()) });
    key(&mut state, 'r');
    let generation = state.generation;
    let failed = |profile, health| {
        let result = Err(crate::app::health::LoadError { health, text: "whatever it was".into() });
        Msg::Loaded { generation, profile, result }
    };
    update(&mut state, failed(0, crate::app::health::Health::Unreachable));
    update(&mut state, failed(1, crate::app::health::Health::AuthFailed));
    let screen = screen(&state, 100, 12);
    let bottom = screen.lines().find(|l| l.starts_with("\"└")).unwrap();
    assert!(bottom.contains("✗ 2 of 2 failed: prod unreachable · staging auth failed"), "{screen}");
}

#[test]
fn schedule_dialog() {
    let mut state = state_with(secrets(), 24);
    key(&mut state, 'G');
    key(&mut state, 'k');
    key(&mut state, 'k');
    key(&mut state, 'k');
    key(&mut state, 'd');
    for c in "auth-jwt".chars() {
        key(&mut state, c);
    }
    snap!("schedule_80x24", screen(&state, 80, 24));
}

/// The day a deletion becomes final is counted on the server's clock, as
/// the countdowns are, not on this machine's.
#[test]
fn schedule_dialog_counts_the_window_on_the_server_clock() {
    let mut state = state_with(secrets(), 24);
    state.clock_offsets.insert(0, 7 * DAY);
    for c in ['G', 'k', 'k', 'k', 'd'] {
        key(&mut state, c);
    }
    let crate::app::Mode::Schedule { days, .. } = &state.mode else { panic!("no schedule dialog") };
    let days = days.value().unwrap();
    let text = screen(&state, 80, 24);
    let on_server = ZONE.time(NOW + 7 * DAY + days as Millis * DAY);
    assert!(text.contains(&format!("deleted for good on {on_server}")), "{text}");
}

/// A pending deletion whose time could not be read is named, first and
/// as urgent as it gets, in the row and in the details; never a blank.
#[test]
fn a_pending_deletion_of_unknown_time_is_shown_not_blank() {
    let unknown = secret("lost-time", SecretState::PendingDelete, None, HOUR);
    let mut state = state_with(vec![unknown, secret("later", SecretState::PendingDelete, Some(DAY), HOUR)], 16);
    let terminal = render(&state, 100, 16, Theme { color: true });
    let text = format!("{}", terminal.backend());
    let row = text.lines().find(|l| l.contains("lost-time")).unwrap();
    assert!(row.contains("time unknown"), "{text}");
    let first = text.lines().position(|l| l.contains("lost-time")).unwrap();
    assert!(text.lines().position(|l| l.contains("later")).unwrap() > first, "first: it may be the soonest\n{text}");
    let buf = terminal.backend().buffer();
    let y = u16::try_from(first).unwrap();
    let x = u16::try_from(row.find("time unknown").unwrap()).unwrap();
    assert_eq!(buf[(x, y)].bg, Color::Red, "as urgent as under a day");
    update(&mut state, Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)));
    let details = screen(&state, 100, 30);
    assert!(details.lines().any(|l| l.contains("deletes in") && l.contains("time unknown")), "{details}");
}

#[test]
fn pending_rows_stand_out_and_countdowns_take_colour_by_time_left() {
    let state = state_with(secrets(), 16);
    let terminal = render(&state, 100, 16, Theme { color: true });
    let buf = terminal.backend().buffer();
    let find = |needle: &str| {
        let lines: Vec<String> =
            (0..buf.area.height).map(|y| (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect()).collect();
        let y = lines.iter().position(|l| l.contains(needle)).unwrap();
        let x = lines[y].find(needle).unwrap();
        // byte offset equals column on these ASCII lines
        (u16::try_from(x).unwrap(), u16::try_from(y).unwrap())
    };
    let (x, y) = find("00:04:02");
    assert_eq!(buf[(x, y)].bg, Color::Red, "under a day: red");
    let (x, y) = find("2d 06:00:00");
    assert_eq!(buf[(x, y)].fg, Color::Indexed(214), "under three days: amber");
    let (x, y) = find("old-ldap-bind");
    assert!(buf[(x, y)].modifier.contains(Modifier::BOLD), "pending rows are bold");
    let (x, y) = find("auth-jwt-signing-key");
    assert!(!buf[(x, y)].modifier.contains(Modifier::BOLD));

    let plain = render(&state, 100, 16, Theme { color: false });
    let buf = plain.backend().buffer();
    for cell in buf.content() {
        assert_eq!((cell.fg, cell.bg), (Color::Reset, Color::Reset), "NO_COLOR: no colour at all");
    }
    let text = format!("{}", plain.backend());
    assert!(text.contains("PENDING_DELETE") && text.contains("DISABLED"), "states stay readable as text");
}

#[test]
fn the_demo_is_labelled_and_says_where_a_real_account_goes() {
    let hint = "configure a real account in ~/.config/csms-tui/config.toml".to_string();
    let (mut state, _) = State::new(profiles(), View::Profile(0), 60_000, Some(hint), NOW);
    update(&mut state, Msg::Loaded { generation: 1, profile: 0, result: Ok(secrets()) });
    let text = screen(&state, 80, 24);
    assert!(text.lines().next().unwrap().contains(" DEMO "), "{text}");
    assert!(text.contains("configure a real account in ~/.config/csms-tui/config.toml"), "{text}");
}

#[test]
fn read_only_and_unverified_profiles_are_flagged_in_the_header() {
    let (mut state, _) = State::new(profiles(), View::Profile(1), 60_000, None, NOW);
    update(&mut state, Msg::Loaded { generation: 1, profile: 1, result: Ok(secrets()) });
    let first_line = screen(&state, 100, 20).lines().next().unwrap().to_string();
    assert!(first_line.contains("READ-ONLY") && first_line.contains("TLS-UNVERIFIED"), "{first_line}");
}

/// Server text with controls and bidi overrides never reaches a cell raw,
/// in the table or in the wrapped details; it shows as `\u{..}`.
#[test]
fn server_text_cannot_reorder_or_drive_the_terminal() {
    let evil = "pay\u{202e}exe.txt\u{1b}]52;c;aGk=\u{7}\u{2066}x";
    let mut s = secret("evil\u{202e}name", SecretState::Enabled, None, HOUR);
    s.description = Some(evil.into());
    let mut state = state_with(vec![s], 24);
    for screen in ["table", "details"] {
        if screen == "details" {
            update(&mut state, Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)));
        }
        let terminal = render(&state, 100, 24, Theme { color: false });
        let buffer = terminal.backend().buffer();
        let text: String = buffer.content.iter().map(|c| c.symbol()).collect();
        assert!(!text.chars().any(crate::printable::is_unsafe), "{screen}: {text:?}");
        assert!(text.contains("evil\\u{202e}name"), "{screen} shows the override as text");
    }
}

/// A project name from IAM with a right-to-left override and mark in it is
/// drawn as `\u{..}` in the header, the picker and the dialogs that name it.
#[test]
fn target_names_cannot_reorder_the_header_picker_or_dialogs() {
    let mut hostile = profiles();
    hostile[0].name = "acme/cn-north-4_\u{202e}gnp.exe\u{200f}".into();
    let (mut state, _) = State::new(hostile, View::Profile(0), 60_000, None, NOW);
    update(&mut state, Msg::Loaded { generation: 1, profile: 0, result: Ok(secrets()) });
    update(&mut state, Msg::Tick(NOW));
    let escaped = "cn-north-4_\\u{202e}gnp.exe\\u{200f}";
    // The header names the target on every screen; the picker and the dialogs once more.
    let check = |state: &State, screen: &str, times: usize| {
        let text = format!("{}", render(state, 120, 30, Theme { color: false }).backend());
        assert!(text.contains(screen), "{screen} is open:\n{text}");
        assert_eq!(text.matches(escaped).count(), times, "{screen} shows the name escaped:\n{text}");
        assert!(!text.contains('\u{fffd}'), "{screen} escapes rather than blanks:\n{text}");
    };
    check(&state, "PENDING_DELETE", 1);
    key(&mut state, 'p');
    check(&state, "Profiles", 2);
    press(&mut state, KeyCode::Esc);
    key(&mut state, 'c');
    check(&state, "Cancel deletion?", 2);
    press(&mut state, KeyCode::Esc);
    while state.table.selected().unwrap().secret.name != "auth-jwt-signing-key" {
        key(&mut state, 'j');
    }
    key(&mut state, 'd');
    check(&state, "Schedule deletion", 2);
}

fn press(state: &mut State, code: KeyCode) {
    update(state, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

fn typed(state: &mut State, text: &str) {
    for c in text.chars() {
        key(state, c);
    }
}

/// The enabled `auth-jwt-signing-key` selected.
fn on_enabled() -> State {
    let mut state = state_with(secrets(), 24);
    while state.table.selected().unwrap().secret.name != "auth-jwt-signing-key" {
        key(&mut state, 'j');
    }
    state
}

fn two_versions() -> Vec<VersionMetadata> {
    ["v1", "v2"]
        .iter()
        .zip([&["SYSPREVIOUS"], &["SYSCURRENT"]])
        .map(|(id, stages)| VersionMetadata {
            id: id.to_string(),
            create_time: Some(NOW - DAY),
            expire_time: None,
            kms_key_id: None,
            secret_name: None,
            version_stages: stages.iter().map(|s| s.to_string()).collect(),
        })
        .collect()
}

#[test]
fn new_secret_form() {
    let mut state = state_with(secrets(), 24);
    key(&mut state, 'n');
    typed(&mut state, "db.password");
    press(&mut state, KeyCode::Tab);
    typed(&mut state, "the orders database");
    press(&mut state, KeyCode::Tab);
    typed(&mut state, "hunter2");
    let text = screen(&state, 80, 24);
    assert!(!text.contains("hunter2"), "masked");
    snap!("new_secret_80x24", text);
}

/// What is typed into `/` shows escaped in the title and the empty view's
/// message, as in the field; invisible characters in a description neither
/// vanish nor move the row's right border.
#[test]
fn filter_text_and_invisible_characters_show_escaped() {
    let odd = Secret {
        description: Some("a\u{2028}b\u{200b}c\u{feff}d".into()),
        ..secret("odd", SecretState::Enabled, None, DAY)
    };
    let mut state = state_with(vec![odd], 24);
    let shown = screen(&state, 80, 24);
    let row = shown.lines().find(|l| l.contains("odd")).unwrap();
    assert!(row.contains("a\\u{2028}b\\u{200b}c\\u{feff}d"), "{row}");
    assert!(!shown.contains('\u{fffd}'), "{shown}");
    key(&mut state, '/');
    update(&mut state, Msg::Paste(crate::csms::Redacted::new("\u{1b}x\u{202e}\u{200b}")));
    press(&mut state, KeyCode::Enter);
    let shown = screen(&state, 80, 24);
    assert!(shown.contains("filter: \\u{1b}x\\u{202e}\\u{200b}"), "{shown}");
    assert!(shown.contains("No secret matches '\\u{1b}x\\u{202e}\\u{200b}'"), "{shown}");
}

/// Thirty pasted lines scroll inside the description: the value, the length
/// and the keys stay on an 80x24 screen, and the cursor's line is in view.
#[test]
fn a_long_description_scrolls_inside_its_field() {
    let mut state = state_with(secrets(), 24);
    key(&mut state, 'n');
    typed(&mut state, "many-lines");
    press(&mut state, KeyCode::Tab);
    let text: Vec<String> = (1..=30).map(|i| format!("line {i}")).collect();
    update(&mut state, Msg::Paste(crate::csms::Redacted::new(text.join("\r"))));
    for _ in 0..3 {
        press(&mut state, KeyCode::Up);
    }
    let shown = screen(&state, 80, 24);
    for visible in ["line 23", "line 27", "value", "length", "enter"] {
        assert!(shown.contains(visible), "{visible}:\n{shown}");
    }
    assert!(!shown.contains("line 22 ") && !shown.contains("line 28"), "{shown}");
    snap!("new_secret_long_description_80x24", shown);
    press(&mut state, KeyCode::Esc);
    let notes = Secret { description: Some(text.join("\n")), ..secret("notes", SecretState::Enabled, None, DAY) };
    let mut state = state_with(vec![notes], 24);
    key(&mut state, 'e');
    snap!("describe_long_80x24", screen(&state, 80, 24));
}

#[test]
fn new_value_form_and_its_confirmation() {
    let mut state = on_enabled();
    key(&mut state, 'u');
    let name = "auth-jwt-signing-key".to_string();
    update(&mut state, Msg::VersionsLoaded { profile: 0, name, result: Ok(two_versions()) });
    typed(&mut state, "hunter2");
    snap!("new_value_80x24", screen(&state, 80, 24));
    press(&mut state, KeyCode::Enter);
    let text = screen(&state, 80, 24);
    assert!(text.contains("creates v3 as SYSCURRENT; v2 becomes SYSPREVIOUS") && !text.contains("hunter2"));
    snap!("put_value_confirm_80x24", text);
}

#[test]
fn describe_tags_and_copy_dialogs() {
    let mut state = on_enabled();
    key(&mut state, 'e');
    snap!("describe_80x24", screen(&state, 80, 24));
    press(&mut state, KeyCode::Esc);
    key(&mut state, 't');
    let tags = vec![
        crate::csms::model::Tag { key: "env".into(), value: Some("prod".into()) },
        crate::csms::model::Tag { key: "team".into(), value: Some("payments".into()) },
    ];
    let name = "auth-jwt-signing-key".to_string();
    update(&mut state, Msg::TagsLoaded { profile: 0, name, result: Ok(("id".into(), tags)) });
    snap!("tags_80x24", screen(&state, 80, 24));
    key(&mut state, 'x');
    snap!("remove_tag_confirm_80x24", screen(&state, 80, 24));
    key(&mut state, 'n');
    press(&mut state, KeyCode::Esc);
    key(&mut state, 'y');
    snap!("copy_80x24", screen(&state, 80, 24));
}

#[test]
fn rollback_confirmation_from_the_details() {
    let mut state = on_enabled();
    press(&mut state, KeyCode::Enter);
    let name = "auth-jwt-signing-key".to_string();
    update(&mut state, Msg::VersionsLoaded { profile: 0, name, result: Ok(two_versions()) });
    key(&mut state, 'j');
    key(&mut state, 'R');
    snap!("rollback_confirm_80x24", screen(&state, 80, 24));
}

#[test]
fn history_view() {
    let mut state = state_with(secrets(), 24);
    key(&mut state, 'H');
    let target = crate::journal::Target { profile: "prod".into(), region: "cn-north-4".into(), project: "p".into() };
    let at = |e: crate::journal::Entry, t: &str| crate::journal::Entry {
        time: t.into(),
        host: "ops-laptop".into(),
        user: "ana".into(),
        ..e
    };
    let failed = Error::Api {
        status: 400,
        code: Some("CSMS.0108".into()),
        message: "not scheduled".into(),
        request_id: Some("7f3c2a90".into()),
        attempts: 1,
    };
    let entries = vec![
        at(crate::journal::Entry::new(&target, "orders-api-key", "cancel"), "2027-01-15T08:00:00.000Z"),
        at(
            crate::journal::Entry::new(&target, "billing-stripe-key", "schedule").detail("7 days"),
            "2027-01-15T08:05:00.000Z",
        ),
        at(
            crate::journal::Entry::new(&target, "old-ldap-bind", "cancel").outcome("failed", Some(&failed)),
            "2027-01-15T08:09:00.000Z",
        ),
    ];
    update(&mut state, Msg::HistoryLoaded(Ok(entries)));
    snap!("history_80x24", screen(&state, 80, 24));
}

#[test]
fn a_failed_refresh_marks_the_view_stale_and_a_first_one_could_not_load() {
    let mut state = state_with(secrets(), 24);
    update(&mut state, Msg::Tick(NOW + 120_000));
    let generation = state.generation;
    update(
        &mut state,
        Msg::Loaded {
            generation,
            profile: 0,
            result: Err("cannot connect to 127.0.0.1:28917: connection refused".into()),
        },
    );
    let text = screen(&state, 120, 24);
    assert!(text.contains("stale · last good fetch 2m ago · cannot connect"), "{text}");
    assert!(
        text.contains("cannot connect to 127.0.0.1:28917: connection refused"),
        "the whole error, over the border: {text}"
    );
    let buffer = render(&state, 120, 24, Theme { color: true }).backend().buffer().clone();
    let row = (0..24)
        .find(|y| (0..120).map(|x| buffer[(x, *y)].symbol()).collect::<String>().contains("warehouse-readonly"))
        .unwrap();
    assert!(buffer[(3, row)].modifier.contains(Modifier::DIM), "the stale rows are dimmed");

    let (mut fresh, _) = State::new(profiles(), View::Profile(0), 60_000, None, NOW);
    update(&mut fresh, Msg::Loaded { generation: 1, profile: 0, result: Err("cannot connect".into()) });
    let text = screen(&fresh, 120, 24);
    assert!(text.contains("could not load · cannot connect") && text.contains("Could not load the secrets"), "{text}");
    assert!(
        !text.contains("no secrets") && !text.contains("No secrets"),
        "never 'no secrets' when nothing could be read"
    );
}

#[test]
fn without_colour_the_countdown_levels_show_as_marks() {
    let state = state_with(secrets(), 24);
    let text = format!("{}", render(&state, 110, 24, Theme { color: false }).backend());
    let line = |name: &str| text.lines().find(|l| l.contains(name)).unwrap().to_string();
    assert!(line("payments-db-password").contains("00:04:02 !!"), "under a day: {}", line("payments-db-password"));
    assert!(line("billing-stripe-key").contains("2d 06:00:00 !"), "under three days");
    assert!(!line("old-ldap-bind").contains('!'), "a week: no mark");
}

#[test]
fn a_tall_dialog_leaves_the_keys_line_in_view() {
    let mut state = state_with(secrets(), 24);
    press(&mut state, KeyCode::Enter);
    let text = screen(&state, 80, 24);
    let last = text.lines().last().unwrap();
    assert!(last.contains("esc close"), "the keys line stays below the details: {last}");
}

#[test]
fn a_long_description_wraps_in_the_details() {
    let mut s = secret("long-one", SecretState::Enabled, None, HOUR);
    let long = "word ".repeat(40);
    s.description = Some(format!("{long}END"));
    let mut state = state_with(vec![s], 40);
    press(&mut state, KeyCode::Enter);
    let text = screen(&state, 100, 40);
    assert!(text.contains("END"), "the end of a long description is on screen:\n{text}");
}

#[test]
fn a_description_of_several_lines_reads_as_lines() {
    let mut s = secret("multi", SecretState::Enabled, None, HOUR);
    s.description = Some("line one\nline two\nline three".into());
    let mut state = state_with(vec![s], 24);
    let table = screen(&state, 80, 24);
    assert!(table.contains("line one (+2 lines)"), "the row shows the first line and a count:\n{table}");
    press(&mut state, KeyCode::Enter);
    let details = screen(&state, 80, 40);
    let at = |text: &str| details.lines().position(|l| l.contains(text));
    let (one, two, three) = (at("description  line one"), at("line two"), at("line three"));
    assert!(one.is_some() && two == one.map(|i| i + 1) && three == one.map(|i| i + 2), "{details}");
}

/// Targets of a profile with regions sit beneath its line in the picker,
/// each with its pending count and health; the profile's line sums them.
#[test]
fn the_picker_shows_targets_beneath_their_profile() {
    let target = |name: &str, region: &str| ProfileInfo {
        name: name.into(),
        region: region.into(),
        project_id: format!("id-{name}"),
        ..profiles()[0].clone()
    };
    let mut all = profiles();
    all.insert(0, target("acme/ap-southeast-1", "ap-southeast-1"));
    all.insert(1, target("acme/cn-north-4", "cn-north-4"));
    all.insert(2, target("acme/cn-north-4_payments", "cn-north-4"));
    let (mut state, _) = State::new(all, View::All, 60_000, None, NOW);
    let generation = state.generation;
    update(&mut state, Msg::Loaded { generation, profile: 0, result: Ok(secrets()) });
    update(&mut state, Msg::Loaded { generation, profile: 1, result: Ok(vec![]) });
    let refused = crate::app::health::Health::AuthFailed;
    let result = Err(crate::app::health::LoadError { health: refused, text: "refused".into() });
    update(&mut state, Msg::Loaded { generation, profile: 2, result });
    update(&mut state, Msg::Loaded { generation, profile: 3, result: Ok(vec![]) });
    state.skipped_at_start(vec![("acme/MOS".into(), "no CSMS in region MOS".into())]);
    key(&mut state, 'p');
    snap!("picker_with_targets_90x16", screen(&state, 90, 16));
    // Enter on the profile's line shows its targets together.
    press(&mut state, KeyCode::Down);
    press(&mut state, KeyCode::Enter);
    assert_eq!(state.view, View::Group(0));
    assert_eq!(state.view_profiles(), [0, 1, 2]);
    assert!(screen(&state, 90, 16).contains("acme (3 projects)"));
}

/// A refresh that fails right after a good fetch says how old that fetch is,
/// to the second: never "stale" beside "just now" (the fetch was 5 s after start).
#[test]
fn a_refresh_failing_soon_after_a_good_fetch_says_its_age_in_seconds() {
    let mut state = state_with(secrets(), 24);
    update(&mut state, Msg::Tick(NOW + 15_000));
    let generation = state.generation;
    update(&mut state, Msg::Loaded { generation, profile: 0, result: Err("APIGW.0203".into()) });
    let text = screen(&state, 120, 24);
    assert!(text.contains("stale · last good fetch 20s ago · APIGW.0203"), "{text}");
    assert!(!text.contains("just now"), "{text}");
}

/// The picker's line for a profile with regions counts pending deletions
/// only once its projects have loaded: `…` before.
#[test]
fn the_picker_says_nothing_of_pending_before_the_projects_load() {
    let target =
        |name: &str| ProfileInfo { name: name.into(), project_id: format!("id-{name}"), ..profiles()[0].clone() };
    let all = vec![target("acme/cn-north-4"), target("acme/cn-north-4_payments"), profiles()[0].clone()];
    let (mut state, _) = State::new(all, View::Profile(2), 60_000, None, NOW);
    key(&mut state, 'p');
    let text = screen(&state, 90, 16);
    let line = text.lines().find(|l| l.contains("2 projects")).unwrap_or_else(|| panic!("{text}"));
    assert!(line.contains("… pending") && !line.contains("0 pending"), "{line}");
}

fn chord(state: &mut State, code: KeyCode, modifiers: KeyModifiers) {
    update(state, Msg::Key(KeyEvent::new(code, modifiers)));
}

/// The help takes the terminal's width, so no line is cut; it scrolls to
/// its end with G and back with k, and its footer offers only what it does.
#[test]
fn help_fits_the_terminal_and_scrolls_to_its_end() {
    let mut state = state_with(secrets(), 50);
    update(&mut state, Msg::Viewport { rows: super::table_height(50), screen: (200, 50) });
    key(&mut state, '?');
    key(&mut state, 'G');
    let wide = screen(&state, 200, 50);
    assert!(wide.contains("filter (also f; words, state:pending, ~fuzzy)"), "{wide}");
    assert!(wide.contains("leave, once requests under way end (q; q! at once)"), "{wide}");
    assert!(!wide.contains("choose"), "nothing to choose: {wide}");
    snap!("help_200x50", wide);

    let mut state = state_with(secrets(), 24);
    key(&mut state, '?');
    key(&mut state, 'G');
    let bottom = screen(&state, 80, 24);
    assert!(bottom.contains("at once)"), "the last line, wrapped, not cut: {bottom}");
    snap!("help_80x24_bottom", bottom);
    key(&mut state, 'k');
    let up = screen(&state, 80, 24);
    assert_ne!(up, bottom, "k scrolls back from the bottom at once");
    key(&mut state, 'g');
    assert!(screen(&state, 80, 24).contains("next secret"), "g goes to the top");
}

/// Tab lists what remains to choose from while the `:` line stays open, in one line that fits.
#[test]
fn command_candidates_show_while_the_line_is_open() {
    let mut state = state_with(secrets(), 24);
    key(&mut state, ':');
    key(&mut state, 's');
    press(&mut state, KeyCode::Tab);
    let text = screen(&state, 80, 24);
    let lines: Vec<&str> = text.lines().collect();
    let at = lines.iter().position(|l| l.contains(" : s█")).expect("the command line stays open");
    assert!(lines[at - 1].contains("sort") && lines[at - 1].contains("staging"), "{text}");
    snap!("command_candidates_80x24", text);
    let mut narrow = state_with(secrets(), 24);
    key(&mut narrow, ':');
    press(&mut narrow, KeyCode::Tab);
    let text = screen(&narrow, 30, 24);
    assert!(text.contains("more"), "the candidates that do not fit are counted: {text}");
}

/// A description edited in the middle, over two lines: the text shows where
/// it goes and the cursor is drawn on the character it stands on.
#[test]
fn a_description_edits_at_the_cursor_over_several_lines() {
    let mut state = on_enabled();
    key(&mut state, 'e');
    chord(&mut state, KeyCode::Char('u'), KeyModifiers::CONTROL);
    typed(&mut state, "JWT signing key");
    chord(&mut state, KeyCode::Enter, KeyModifiers::ALT);
    typed(&mut state, "rotated yearly");
    chord(&mut state, KeyCode::Char('b'), KeyModifiers::ALT);
    chord(&mut state, KeyCode::Left, KeyModifiers::CONTROL);
    typed(&mut state, "not ");
    let terminal = render(&state, 80, 24, Theme { color: true });
    let text = format!("{}", terminal.backend());
    assert!(text.contains("> JWT signing key") && text.contains("  not rotated yearly"), "{text}");
    let buffer = terminal.backend().buffer();
    let (x, y) = (0..24)
        .flat_map(|y| (0..80).map(move |x| (x, y)))
        .find(|&(x, y)| buffer[(x, y)].modifier.contains(Modifier::REVERSED) && buffer[(x, y)].symbol() == "r")
        .expect("the cursor stands on the r of rotated");
    assert_eq!(buffer[(x - 1, y)].symbol(), " ", "after 'not '");
    snap!("describe_two_lines_80x24", text);
}

/// The name's check sits on its own line: the cursor stays right after the name.
#[test]
fn the_name_check_keeps_its_own_line() {
    let mut state = state_with(secrets(), 24);
    key(&mut state, 'n');
    typed(&mut state, "bad name");
    let text = screen(&state, 80, 24);
    let name = text.lines().find(|l| l.contains("name  bad name")).expect("the name line");
    assert!(name.contains("bad name█") && !name.contains('✗'), "{name}");
    assert!(text.contains("✗ 1 to 64 letters"), "{text}");
}

/// A shown value names its version, not the value twice.
#[test]
fn a_revealed_value_names_its_version() {
    let mut state = on_enabled();
    press(&mut state, KeyCode::Enter);
    update(
        &mut state,
        Msg::VersionsLoaded { profile: 0, name: "auth-jwt-signing-key".into(), result: Ok(two_versions()) },
    );
    key(&mut state, 'v');
    update(
        &mut state,
        Msg::ValueLoaded {
            profile: 0,
            name: "auth-jwt-signing-key".into(),
            version: "v2".into(),
            result: Ok(crate::csms::Redacted::new("s3cret-v2")),
        },
    );
    let text = screen(&state, 90, 34);
    assert!(text.contains("value of v2  s3cret-v2"), "{text}");
}

/// The generator's length takes digits, and says when it is out of range.
#[test]
fn the_generator_length_takes_digits() {
    let mut state = state_with(secrets(), 24);
    key(&mut state, 'n');
    for _ in 0..3 {
        press(&mut state, KeyCode::Tab);
    }
    press(&mut state, KeyCode::Backspace);
    press(&mut state, KeyCode::Backspace);
    typed(&mut state, "5");
    let text = screen(&state, 80, 24);
    assert!(text.contains("length  5█") && text.contains("5 is out of range: 8 to 128"), "{text}");
    let effects = update(&mut state, Msg::Key(KeyEvent::new(KeyCode::Char('g'), KeyModifiers::CONTROL)));
    assert!(effects.is_empty(), "no password of a length out of range");
    typed(&mut state, "0");
    press(&mut state, KeyCode::Right);
    let effects = update(&mut state, Msg::Key(KeyEvent::new(KeyCode::Char('g'), KeyModifiers::CONTROL)));
    let generator = crate::app::forms::Generator { length: 51, symbols: true };
    assert_eq!(effects, vec![Effect::GeneratePassword { profile: 0, generator }]);
}

#[test]
fn arrows_mean_smallest_first_in_every_column_updated_too() {
    let mut state = state_with(secrets(), 24);
    for _ in 0..3 {
        key(&mut state, 's');
    }
    assert_eq!(state.table.sort(), crate::app::SortKey::Updated);
    let text = screen(&state, 80, 24);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[2].contains("sort: updated ▼"), "newest first points down: {}", lines[2]);
    assert!(lines[3].contains("UPDATED▼"), "the column shows its arrow: {}", lines[3]);
    assert!(lines[4].contains("rds-fg-rotation"), "newest first: {}", lines[4]);
    snap!("sorted_by_updated_80x24", text);
    key(&mut state, 'S');
    let text = screen(&state, 80, 24);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[3].contains("UPDATED▲") && lines[4].contains("legacy-archive"), "oldest first: {}", lines[4]);
    key(&mut state, 'S');
    key(&mut state, 's');
    key(&mut state, 's');
    let text = screen(&state, 80, 24);
    assert!(text.lines().nth(3).unwrap().contains("NAME▲"), "A to Z points up: {text}");
}

/// One 64-character name at 80x24: names are cut with `…`, DESCRIPTION and
/// UPDATED stay for every row; the header drops how IAM chose the project
/// before it would cut anything.
#[test]
fn a_narrow_terminal_cuts_long_names_before_columns_and_the_header_drops_details_first() {
    let mut rows = secrets();
    rows.push(secret(&format!("very-long-{}", "x".repeat(54)), SecretState::Enabled, None, HOUR));
    let (mut state, _) = State::new(profiles(), View::Profile(1), 60_000, None, NOW - 5_000);
    state.profiles[1].project_from_iam = true;
    state.profiles[1].read_only = false;
    update(&mut state, Msg::Loaded { generation: 1, profile: 1, result: Ok(rows) });
    update(&mut state, Msg::Tick(NOW));
    let text = screen(&state, 80, 24);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[3].contains("DESCRIPTION") && lines[3].contains("UPDATED"), "{}", lines[3]);
    assert!(text.contains("very-long-xxxxxxxxxxxx") && text.contains("x…"), "the long name is cut: {text}");
    assert!(!lines[0].contains("(IAM's") && lines[0].contains("TLS-UNVERIFIED"), "{}", lines[0]);
    assert!(lines[0].contains("ap-southeast-1 · project ffeeddcc") && lines[0].contains("…"), "{}", lines[0]);
    snap!("long_name_80x24", text);
    let wide = screen(&state, 200, 50);
    assert!(wide.lines().next().unwrap().contains("(IAM's ap-southeast-1)"), "room enough: all of it");
}

#[test]
fn a_new_secret_over_several_profiles_asks_where() {
    let (mut state, _) = State::new(profiles(), View::All, 60_000, None, NOW - 5_000);
    state.profiles[1].read_only = false;
    update(&mut state, Msg::Loaded { generation: 1, profile: 0, result: Ok(secrets()) });
    update(&mut state, Msg::Loaded { generation: 1, profile: 1, result: Ok(vec![]) });
    update(&mut state, Msg::Tick(NOW));
    key(&mut state, 'n');
    let text = screen(&state, 80, 24);
    assert!(text.contains("▸ prod") && text.contains("staging"), "{text}");
    snap!("choose_project_80x24", text);
}

/// The picker's all-profiles line counts as the profile lines do: `…` before
/// any profile has loaded, `N+` while only some have, `N` once all have.
#[test]
fn the_picker_counts_all_profiles_only_from_what_has_loaded() {
    let (mut state, _) = State::new(profiles(), View::Profile(0), 60_000, None, NOW);
    let all_line = |state: &mut State| {
        key(state, 'p');
        let text = screen(state, 90, 16);
        press(state, KeyCode::Esc);
        text.lines().find(|l| l.contains("all profiles")).unwrap_or_else(|| panic!("{text}")).to_string()
    };
    let line = all_line(&mut state);
    assert!(line.contains("… pending") && !line.contains("0 pending"), "{line}");
    let generation = state.generation;
    let one = || Ok(vec![secret("pay-db", SecretState::PendingDelete, Some(DAY), HOUR)]);
    update(&mut state, Msg::Loaded { generation, profile: 0, result: one() });
    assert!(all_line(&mut state).contains("1+ pending"), "only one of two has loaded");
    update(&mut state, Msg::Loaded { generation, profile: 1, result: one() });
    let line = all_line(&mut state);
    assert!(line.contains("2 pending") && !line.contains("2+"), "{line}");
}

/// UPDATED counts on the server's clock, as the countdowns do, and is as wide
/// as what it shows: a date is never cut.
#[test]
fn updated_ages_count_on_the_server_clock_and_dates_are_whole() {
    let secrets = vec![
        secret("before-the-jump", SecretState::Enabled, None, 0),
        Secret { update_time: Some(NOW + 10 * DAY - HOUR), ..secret("after-the-jump", SecretState::Enabled, None, 0) },
        secret("long-ago", SecretState::Enabled, None, 90 * DAY),
    ];
    let mut state = state_with(secrets, 24);
    update(&mut state, Msg::ServerClock { profile: 0, offset: 10 * DAY });
    let date = regex::Regex::new(r" \d{4}-\d{2}-\d{2}[ │]").unwrap();
    for width in [80, 120, 200] {
        let text = screen(&state, width, 24);
        let row = |name: &str| text.lines().find(|l| l.contains(name)).unwrap_or_else(|| panic!("{text}")).to_string();
        assert!(row("before-the-jump").contains(" 10d "), "{width}: {text}");
        assert!(row("after-the-jump").contains(" 1h "), "{width}: {text}");
        assert!(date.is_match(&row("long-ago")), "{width}: {text}");
    }
}

/// At 80x24 the details fill the screen; a message about them (`v` on a
/// pending secret) still shows whole beneath them.
#[test]
fn details_leave_their_messages_readable_at_80x24() {
    let mut state = state_with(secrets(), 24);
    update(&mut state, Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)));
    update(&mut state, Msg::VersionsLoaded { profile: 0, name: "payments-db-password".into(), result: Ok(vec![]) });
    key(&mut state, 'v');
    let text = screen(&state, 80, 24);
    let joined: String = text.lines().map(|l| l.trim_matches('"').trim()).collect::<Vec<_>>().join(" ");
    assert!(joined.contains("A secret pending deletion has no readable value: cancel the deletion first"), "{text}");
    snap!("details_message_80x24", text);
}

/// Details taller than the terminal open at their top, say what is hidden
/// and where, and scroll with PgUp/PgDn (j/k still select versions).
#[test]
fn tall_details_open_at_the_top_and_scroll() {
    let mut s = secret("multi", SecretState::Enabled, None, HOUR);
    s.description = Some("line one\nline two\nline three".into());
    let mut state = state_with(vec![s], 24);
    press(&mut state, KeyCode::Enter);
    update(&mut state, Msg::VersionsLoaded { profile: 0, name: "multi".into(), result: Ok(two_versions()) });
    let top = screen(&state, 80, 24);
    assert!(top.contains("name  multi") && top.contains("▼ more: PgDn") && !top.contains("▲ more"), "{top}");
    press(&mut state, KeyCode::PageDown);
    let bottom = screen(&state, 80, 24);
    assert!(!bottom.contains("name  multi") && bottom.contains("versions (2)"), "{bottom}");
    assert!(bottom.contains("▲ more: PgUp") && !bottom.contains("▼ more"), "{bottom}");
    chord(&mut state, KeyCode::Char('u'), KeyModifiers::CONTROL);
    assert!(screen(&state, 80, 24).contains("name  multi"), "Ctrl-U scrolls back up");
    press(&mut state, KeyCode::Char('j'));
    let selected = screen(&state, 80, 24);
    assert!(selected.contains("SYSPREVIOUS"), "the selected version comes into view: {selected}");
}

/// Every time shown says its zone: the details with their offset from UTC,
/// the history once in its title.
#[test]
fn times_say_their_zone() {
    let mut state = state_with(secrets(), 24);
    press(&mut state, KeyCode::Enter);
    let details = screen(&state, 80, 40);
    let zoned = regex::Regex::new(r"created  \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} [+-]\d{2}:\d{2}").unwrap();
    assert!(zoned.is_match(&details), "{details}");
    press(&mut state, KeyCode::Esc);
    key(&mut state, 'H');
    let history = screen(&state, 80, 24);
    assert!(regex::Regex::new(r"times in UTC[+-]\d{2}:\d{2}").unwrap().is_match(&history), "{history}");
}

/// A report longer than a terminal has rows fills the screen: its height
/// does not wrap round or overflow.
#[test]
fn a_report_of_more_lines_than_a_u16_counts_fills_the_screen() {
    let lines: Vec<String> = (0..70_000).map(|i| format!("secret-{i}: cancelled")).collect();
    for n in [65_534, 65_535, 65_536, 70_000] {
        let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
        terminal.draw(|f| super::dialogs::report(f, "Report", &lines[..n], 0, &Theme { color: false })).unwrap();
        let text = format!("{}", terminal.backend());
        assert!(text.contains("secret-0: cancelled"), "{n}: {text}");
        assert!(text.contains("secret-19: cancelled"), "{n} lines fill the 22 rows there are: {text}");
    }
}

/// In a profile's group of projects at 80 columns, a long name and a long
/// project are cut to their minimums before DESCRIPTION goes.
#[test]
fn a_group_view_cuts_name_and_project_before_whole_columns() {
    let target =
        |name: &str| ProfileInfo { name: name.into(), project_id: format!("id-{name}"), ..profiles()[0].clone() };
    let all = vec![target("lab/cn-north-4"), target("lab/cn-north-4_empty"), target("lab/cn-north-4_payments")];
    let (mut state, _) = State::new(all, View::Group(0), 60_000, None, NOW - 5_000);
    let mut rows = secrets();
    rows.push(secret(&format!("very-long-{}", "x".repeat(54)), SecretState::Enabled, None, HOUR));
    let generation = state.generation;
    update(&mut state, Msg::Loaded { generation, profile: 0, result: Ok(rows) });
    update(&mut state, Msg::Loaded { generation, profile: 1, result: Ok(vec![]) });
    update(&mut state, Msg::Loaded { generation, profile: 2, result: Ok(secrets()[..2].to_vec()) });
    update(&mut state, Msg::Tick(NOW));
    let text = screen(&state, 80, 24);
    let header = text.lines().find(|l| l.contains("PROJECT")).unwrap_or_default();
    assert!(header.contains("DESCRIPTION"), "{text}");
    snap!("group_long_name_80x24", text);
}

/// Ctrl-G on a length out of range says why no password came, and a digit
/// past the length's widest is refused with why.
#[test]
fn the_generator_says_why_nothing_happened() {
    let mut state = state_with(secrets(), 24);
    key(&mut state, 'n');
    for _ in 0..3 {
        press(&mut state, KeyCode::Tab);
    }
    chord(&mut state, KeyCode::Char('u'), KeyModifiers::CONTROL);
    typed(&mut state, "5");
    chord(&mut state, KeyCode::Char('g'), KeyModifiers::CONTROL);
    let text = screen(&state, 80, 24);
    assert!(text.contains("No password generated"), "{text}");
    chord(&mut state, KeyCode::Char('u'), KeyModifiers::CONTROL);
    typed(&mut state, "1289");
    let text = screen(&state, 80, 24);
    assert!(text.contains("length  128") && text.contains("at most 3 digits"), "{text}");
}

/// The description dialog names the key for a new line.
#[test]
fn the_description_dialog_names_its_new_line_key() {
    let mut state = on_enabled();
    key(&mut state, 'e');
    let text = screen(&state, 80, 24);
    assert!(text.lines().last().unwrap().contains("alt-enter new line"), "{text}");
}

/// At 80x24, the session's part of `H` says how many of its events show
/// when not all fit: the count and the list agree.
#[test]
fn the_session_count_in_history_matches_what_shows() {
    let mut state = state_with(secrets(), 24);
    let text = |i: usize| format!("session event {i}");
    for i in 0..12 {
        state.events.push_back(crate::app::events::Event { at: NOW, level: crate::app::Level::Info, text: text(i) });
    }
    key(&mut state, 'H');
    update(&mut state, Msg::HistoryLoaded(Ok(vec![])));
    let screen = screen(&state, 80, 24);
    let shown = (0..12).filter(|&i| screen.contains(&format!("{} ", text(i)))).count();
    assert!(screen.contains(&format!("This session ({shown} newest of 12)")), "{shown} shown:\n{screen}");
}

/// A picker filter that matches no profile says so.
#[test]
fn a_picker_filter_without_a_match_says_so() {
    let mut state = state_with(secrets(), 24);
    key(&mut state, 'p');
    typed(&mut state, "zzz");
    let text = screen(&state, 80, 24);
    assert!(text.contains("No profile matches 'zzz'"), "{text}");
}
