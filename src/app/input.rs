//! Keys: what each one does in each mode, and the confirmations that stand
//! between a key and a request.

use std::collections::BTreeMap;

use crossterm::event::{KeyCode, KeyEvent};

use super::command::{complete_at, run_command};
use super::field::{Edit, NumberField, TextField};
use super::keymap::{self, Action};
use super::{
    Bulk, DEFAULT_SCHEDULE_DAYS, Effect, Level, Mode, Op, Pending, Reveal, Row, RowKey, State, View, choose, copy,
    forms, history, picker, tags,
};

pub(super) fn on_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    if key.kind == crossterm::event::KeyEventKind::Release {
        return vec![];
    }
    match state.mode.clone() {
        Mode::Normal => normal_key(state, key),
        Mode::Filter { mut input } => {
            match keymap::lookup(keymap::FILTER, &key) {
                Some(Action::Apply) => {
                    state.mode = Mode::Normal;
                    state.table.select_first();
                }
                Some(Action::Back) => {
                    state.mode = Mode::Normal;
                    state.table.set_filter("");
                }
                _ => match input.on_key(&key) {
                    Edit::Ignored => return vec![],
                    edit @ (Edit::Moved | Edit::Full) => {
                        state.edited(edit, &input);
                        state.mode = Mode::Filter { input };
                    }
                    Edit::Changed => {
                        state.table.set_filter(input.text());
                        state.table.select_first();
                        state.mode = Mode::Filter { input };
                    }
                },
            }
            state.after_move();
            vec![]
        }
        Mode::Command { mut input, .. } => match keymap::lookup(keymap::COMMAND, &key) {
            Some(Action::Apply) => {
                state.mode = Mode::Normal;
                run_command(state, input.text().trim())
            }
            Some(Action::Back) => {
                state.mode = Mode::Normal;
                vec![]
            }
            Some(Action::Complete) => {
                let (line, cursor, candidates) = complete_at(state, input.text(), input.cursor());
                state.mode = Mode::Command { input: TextField::new(&line).with_cursor(cursor), candidates };
                vec![]
            }
            // Up and Down walk through the commands run before.
            Some(a @ (Action::Up | Action::Down)) => {
                let n = state.command_history.len();
                let at = match (a, state.command_recall) {
                    (Action::Up, None) => n.checked_sub(1),
                    (Action::Up, Some(i)) => Some(i.saturating_sub(1)),
                    (_, Some(i)) if i + 1 < n => Some(i + 1),
                    _ => None,
                };
                state.command_recall = at;
                let input = at.map(|i| state.command_history[i].as_str()).unwrap_or_default();
                state.mode = Mode::Command { input: TextField::new(input), candidates: vec![] };
                vec![]
            }
            // Backspace on an empty line leaves it, as in vi.
            _ if key.code == KeyCode::Backspace && input.is_empty() => {
                state.mode = Mode::Normal;
                vec![]
            }
            _ => {
                state.edited(input.on_key(&key), &input);
                state.mode = Mode::Command { input, candidates: vec![] };
                vec![]
            }
        },
        Mode::Confirm(pending) => match keymap::lookup(keymap::CONFIRM, &key) {
            Some(Action::Confirm) => confirm(state, pending),
            Some(Action::Back) => {
                state.mode = state.behind.take().map_or(Mode::Normal, |m| *m);
                state.say(Level::Info, "Nothing was sent");
                vec![]
            }
            _ => vec![],
        },
        Mode::Schedule { key: row, days, typed, on_days, selected } => {
            schedule_key(state, row, days, typed, (on_days, selected), key)
        }
        Mode::PickProfile { selected, filter } => picker::on_key(state, selected, filter, key),
        Mode::Help { scroll } => {
            // The help's popup leaves a column each side, inside its border.
            let bottom = keymap::help_lines(state.screen.0.saturating_sub(4)).len().saturating_sub(help_page(state));
            match scroll_key(&key, scroll, bottom) {
                Some(scroll) => state.mode = Mode::Help { scroll },
                None => state.mode = Mode::Normal,
            }
            vec![]
        }
        Mode::Report { title, lines, scroll } => {
            let bottom = lines.len().saturating_sub(help_page(state));
            match scroll_key(&key, scroll, bottom) {
                Some(scroll) => state.mode = Mode::Report { title, lines, scroll },
                None => state.mode = Mode::Normal,
            }
            vec![]
        }
        Mode::Details { key: row, secret, versions, cursor, value, shown, hide_at, scroll } => {
            details_key(state, DetailsView { row, secret, versions, cursor, value, shown, hide_at, scroll }, key)
        }
        Mode::ChooseProject { choices, selected } => choose::on_key(state, choices, selected, key),
        Mode::NewSecret(form) => forms::new_secret_key(state, *form, key),
        Mode::NewValue(form) => forms::new_value_key(state, *form, key),
        Mode::Describe(form) => forms::describe_key(state, *form, key),
        Mode::Tags(dialog) => tags::on_key(state, *dialog, key),
        Mode::Copy { key: row, id } => copy::on_key(state, row, id, key),
        Mode::History(view) => history::on_key(state, *view, key),
    }
}

