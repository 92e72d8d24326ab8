//! Copying through the terminal (OSC 52, which also works over SSH and in
//! tmux with `set-clipboard on`): the selected secret's value, name or id.
//! A value is never shown on the way. After `clipboard_clear_seconds`, or
//! when csms quits before that, the terminal is asked to clear the clipboard,
//! as `pass -c` does. Whether it did is the terminal's affair (tmux keeps its
//! own paste buffers), so the messages say only what csms asked.

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
                format!("; csms asks the terminal to clear it in {} s, or on quit", state.clipboard_clear_ms / 1000)
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
            state.say(Level::Info, "Asked the terminal to clear the clipboard");
            vec![Effect::Clipboard { text: Redacted::new("") }]
        }
        _ => vec![],
    }
}

/// On the way out: a copied value still due to be cleared does not outlive
/// csms (a quit, `q!`, Ctrl-C, SIGTERM). With `clipboard_clear_seconds = 0`
/// the user asked for it to stay, and it does.
pub(super) fn clear_on_quit(state: &mut State) -> Vec<Effect> {
    match state.clipboard_clear_at.take() {
        Some(_) => vec![Effect::Clipboard { text: Redacted::new("") }],
        None => vec![],
    }
}
