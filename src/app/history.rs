//! The history view (`H`): the journal of changes csms made, newest first,
//! filterable with `/` (every word must match).

use crossterm::event::KeyEvent;

use super::field::TextField;
use super::keymap::{self, Action};
use super::{Effect, Mode, State};
use crate::journal::Entry;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct HistoryView {
    pub entries: Option<Result<Vec<Entry>, String>>,
    pub filter: TextField,
    /// The filter is being typed.
    pub typing: bool,
    pub cursor: usize,
}

impl HistoryView {
    /// The entries the filter keeps, newest first.
    pub fn visible(&self) -> Vec<&Entry> {
        let Some(Ok(entries)) = &self.entries else { return vec![] };
        let words: Vec<String> = self.filter.text().split_whitespace().map(str::to_lowercase).collect();
        entries
            .iter()
            .rev()
            .filter(|e| {
                let text = format!(
                    "{} {} {} {} {} {}",
                    e.secret,
                    e.action,
                    e.profile,
                    e.outcome,
                    e.detail.as_deref().unwrap_or(""),
                    e.error_code.as_deref().unwrap_or("")
                )
                .to_lowercase();
                words.iter().all(|w| text.contains(w))
            })
            .collect()
    }
}

pub(super) fn on_key(state: &mut State, mut view: HistoryView, key: KeyEvent) -> Vec<Effect> {
    if view.typing {
        match keymap::lookup(keymap::FILTER, &key) {
            Some(Action::Apply) => view.typing = false,
            Some(Action::Back) => {
                view.typing = false;
                view.filter = TextField::default();
            }
            _ => {
                state.edited(view.filter.on_key(&key), &view.filter);
            }
        }
        view.cursor = 0;
        state.mode = Mode::History(Box::new(view));
        return vec![];
    }
    let count = view.visible().len();
    match keymap::lookup(keymap::HISTORY, &key) {
        Some(Action::Back) if !view.filter.is_empty() && key.code == crossterm::event::KeyCode::Esc => {
            view.filter = TextField::default();
            view.cursor = 0;
        }
        Some(Action::Back) => {
            state.mode = Mode::Normal;
            return vec![];
        }
        Some(Action::Filter) => view.typing = true,
        Some(Action::Down) => view.cursor = (view.cursor + 1).min(count.saturating_sub(1)),
        Some(Action::Up) => view.cursor = view.cursor.saturating_sub(1),
        _ => {}
    }
    state.mode = Mode::History(Box::new(view));
    vec![]
}