/// The details dialog's fields, taken out of the mode while a key is handled.
struct DetailsView {
    row: RowKey,
    secret: Box<crate::csms::Secret>,
    versions: Option<Result<Vec<crate::csms::model::VersionMetadata>, String>>,
    cursor: usize,
    value: Reveal,
    shown: Option<String>,
    hide_at: Option<crate::csms::model::Millis>,
    scroll: usize,
}

impl DetailsView {
    fn into_mode(self) -> Mode {
        let DetailsView { row, secret, versions, cursor, value, shown, hide_at, scroll } = self;
        Mode::Details { key: row, secret, versions, cursor, value, shown, hide_at, scroll }
    }

    /// Scrolls as little as needed to bring the selected version on screen.
    fn follow_cursor(&mut self, layout: crate::app::DetailsLayout) {
        let line = layout.first_version + self.cursor;
        if line < self.scroll {
            self.scroll = line;
        } else if layout.page > 0 && line >= self.scroll + layout.page {
            self.scroll = (line + 1 - layout.page).min(layout.bottom);
        }
    }

    /// The selected version (the list shows the newest first).
    fn selected(&self) -> Option<&crate::csms::model::VersionMetadata> {
        let vs = self.versions.as_ref()?.as_ref().ok()?;
        vs.len().checked_sub(1 + self.cursor).map(|i| &vs[i])
    }

    fn current(&self) -> Option<&crate::csms::model::VersionMetadata> {
        let vs = self.versions.as_ref()?.as_ref().ok()?;
        vs.iter().find(|v| v.version_stages.iter().any(|s| s == "SYSCURRENT"))
    }

    fn hide(&mut self) {
        self.value = Reveal::Hidden;
        self.shown = None;
        self.hide_at = None;
    }
}

