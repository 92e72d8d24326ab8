//! The state machine without a terminal.

use super::*;
use crate::csms::{Error, Redacted, SecretState};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

const NOW: Millis = 1_800_000_000_000;
const HOUR: Millis = 3_600_000;

fn profiles() -> Vec<ProfileInfo> {
    ["prod", "staging", "audit"]
        .iter()
        .map(|n| ProfileInfo {
            name: n.to_string(),
            region: "cn-north-4".into(),
            project_id: format!("{n}-project"),
            project_from_iam: false,
            finding: false,
            read_only: *n == "audit",
            insecure_tls: false,
            endpoint: "http://127.0.0.1:8080".into(),
        })
        .collect()
}

fn pending(name: &str, in_ms: Millis) -> Secret {
    Secret {
        state: Some(SecretState::PendingDelete),
        scheduled_delete_time: Some(NOW + in_ms),
        description: Some(format!("{name} description")),
        ..Secret::named(name)
    }
}

fn enabled(name: &str) -> Secret {
    Secret {
        state: Some(SecretState::Enabled),
        description: Some(format!("{name} description")),
        ..Secret::named(name)
    }
}

fn key(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

fn code(c: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

fn typed(state: &mut State, text: &str) {
    for c in text.chars() {
        update(state, key(c));
    }
}

/// A state on profile `view` whose first load has answered with `secrets`.
fn loaded(view: usize, secrets: Vec<Secret>) -> State {
    let (mut state, effects) = State::new(profiles(), View::Profile(view), 60_000, None, NOW);
    assert_eq!(effects, vec![Effect::Load { generation: 1, profile: view }]);
    update(&mut state, Msg::Loaded { generation: 1, profile: view, result: Ok(secrets) });
    state
}

fn sample() -> Vec<Secret> {
    vec![enabled("api-key"), pending("db-pass", 2 * HOUR), enabled("zeta"), pending("later", 50 * HOUR)]
}

fn selected(state: &State) -> String {
    state.table.selected().unwrap().secret.name.clone()
}

fn row_state(state: &State, profile: usize, name: &str) -> String {
    let row = state.table.rows().iter().find(|r| r.profile == profile && r.secret.name == name).unwrap();
    row.secret.state_label().to_string()
}

fn cancelled(name: &str) -> Box<CancelOutcome> {
    Box::new(CancelOutcome::Cancelled(enabled(name)))
}

#[test]
fn first_load_orders_pending_first() {
    let state = loaded(0, sample());
    let names: Vec<_> = state.table.visible(10).map(|r| r.secret.name.as_str()).collect();
    assert_eq!(names, ["db-pass", "later", "api-key", "zeta"]);
    assert_eq!(state.fetched_at.get(&0), Some(&NOW));
}

#[test]
fn cancel_confirm_in_flight_success() {
    let mut state = loaded(0, sample());
    assert_eq!(update(&mut state, key('c')), vec![], "nothing is sent before y");
    assert!(matches!(&state.mode, Mode::Confirm(Pending::Cancel { key, deletes_at: Some(_) }) if key.1 == "db-pass"));
    let effects = update(&mut state, key('y'));
    assert_eq!(effects, vec![Effect::Cancel { profile: 0, name: "db-pass".into() }]);
    assert_eq!(state.in_flight.get(&(0, "db-pass".to_string())), Some(&Op::Cancel));
    // Everything else goes on while the cancel is in flight.
    update(&mut state, key('j'));
    assert_eq!(selected(&state), "later");
    update(&mut state, Msg::Tick(NOW + 1000));
    assert_eq!(state.now, NOW + 1000);
    assert_eq!(update(&mut state, key('k')), vec![]);
    // A second c on the same row while in flight sends nothing.
    update(&mut state, key('c'));
    assert_eq!(state.mode, Mode::Normal);

    update(
        &mut state,
        Msg::CancelDone { profile: 0, name: "db-pass".into(), outcome: cancelled("db-pass"), bulk: false },
    );
    assert!(state.in_flight.is_empty());
    assert_eq!(row_state(&state, 0, "db-pass"), "ENABLED");
    let m = state.footer_message().cloned().unwrap();
    assert_eq!(m.level, Level::Success);
    assert!(m.text.contains("db-pass") && m.text.contains("ENABLED"), "{}", m.text);
    assert_eq!(selected(&state), "db-pass", "the cursor follows the secret, wherever it sorts now");
    assert!(state.table.selected().unwrap().secret.state_label() == "ENABLED");
}

/// After a re-sort, `c` acts on the secret the cursor was on, not on the
/// one that took its row number.
#[test]
fn the_cursor_follows_the_secret_through_schedule_and_bulk() {
    let mut state = loaded(0, sample());
    while selected(&state) != "zeta" {
        update(&mut state, key('j'));
    }
    let mut zeta = pending("zeta", HOUR);
    zeta.description = None;
    update(&mut state, Msg::ScheduleDone { profile: 0, name: "zeta".into(), result: Ok(Box::new(zeta)) });
    assert_eq!(selected(&state), "zeta", "zeta moved to the top of the pending group, and the cursor with it");
    update(&mut state, key(' '));
    update(&mut state, key('k'));
    update(&mut state, key(' '));
    update(&mut state, key('c'));
    update(&mut state, key('y'));
    while selected(&state) != "later" {
        update(&mut state, key('j'));
    }
    update(&mut state, Msg::CancelDone { profile: 0, name: "zeta".into(), outcome: cancelled("zeta"), bulk: true });
    assert_eq!(selected(&state), "later");
}

#[test]
fn cancel_declined_sends_nothing() {
    let mut state = loaded(0, sample());
    update(&mut state, key('c'));
    assert_eq!(update(&mut state, key('n')), vec![]);
    assert_eq!(state.mode, Mode::Normal);
    update(&mut state, key('c'));
    assert_eq!(update(&mut state, code(KeyCode::Esc)), vec![]);
    assert!(state.in_flight.is_empty());
    assert_eq!(row_state(&state, 0, "db-pass"), "PENDING_DELETE");
}

#[test]
fn cancel_failure_keeps_the_true_state_and_says_everything() {
    let mut state = loaded(0, sample());
    update(&mut state, key('c'));
    update(&mut state, key('y'));
    let err = Error::Api {
        status: 403,
        code: Some("APIGW.0302".into()),
        message: "no permission".into(),
        request_id: Some("req-42".into()),
        attempts: 1,
    };
    update(
        &mut state,
        Msg::CancelDone {
            profile: 0,
            name: "db-pass".into(),
            outcome: Box::new(CancelOutcome::Failed(err)),
            bulk: false,
        },
    );
    assert_eq!(row_state(&state, 0, "db-pass"), "PENDING_DELETE");
    let m = state.footer_message().cloned().unwrap();
    assert_eq!(m.level, Level::Error);
    for part in ["db-pass", "prod", "APIGW.0302", "no permission", "req-42"] {
        assert!(m.text.contains(part), "{part} missing from: {}", m.text);
    }
}

#[test]
fn unknown_outcome_shows_what_was_seen() {
    let mut state = loaded(0, sample());
    update(&mut state, key('c'));
    update(&mut state, key('y'));
    let outcome = CancelOutcome::Unknown {
        error: Error::Transport {
            kind: crate::csms::error::TransportKind::Timeout,
            target: "kms.example:443".into(),
            message: "deadline".into(),
            attempts: 1,
        },
        seen: Some(pending("db-pass", 2 * HOUR)),
    };
    update(&mut state, Msg::CancelDone { profile: 0, name: "db-pass".into(), outcome: Box::new(outcome), bulk: false });
    assert_eq!(row_state(&state, 0, "db-pass"), "PENDING_DELETE");
    let text = state.footer_message().cloned().unwrap().text;
    assert!(text.contains("outcome unknown") && text.contains("no answer from kms.example:443 in time"), "{text}");
}

#[test]
fn cancel_on_a_row_that_is_not_pending_says_so() {
    let mut state = loaded(0, sample());
    update(&mut state, key('G'));
    assert_eq!(selected(&state), "zeta");
    assert_eq!(update(&mut state, key('c')), vec![]);
    assert_eq!(state.mode, Mode::Normal);
    assert!(state.message.unwrap().text.contains("no deletion to cancel"));
}

#[test]
fn read_only_profile_refuses_cancel_and_schedule() {
    let mut state = loaded(2, sample());
    update(&mut state, key('c'));
    assert_eq!(state.mode, Mode::Normal);
    let m = state.footer_message().cloned().unwrap();
    assert!(m.text.contains("audit is read-only"), "{}", m.text);
    update(&mut state, key('G'));
    update(&mut state, key('d'));
    assert_eq!(state.mode, Mode::Normal);
    assert!(state.footer_message().cloned().unwrap().text.contains("read-only"));
    // Marked rows go through the same check.
    update(&mut state, key(' '));
    assert_eq!(update(&mut state, key('c')), vec![]);
    assert_eq!(state.mode, Mode::Normal);
}

#[test]
fn filter_applies_on_enter_and_clears_on_esc() {
    let mut state = loaded(0, sample());
    update(&mut state, key('G'));
    update(&mut state, key('/'));
    typed(&mut state, "KEY");
    assert_eq!(state.table.len(), 1, "filters as you type, case-insensitively");
    update(&mut state, code(KeyCode::Enter));
    assert_eq!(state.mode, Mode::Normal);
    assert_eq!(selected(&state), "api-key");
    assert_eq!(state.table.filter(), "KEY", "shown as typed");
    // Descriptions match too.
    update(&mut state, key('/'));
    update(&mut state, code(KeyCode::Backspace));
    update(&mut state, code(KeyCode::Backspace));
    update(&mut state, code(KeyCode::Backspace));
    typed(&mut state, "later desc");
    update(&mut state, code(KeyCode::Enter));
    assert_eq!(selected(&state), "later");
    update(&mut state, key('/'));
    update(&mut state, code(KeyCode::Esc));
    assert_eq!(state.table.len(), 4);
    assert_eq!(state.table.filter(), "");
}

#[test]
fn sort_orders_cycle() {
    let mut state = loaded(0, sample());
    update(&mut state, key('s'));
    assert_eq!(state.table.sort(), SortKey::Name);
    let names: Vec<_> = state.table.visible(10).map(|r| r.secret.name.clone()).collect();
    assert_eq!(names, ["api-key", "db-pass", "later", "zeta"]);
    for _ in 0..3 {
        update(&mut state, key('s'));
    }
    assert_eq!(state.table.sort(), SortKey::TimeLeft);
}

#[test]
fn switching_profiles_drops_late_answers_of_the_old_one() {
    let mut state = loaded(0, sample());
    // A refresh of prod is under way when the user picks staging.
    let refresh = update(&mut state, key('r'));
    assert_eq!(refresh, vec![Effect::Load { generation: 2, profile: 0 }]);
    update(&mut state, key('p'));
    update(&mut state, code(KeyCode::Down));
    let effects = update(&mut state, code(KeyCode::Enter));
    assert_eq!(effects, vec![Effect::Load { generation: 3, profile: 1 }]);
    assert_eq!(state.view, View::Profile(1));
    assert!(state.table.is_empty(), "nothing of prod is shown under staging");
    // prod's late answer arrives: dropped.
    update(&mut state, Msg::Loaded { generation: 2, profile: 0, result: Ok(vec![enabled("prod-only")]) });
    assert!(state.table.is_empty());
    update(&mut state, Msg::Loaded { generation: 3, profile: 1, result: Ok(vec![enabled("staging-secret")]) });
    assert_eq!(state.table.rows().len(), 1);
    assert_eq!(selected(&state), "staging-secret");
    // A late cancel result for prod does not touch staging's rows.
    update(
        &mut state,
        Msg::CancelDone {
            profile: 0,
            name: "staging-secret".into(),
            outcome: cancelled("staging-secret"),
            bulk: false,
        },
    );
    assert_eq!(state.table.rows()[0].profile, 1);
}

#[test]
fn all_profiles_view_loads_each_and_shows_failures_without_hiding_others() {
    let mut state = loaded(0, sample());
    let effects = update(&mut state, key('a'));
    assert_eq!(effects.len(), 3);
    assert_eq!(state.view, View::All);
    let generation = state.generation;
    update(&mut state, Msg::Loaded { generation, profile: 0, result: Ok(vec![pending("p", 10 * HOUR)]) });
    update(&mut state, Msg::Loaded { generation, profile: 1, result: Err("could not connect".into()) });
    update(&mut state, Msg::Loaded { generation, profile: 2, result: Ok(vec![pending("a", HOUR)]) });
    let rows: Vec<_> = state.table.visible(10).map(|r| (r.profile, r.secret.name.as_str())).collect();
    assert_eq!(rows, [(2, "a"), (0, "p")], "sorted by time left across profiles");
    assert_eq!(state.load_errors.get(&1).map(String::as_str), Some("could not connect"));
    update(&mut state, key('a'));
    assert_eq!(state.view, View::Profile(0));
}

#[test]
fn bulk_cancel_with_mixed_results() {
    let secrets =
        vec![pending("db-pass", 2 * HOUR), pending("later", 50 * HOUR), pending("api-key", 60 * HOUR), enabled("zeta")];
    let mut state = loaded(0, secrets);
    update(&mut state, key(' '));
    update(&mut state, key(' '));
    update(&mut state, key(' '));
    assert_eq!(state.marked.len(), 3);
    assert_eq!(selected(&state), "zeta");
    update(&mut state, key(' '));
    assert_eq!(state.marked.len(), 3, "an enabled secret takes no mark");
    assert!(state.footer_message().unwrap().text.contains("only pending deletions can be marked"));
    update(&mut state, key('c'));
    assert!(matches!(&state.mode, Mode::Confirm(Pending::CancelMany { keys, .. }) if keys.len() == 3));
    let effects = update(&mut state, key('y'));
    let Effect::CancelMany { profile: 0, names } = &effects[0] else { panic!("{effects:?}") };
    assert_eq!(names.len(), 3);
    assert!(state.marked.is_empty());
    let fail =
        Error::Api { status: 500, code: None, message: "boom".into(), request_id: Some("r1".into()), attempts: 1 };
    update(
        &mut state,
        Msg::CancelDone { profile: 0, name: "db-pass".into(), outcome: cancelled("db-pass"), bulk: true },
    );
    assert_eq!(state.bulk.as_ref().unwrap().done, 1);
    assert!(state.footer_message().cloned().unwrap().text.contains("1/3"));
    update(
        &mut state,
        Msg::CancelDone {
            profile: 0,
            name: "later".into(),
            outcome: Box::new(CancelOutcome::Failed(fail)),
            bulk: true,
        },
    );
    update(
        &mut state,
        Msg::CancelDone {
            profile: 0,
            name: "api-key".into(),
            outcome: Box::new(CancelOutcome::NotPending(enabled("api-key"))),
            bulk: true,
        },
    );
    assert!(state.bulk.is_none());
    let Mode::Report { lines, title, .. } = &state.mode else { panic!("{:?}", state.mode) };
    assert_eq!(title, "Bulk cancel: 2/3 safe");
    assert_eq!(lines.len(), 3);
    assert!(
        lines[0].starts_with("failed") && lines[0].contains("later") && lines[0].contains("r1"),
        "problems first: {lines:?}"
    );
    assert_eq!(row_state(&state, 0, "db-pass"), "ENABLED");
    assert_eq!(row_state(&state, 0, "later"), "PENDING_DELETE");
    update(&mut state, code(KeyCode::Esc));
    assert_eq!(state.mode, Mode::Normal);
}

#[test]
fn schedule_needs_the_typed_name_and_a_window_in_range() {
    let mut state = loaded(0, sample());
    update(&mut state, key('G'));
    update(&mut state, key('d'));
    assert_eq!(schedule_days(&state), Ok(30));
    update(&mut state, code(KeyCode::Up));
    assert_eq!(schedule_days(&state), Ok(30), "30 is the most");
    for _ in 0..40 {
        update(&mut state, code(KeyCode::Down));
    }
    assert_eq!(schedule_days(&state), Ok(7), "7 is the least");
    typed(&mut state, "zet");
    assert_eq!(update(&mut state, code(KeyCode::Enter)), vec![], "a wrong name sends nothing");
    typed(&mut state, "a");
    let effects = update(&mut state, code(KeyCode::Enter));
    assert_eq!(effects, vec![Effect::Schedule { profile: 0, name: "zeta".into(), days: 7 }]);
    update(
        &mut state,
        Msg::ScheduleDone { profile: 0, name: "zeta".into(), result: Ok(Box::new(pending("zeta", 7 * 24 * HOUR))) },
    );
    assert_eq!(row_state(&state, 0, "zeta"), "PENDING_DELETE");
}

#[test]
fn auto_refresh_keeps_the_selection_and_waits_for_loads() {
    let mut state = loaded(0, sample());
    update(&mut state, key('j'));
    assert_eq!(update(&mut state, Msg::Tick(NOW + 59_000)), vec![]);
    let effects = update(&mut state, Msg::Tick(NOW + 60_000));
    assert_eq!(effects, vec![Effect::Load { generation: 2, profile: 0 }]);
    assert_eq!(update(&mut state, Msg::Tick(NOW + 200_000)), vec![], "not while a load is under way");
    update(&mut state, Msg::Loaded { generation: 2, profile: 0, result: Ok(sample()) });
    assert_eq!(selected(&state), "later");
}

#[test]
fn a_worker_that_never_answers_does_not_stop_keys_or_ticks() {
    let (mut state, _) = State::new(profiles(), View::Profile(0), 60_000, None, NOW);
    for i in 1..=5 {
        update(&mut state, Msg::Tick(NOW + i * 1000));
    }
    update(&mut state, key('?'));
    assert!(matches!(state.mode, Mode::Help { .. }));
    update(&mut state, key('q'));
    assert_eq!(state.mode, Mode::Normal);
    update(&mut state, key('q'));
    assert!(state.quit);
}

#[test]
fn details_load_versions_for_the_selected_secret() {
    let mut state = loaded(0, sample());
    let effects = update(&mut state, code(KeyCode::Enter));
    assert_eq!(effects, vec![Effect::LoadVersions { profile: 0, name: "db-pass".into() }]);
    update(&mut state, Msg::VersionsLoaded { profile: 0, name: "other".into(), result: Ok(vec![]) });
    assert!(matches!(&state.mode, Mode::Details { versions: None, .. }), "an answer for another secret is ignored");
    update(&mut state, Msg::VersionsLoaded { profile: 0, name: "db-pass".into(), result: Err("boom".into()) });
    assert!(matches!(&state.mode, Mode::Details { versions: Some(Err(_)), .. }));
}

#[test]
fn countdown_source_is_the_tick() {
    let mut state = loaded(0, sample());
    let s = state.table.selected().unwrap().secret.clone();
    assert_eq!(state.time_left(0, &s), Some(2 * HOUR));
    update(&mut state, Msg::Tick(NOW + 2 * HOUR + 1));
    assert_eq!(state.time_left(0, &s), Some(-1));
}

#[test]
fn command_line_switches_sorts_filters_and_completes() {
    let mut state = loaded(0, sample());
    update(&mut state, key(':'));
    typed(&mut state, "st");
    update(&mut state, code(KeyCode::Tab));
    assert_eq!(state.mode, command_line("staging"), "a profile name completes");
    let effects = update(&mut state, code(KeyCode::Enter));
    assert_eq!(effects, vec![Effect::Load { generation: 2, profile: 1 }]);
    assert_eq!(state.view, View::Profile(1));

    update(&mut state, key(':'));
    typed(&mut state, "so");
    update(&mut state, code(KeyCode::Tab));
    assert_eq!(state.mode, command_line("sort "));
    typed(&mut state, "name");
    update(&mut state, code(KeyCode::Enter));
    assert_eq!(state.table.sort(), SortKey::Name);

    update(&mut state, key(':'));
    typed(&mut state, "profile prod");
    update(&mut state, code(KeyCode::Enter));
    assert_eq!(state.view, View::Profile(0));

    update(&mut state, key(':'));
    typed(&mut state, "frobnicate");
    assert_eq!(update(&mut state, code(KeyCode::Enter)), vec![]);
    assert!(state.footer_message().cloned().unwrap().text.contains("unknown command 'frobnicate'"));

    update(&mut state, key(':'));
    typed(&mut state, "q");
    update(&mut state, code(KeyCode::Enter));
    assert!(state.quit);
}

#[test]
fn a_first_load_shows_pages_as_they_come_and_a_refresh_keeps_rows_until_done() {
    let (mut state, _) = State::new(profiles(), View::Profile(0), 60_000, None, NOW);
    update(&mut state, Msg::Page { generation: 1, profile: 0, secrets: vec![enabled("a"), enabled("b")] });
    assert_eq!(state.table.len(), 2, "the first page shows at once");
    update(&mut state, Msg::Page { generation: 1, profile: 0, secrets: vec![pending("c", HOUR)] });
    assert_eq!(state.table.len(), 3);
    assert_eq!(selected(&state), "c");
    update(
        &mut state,
        Msg::Loaded { generation: 1, profile: 0, result: Ok(vec![enabled("a"), enabled("b"), pending("c", HOUR)]) },
    );
    assert!(state.preview.is_empty());

    let refresh = update(&mut state, key('r'));
    assert_eq!(refresh, vec![Effect::Load { generation: 2, profile: 0 }]);
    update(&mut state, Msg::Page { generation: 2, profile: 0, secrets: vec![enabled("a")] });
    assert_eq!(state.table.len(), 3, "a refresh does not shrink the table to its first page");
    update(&mut state, Msg::Page { generation: 1, profile: 0, secrets: vec![enabled("stale")] });
    assert!(state.table.rows().iter().all(|r| r.secret.name != "stale"));
}

#[test]
fn a_huge_first_load_previews_a_bounded_number_of_rows() {
    let (mut state, _) = State::new(profiles(), View::Profile(0), 60_000, None, NOW);
    let page = |from: usize| (from..from + 1000).map(|i| enabled(&format!("s{i:06}"))).collect::<Vec<_>>();
    for p in 0..8 {
        update(&mut state, Msg::Page { generation: 1, profile: 0, secrets: page(p * 1000) });
    }
    assert_eq!(state.table.rows().len(), PREVIEW_ROWS, "the preview stops growing");
    assert_eq!(state.preview.get(&0), Some(&8000), "the count goes on");
    let all: Vec<_> = (0..8).flat_map(|p| page(p * 1000)).collect();
    update(&mut state, Msg::Loaded { generation: 1, profile: 0, result: Ok(all) });
    assert_eq!(state.table.rows().len(), 8000);
}

#[test]
fn a_first_load_that_breaks_off_shows_no_partial_list() {
    let (mut state, _) = State::new(profiles(), View::Profile(0), 60_000, None, NOW);
    update(&mut state, Msg::Page { generation: 1, profile: 0, secrets: vec![enabled("a")] });
    assert_eq!(state.table.len(), 1);
    update(&mut state, Msg::Loaded { generation: 1, profile: 0, result: Err("connection dropped".into()) });
    assert!(state.table.is_empty());
    assert!(state.load_errors.contains_key(&0));
}

#[test]
fn the_value_is_read_only_when_asked_and_forgotten_on_close() {
    let mut state = loaded(0, sample());
    update(&mut state, key('G'));
    update(&mut state, code(KeyCode::Enter));
    assert!(matches!(&state.mode, Mode::Details { value: Reveal::Hidden, .. }), "nothing is read by opening details");
    let effects = update(&mut state, key('v'));
    // The versions are not read yet: the current one is asked for.
    assert_eq!(effects, vec![Effect::RevealValue { profile: 0, name: "zeta".into(), version: "latest".into() }]);
    update(
        &mut state,
        Msg::ValueLoaded {
            profile: 0,
            name: "zeta".into(),
            version: "latest".into(),
            result: Ok(Redacted::new("hunter2")),
        },
    );
    assert!(matches!(&state.mode, Mode::Details { value: Reveal::Shown(v), .. } if v.expose() == "hunter2"));
    assert!(!format!("{state:?}").contains("hunter2"), "debug output never shows it");
    update(&mut state, key('v'));
    assert!(matches!(&state.mode, Mode::Details { value: Reveal::Hidden, .. }), "v hides it again");
    update(&mut state, key('v'));
    update(&mut state, code(KeyCode::Esc));
    // An answer that comes after the dialog closed is dropped.
    update(
        &mut state,
        Msg::ValueLoaded {
            profile: 0,
            name: "zeta".into(),
            version: "latest".into(),
            result: Ok(Redacted::new("hunter2")),
        },
    );
    assert_eq!(state.mode, Mode::Normal);
    assert!(!format!("{state:?}").contains("hunter2"));
}

mod lifecycle;

/// The outcome of the user's own action stays: background refresh errors
/// and time do not push it away; esc dismisses it; the next outcome replaces it.
#[test]
fn a_failed_cancel_stays_reported_over_refresh_errors() {
    let mut state = loaded(0, sample());
    update(&mut state, key('c'));
    update(&mut state, key('y'));
    let err = Error::Api {
        status: 503,
        code: Some("APIGW.0203".into()),
        message: "Service unavailable".into(),
        request_id: Some("req-9".into()),
        attempts: 4,
    };
    let outcome = Box::new(CancelOutcome::Failed(err));
    update(&mut state, Msg::CancelDone { profile: 0, name: "db-pass".into(), outcome, bulk: false });
    for i in 1..=5 {
        let effects = update(&mut state, Msg::Tick(NOW + i * 61_000));
        let generation = state.generation;
        if !effects.is_empty() {
            update(&mut state, Msg::Loaded { generation, profile: 0, result: Err("cannot connect".into()) });
        }
    }
    let m = state.footer_message().unwrap();
    assert!(m.text.contains("Cancel of 'db-pass'") && m.text.contains("req-9"), "{}", m.text);
    assert_eq!(m.level, Level::Error);
    assert!(state.load_errors.contains_key(&0), "the refresh error is kept for the header");
    update(&mut state, key('s'));
    assert!(state.footer_message().unwrap().text.starts_with("Sorted by"), "a passing word shows over it");
    update(&mut state, Msg::Tick(NOW + 400_000));
    assert!(state.footer_message().unwrap().text.contains("Cancel of 'db-pass'"), "and the outcome comes back");
    update(&mut state, code(KeyCode::Esc));
    assert!(state.footer_message().is_none(), "esc dismisses it");
}

/// `q` with a cancel under way waits for its answer; a second `q` quits at
/// once and names what never got one; a signal waits ten seconds at most.
#[test]
fn quitting_waits_for_requests_under_way() {
    let mut state = loaded(0, sample());
    update(&mut state, key('c'));
    update(&mut state, key('y'));
    update(&mut state, key('q'));
    assert!(!state.quit && state.quitting.is_some(), "the cancel is under way");
    update(
        &mut state,
        Msg::CancelDone { profile: 0, name: "db-pass".into(), outcome: cancelled("db-pass"), bulk: false },
    );
    assert!(state.quit, "quits once the answer came");

    let mut state = loaded(0, sample());
    update(&mut state, key('c'));
    update(&mut state, key('y'));
    update(&mut state, key('q'));
    update(&mut state, key('q'));
    assert!(state.quit);
    assert_eq!(
        state.unfinished(),
        ["the cancel of the deletion of 'db-pass' (profile prod): csms quit before the answer; \
          check with `csms --profile prod show db-pass` or `csms --profile prod history --secret db-pass`"]
    );

    let mut state = loaded(0, sample());
    update(&mut state, key('c'));
    update(&mut state, key('y'));
    update(&mut state, Msg::Terminate);
    update(&mut state, Msg::Tick(NOW + SIGNAL_GRACE_MS - 1));
    assert!(!state.quit, "a signal waits a while");
    update(&mut state, Msg::Tick(NOW + SIGNAL_GRACE_MS));
    assert!(state.quit, "but not longer than its grace");

    let mut state = loaded(0, sample());
    update(&mut state, key('q'));
    assert!(state.quit, "nothing under way: quits at once");
}

/// The commands a quit names for a change left unanswered run as printed:
/// a profile name a shell would split or expand is quoted.
#[test]
fn the_quit_hint_quotes_a_profile_name_for_the_shell() {
    let mut infos = profiles();
    infos[0].name = "it's prod".into();
    let (mut state, _) = State::new(infos, View::Profile(0), 60_000, None, NOW);
    update(&mut state, Msg::Loaded { generation: 1, profile: 0, result: Ok(sample()) });
    update(&mut state, key('c'));
    update(&mut state, key('y'));
    update(&mut state, key('q'));
    update(&mut state, key('q'));
    let [line] = state.unfinished().try_into().expect("one change unanswered");
    assert!(line.ends_with(r"check with `csms --profile 'it'\''s prod' show db-pass` or `csms --profile 'it'\''s prod' history --secret db-pass`"), "{line}");

    let (mut state, _) = State::new(profiles(), View::Profile(0), 60_000, Some("demo".into()), NOW);
    update(&mut state, Msg::Loaded { generation: 1, profile: 0, result: Ok(sample()) });
    update(&mut state, key('c'));
    update(&mut state, key('y'));
    update(&mut state, key('q'));
    update(&mut state, key('q'));
    let [line] = state.unfinished().try_into().expect("one change unanswered");
    assert!(line.ends_with("the demo's data starts afresh each run, so there is nothing to check"), "{line}");
}

/// Rows of a read-only profile take no mark; the others go, and the
/// confirmation counts the marked rows the filter hides.
#[test]
fn bulk_cancel_leaves_read_only_rows_out_and_counts_hidden_ones() {
    let mut state = loaded(0, vec![pending("p-one", HOUR), pending("p-two", 2 * HOUR)]);
    update(&mut state, key('a'));
    let generation = state.generation;
    update(
        &mut state,
        Msg::Loaded { generation, profile: 0, result: Ok(vec![pending("p-one", HOUR), pending("p-two", 2 * HOUR)]) },
    );
    update(&mut state, Msg::Loaded { generation, profile: 1, result: Ok(vec![]) });
    update(&mut state, Msg::Loaded { generation, profile: 2, result: Ok(vec![pending("audit-x", 3 * HOUR)]) });
    for _ in 0..3 {
        update(&mut state, key(' '));
    }
    assert_eq!(state.marked.len(), 2, "audit is read-only: audit-x took no mark");
    update(&mut state, key('/'));
    typed(&mut state, "one");
    update(&mut state, code(KeyCode::Enter));
    update(&mut state, key('c'));
    let Mode::Confirm(Pending::CancelMany { keys, hidden }) = &state.mode else { panic!("{:?}", state.mode) };
    assert_eq!(keys.len(), 2);
    assert_eq!(*hidden, 1, "p-two is marked but filtered out");
    let effects = update(&mut state, key('y'));
    assert_eq!(effects, vec![Effect::CancelMany { profile: 0, names: vec!["p-one".into(), "p-two".into()] }]);
    update(&mut state, Msg::CancelDone { profile: 0, name: "p-one".into(), outcome: cancelled("p-one"), bulk: true });
    update(&mut state, Msg::CancelDone { profile: 0, name: "p-two".into(), outcome: cancelled("p-two"), bulk: true });
    let Mode::Report { lines, .. } = &state.mode else { panic!("{:?}", state.mode) };
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines[0].contains("p-one") && lines[1].contains("p-two"), "{lines:?}");
}

/// A refresh that finds a secret gone says so in the footer and in the
/// session's events, with why; state changes and failures are noted too.
#[test]
fn a_refresh_announces_deletions_and_notes_what_changed() {
    let mut state = loaded(0, sample());
    // db-pass's window ends; zeta is scheduled elsewhere; api-key is deleted by someone else.
    let later = NOW + 3 * HOUR;
    let effects = update(&mut state, Msg::Tick(later));
    assert!(!effects.is_empty(), "the automatic refresh");
    let generation = state.generation;
    let after = vec![pending("zeta", 5 * HOUR), pending("later", 50 * HOUR)];
    update(&mut state, Msg::Loaded { generation, profile: 0, result: Ok(after) });
    let footer = state.footer_message().unwrap().text.clone();
    assert!(footer.contains("was deleted"), "{footer}");
    let texts: Vec<&str> = state.events.iter().map(|e| e.text.as_str()).collect();
    assert!(texts.contains(&"db-pass (profile prod) was deleted: its recovery window ended"), "{texts:?}");
    assert!(texts.contains(&"api-key (profile prod) was deleted: deleted elsewhere"), "{texts:?}");
    assert!(texts.contains(&"zeta (profile prod): ENABLED → PENDING_DELETE"), "{texts:?}");
    // A failure is noted once, however often it repeats; recovery is noted too.
    for i in 1..=3 {
        update(&mut state, Msg::Tick(later + i * 61_000));
        let generation = state.generation;
        update(&mut state, Msg::Loaded { generation, profile: 0, result: Err("cannot connect".into()) });
    }
    assert_eq!(state.events.iter().filter(|e| e.text.contains("refresh failed")).count(), 1);
    update(&mut state, Msg::Tick(later + 5 * 61_000));
    let generation = state.generation;
    update(&mut state, Msg::Loaded { generation, profile: 0, result: Ok(vec![pending("zeta", 5 * HOUR)]) });
    assert!(state.events.iter().any(|e| e.text == "profile prod answers again"));
}

/// Countdowns count on the server's clock; when one reaches zero, its
/// profile is read again a few seconds later to show what the server did.
#[test]
fn countdowns_follow_the_server_clock_and_zero_is_confirmed() {
    let mut state = loaded(0, vec![pending("soon", 10_000), enabled("calm")]);
    update(&mut state, Msg::ServerClock { profile: 0, offset: 4_000 });
    let s = state.table.selected().unwrap().secret.clone();
    assert_eq!(state.time_left(0, &s), Some(6_000), "the server is 4 s ahead");
    assert!(update(&mut state, Msg::Tick(NOW + 5_000)).is_empty());
    assert!(update(&mut state, Msg::Tick(NOW + 6_000)).is_empty(), "zero now: confirmed a little later");
    assert!(update(&mut state, Msg::Tick(NOW + 8_000)).is_empty());
    let effects = update(&mut state, Msg::Tick(NOW + 9_000));
    assert_eq!(effects, vec![Effect::Load { generation: state.generation, profile: 0 }]);
    let generation = state.generation;
    update(&mut state, Msg::Loaded { generation, profile: 0, result: Ok(vec![enabled("calm")]) });
    assert!(
        state.footer_message().unwrap().text.contains("soon (profile prod) was deleted: its recovery window ended")
    );
    assert!(update(&mut state, Msg::Tick(NOW + 20_000)).is_empty(), "nothing more is due");
}

#[test]
fn c_cancels_from_the_details_of_a_pending_secret() {
    let mut state = loaded(0, sample());
    assert_eq!(selected(&state), "db-pass");
    update(&mut state, code(KeyCode::Enter));
    update(&mut state, key('c'));
    assert!(matches!(&state.mode, Mode::Confirm(Pending::Cancel { key, .. }) if key.1 == "db-pass"));
    let effects = update(&mut state, key('y'));
    assert_eq!(effects, vec![Effect::Cancel { profile: 0, name: "db-pass".into() }]);
}

#[test]
fn the_picker_filters_as_typed_and_offers_all_profiles() {
    let mut state = loaded(0, sample());
    update(&mut state, key('p'));
    assert!(matches!(&state.mode, Mode::PickProfile { selected: 1, .. }), "on the current profile (after 'all')");
    assert_eq!(state.pending_counts.get(&0), Some(&2));
    typed(&mut state, "stag");
    let Mode::PickProfile { filter, .. } = &state.mode else { panic!() };
    assert_eq!(picker::choices(&state, filter.text()), vec![picker::Choice::Profile(1)]);
    let effects = update(&mut state, code(KeyCode::Enter));
    assert_eq!(state.view, View::Profile(1));
    assert_eq!(effects.len(), 1);
    update(&mut state, key('p'));
    typed(&mut state, "all");
    update(&mut state, code(KeyCode::Enter));
    assert_eq!(state.view, View::All);
    update(&mut state, key('p'));
    typed(&mut state, "x");
    update(&mut state, code(KeyCode::Esc));
    assert!(matches!(&state.mode, Mode::PickProfile { filter, .. } if filter.is_empty()), "esc clears first");
    update(&mut state, code(KeyCode::Esc));
    assert_eq!(state.mode, Mode::Normal);
}

#[test]
fn the_wheel_scrolls_a_click_selects_and_a_double_click_opens() {
    let mut state = loaded(0, sample());
    update(&mut state, Msg::Viewport { rows: 10, screen: (80, 24) });
    update(&mut state, Msg::Scroll(3));
    assert_eq!(state.table.selected_index(), 3);
    update(&mut state, Msg::Scroll(-3));
    assert_eq!(state.table.selected_index(), 0);
    update(&mut state, Msg::Click { row: 2, at: NOW });
    assert_eq!(selected(&state), "api-key");
    assert_eq!(state.mode, Mode::Normal);
    let effects = update(&mut state, Msg::Click { row: 2, at: NOW + 300 });
    assert!(matches!(&state.mode, Mode::Details { key, .. } if key.1 == "api-key"), "a double click opens it");
    assert_eq!(effects, vec![Effect::LoadVersions { profile: 0, name: "api-key".into() }]);
    update(&mut state, code(KeyCode::Esc));
    update(&mut state, Msg::Click { row: 1, at: NOW + 1000 });
    update(&mut state, Msg::Click { row: 1, at: NOW + 2000 });
    assert_eq!(state.mode, Mode::Normal, "two clicks a second apart are two clicks");
    update(&mut state, Msg::Click { row: 9, at: NOW + 3000 });
    assert_eq!(selected(&state), "later", "a click below the rows selects nothing");
}

fn schedule_days(state: &State) -> Result<u32, String> {
    let Mode::Schedule { days, .. } = &state.mode else { panic!("no schedule dialog: {:?}", state.mode) };
    days.value()
}

fn command_line(text: &str) -> Mode {
    Mode::Command { input: crate::app::field::TextField::new(text), candidates: vec![] }
}

/// A window out of range is said, when leaving the field and when sending,
/// and stays as typed: nothing falls back to another number.
#[test]
fn a_schedule_window_out_of_range_is_said_not_replaced() {
    let mut state = loaded(0, sample());
    update(&mut state, key('G'));
    update(&mut state, key('d'));
    update(&mut state, code(KeyCode::Tab));
    typed(&mut state, "5");
    update(&mut state, code(KeyCode::Tab));
    assert_eq!(schedule_days(&state), Err("5 is out of range: 7 to 30".into()), "still 5");
    assert!(matches!(state.mode, Mode::Schedule { on_days: true, .. }), "the focus stays on the window");
    assert!(state.footer_message().unwrap().text.contains("5 is out of range: 7 to 30"));
    update(&mut state, key('9'));
    update(&mut state, code(KeyCode::Home));
    update(&mut state, code(KeyCode::Delete));
    assert_eq!(schedule_days(&state), Ok(9), "the field edits like any other");
    update(&mut state, code(KeyCode::Tab));
    typed(&mut state, "zeta");
    let effects = update(&mut state, code(KeyCode::Enter));
    assert_eq!(effects, vec![Effect::Schedule { profile: 0, name: "zeta".into(), days: 9 }]);
}

#[test]
fn the_schedule_window_can_be_typed_in_digits_only() {
    let mut state = loaded(0, sample());
    update(&mut state, key('G'));
    update(&mut state, key('d'));
    update(&mut state, code(KeyCode::Tab));
    typed(&mut state, "1x4");
    assert_eq!(schedule_days(&state), Ok(14), "{:?}", state.mode);
    assert!(state.footer_message().unwrap().text.contains("digits"), "a letter is refused with a word");
    update(&mut state, code(KeyCode::Backspace));
    update(&mut state, code(KeyCode::Backspace));
    typed(&mut state, "45");
    assert_eq!(schedule_days(&state), Err("45 is out of range: 7 to 30".into()));
    update(&mut state, code(KeyCode::Home));
    update(&mut state, code(KeyCode::Delete));
    update(&mut state, code(KeyCode::End));
    update(&mut state, code(KeyCode::Backspace));
    typed(&mut state, "14");
    assert_eq!(schedule_days(&state), Ok(14));
    update(&mut state, code(KeyCode::Tab));
    typed(&mut state, "zeta");
    let effects = update(&mut state, code(KeyCode::Enter));
    assert_eq!(effects, vec![Effect::Schedule { profile: 0, name: "zeta".into(), days: 14 }]);
}

#[test]
fn a_project_iam_found_is_named_once_it_is_known() {
    let mut profiles = profiles();
    profiles[0].project_id = String::new();
    profiles[0].project_from_iam = true;
    let (mut state, _) = State::new(profiles, View::Profile(0), 60_000, None, NOW);
    assert_eq!(state.profiles[0].project_label(), "cn-north-4 (id from IAM on first load)");
    update(&mut state, Msg::ProjectFound { profile: 0, project_id: "abc123".into() });
    assert_eq!(state.profiles[0].project_label(), "abc123 (IAM's cn-north-4)");
    assert_eq!(state.profiles[1].project_label(), "staging-project", "a configured id is shown as it is");
}

/// The profiles `effects` load.
fn loaded_profiles(effects: &[Effect]) -> Vec<usize> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Load { profile, .. } => Some(*profile),
            _ => None,
        })
        .collect()
}

