//! The profile picker: "all profiles" and every profile, with what is known
//! of its pending deletions; typing filters, arrows move, Enter chooses.

use crossterm::event::{KeyCode, KeyEvent};

use super::input::edit;
use super::keymap::{self, Action};
use super::{Effect, Mode, State, View};

/// One line of the picker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    All,
    Profile(usize),
}

/// The choices the filter keeps: "all profiles" first (while it matches), then the profiles.
pub fn choices(state: &State, filter: &str) -> Vec<Choice> {
    let f = filter.to_lowercase();
    let mut out = Vec::new();
    if f.is_empty() || "all profiles".contains(&f) {
        out.push(Choice::All);
    }
    out.extend(
        state
            .profiles
            .iter()
            .enumerate()
            .filter(|(_, p)| p.name.to_lowercase().contains(&f) || p.region.contains(&f))
            .map(|(i, _)| Choice::Profile(i)),
    );
    out
}

/// Where the picker opens: on the view shown now.
pub fn open(state: &mut State) {
    let current = match state.view {
        View::All => Choice::All,
        View::Profile(i) => Choice::Profile(i),
    };
    let selected = choices(state, "").iter().position(|c| *c == current).unwrap_or(0);
    state.mode = Mode::PickProfile { selected, filter: String::new() };
}

pub(super) fn on_key(state: &mut State, mut selected: usize, mut filter: String, key: KeyEvent) -> Vec<Effect> {
    let count = choices(state, &filter).len();
    match keymap::lookup(keymap::PICKER, &key) {
        Some(Action::Down) => selected = (selected + 1).min(count.saturating_sub(1)),
        Some(Action::Up) => selected = selected.saturating_sub(1),
        Some(Action::Apply) => {
            return match choices(state, &filter).get(selected) {
                Some(Choice::All) => state.switch_view(View::All),
                Some(Choice::Profile(i)) => state.switch_view(View::Profile(*i)),
                None => vec![],
            };
        }
        // Esc clears a filter first, then closes.
        Some(Action::Back) if !filter.is_empty() => {
            filter.clear();
            selected = 0;
        }
        Some(Action::Back) => {
            state.mode = Mode::Normal;
            return vec![];
        }
        _ if matches!(key.code, KeyCode::Char(_) | KeyCode::Backspace) => {
            edit(&mut filter, &key);
            selected = 0;
        }
        _ => {}
    }
    state.mode = Mode::PickProfile { selected, filter };
    vec![]
}
