//! The profile picker: "all profiles" and every profile, with what is known
//! of its pending deletions; a profile with `regions` heads its targets;
//! typing filters, arrows move, Enter chooses.

use crossterm::event::{KeyCode, KeyEvent};

use super::input::edit;
use super::keymap::{self, Action};
use super::{Effect, Mode, State, View};

/// One line of the picker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    All,
    /// The targets of a profile with `regions`, by its first target.
    Group(usize),
    Profile(usize),
}

/// The choices the filter keeps: "all profiles" first (while it matches),
/// then the profiles, each group of targets under its profile's line.
pub fn choices(state: &State, filter: &str) -> Vec<Choice> {
    let f = filter.to_lowercase();
    let mut out = Vec::new();
    if f.is_empty() || "all profiles".contains(&f) {
        out.push(Choice::All);
    }
    let mut group: Option<&str> = None;
    for (i, p) in state.profiles.iter().enumerate() {
        // A profile whose targets took its place is not a choice any more.
        let replaced = p.finding && state.gone.contains(&i);
        if replaced || !(p.name.to_lowercase().contains(&f) || p.region.contains(&f)) {
            continue;
        }
        if p.group().is_some() && p.group() != group {
            out.push(Choice::Group(i));
        }
        group = p.group();
        out.push(Choice::Profile(i));
    }
    out
}

/// Where the picker opens: on the view shown now.
pub fn open(state: &mut State) {
    let current = match state.view {
        View::All => Choice::All,
        View::Group(g) => state.group_members(g).first().map_or(Choice::All, |&first| Choice::Group(first)),
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
                Some(Choice::Group(g)) => state.switch_view(View::Group(*g)),
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