/// Targets checked again behind the UI: a new one is loaded into the
/// all-profiles view, one IAM no longer lists leaves it and is never asked.
#[test]
fn targets_found_behind_the_ui_come_in_and_gone_ones_go() {
    let mut state = loaded(0, sample());
    update(&mut state, key('a'));
    let generation = state.generation;
    for p in 0..3 {
        update(&mut state, Msg::Loaded { generation, profile: p, result: Ok(vec![pending(&format!("s{p}"), HOUR)]) });
    }
    let new = ProfileInfo { name: "acme/cn-east-3".into(), ..profiles()[0].clone() };
    let checked = targets::Checked {
        profile: "acme".into(),
        added: vec![(3, new)],
        gone: vec![1],
        skipped: vec![("acme/MOS".into(), "no CSMS in region MOS".into())],
        failed: None,
        finding: None,
    };
    let effects = update(&mut state, Msg::TargetsChecked(checked));
    assert_eq!(effects, vec![Effect::Load { generation, profile: 3 }]);
    assert_eq!(state.profiles.len(), 4);
    assert!(state.table.rows().iter().all(|r| r.profile != 1), "the gone target's rows are gone");
    assert_eq!(state.load_errors.get(&1).map(String::as_str), Some(targets::GONE));
    let message = state.footer_message().unwrap().text.clone();
    assert_eq!(message, "projects of acme: new: acme/cn-east-3; gone: staging");
    assert!(state.events.iter().any(|e| e.text == "skipped acme/MOS: no CSMS in region MOS"));
    assert_eq!(state.skipped.get("acme/MOS").map(String::as_str), Some("no CSMS in region MOS"));

    let effects = update(&mut state, key('r'));
    let loads = loaded_profiles(&effects);
    assert_eq!(loads, [0, 2, 3], "a gone target is not asked again");

    // Out of order (a bug elsewhere): not taken in under a wrong number.
    let stray = targets::Checked {
        profile: "acme".into(),
        added: vec![(9, profiles()[0].clone())],
        gone: vec![],
        skipped: vec![],
        failed: None,
        finding: None,
    };
    update(&mut state, Msg::TargetsChecked(stray));
    assert_eq!(state.profiles.len(), 4);
}