fn details_key(state: &mut State, mut d: DetailsView, key: KeyEvent) -> Vec<Effect> {
    let count = d.versions.as_ref().and_then(|v| v.as_ref().ok()).map_or(0, Vec::len);
    let layout = state.details_layout.get();
    // One line of the last page stays in view, to read on from.
    let step = layout.page.saturating_sub(1).max(1);
    let mut effects = vec![];
    match keymap::lookup(keymap::DETAILS, &key) {
        Some(Action::PageDown) => d.scroll = (d.scroll + step).min(layout.bottom),
        Some(Action::PageUp) => d.scroll = d.scroll.min(layout.bottom).saturating_sub(step),
        Some(Action::Top) => d.scroll = 0,
        Some(Action::Bottom) => d.scroll = layout.bottom,
        Some(Action::Back) => {
            // Closing forgets the value.
            state.mode = Mode::Normal;
            return vec![];
        }
        Some(Action::Down) if d.cursor + 1 < count => {
            d.cursor += 1;
            d.hide();
            d.follow_cursor(layout);
        }
        Some(Action::Up) if d.cursor > 0 => {
            d.cursor -= 1;
            d.hide();
            d.follow_cursor(layout);
        }
        Some(Action::Reveal) if d.value == Reveal::Hidden || matches!(d.value, Reveal::Failed(_)) => {
            if d.secret.is_pending_delete() {
                state.say(Level::Info, "A secret pending deletion has no readable value: cancel the deletion first");
            } else {
                let version = d.selected().map_or_else(|| "latest".to_string(), |v| v.id.clone());
                d.value = Reveal::Loading;
                d.shown = Some(version.clone());
                effects.push(Effect::RevealValue { profile: d.row.0, name: d.row.1.clone(), version });
            }
        }
        // Shown (or on its way): v hides it again.
        Some(Action::Reveal) => d.hide(),
        Some(Action::CancelDeletion) if d.secret.is_pending_delete() => {
            // The same checks and confirmation as from the table, for this secret.
            if let Some(refusal) = state.refuse_read_only([d.row.0], "cancel") {
                state.say(Level::Error, refusal);
            } else if state.in_flight.contains_key(&d.row) {
                state.say(Level::Info, format!("A request for '{}' is already under way", d.row.1));
            } else {
                let pending = Pending::Cancel { key: d.row.clone(), deletes_at: d.secret.scheduled_delete_time };
                return ask_from_details(state, d, pending);
            }
        }
        Some(Action::CancelDeletion) => {
            state.say(
                Level::Info,
                format!("'{}' is {}: there is no deletion to cancel", d.row.1, d.secret.state_label()),
            );
        }
        Some(Action::Rollback) => {
            let (Some(to), Some(from)) = (d.selected().map(|v| v.id.clone()), d.current().map(|v| v.id.clone())) else {
                state.say(Level::Info, "The versions are not read yet");
                state.mode = d.into_mode();
                return vec![];
            };
            if to == from {
                state.say(Level::Info, format!("{to} is already SYSCURRENT"));
            } else if d.secret.is_pending_delete() {
                state.say(Level::Info, "A secret pending deletion cannot be rolled back: cancel the deletion first");
            } else if let Some(refusal) = state.refuse_read_only([d.row.0], "roll back") {
                state.say(Level::Error, refusal);
            } else if state.in_flight.contains_key(&d.row) {
                state.say(Level::Info, format!("A request for '{}' is already under way", d.row.1));
            } else {
                let pending = Pending::Rollback { key: d.row.clone(), from, to };
                return ask_from_details(state, d, pending);
            }
        }
        _ => {}
    }
    state.mode = d.into_mode();
    effects
}

/// Lines of a help or report popup on screen: the terminal less the keys
/// line, the popup's margin and its border.
fn help_page(state: &State) -> usize {
    usize::from(state.screen.1.saturating_sub(4))
}

/// j/k/g/G in a scrolling popup, within `0..=bottom`; `None` closes it.
fn scroll_key(key: &KeyEvent, scroll: usize, bottom: usize) -> Option<usize> {
    let scroll = scroll.min(bottom);
    match keymap::lookup(keymap::POPUP, key) {
        Some(Action::Down) => Some((scroll + 1).min(bottom)),
        Some(Action::Up) => Some(scroll.saturating_sub(1)),
        Some(Action::Top) => Some(0),
        Some(Action::Bottom) => Some(bottom),
        Some(Action::Back) => None,
        _ if key.code == KeyCode::Char('?') => None,
        _ => Some(scroll),
    }
}

/// A confirmation over the details: whatever the answer, the details (with
/// the value hidden) come back after it.
fn ask_from_details(state: &mut State, mut d: DetailsView, pending: Pending) -> Vec<Effect> {
    d.hide();
    state.behind = Some(Box::new(d.into_mode()));
    state.mode = Mode::Confirm(pending);
    vec![]
}

