//! Where a new secret goes when the view shows several projects: asked
//! before the form opens, never guessed from the selected row (a project
//! with no rows could not be chosen that way).

use crossterm::event::KeyEvent;

use super::keymap::{self, Action};
use super::{Effect, Level, Mode, State, View, forms};

/// `n`: the form for a new secret, in the view's profile, or after asking
/// which of the view's writable projects.
pub(super) fn new_secret(state: &mut State) {
    if let View::Profile(profile) = state.view {
        return open_form(state, profile);
    }
    let all = state.view_profiles();
    let choices: Vec<usize> =
        all.iter().copied().filter(|&p| state.profiles.get(p).is_some_and(|p| !p.read_only)).collect();
    match choices.as_slice() {
        [] => {
            let refusal =
                state.refuse_read_only(all, "create secret").unwrap_or_else(|| "No project to create in".into());
            state.say(Level::Error, refusal);
        }
        [only] => open_form(state, *only),
        _ => {
            let here = state.table.selected().map(|r| r.profile);
            let selected = choices.iter().position(|&p| Some(p) == here).unwrap_or(0);
            state.mode = Mode::ChooseProject { choices, selected };
        }
    }
}

fn open_form(state: &mut State, profile: usize) {
    match state.refuse_read_only([profile], "create secret") {
        Some(refusal) => state.say(Level::Error, refusal),
        None => state.mode = Mode::NewSecret(Box::new(forms::NewSecret::new(profile))),
    }
}

pub(super) fn on_key(state: &mut State, choices: Vec<usize>, selected: usize, key: KeyEvent) -> Vec<Effect> {
    match keymap::lookup(keymap::CHOOSE, &key) {
        Some(Action::Down) => {
            state.mode = Mode::ChooseProject { selected: (selected + 1).min(choices.len() - 1), choices }
        }
        Some(Action::Up) => state.mode = Mode::ChooseProject { selected: selected.saturating_sub(1), choices },
        Some(Action::Apply) => open_form(state, choices[selected]),
        Some(Action::Back) => state.mode = Mode::Normal,
        _ => state.mode = Mode::ChooseProject { choices, selected },
    }
    vec![]
}
