//! The forms and dialogs that change a secret, and every message they wait for.

use super::*;
use crate::csms::model::{Tag, VersionMetadata};
use crate::journal::Entry;

fn version(id: &str, stages: &[&str]) -> VersionMetadata {
    VersionMetadata {
        id: id.into(),
        create_time: Some(NOW - HOUR),
        expire_time: None,
        kms_key_id: None,
        secret_name: None,
        version_stages: stages.iter().map(|s| s.to_string()).collect(),
    }
}

/// `api-key` (enabled) selected.
fn on_api_key() -> State {
    let mut state = loaded(0, sample());
    while selected(&state) != "api-key" {
        update(&mut state, key('j'));
    }
    state
}

fn ctrl(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

#[test]
fn a_new_secret_is_checked_as_typed_and_sent_once_valid() {
    let mut state = loaded(0, sample());
    update(&mut state, key('n'));
    let Mode::NewSecret(form) = &state.mode else { panic!("{:?}", state.mode) };
    assert_eq!(form.profile, 0);
    typed(&mut state, "bad name");
    let Mode::NewSecret(form) = &state.mode else { panic!() };
    assert!(form.name_problem().is_some(), "a space is not allowed");
    assert!(update(&mut state, code(KeyCode::Enter)).is_empty(), "an invalid form sends nothing");
    for _ in 0..5 {
        update(&mut state, code(KeyCode::Backspace));
    }
    typed(&mut state, "-key");
    update(&mut state, code(KeyCode::Tab));
    typed(&mut state, "made here");
    update(&mut state, code(KeyCode::Tab));
    typed(&mut state, "hunter2");
    update(&mut state, Msg::Paste(Redacted::new("-pasted")));
    assert!(!format!("{state:?}").contains("hunter2"), "the value is redacted from the first keystroke");
    let effects = update(&mut state, code(KeyCode::Enter));
    assert_eq!(
        effects,
        vec![Effect::Create {
            profile: 0,
            name: "bad-key".into(),
            description: "made here".into(),
            value: Redacted::new("hunter2-pasted"),
        }]
    );
    assert_eq!(state.mode, Mode::Normal);
    assert!(state.table.rows().iter().any(|r| r.secret.name == "bad-key" && r.placeholder), "a row for the request");
    // However long the answer takes (retries under 503s), the footer says what is under way.
    update(&mut state, Msg::Tick(NOW + 25_000));
    assert_eq!(state.footer_message().unwrap().text, "Creating 'bad-key' (profile prod)…");
    update(&mut state, Msg::Created { profile: 0, name: "bad-key".into(), result: Ok(Box::new(enabled("bad-key"))) });
    assert_eq!(selected(&state), "bad-key", "the new row, selected");
    assert_eq!(state.footer_message().unwrap().level, Level::Success);
    update(&mut state, Msg::Created { profile: 0, name: "dup".into(), result: Err("CSMS.0003 (HTTP 400)".into()) });
    assert!(state.footer_message().unwrap().text.contains("Creating 'dup' (profile prod) failed: CSMS.0003"));
    assert!(!state.table.rows().iter().any(|r| r.secret.name == "dup"));
}

/// A create under way has a row that says so, with the retries counted as
/// they happen; the row is no secret yet: not counted, not sorted as
/// UNKNOWN. An unconfirmed create takes its row away again.
#[test]
fn a_create_under_way_shows_its_row_and_its_retries() {
    let mut state = loaded(0, sample());
    let counts = state.state_counts();
    update(&mut state, key('n'));
    typed(&mut state, "aaa-new");
    update(&mut state, code(KeyCode::Tab));
    update(&mut state, code(KeyCode::Tab));
    typed(&mut state, "value");
    update(&mut state, code(KeyCode::Enter));
    let row = (0, "aaa-new".to_string());
    assert_eq!(selected(&state), "aaa-new", "the row of the create, selected");
    assert_eq!(state.in_flight_label(&row).as_deref(), Some("creating…"));
    assert_eq!(state.state_counts(), counts, "no secret yet: not counted");
    for sort in ["name", "state", "updated", "time left"] {
        while state.table.sort().label() != sort {
            update(&mut state, key('s'));
        }
        let first = state.table.visible(100).next().unwrap();
        assert_eq!(first.secret.name, "aaa-new", "a create under way leads in every order ({sort})");
    }
    update(&mut state, Msg::Resent { profile: 0, name: "aaa-new".into(), send: 2 });
    update(&mut state, Msg::Resent { profile: 0, name: "aaa-new".into(), send: 3 });
    assert_eq!(state.in_flight_label(&row).as_deref(), Some("creating… ↻2"));
    assert_eq!(state.footer_message().unwrap().text, "Creating 'aaa-new' (profile prod)… retry 2");
    let generation = state.generation;
    update(&mut state, Msg::Loaded { generation, profile: 0, result: Ok(sample()) });
    assert!(state.table.rows().iter().any(|r| r.placeholder), "a refresh keeps the row of a create under way");
    let unknown = format!("{} (APIGW.0203 (HTTP 503))", crate::csms::reconcile::OUTCOME_UNKNOWN);
    update(&mut state, Msg::Created { profile: 0, name: "aaa-new".into(), result: Err(unknown) });
    assert!(!state.table.rows().iter().any(|r| r.secret.name == "aaa-new"), "no row for an unconfirmed create");
    assert_eq!(state.in_flight_label(&row), None);
    assert!(state.footer_message().unwrap().text.contains("outcome unknown"));
}

#[test]
fn the_generator_fills_the_value_and_esc_discards_it() {
    let mut state = loaded(0, sample());
    update(&mut state, key('n'));
    for _ in 0..3 {
        update(&mut state, code(KeyCode::Tab));
    }
    update(&mut state, code(KeyCode::Right));
    update(&mut state, code(KeyCode::Tab));
    update(&mut state, key(' '));
    let effects = update(&mut state, ctrl('g'));
    assert_eq!(
        effects,
        vec![Effect::GeneratePassword { profile: 0, generator: forms::Generator { length: 33, symbols: false } }]
    );
    update(&mut state, Msg::PasswordGenerated(Ok(Redacted::new("generated-secret"))));
    let Mode::NewSecret(form) = &state.mode else { panic!() };
    assert_eq!(form.value.secret().expose(), "generated-secret");
    assert!(!form.generating);
    update(&mut state, code(KeyCode::Esc));
    assert_eq!(state.mode, Mode::Normal);
    assert!(!format!("{state:?}").contains("generated-secret"), "discarded with the form");
}

#[test]
fn no_form_opens_where_nothing_may_change() {
    let mut state = loaded(2, sample());
    update(&mut state, key('n'));
    assert_eq!(state.mode, Mode::Normal, "audit is read-only");
    assert!(state.footer_message().unwrap().text.contains("read-only"));
    let mut state = loaded(0, sample());
    assert_eq!(selected(&state), "db-pass");
    for k in ['u', 'e'] {
        update(&mut state, key(k));
        assert_eq!(state.mode, Mode::Normal, "{k} on a pending secret");
        assert!(state.footer_message().unwrap().text.contains("pending deletion"));
    }
}

#[test]
fn a_new_value_says_which_version_it_makes_and_waits_for_yes() {
    let mut state = on_api_key();
    let effects = update(&mut state, key('u'));
    assert_eq!(effects, vec![Effect::LoadVersions { profile: 0, name: "api-key".into() }]);
    typed(&mut state, "s3cret");
    assert!(update(&mut state, code(KeyCode::Enter)).is_empty(), "not before the versions are known");
    let versions = vec![version("v1", &["SYSPREVIOUS"]), version("v2", &["SYSCURRENT"])];
    update(&mut state, Msg::VersionsLoaded { profile: 0, name: "api-key".into(), result: Ok(versions) });
    let Mode::NewValue(form) = &state.mode else { panic!() };
    assert_eq!(form.consequence().unwrap(), "creates v3 as SYSCURRENT; v2 becomes SYSPREVIOUS");
    update(&mut state, code(KeyCode::Enter));
    assert!(matches!(&state.mode, Mode::Confirm(Pending::PutValue { .. })));
    let effects = update(&mut state, key('y'));
    assert_eq!(
        effects,
        vec![Effect::PutValue {
            profile: 0,
            name: "api-key".into(),
            value: Redacted::new("s3cret"),
            before: vec!["v1".into(), "v2".into()],
        }]
    );
    assert_eq!(state.in_flight.get(&(0, "api-key".into())), Some(&Op::PutValue));
    update(&mut state, Msg::ValuePut { profile: 0, name: "api-key".into(), result: Ok("v3".into()) });
    assert!(state.in_flight.is_empty());
    assert!(state.footer_message().unwrap().text.contains("v3 is SYSCURRENT"));
    update(&mut state, Msg::ValuePut { profile: 0, name: "api-key".into(), result: Err("CSMS.0202".into()) });
    assert_eq!(state.footer_message().unwrap().level, Level::Error);
}

#[test]
fn a_description_is_edited_and_the_row_takes_the_servers_word() {
    let mut state = on_api_key();
    update(&mut state, key('e'));
    let Mode::Describe(form) = &state.mode else { panic!() };
    assert_eq!(form.text.text(), "api-key description", "the current description to edit");
    typed(&mut state, "!");
    let effects = update(&mut state, code(KeyCode::Enter));
    assert_eq!(
        effects,
        vec![Effect::Describe { profile: 0, name: "api-key".into(), description: "api-key description!".into() }]
    );
    assert_eq!(state.in_flight.get(&(0, "api-key".into())), Some(&Op::Update));
    let mut s = enabled("api-key");
    s.description = Some("api-key description!".into());
    update(&mut state, Msg::Described { profile: 0, name: "api-key".into(), result: Ok(Box::new(s)) });
    let row = state.table.rows().iter().find(|r| r.secret.name == "api-key").unwrap();
    assert_eq!(row.secret.description.as_deref(), Some("api-key description!"));
    assert!(state.in_flight.is_empty());
}

#[test]
fn tags_are_checked_before_sending_and_reread_after_a_failure() {
    let mut state = on_api_key();
    let effects = update(&mut state, key('t'));
    assert_eq!(effects, vec![Effect::LoadTags { profile: 0, name: "api-key".into() }]);
    let tag = |k: &str, v: &str| Tag { key: k.into(), value: Some(v.into()) };
    update(
        &mut state,
        Msg::TagsLoaded { profile: 0, name: "api-key".into(), result: Ok(("id-1".into(), vec![tag("env", "prod")])) },
    );
    update(&mut state, key('a'));
    typed(&mut state, "a/b=c");
    assert!(update(&mut state, code(KeyCode::Enter)).is_empty(), "a key with / is refused here");
    assert!(state.footer_message().unwrap().text.contains("invalid tag key"));
    for _ in 0..5 {
        update(&mut state, code(KeyCode::Backspace));
    }
    typed(&mut state, "team=pay");
    let effects = update(&mut state, code(KeyCode::Enter));
    assert_eq!(
        effects,
        vec![Effect::ChangeTags {
            profile: 0,
            name: "api-key".into(),
            secret_id: "id-1".into(),
            create: vec![tag("team", "pay")],
            delete: vec![],
        }]
    );
    update(
        &mut state,
        Msg::TagsChanged {
            profile: 0,
            name: "api-key".into(),
            result: Ok(vec![tag("env", "prod"), tag("team", "pay")]),
        },
    );
    let Mode::Tags(dialog) = &state.mode else { panic!() };
    assert!(!dialog.busy && matches!(&dialog.loaded, Some(Ok((_, t))) if t.len() == 2));
    assert_eq!(update(&mut state, key('x')), vec![], "x asks first");
    let effects = update(&mut state, key('y'));
    assert_eq!(
        effects,
        vec![Effect::ChangeTags {
            profile: 0,
            name: "api-key".into(),
            secret_id: "id-1".into(),
            create: vec![],
            delete: vec![Tag { key: "env".into(), value: None }],
        }]
    );
    let effects =
        update(&mut state, Msg::TagsChanged { profile: 0, name: "api-key".into(), result: Err("timed out".into()) });
    assert_eq!(effects, vec![Effect::LoadTags { profile: 0, name: "api-key".into() }], "read again after a failure");

    // Twenty tags at most.
    let twenty: Vec<Tag> = (0..20).map(|i| tag(&format!("k{i}"), "v")).collect();
    update(&mut state, Msg::TagsLoaded { profile: 0, name: "api-key".into(), result: Ok(("id-1".into(), twenty)) });
    update(&mut state, key('a'));
    typed(&mut state, "one=more");
    assert!(update(&mut state, code(KeyCode::Enter)).is_empty());
    assert!(state.footer_message().unwrap().text.contains("at most 20"));
}

/// `api-key`'s value copied (a clearing due in 30 s).
fn value_copied() -> State {
    let mut state = on_api_key();
    let value = Ok(Redacted::new("hunter2"));
    update(&mut state, Msg::ValueForCopy { profile: 0, name: "api-key".into(), result: value });
    state
}

#[test]
fn a_copied_value_is_cleared_when_csms_quits_before_its_time() {
    let clear = Effect::Clipboard { text: Redacted::new("") };
    type Quit = fn(&mut State) -> Vec<Effect>;
    let quits: [(&str, Quit); 3] = [
        ("q", |s| update(s, key('q'))),
        ("ctrl-c", |s| update(s, ctrl('c'))),
        ("q!", |s| {
            update(s, key(':'));
            typed(s, "q!");
            update(s, code(KeyCode::Enter))
        }),
    ];
    for (how, quit) in quits {
        let mut state = value_copied();
        let effects = quit(&mut state);
        assert!(state.quit, "{how}");
        assert_eq!(effects, vec![clear.clone()], "{how} clears the clipboard on the way out");
    }
    // SIGTERM: once the grace for requests under way is over, or at once without any.
    let mut state = value_copied();
    assert_eq!(update(&mut state, Msg::Terminate), vec![clear.clone()]);
    assert!(state.quit);
    // Cleared already, or never copied: nothing to clear.
    let mut state = value_copied();
    update(&mut state, Msg::Tick(NOW + 30_000));
    assert!(update(&mut state, key('q')).is_empty(), "cleared once, not twice");
    let mut state = on_api_key();
    assert!(update(&mut state, key('q')).is_empty());
    // `clipboard_clear_seconds = 0` keeps a value, on quit too.
    let mut state = on_api_key();
    state.clipboard_clear_ms = 0;
    update(&mut state, Msg::ValueForCopy { profile: 0, name: "api-key".into(), result: Ok(Redacted::new("x")) });
    assert!(update(&mut state, key('q')).is_empty());
}

#[test]
fn copying_a_value_goes_to_the_clipboard_and_leaves_it_later() {
    let mut state = on_api_key();
    update(&mut state, key('y'));
    let effects = update(&mut state, key('n'));
    assert_eq!(effects, vec![Effect::Clipboard { text: Redacted::new("api-key") }]);
    update(&mut state, key('y'));
    let effects = update(&mut state, key('v'));
    assert_eq!(effects, vec![Effect::CopyValue { profile: 0, name: "api-key".into() }]);
    let effects = update(
        &mut state,
        Msg::ValueForCopy { profile: 0, name: "api-key".into(), result: Ok(Redacted::new("hunter2")) },
    );
    assert_eq!(effects, vec![Effect::Clipboard { text: Redacted::new("hunter2") }]);
    assert!(state.footer_message().unwrap().text.contains("csms asks the terminal to clear it in 30 s"));
    assert!(!format!("{state:?}").contains("hunter2"));
    assert!(update(&mut state, Msg::Tick(NOW + 29_000)).is_empty());
    let effects = update(&mut state, Msg::Tick(NOW + 30_000));
    assert_eq!(effects, vec![Effect::Clipboard { text: Redacted::new("") }], "cleared when its time is up");
    assert_eq!(
        state.footer_message().unwrap().text,
        "Asked the terminal to clear the clipboard",
        "no more than it knows"
    );
    // With clipboard_clear_seconds = 0, a value stays.
    state.clipboard_clear_ms = 0;
    update(&mut state, Msg::ValueForCopy { profile: 0, name: "api-key".into(), result: Ok(Redacted::new("x")) });
    assert!(update(&mut state, Msg::Tick(NOW + 10 * 60_000)).iter().all(|e| !matches!(e, Effect::Clipboard { .. })));
}

#[test]
fn versions_are_a_list_to_reveal_and_roll_back_from() {
    let mut state = on_api_key();
    update(&mut state, code(KeyCode::Enter));
    let versions = vec![version("v1", &["SYSPREVIOUS"]), version("v2", &["SYSCURRENT"])];
    update(&mut state, Msg::VersionsLoaded { profile: 0, name: "api-key".into(), result: Ok(versions) });
    update(&mut state, key('R'));
    assert!(state.footer_message().unwrap().text.contains("v2 is already SYSCURRENT"));
    update(&mut state, key('j'));
    let effects = update(&mut state, key('v'));
    assert_eq!(effects, vec![Effect::RevealValue { profile: 0, name: "api-key".into(), version: "v1".into() }]);
    update(
        &mut state,
        Msg::ValueLoaded {
            profile: 0,
            name: "api-key".into(),
            version: "v1".into(),
            result: Ok(Redacted::new("old-value")),
        },
    );
    assert!(matches!(&state.mode, Mode::Details { value: Reveal::Shown(_), shown: Some(v), .. } if v == "v1"));
    update(&mut state, Msg::Tick(NOW + REVEAL_MS));
    assert!(matches!(&state.mode, Mode::Details { value: Reveal::Hidden, shown: None, .. }), "hidden after 30 s");
    update(&mut state, key('R'));
    assert_eq!(
        state.mode,
        Mode::Confirm(Pending::Rollback { key: (0, "api-key".into()), from: "v2".into(), to: "v1".into() })
    );
    let effects = update(&mut state, key('y'));
    assert_eq!(
        effects,
        vec![Effect::Rollback { profile: 0, name: "api-key".into(), from: "v2".into(), to: "v1".into() }]
    );
    assert_eq!(state.in_flight.get(&(0, "api-key".into())), Some(&Op::Rollback));
    update(
        &mut state,
        Msg::RolledBack { profile: 0, name: "api-key".into(), from: "v2".into(), to: "v1".into(), result: Ok(()) },
    );
    assert!(state.footer_message().unwrap().text.contains("SYSCURRENT v2 -> v1"));
    assert!(state.in_flight.is_empty());
}

#[test]
fn history_is_newest_first_and_every_word_filters() {
    let mut state = loaded(0, sample());
    let effects = update(&mut state, key('H'));
    assert_eq!(effects, vec![Effect::LoadHistory]);
    let target = crate::journal::Target { profile: "prod".into(), region: "cn-north-4".into(), project: "p".into() };
    let entries = vec![
        Entry::new(&target, "db-pass", "cancel"),
        Entry::new(&target, "api-key", "create"),
        Entry::new(&target, "db-pass", "schedule").outcome("failed", None),
    ];
    update(&mut state, Msg::HistoryLoaded(Ok(entries)));
    let Mode::History(view) = &state.mode else { panic!() };
    let names: Vec<&str> = view.visible().iter().map(|e| e.action.as_str()).collect();
    assert_eq!(names, ["schedule", "create", "cancel"]);
    update(&mut state, key('/'));
    typed(&mut state, "db-pass failed");
    update(&mut state, code(KeyCode::Enter));
    let Mode::History(view) = &state.mode else { panic!() };
    assert_eq!(view.visible().len(), 1);
    update(&mut state, code(KeyCode::Esc));
    let Mode::History(view) = &state.mode else { panic!("esc clears the filter first") };
    assert_eq!(view.visible().len(), 3);
    update(&mut state, code(KeyCode::Esc));
    assert_eq!(state.mode, Mode::Normal);
}

#[test]
fn no_debug_output_shows_a_value() {
    let v = || Redacted::new("hunter2");
    let outputs = [
        format!("{:?}", Effect::Create { profile: 0, name: "n".into(), description: String::new(), value: v() }),
        format!("{:?}", Effect::PutValue { profile: 0, name: "n".into(), value: v(), before: vec![] }),
        format!("{:?}", Effect::Clipboard { text: v() }),
        format!("{:?}", Msg::Paste(v())),
        format!("{:?}", Msg::ValueForCopy { profile: 0, name: "n".into(), result: Ok(v()) }),
        format!("{:?}", Msg::PasswordGenerated(Ok(v()))),
        format!(
            "{:?}",
            Pending::PutValue { key: (0, "n".into()), value: v(), consequence: String::new(), before: vec![] }
        ),
        format!(
            "{:?}",
            crate::csms::model::CreateSecretRequest {
                name: "n".into(),
                secret_string: Some("hunter2".into()),
                ..Default::default()
            }
        ),
        format!(
            "{:?}",
            crate::csms::model::CreateVersionRequest { secret_string: Some("hunter2".into()), ..Default::default() }
        ),
    ];
    for out in outputs {
        assert!(!out.contains("hunter2"), "{out}");
    }
}

#[test]
fn removing_a_tag_asks_first_and_comes_back_to_the_tags() {
    let mut state = on_api_key();
    update(&mut state, key('t'));
    let env = Tag { key: "env".into(), value: Some("prod".into()) };
    update(
        &mut state,
        Msg::TagsLoaded { profile: 0, name: "api-key".into(), result: Ok(("id-1".into(), vec![env.clone()])) },
    );
    assert_eq!(update(&mut state, key('x')), vec![], "nothing is sent before y");
    assert_eq!(state.mode, Mode::Confirm(Pending::RemoveTag { key: (0, "api-key".into()), tag: env }));
    assert_eq!(update(&mut state, key('n')), vec![]);
    let Mode::Tags(dialog) = &state.mode else { panic!("n goes back to the tags: {:?}", state.mode) };
    assert!(!dialog.busy);
    assert!(state.footer_message().unwrap().text.contains("Nothing was sent"));
    update(&mut state, key('x'));
    let effects = update(&mut state, key('y'));
    assert_eq!(
        effects,
        vec![Effect::ChangeTags {
            profile: 0,
            name: "api-key".into(),
            secret_id: "id-1".into(),
            create: vec![],
            delete: vec![Tag { key: "env".into(), value: None }],
        }]
    );
    assert!(matches!(&state.mode, Mode::Tags(d) if d.busy), "y goes back to the tags, waiting for the answer");
}

#[test]
fn a_rollback_comes_back_to_the_details_and_reads_the_versions_again() {
    let mut state = on_api_key();
    update(&mut state, code(KeyCode::Enter));
    let versions = vec![version("v1", &["SYSPREVIOUS"]), version("v2", &["SYSCURRENT"])];
    update(&mut state, Msg::VersionsLoaded { profile: 0, name: "api-key".into(), result: Ok(versions) });
    update(&mut state, key('j'));
    update(&mut state, key('R'));
    assert_eq!(update(&mut state, key('n')), vec![]);
    assert!(matches!(&state.mode, Mode::Details { cursor: 1, .. }), "n: back in the details: {:?}", state.mode);
    update(&mut state, key('R'));
    let effects = update(&mut state, key('y'));
    assert_eq!(
        effects,
        vec![Effect::Rollback { profile: 0, name: "api-key".into(), from: "v2".into(), to: "v1".into() }]
    );
    assert!(matches!(&state.mode, Mode::Details { .. }), "y: back in the details: {:?}", state.mode);
    let effects = update(
        &mut state,
        Msg::RolledBack { profile: 0, name: "api-key".into(), from: "v2".into(), to: "v1".into(), result: Ok(()) },
    );
    assert_eq!(effects, vec![Effect::LoadVersions { profile: 0, name: "api-key".into() }], "the stages moved");
    update(&mut state, key('q'));
    assert_eq!(state.mode, Mode::Normal);
}

#[test]
fn declining_a_cancel_asked_from_the_details_stays_in_the_details() {
    let mut state = loaded(0, sample());
    assert_eq!(selected(&state), "db-pass");
    update(&mut state, code(KeyCode::Enter));
    update(&mut state, key('c'));
    assert!(matches!(&state.mode, Mode::Confirm(Pending::Cancel { .. })));
    assert_eq!(update(&mut state, key('n')), vec![]);
    assert!(matches!(&state.mode, Mode::Details { key, .. } if key.1 == "db-pass"), "{:?}", state.mode);
    // From the table, a declined cancel leaves the table.
    update(&mut state, key('q'));
    update(&mut state, key('c'));
    update(&mut state, key('n'));
    assert_eq!(state.mode, Mode::Normal);
}

/// A paste lands whole in one pass, line breaks as the terminal sends them
/// (CR) included; one that does not fit its field is refused with why.
#[test]
fn a_large_paste_lands_whole_or_is_refused_with_why() {
    let mut state = loaded(0, sample());
    update(&mut state, key('n'));
    typed(&mut state, "tls-key");
    update(&mut state, code(KeyCode::Tab));
    update(&mut state, Msg::Paste(Redacted::new("x".repeat(2049))));
    assert_eq!(state.footer_message().unwrap().text, "Nothing was pasted: this field holds at most 2048 bytes");
    update(&mut state, Msg::Paste(Redacted::new("first\rsecond\r\nthird")));
    update(&mut state, code(KeyCode::Tab));
    update(&mut state, Msg::Paste(Redacted::new("v".repeat(40_000))));
    assert_eq!(state.footer_message().unwrap().text, "Nothing was pasted: this field holds at most 32768 bytes");
    let pem = format!("-----BEGIN KEY-----\r{}\r-----END KEY-----\r", "k".repeat(32 * 1024 - 39));
    update(&mut state, Msg::Paste(Redacted::new(pem.clone())));
    let Mode::NewSecret(form) = &state.mode else { panic!("{:?}", state.mode) };
    assert_eq!(form.description.text(), "first\nsecond\nthird");
    assert_eq!(form.value.secret().expose(), pem.replace('\r', "\n"), "a pasted key keeps its lines");
    update(&mut state, Msg::Paste(Redacted::new("k".repeat(40))));
    assert!(state.footer_message().unwrap().text.starts_with("Nothing was pasted"), "32 KiB is full");
    let Effect::Create { value, .. } = &update(&mut state, code(KeyCode::Enter))[0] else { panic!() };
    assert_eq!(value.expose().len(), 32 * 1024);
}

#[test]
fn a_removed_tag_is_named_in_the_outcome() {
    let mut state = on_api_key();
    update(&mut state, key('t'));
    let env = Tag { key: "env".into(), value: Some("prod".into()) };
    let team = Tag { key: "team".into(), value: Some("ops".into()) };
    let loaded = Ok(("id-1".into(), vec![env, team.clone()]));
    update(&mut state, Msg::TagsLoaded { profile: 0, name: "api-key".into(), result: loaded });
    update(&mut state, key('x'));
    update(&mut state, key('y'));
    update(&mut state, Msg::TagsChanged { profile: 0, name: "api-key".into(), result: Ok(vec![team]) });
    assert_eq!(state.footer_message().unwrap().text, "Tag 'env' removed from 'api-key'");
}