/// A profile with regions whose projects nobody has found yet stands in for
/// them: the UI opens on it at once, and its targets take its place when IAM
/// names them (or it fails with why).
#[test]
fn a_profile_still_finding_its_projects_gives_way_to_them() {
    let acme = ProfileInfo { name: "acme".into(), finding: true, project_id: String::new(), ..profiles()[0].clone() };
    let (mut state, effects) =
        State::new(vec![acme.clone(), profiles()[1].clone()], View::Profile(0), 60_000, None, NOW);
    assert_eq!(effects, vec![Effect::Load { generation: 1, profile: 0 }], "the worker holds it until IAM answers");
    assert_eq!(state.profiles[0].project_label(), "every one IAM lists (being asked)");
    let target = |n: &str| ProfileInfo { name: format!("acme/{n}"), ..profiles()[0].clone() };
    let found = targets::Checked {
        profile: "acme".into(),
        added: vec![(2, target("cn-north-4")), (3, target("cn-north-4_pay"))],
        gone: vec![],
        skipped: vec![],
        failed: None,
        finding: Some(0),
    };
    let effects = update(&mut state, Msg::TargetsChecked(found));
    assert_eq!(state.view, View::Group(2), "the view follows to its targets");
    let loads = loaded_profiles(&effects);
    assert_eq!(loads, [2, 3]);
    assert_eq!(state.footer_message().unwrap().text, "projects of acme: 2 projects found");
    assert!(!picker::choices(&state, "").contains(&picker::Choice::Profile(0)), "no longer a choice");

    // IAM refuses instead: the profile fails with why, and is done loading.
    let (mut state, _) = State::new(vec![acme, profiles()[1].clone()], View::Profile(0), 60_000, None, NOW);
    let refused = targets::Checked {
        profile: "acme".into(),
        added: vec![],
        gone: vec![],
        skipped: vec![],
        failed: Some(health::LoadError {
            health: health::Health::AuthFailed,
            text: "authentication failed for profile 'acme'".into(),
        }),
        finding: Some(0),
    };
    update(&mut state, Msg::TargetsChecked(refused));
    assert!(state.loading.is_empty());
    assert_eq!(state.health.get(&0), Some(&health::Health::AuthFailed));
    assert_eq!(state.load_errors.get(&0).map(String::as_str), Some("authentication failed for profile 'acme'"));
}