/// Keys in the schedule dialog: the name to type, and the recovery window
/// (↑/↓, or digits once Tab has put the focus on it).
fn schedule_key(
    state: &mut State,
    row: RowKey,
    mut days: NumberField,
    mut typed: TextField,
    (mut on_days, was_selected): (bool, bool),
    key: KeyEvent,
) -> Vec<Effect> {
    // Only Tab into the window selects it; whatever key comes next ends that.
    let mut selected = false;
    match keymap::lookup(keymap::SCHEDULE, &key) {
        Some(Action::MoreDays) => days.step(true),
        Some(Action::FewerDays) => days.step(false),
        // Leaving the window with a number out of range says so, and stays.
        Some(Action::NextField) => match days.value() {
            Err(why) if on_days => state.say(Level::Warning, format!("The recovery window: {why} days")),
            _ if !on_days => {
                on_days = true;
                selected = true;
            }
            _ => on_days = false,
        },
        Some(Action::Back) => {
            state.mode = Mode::Normal;
            state.say(Level::Info, "Nothing was sent");
            return vec![];
        }
        Some(Action::Confirm) => match days.value() {
            Err(why) => state.say(Level::Warning, format!("The recovery window: {why} days")),
            Ok(_) if typed.text() != row.1 => state.say(Level::Warning, "Type the secret's name exactly to confirm"),
            Ok(days) => {
                state.mode = Mode::Normal;
                state.in_flight.insert(row.clone(), Op::Schedule);
                return vec![Effect::Schedule { profile: row.0, name: row.1, days }];
            }
        },
        _ if on_days => {
            if was_selected && matches!(key.code, KeyCode::Char(c) if c.is_ascii_digit()) {
                days.field = TextField::default();
            }
            if let Err(why) = days.on_key(&key) {
                state.say(Level::Info, format!("The recovery window takes {why} days (tab: back to the name)"));
            }
        }
        _ => {
            state.edited(typed.on_key(&key), &typed);
        }
    }
    state.mode = Mode::Schedule { key: row, days, typed, on_days, selected };
    vec![]
}

