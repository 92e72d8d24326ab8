//! Copying through the terminal (OSC 52, which also works over SSH and in
//! tmux with `set-clipboard on`): the selected secret's value, name or id.
//! A value is never shown on the way, and is cleared from the clipboard
//! again after `clipboard_clear_seconds` if csms still runs, as `pass -c` does.

use crossterm::event::KeyEvent;

use super::keymap::{self, Action};
use super::{Effect, Level, Mode, RowKey, State};
use crate::csms::Redacted;

pub(super) fn on_key(state: &mut State, key: RowKey, id: Option<String>, ev: KeyEvent) -> Vec<Effect> {
    let action = keymap::lookup(keymap::COPY, &ev);
    if action.is_some() {
        state.mode = Mode::Normal;
    }
    match action {
        // As the details say: no version of a secret pending deletion is readable.
        Some(Action::CopyValue)
            if state.table.rows().iter().any(|r| r.key() == key && r.secret.is_pending_delete()) =>
        {
            state.say(
                Level::Info,
                format!("'{}' is pending deletion: no value is readable; cancel the deletion first", key.1),
            );
            vec![]
        }
        Some(Action::CopyValue) => {
            state.say(Level::Info, format!("Reading the value of '{}' to copy it…", key.1));
            vec![Effect::CopyValue { profile: key.0, name: key.1 }]
        }
        Some(Action::CopyName) => {
            state.say(Level::Success, format!("Copied the name '{}'", key.1));
            vec![Effect::Clipboard { text: Redacted::new(key.1) }]
        }
        Some(Action::CopyId) => match id {
            Some(id) => {
                state.say(Level::Success, format!("Copied the id of '{}'", key.1));
                vec![Effect::Clipboard { text: Redacted::new(id) }]
            }
            None => {
                state.say(Level::Warning, format!("The server gave no id for '{}'", key.1));
                vec![]
            }
        },
        _ => vec![],
    }
}

/// The value read for copying: to the clipboard, and a clearing scheduled.
pub(super) fn value_ready(state: &mut State, name: &str, result: Result<Redacted, String>) -> Vec<Effect> {
    match result {
        Ok(value) => {
            let when = if state.clipboard_clear_ms > 0 {
                state.clipboard_clear_at = Some(state.now + state.clipboard_clear_ms);
                format!("; the clipboard is cleared in {} s", state.clipboard_clear_ms / 1000)
            } else {
                String::new()
            };
            state.report(Level::Success, format!("Copied the value of '{name}'{when}"));
            vec![Effect::Clipboard { text: value }]
        }
        Err(e) => {
            state.report(Level::Error, format!("Copying the value of '{name}' failed: {e}"));
            vec![]
        }
    }
}

/// On a tick: the copied value leaves the clipboard when its time is up.
pub(super) fn clear_when_due(state: &mut State) -> Vec<Effect> {
    match state.clipboard_clear_at {
        Some(at) if at <= state.now => {
            state.clipboard_clear_at = None;
            state.say(Level::Info, "The copied value was cleared from the clipboard");
            vec![Effect::Clipboard { text: Redacted::new("") }]
        }
        _ => vec![],
    }
}