/// A target found behind the UI is numbered after every profile, but sits
/// under its own profile's line in the picker, not under a second one.
#[test]
fn a_target_found_later_joins_its_group_in_the_picker() {
    let target = |n: &str| ProfileInfo { name: format!("acme/{n}"), ..profiles()[0].clone() };
    let solo = ProfileInfo { name: "solo".into(), ..profiles()[1].clone() };
    let (mut state, _) = State::new(vec![target("a"), solo], View::All, 60_000, None, NOW);
    let later = targets::Checked {
        profile: "acme".into(),
        added: vec![(2, target("b"))],
        gone: vec![],
        skipped: vec![],
        failed: None,
        finding: None,
    };
    update(&mut state, Msg::TargetsChecked(later));
    use picker::Choice::*;
    assert_eq!(picker::choices(&state, ""), [All, Group(0), Profile(0), Profile(2), Profile(1)]);
}

/// `r` says "Refreshing…" until the refresh ends, then what it brought; a
/// profile switch clears the words about the one left.
#[test]
fn a_refresh_asked_for_says_when_it_ends_and_a_switch_clears_the_message() {
    let mut state = loaded(0, sample());
    update(&mut state, key('r'));
    assert_eq!(state.footer_message().unwrap().text, "Refreshing…");
    update(&mut state, Msg::Tick(NOW + 30_000));
    assert_eq!(state.footer_message().unwrap().text, "Refreshing…", "not before it ends");
    let generation = state.generation;
    update(&mut state, Msg::Loaded { generation, profile: 0, result: Ok(sample()) });
    assert_eq!(state.footer_message().unwrap().text, "4 secrets, fetched just now: nothing changed");
    update(&mut state, key('p'));
    typed(&mut state, "stag");
    update(&mut state, code(KeyCode::Enter));
    assert_eq!(state.view, View::Profile(1));
    assert!(state.footer_message().is_none(), "the switch cleared it");
}

