//! The history view: the journal, newest first.

use ratatui::Frame;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::Theme;
use super::dialogs::{keys_line, popup};
use crate::app::history::HistoryView;
use crate::app::{Level, keymap};
use crate::printable::printable;
use crate::timefmt::local_time;

pub fn history(frame: &mut Frame, view: &HistoryView, theme: &Theme) {
    let area = frame.area();
    let mut lines = Vec::new();
    if view.typing || !view.filter.is_empty() {
        let mut filter = vec![Span::styled(" / ", theme.key()), Span::raw(printable(&view.filter).into_owned())];
        if view.typing {
            filter.push(Span::raw("█"));
        }
        lines.push(Line::from(filter));
    }
    let visible = view.visible();
    match &view.entries {
        None => lines.push(Line::from(Span::styled("reading the journal…", theme.dim()))),
        Some(Err(e)) => lines.push(Line::from(Span::styled(printable(e).into_owned(), theme.message(Level::Error)))),
        Some(Ok(_)) if visible.is_empty() => lines.push(Line::from(Span::styled("no change recorded", theme.dim()))),
        Some(Ok(_)) => {
            // Room for the list: the border, the filter line and the keys.
            let room = area.height.saturating_sub(4 + lines.len() as u16) as usize;
            let first = (view.cursor + 1).saturating_sub(room.max(1));
            for (i, e) in visible.iter().enumerate().skip(first).take(room.max(1)) {
                let time = e.millis().map(local_time).unwrap_or_else(|| e.time.clone());
                let mut said: Vec<String> = e.detail.iter().cloned().collect();
                if !e.versions.is_empty() {
                    said.push(e.versions.join(","));
                }
                if let Some(code) = &e.error_code {
                    said.push(code.clone());
                }
                if let Some(id) = &e.request_id {
                    said.push(format!("req {id}"));
                }
                let text = format!(
                    " {time}  {:<10} {:<24} {:<10} {:<7} {}",
                    printable(&e.profile),
                    printable(&e.secret),
                    e.action,
                    e.outcome,
                    printable(&said.join("; "))
                );
                let style = match (i == view.cursor, e.outcome.as_str()) {
                    (true, _) => theme.selected(),
                    (false, "ok") => Style::default(),
                    (false, _) => theme.message(Level::Error),
                };
                lines.push(Line::from(Span::styled(text, style)));
            }
        }
    }
    lines.push(if view.typing { keys_line(keymap::FILTER, theme) } else { keys_line(keymap::HISTORY, theme) });
    let count = visible.len();
    let inner = popup(
        frame,
        area.width.saturating_sub(2),
        area.height.saturating_sub(2),
        &format!("History ({count})"),
        theme.header(),
    );
    frame.render_widget(Paragraph::new(lines), inner);
}
