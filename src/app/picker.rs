//! The profile picker: "all profiles" and every profile, with what is known
//! of its pending deletions; a profile with `regions` heads its targets;
//! typing filters, arrows move, Enter chooses.

use crossterm::event::KeyEvent;

use super::field::{Edit, TextField};
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
    let shown = |i: usize| {
        let p = &state.profiles[i];
        // A profile whose targets took its place is not a choice any more.
        let replaced = p.finding && state.gone.contains(&i);
        !replaced && (p.name.to_lowercase().contains(&f) || p.region.contains(&f))
    };
    let mut groups_done: Vec<&str> = Vec::new();
    for i in (0..state.profiles.len()).filter(|&i| shown(i)) {
        let Some(group) = state.profiles[i].group() else {
            out.push(Choice::Profile(i));
            continue;
        };
        // A group's line and all its targets, by name, where its first one is:
        // targets found behind the UI are numbered after every profile.
        if groups_done.contains(&group) {
            continue;
        }
        groups_done.push(group);
        let mut members: Vec<usize> =
            (i..state.profiles.len()).filter(|&m| shown(m) && state.profiles[m].group() == Some(group)).collect();
        members.sort_by(|&a, &b| state.profiles[a].name.cmp(&state.profiles[b].name));
        out.push(Choice::Group(i));
        out.extend(members.into_iter().map(Choice::Profile));
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
    state.mode = Mode::PickProfile { selected, filter: TextField::default() };
}

pub(super) fn on_key(state: &mut State, mut selected: usize, mut filter: TextField, key: KeyEvent) -> Vec<Effect> {
    let count = choices(state, filter.text()).len();
    match keymap::lookup(keymap::PICKER, &key) {
        Some(Action::Down) => selected = (selected + 1).min(count.saturating_sub(1)),
        Some(Action::Up) => selected = selected.saturating_sub(1),
        Some(Action::Apply) => {
            return match choices(state, filter.text()).get(selected) {
                Some(Choice::All) => state.switch_view(View::All),
                Some(Choice::Group(g)) => state.switch_view(View::Group(*g)),
                Some(Choice::Profile(i)) => state.switch_view(View::Profile(*i)),
                None => vec![],
            };
        }
        // Esc clears a filter first, then closes.
        Some(Action::Back) if !filter.is_empty() => {
            filter = TextField::default();
            selected = 0;
        }
        Some(Action::Back) => {
            state.mode = Mode::Normal;
            return vec![];
        }
        _ => {
            if state.edited(filter.on_key(&key), &filter) == Edit::Changed {
                selected = 0;
            }
        }
    }
    state.mode = Mode::PickProfile { selected, filter };
    vec![]
}