/// `r` names what it brought: new secrets (a few, then a count), changed
/// descriptions and states, deletions.
#[test]
fn a_refresh_asked_for_names_what_it_brought() {
    let mut state = loaded(0, sample());
    update(&mut state, key('r'));
    let mut after = vec![enabled("api-key"), enabled("db-pass"), pending("later", 50 * HOUR)];
    after[0].description = Some("rotated monthly".into());
    after.extend(["n1", "n2", "n3", "n4", "n5"].map(enabled));
    let generation = state.generation;
    update(&mut state, Msg::Loaded { generation, profile: 0, result: Ok(after) });
    assert_eq!(
        state.footer_message().unwrap().text,
        "8 secrets, fetched just now: new n1, n2, n3 and 2 more · changed api-key (description), \
         db-pass PENDING_DELETE → ENABLED · deleted zeta"
    );
}

/// In the all-profiles view a read-only profile's pending row takes no mark:
/// the refusal says why, as `c` on it would.
#[test]
fn rows_of_read_only_profiles_take_no_mark_in_the_all_profiles_view() {
    let mut state = loaded(0, vec![]);
    update(&mut state, key('a'));
    let generation = state.generation;
    update(&mut state, Msg::Loaded { generation, profile: 0, result: Ok(vec![pending("mine", 2 * HOUR)]) });
    update(&mut state, Msg::Loaded { generation, profile: 1, result: Ok(vec![]) });
    update(&mut state, Msg::Loaded { generation, profile: 2, result: Ok(vec![pending("audited", HOUR)]) });
    update(&mut state, key('g'));
    assert_eq!(selected(&state), "audited");
    update(&mut state, key(' '));
    assert!(state.marked.is_empty(), "{:?}", state.marked);
    assert_eq!(selected(&state), "audited", "the cursor stays on the refused row");
    let m = state.footer_message().cloned().unwrap();
    assert_eq!((m.level, m.text.as_str()), (Level::Error, "profile audit is read-only: marking for a cancel refused"));
    update(&mut state, key('j'));
    update(&mut state, key(' '));
    assert_eq!(state.marked.iter().cloned().collect::<Vec<_>>(), [(0, "mine".to_string())]);
}