fn normal_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let Some(action) = keymap::lookup(keymap::TABLE, &key) else { return vec![] };
    let page = state.page_height.max(1) as isize;
    match action {
        Action::Down => state.table.move_by(1),
        Action::Up => state.table.move_by(-1),
        Action::PageDown => state.table.move_by(page),
        Action::PageUp => state.table.move_by(-page),
        Action::Top => state.table.select_first(),
        Action::Bottom => state.table.select_last(),
        Action::Filter => state.mode = Mode::Filter { input: TextField::new(state.table.filter()) },
        Action::Command => {
            state.command_recall = None;
            state.mode = Mode::Command { input: TextField::default(), candidates: vec![] };
        }
        Action::Sort => {
            let next = state.table.sort().next();
            state.table.set_sort(next);
            state.say(Level::Info, format!("Sorted by {}", next.label()));
        }
        Action::ReverseSort => {
            state.table.reverse();
            let way = if state.table.reversed() { "reversed" } else { "back in its usual order" };
            state.say(Level::Info, format!("Sorted by {}, {way}", state.table.sort().label()));
        }
        Action::Help => state.mode = Mode::Help { scroll: 0 },
        Action::Quit => state.ask_quit(None),
        Action::Back => {
            state.table.set_filter("");
            state.marked.clear();
            state.message = None;
            state.outcome = None;
        }
        Action::Refresh => {
            return state.refresh_asked();
        }
        Action::PickProfile => picker::open(state),
        Action::AllProfiles => {
            let view = if state.view.is_many() { View::Profile(state.home) } else { View::All };
            return state.switch_view(view);
        }
        Action::Mark => {
            if let Some(row) = state.table.selected() {
                let (key, pending, label) =
                    (row.key(), row.secret.is_pending_delete(), row.secret.state_label().to_string());
                if state.marked.remove(&key) {
                    state.table.move_by(1);
                } else if let Some(refusal) = state.refuse_read_only([key.0], "marking for a cancel") {
                    state.say(Level::Error, refusal);
                } else if pending {
                    state.marked.insert(key);
                    state.table.move_by(1);
                } else {
                    // A mark is for a bulk cancel: only a pending deletion can take one.
                    state.say(Level::Info, format!("'{}' is {label}: only pending deletions can be marked", key.1));
                }
            }
        }
        Action::Details => {
            if let Some(row) = state.table.selected() {
                let key = row.key();
                state.mode = Mode::Details {
                    key: key.clone(),
                    secret: Box::new(row.secret.clone()),
                    versions: None,
                    cursor: 0,
                    value: Reveal::Hidden,
                    shown: None,
                    hide_at: None,
                    scroll: 0,
                };
                return vec![Effect::LoadVersions { profile: key.0, name: key.1 }];
            }
        }
        Action::CancelDeletion => ask_cancel(state),
        Action::ScheduleDeletion => ask_schedule(state),
        Action::NewSecret => choose::new_secret(state),
        Action::NewValue => return ask_change(state, Op::PutValue),
        Action::EditDescription => return ask_change(state, Op::Update),
        Action::Tags => {
            if let Some(key) = state.table.selected().map(Row::key) {
                state.mode = Mode::Tags(Box::new(tags::TagsDialog::new(key.clone())));
                return vec![Effect::LoadTags { profile: key.0, name: key.1 }];
            }
        }
        Action::Copy => {
            if let Some(row) = state.table.selected() {
                state.mode = Mode::Copy { key: row.key(), id: row.secret.id.clone() };
            }
        }
        Action::History => {
            state.mode = Mode::History(Box::default());
            return vec![Effect::LoadHistory];
        }
        Action::Confirm
        | Action::Apply
        | Action::Complete
        | Action::Reveal
        | Action::MoreDays
        | Action::FewerDays
        | Action::NextField
        | Action::PreviousField
        | Action::Generate
        | Action::Increase
        | Action::Decrease
        | Action::Toggle
        | Action::Rollback
        | Action::CopyValue
        | Action::CopyName
        | Action::CopyId
        | Action::AddTag
        | Action::RemoveTag
        | Action::NewLine => {}
    }
    state.after_move();
    vec![]
}

/// Opens the form for a new value (`u`) or a new description (`e`) of the
/// selected secret, if it may be changed.
fn ask_change(state: &mut State, op: Op) -> Vec<Effect> {
    let Some(row) = state.table.selected() else { return vec![] };
    let (key, secret) = (row.key(), row.secret.clone());
    let what = if op == Op::PutValue { "put value" } else { "update secret" };
    if secret.is_pending_delete() {
        state.say(
            Level::Info,
            format!("'{}' is pending deletion and cannot be changed: cancel the deletion first", key.1),
        );
    } else if let Some(refusal) = state.refuse_read_only([key.0], what) {
        state.say(Level::Error, refusal);
    } else if state.in_flight.contains_key(&key) {
        state.say(Level::Info, format!("A request for '{}' is already under way", key.1));
    } else if op == Op::PutValue {
        state.mode = Mode::NewValue(Box::new(forms::NewValue::new(key.clone())));
        return vec![Effect::LoadVersions { profile: key.0, name: key.1 }];
    } else {
        let text = TextField::multiline(secret.description.as_deref().unwrap_or_default())
            .with_limit(forms::MAX_DESCRIPTION_BYTES);
        state.mode = Mode::Describe(Box::new(forms::Describe { key, text }));
    }
    vec![]
}

