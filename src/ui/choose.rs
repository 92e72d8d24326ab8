//! The question before a new secret in a view of several projects: which one.

use ratatui::Frame;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::dialogs::{keys_line, popup};
use super::{Theme, clamp_u16};
use crate::app::{State, keymap};
use crate::printable::printable;

pub fn project(frame: &mut Frame, state: &State, choices: &[usize], selected: usize, theme: &Theme) {
    let mut lines = vec![Line::from("Create the new secret in"), Line::default()];
    for (i, &p) in choices.iter().enumerate() {
        let info = &state.profiles[p];
        let mark = if i == selected { "▸" } else { " " };
        let text = printable(&format!("{mark} {}  ({})", info.name, info.region)).into_owned();
        let style = if i == selected { theme.selected() } else { Style::default() };
        lines.push(Line::from(Span::styled(text, style)));
    }
    lines.push(Line::default());
    lines.push(keys_line(keymap::CHOOSE, theme));
    let height = clamp_u16(lines.len()).saturating_add(2).min(frame.area().height);
    let inner = popup(frame, 64, height, "New secret: which project?", theme.header());
    frame.render_widget(
        Paragraph::new(lines).scroll((clamp_u16(selected.saturating_sub(inner.height as usize / 2)), 0)),
        inner,
    );
}