/// `y v` on a secret pending deletion is refused here: no version of it is
/// readable, so nothing is asked of the server.
#[test]
fn copying_the_value_of_a_secret_pending_deletion_is_refused_locally() {
    let mut state = loaded(0, sample());
    assert_eq!(selected(&state), "db-pass");
    update(&mut state, key('y'));
    assert_eq!(update(&mut state, key('v')), vec![]);
    assert_eq!(state.mode, Mode::Normal);
    let m = state.footer_message().cloned().unwrap();
    assert!(m.text.contains("'db-pass' is pending deletion: no value is readable"), "{}", m.text);
    update(&mut state, key('G'));
    update(&mut state, key('y'));
    assert_eq!(update(&mut state, key('v')), vec![Effect::CopyValue { profile: 0, name: "zeta".into() }]);
}

/// Two profiles on the same endpoint and project show the same secrets: a
/// cancel confirmed through one shows in the other's row at once; a profile
/// on another project keeps its own row.
#[test]
fn a_confirmed_change_shows_in_every_profile_on_the_same_project() {
    let mut infos = profiles();
    infos[2].project_id = infos[0].project_id.clone();
    let (mut state, _) = State::new(infos, View::All, 60_000, None, NOW);
    let generation = state.generation;
    for profile in 0..3 {
        update(&mut state, Msg::Loaded { generation, profile, result: Ok(vec![pending("db-pass", 2 * HOUR)]) });
    }
    update(
        &mut state,
        Msg::CancelDone { profile: 0, name: "db-pass".into(), outcome: cancelled("db-pass"), bulk: false },
    );
    assert_eq!(row_state(&state, 0, "db-pass"), "ENABLED");
    assert_eq!(row_state(&state, 2, "db-pass"), "ENABLED", "the read-only profile on the same project agrees");
    assert_eq!(row_state(&state, 1, "db-pass"), "PENDING_DELETE", "another project is left alone");
    assert_eq!(state.time_left(2, &state.table.rows().iter().find(|r| r.profile == 2).unwrap().secret), None);
}