fn ask_cancel(state: &mut State) {
    if !state.marked.is_empty() {
        let keys: Vec<RowKey> = state.marked.iter().cloned().collect();
        let visible: std::collections::BTreeSet<RowKey> = state.table.visible(usize::MAX).map(Row::key).collect();
        let hidden = keys.iter().filter(|k| !visible.contains(*k)).count();
        state.mode = Mode::Confirm(Pending::CancelMany { keys, hidden });
        return;
    }
    let Some(row) = state.table.selected() else {
        state.say(Level::Info, "No secret selected");
        return;
    };
    let (key, pending, deletes_at) = (row.key(), row.secret.is_pending_delete(), row.secret.scheduled_delete_time);
    if !pending {
        let text = format!("'{}' is {}: there is no deletion to cancel", key.1, row.secret.state_label());
        state.say(Level::Info, text);
    } else if let Some(refusal) = state.refuse_read_only([key.0], "cancel") {
        state.say(Level::Error, refusal);
    } else if state.in_flight.contains_key(&key) {
        state.say(Level::Info, format!("A request for '{}' is already under way", key.1));
    } else {
        state.mode = Mode::Confirm(Pending::Cancel { key, deletes_at });
    }
}

fn ask_schedule(state: &mut State) {
    let Some(row) = state.table.selected() else { return };
    let key = row.key();
    if row.secret.is_pending_delete() {
        state.say(Level::Info, format!("'{}' is already pending deletion", key.1));
    } else if let Some(refusal) = state.refuse_read_only([key.0], "schedule deletion") {
        state.say(Level::Error, refusal);
    } else if state.in_flight.contains_key(&key) {
        state.say(Level::Info, format!("A request for '{}' is already under way", key.1));
    } else {
        let days = NumberField::new(DEFAULT_SCHEDULE_DAYS, 7, 30);
        state.mode = Mode::Schedule { key, days, typed: TextField::default(), on_days: false, selected: false };
    }
}

fn confirm(state: &mut State, pending: Pending) -> Vec<Effect> {
    let behind = state.behind.take().map_or(Mode::Normal, |m| *m);
    state.mode = Mode::Normal;
    match pending {
        Pending::Cancel { key, .. } => {
            state.in_flight.insert(key.clone(), Op::Cancel);
            state.say(Level::Info, format!("Cancelling the deletion of '{}'…", key.1));
            vec![Effect::Cancel { profile: key.0, name: key.1 }]
        }
        Pending::CancelMany { keys, .. } => {
            // Rows already being worked on are left to the request under way.
            let keys: Vec<RowKey> = keys.into_iter().filter(|k| !state.in_flight.contains_key(k)).collect();
            if keys.is_empty() {
                state.say(Level::Info, "Every marked secret already has a request under way");
                return vec![];
            }
            let mut by_profile: BTreeMap<usize, Vec<String>> = BTreeMap::new();
            for k in &keys {
                state.in_flight.insert(k.clone(), Op::Cancel);
                by_profile.entry(k.0).or_default().push(k.1.clone());
            }
            state.marked.clear();
            state.bulk = Some(Bulk { total: keys.len(), ..Bulk::default() });
            state.say(Level::Info, format!("Cancelling deletions: 0/{}", keys.len()));
            by_profile.into_iter().map(|(profile, names)| Effect::CancelMany { profile, names }).collect()
        }
        Pending::PutValue { key, value, before, .. } => {
            state.in_flight.insert(key.clone(), Op::PutValue);
            state.say(Level::Info, format!("Putting a new value of '{}'…", key.1));
            vec![Effect::PutValue { profile: key.0, name: key.1, value, before }]
        }
        Pending::Rollback { key, from, to } => {
            // Back to the details it was asked from: they show the versions again once it is done.
            state.mode = behind;
            state.in_flight.insert(key.clone(), Op::Rollback);
            state.say(Level::Info, format!("Rolling '{}' back to {to}…", key.1));
            vec![Effect::Rollback { profile: key.0, name: key.1, from, to }]
        }
        Pending::RemoveTag { tag, .. } => {
            state.mode = behind;
            tags::remove(state, tag)
        }
    }
}
