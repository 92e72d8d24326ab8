//! Drawing: pure functions of the state. Only the rows on screen are laid out.

mod choose;
mod chrome;
mod dialogs;
mod forms;
mod history;
mod secrets;
mod tags;
pub mod theme;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};
use ratatui::style::{Modifier, Style};
use ratatui::text::Span;

use crate::app::field::TextField;
use crate::app::{Mode, State};
pub use theme::Theme;

const HEADER_LINES: u16 = 2;
/// The footer at its smallest: one message line and the keys.
const FOOTER_LINES: u16 = 2;
/// The table's border (2) and its column titles (1).
const TABLE_CHROME: u16 = 3;

/// The screen line of the first secret row: under the header, the table's
/// border and its column titles.
pub const FIRST_ROW_LINE: u16 = HEADER_LINES + 2;

/// `n` lines (or columns) as a terminal's u16: a count past what a terminal
/// holds stays at the most, where `as u16` would wrap it round.
fn clamp_u16(n: usize) -> u16 {
    u16::try_from(n).unwrap_or(u16::MAX)
}

/// How many secret rows fit in a terminal of this height (with the footer
/// at its smallest; the table keeps the selection in view when it is taller).
pub fn table_height(terminal_height: u16) -> usize {
    terminal_height.saturating_sub(HEADER_LINES + FOOTER_LINES + TABLE_CHROME).max(1) as usize
}

pub fn draw(frame: &mut Frame, state: &State, theme: &Theme) {
    let [header, body, footer] = Layout::vertical([
        Constraint::Length(HEADER_LINES),
        Constraint::Min(TABLE_CHROME + 1),
        Constraint::Length(chrome::footer_height(state, frame.area().width)),
    ])
    .areas(frame.area());
    chrome::header(frame, header, state, theme);
    secrets::table(frame, body, state, theme);
    chrome::footer(frame, footer, state, theme);
    match &state.mode {
        Mode::Normal | Mode::Filter { .. } | Mode::Command { .. } => {}
        Mode::Confirm(pending) => dialogs::confirm(frame, state, pending, theme),
        Mode::Schedule { key, days, typed, on_days, selected } => {
            dialogs::schedule(frame, state, key, days, typed, (*on_days, *selected), theme)
        }
        Mode::Details { .. } => dialogs::details(frame, state, theme),
        Mode::PickProfile { selected, filter } => dialogs::profiles(frame, state, *selected, filter, theme),
        Mode::Help { scroll } => dialogs::help(frame, *scroll, theme),
        Mode::Report { title, lines, scroll } => dialogs::report(frame, title, lines, *scroll, theme),
        Mode::ChooseProject { choices, selected } => choose::project(frame, state, choices, *selected, theme),
        Mode::NewSecret(form) => forms::new_secret(frame, state, form, theme),
        Mode::NewValue(form) => forms::new_value(frame, state, form, theme),
        Mode::Describe(form) => forms::describe(frame, state, form, theme),
        Mode::Copy { key, .. } => forms::copy_menu(frame, state, key, theme),
        Mode::Tags(dialog) => tags::tags(frame, state, dialog, theme),
        Mode::History(view) => history::history(frame, state, view, theme),
    }
    neutralize(frame.buffer_mut());
}

/// The most lines a field of several lines shows; more scroll with the
/// cursor, so a long description never pushes a dialog off the screen.
const FIELD_ROWS: usize = 5;

/// A text field's lines, `width` columns wide and at most `FIELD_ROWS`
/// around the cursor's. With the focus, the cursor shows as the grapheme
/// under it in reverse video (`█` at a line's end); a masked field shows `•` only.
fn field_lines(field: &TextField, width: usize, focused: bool) -> Vec<Vec<Span<'static>>> {
    let window = field.window(width);
    let cursor_line = window.iter().position(|(_, at, _)| at.is_some()).unwrap_or(0);
    let top = (cursor_line + 1).saturating_sub(FIELD_ROWS);
    window
        .into_iter()
        .skip(top)
        .take(FIELD_ROWS)
        .map(|(before, at, after)| match at {
            Some(at) if focused => {
                let cursor = if at.is_empty() {
                    Span::raw("█")
                } else {
                    Span::styled(at, Style::default().add_modifier(Modifier::REVERSED))
                };
                vec![Span::raw(before), cursor, Span::raw(after)]
            }
            at => vec![Span::raw(before + at.as_deref().unwrap_or_default() + &after)],
        })
        .collect()
}

/// The last guard before the terminal: ratatui drops control characters on
/// most paths, but wrapped text can carry zero-width ones (a bidi override in
/// a description would reorder what follows it). Any cell still holding one
/// shows `�` instead. The views escape such text as `\u{..}` where they print it.
fn neutralize(buffer: &mut ratatui::buffer::Buffer) {
    for cell in &mut buffer.content {
        if cell.symbol().chars().any(crate::printable::is_unsafe) {
            cell.set_symbol("\u{fffd}");
        }
    }
}

#[cfg(test)]
mod tests;