/// A change without a trusted answer reads `outcome unknown`, one refused
/// reads `failed`: never both in one message.
#[test]
fn an_unknown_outcome_is_not_reported_as_a_failure() {
    let mut state = loaded(0, sample());
    let unknown = format!(
        "{} (connection reset); the next refresh shows what the server has",
        crate::csms::reconcile::OUTCOME_UNKNOWN
    );
    update(&mut state, Msg::Created { profile: 0, name: "new".into(), result: Err(unknown) });
    let text = state.footer_message().unwrap().text.clone();
    assert_eq!(
        text,
        "Creating 'new' (profile prod): outcome unknown (connection reset); the next refresh shows what the server has"
    );
    update(&mut state, Msg::ValuePut { profile: 0, name: "zeta".into(), result: Err("CSMS.0401 forbidden".into()) });
    assert_eq!(state.footer_message().unwrap().text, "The new value of 'zeta' failed: CSMS.0401 forbidden");
}

/// Tab on the `:` line completes a command's argument too, and when it
/// cannot choose, the candidates stay with the open line instead of a
/// message that shows only once the line is closed.
#[test]
fn command_tab_completes_arguments_and_keeps_candidates_with_the_line() {
    let mut state = loaded(0, sample());
    update(&mut state, key(':'));
    typed(&mut state, "sort n");
    update(&mut state, code(KeyCode::Tab));
    assert_eq!(state.mode, command_line("sort name"));
    update(&mut state, code(KeyCode::Esc));

    update(&mut state, key(':'));
    typed(&mut state, "s");
    update(&mut state, code(KeyCode::Tab));
    let Mode::Command { candidates, .. } = &state.mode else { panic!("the line stays open: {:?}", state.mode) };
    assert_eq!(candidates, &["sort".to_string(), "staging".to_string()]);
    assert!(state.footer_message().is_none(), "no message waits behind the line");
    typed(&mut state, "o");
    assert!(matches!(&state.mode, Mode::Command { candidates, .. } if candidates.is_empty()), "typing clears them");
}

/// Tab completes the word at the cursor and keeps what follows it; an
/// unknown command's echo is cut so the message stays readable.
#[test]
fn command_tab_completes_the_word_at_the_cursor() {
    let mut state = loaded(0, sample());
    update(&mut state, key(':'));
    typed(&mut state, "so name");
    for _ in 0..5 {
        update(&mut state, code(KeyCode::Left));
    }
    update(&mut state, code(KeyCode::Tab));
    let Mode::Command { input, .. } = &state.mode else { panic!("{:?}", state.mode) };
    assert_eq!((input.text(), input.cursor()), ("sort name", 5), "the command, its argument kept");
    update(&mut state, code(KeyCode::Esc));

    update(&mut state, key(':'));
    typed(&mut state, "sort n extra");
    for _ in 0..6 {
        update(&mut state, code(KeyCode::Left));
    }
    update(&mut state, code(KeyCode::Tab));
    let Mode::Command { input, .. } = &state.mode else { panic!("{:?}", state.mode) };
    assert_eq!((input.text(), input.cursor()), ("sort name extra", 9));
    update(&mut state, code(KeyCode::Esc));

    update(&mut state, key(':'));
    update(&mut state, Msg::Paste(Redacted::new("x".repeat(500))));
    update(&mut state, code(KeyCode::Enter));
    let text = state.footer_message().cloned().unwrap().text;
    assert!(text.starts_with(&format!("unknown command '{}…': try ", "x".repeat(23))), "{text}");
}

/// Every text input edits at the cursor: the filter, for one.
#[test]
fn the_filter_edits_at_the_cursor() {
    let mut state = loaded(0, sample());
    update(&mut state, key('/'));
    typed(&mut state, "zta");
    update(&mut state, code(KeyCode::Left));
    update(&mut state, code(KeyCode::Left));
    typed(&mut state, "e");
    assert!(matches!(&state.mode, Mode::Filter { input } if input.text() == "zeta"), "{:?}", state.mode);
    assert_eq!(state.table.filter(), "zeta");
    update(&mut state, Msg::Key(KeyEvent::new(KeyCode::Char('w'), KeyModifiers::CONTROL)));
    assert_eq!(state.table.filter(), "ta", "ctrl-w deletes the word before the cursor");
}

/// In a view of one profile's projects, `n` asks which project (the
/// selected row's first; a project with no rows is there too; read-only
/// ones are not), and the form opens on the one chosen.
#[test]
fn a_new_secret_in_a_group_view_asks_for_the_project() {
    let target =
        |n: &str, read_only: bool| ProfileInfo { name: format!("acme/{n}"), read_only, ..profiles()[0].clone() };
    let targets = vec![target("cn-north-4", false), target("cn-north-4_empty", false), target("cn-north-4_ro", true)];
    let (mut state, _) = State::new(targets, View::Group(0), 60_000, None, NOW);
    update(&mut state, Msg::Loaded { generation: 1, profile: 0, result: Ok(vec![enabled("api-key")]) });
    update(&mut state, Msg::Loaded { generation: 1, profile: 1, result: Ok(vec![]) });
    update(&mut state, Msg::Loaded { generation: 1, profile: 2, result: Ok(vec![]) });
    assert_eq!(update(&mut state, key('n')), vec![]);
    assert_eq!(state.mode, Mode::ChooseProject { choices: vec![0, 1], selected: 0 });
    update(&mut state, key('j'));
    update(&mut state, code(KeyCode::Enter));
    let Mode::NewSecret(form) = &state.mode else { panic!("{:?}", state.mode) };
    assert_eq!(form.profile, 1, "the project with no rows, as chosen");
    update(&mut state, code(KeyCode::Esc));
    update(&mut state, key('n'));
    update(&mut state, code(KeyCode::Esc));
    assert_eq!(state.mode, Mode::Normal, "esc: nothing opens");
}

/// `:profile` takes the name of a profile split into targets, as the
/// picker and `--profile` do: it opens the group of its targets, and Tab
/// offers that name beside the targets'.
#[test]
fn the_command_line_opens_a_group_by_its_profile_name() {
    let target = |n: &str| ProfileInfo { name: format!("lab/{n}"), ..profiles()[0].clone() };
    let (mut state, _) =
        State::new(vec![target("cn-north-4"), target("cn-north-4_empty")], View::Profile(1), 60_000, None, NOW);
    update(&mut state, key(':'));
    typed(&mut state, "profile ");
    update(&mut state, code(KeyCode::Tab));
    assert_eq!(state.mode, command_line("profile lab"), "the group's name completes");
    update(&mut state, code(KeyCode::Tab));
    let Mode::Command { candidates, .. } = &state.mode else { panic!("{:?}", state.mode) };
    assert!(candidates.iter().any(|c| c.ends_with("lab")), "and is offered: {candidates:?}");
    update(&mut state, code(KeyCode::Enter));
    assert_eq!(state.view, View::Group(0));
    assert!(state.footer_message().is_none(), "{:?}", state.footer_message());
}

/// Tab into the recovery window keeps its number, selected: a second Tab
/// goes back to the name with it, and digits typed replace it.
#[test]
fn tab_into_the_schedule_window_keeps_the_number_selected() {
    let mut state = loaded(0, sample());
    update(&mut state, key('G'));
    update(&mut state, key('d'));
    update(&mut state, code(KeyCode::Tab));
    assert_eq!(schedule_days(&state), Ok(30), "the window is kept");
    update(&mut state, code(KeyCode::Tab));
    assert!(matches!(state.mode, Mode::Schedule { on_days: false, .. }), "back to the name: {:?}", state.mode);
    update(&mut state, code(KeyCode::Tab));
    typed(&mut state, "14");
    assert_eq!(schedule_days(&state), Ok(14), "typing replaces the selected number");
    typed(&mut state, "z");
    assert!(state.footer_message().unwrap().text.contains("tab: back to the name"), "a letter says where names go");
    update(&mut state, code(KeyCode::Tab));
    typed(&mut state, "zeta");
    let effects = update(&mut state, code(KeyCode::Enter));
    assert_eq!(effects, vec![Effect::Schedule { profile: 0, name: "zeta".into(), days: 14 }]);
}

/// A command that works clears what the previous one said, and `:sort X`
/// starts in X's natural order even after `S` reversed the last one.
#[test]
fn a_sort_command_clears_an_old_error_and_starts_in_its_natural_order() {
    let mut state = loaded(0, sample());
    update(&mut state, key(':'));
    typed(&mut state, "sort u");
    update(&mut state, code(KeyCode::Enter));
    assert!(state.footer_message().unwrap().text.contains("not 'u'"));
    update(&mut state, key(':'));
    typed(&mut state, "sort updated");
    update(&mut state, code(KeyCode::Enter));
    assert_eq!(state.footer_message().unwrap().text, "Sorted by updated", "the error is gone");
    update(&mut state, key('S'));
    assert!(state.table.reversed());
    update(&mut state, key(':'));
    typed(&mut state, "sort time");
    update(&mut state, code(KeyCode::Enter));
    assert_eq!((state.table.sort(), state.table.reversed()), (SortKey::TimeLeft, false));
}

/// Once a command is typed, Tab lists its arguments alone, without the
/// command repeated before each.
#[test]
fn command_candidates_after_a_command_are_its_arguments() {
    let target = |n: &str| ProfileInfo { name: format!("lab/{n}"), ..profiles()[0].clone() };
    let (mut state, _) =
        State::new(vec![target("cn-north-4"), target("cn-north-4_empty")], View::Profile(1), 60_000, None, NOW);
    update(&mut state, key(':'));
    typed(&mut state, "profile lab/");
    update(&mut state, code(KeyCode::Tab));
    assert_eq!(state.mode, command_line("profile lab/cn-north-4"));
    update(&mut state, code(KeyCode::Tab));
    let Mode::Command { candidates, .. } = &state.mode else { panic!("{:?}", state.mode) };
    assert_eq!(candidates, &["lab/cn-north-4".to_string(), "lab/cn-north-4_empty".to_string()]);
    update(&mut state, code(KeyCode::Esc));
    update(&mut state, key(':'));
    typed(&mut state, "sort ");
    update(&mut state, code(KeyCode::Tab));
    let Mode::Command { candidates, .. } = &state.mode else { panic!("{:?}", state.mode) };
    assert_eq!(candidates, &["time", "name", "state", "updated"]);
}

/// The README's `:` row names every command Tab offers on an empty line.
#[test]
fn the_readme_names_every_command_of_the_command_line() {
    let readme = include_str!("../../README.md");
    let row = readme.lines().find(|l| l.starts_with("| `:` |")).expect("the README's `:` row");
    for (command, _, _) in crate::app::keymap::COMMANDS {
        assert!(row.contains(&format!("`{command}")), "`{command}` missing from: {row}");
    }
    assert!(row.contains("profile's name alone"), "a bare profile name is a command too: {row}");
}
