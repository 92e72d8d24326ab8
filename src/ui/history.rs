//! The history view: the journal, newest first.

use ratatui::Frame;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::dialogs::{keys_line, popup};
use super::{Theme, clamp_u16};
use crate::app::history::HistoryView;
use crate::app::{Level, State, keymap};
use crate::printable::printable;

pub fn history(frame: &mut Frame, state: &State, view: &HistoryView, theme: &Theme) {
    let area = frame.area();
    let mut lines = Vec::new();
    // What this session saw, newest first, above the journal.
    if !state.events.is_empty() {
        let room = (area.height as usize / 3).max(2);
        let total = state.events.len();
        // The count says how many show when the newest alone fit.
        let title = match room < total {
            true => format!(" This session ({room} newest of {total})"),
            false => format!(" This session ({total})"),
        };
        lines.push(Line::from(Span::styled(title, theme.header())));
        for e in state.events.iter().rev().take(room) {
            let text = format!(" {}  {}", state.zone.clock(e.at), printable(&e.text));
            lines.push(Line::from(Span::styled(text, theme.message(e.level))));
        }
        lines.push(Line::from(Span::styled(" Journal: every change csms made", theme.header())));
    }
    if view.typing || !view.filter.is_empty() {
        let mut filter = vec![Span::styled(" / ", theme.key())];
        let room = usize::from(area.width).saturating_sub(6);
        filter.extend(super::field_lines(&view.filter, room, view.typing).into_iter().next().unwrap_or_default());
        lines.push(Line::from(filter));
    }
    let visible = view.visible();
    match &view.entries {
        None => lines.push(Line::from(Span::styled("reading the journal…", theme.dim()))),
        Some(Err(e)) => lines.push(Line::from(Span::styled(printable(e).into_owned(), theme.message(Level::Error)))),
        Some(Ok(_)) if visible.is_empty() => lines.push(Line::from(Span::styled("no change recorded", theme.dim()))),
        Some(Ok(_)) => {
            // Each entry is a line, and a second one for what the server said.
            let mut rows: Vec<(usize, Line)> = Vec::new();
            for (i, e) in visible.iter().enumerate() {
                let time = e.millis().map(|t| state.zone.clock(t)).unwrap_or_else(|| e.time.clone());
                let style = match (i == view.cursor, e.outcome.as_str()) {
                    (true, _) => theme.selected(),
                    (false, "ok") => Style::default(),
                    (false, _) => theme.message(Level::Error),
                };
                let text = format!(
                    " {time}  {:<10} {:<24} {:<10} {}",
                    printable(&e.profile),
                    printable(&e.secret),
                    e.action,
                    e.outcome
                );
                rows.push((i, Line::from(Span::styled(text, style))));
                let mut said: Vec<String> = e.detail.iter().cloned().collect();
                if !e.versions.is_empty() {
                    said.push(e.versions.join(","));
                }
                said.extend(e.error_code.iter().cloned());
                said.extend(e.error_msg.iter().cloned());
                said.extend(e.request_id.iter().map(|id| format!("request id {id}")));
                said.push(format!("{}@{}", e.user, e.host));
                rows.push((i, Line::from(Span::styled(format!("     {}", printable(&said.join(" · "))), theme.dim()))));
            }
            // Room for the list: the border, the filter line and the keys.
            let room = (area.height.saturating_sub(clamp_u16(lines.len()).saturating_add(5)) as usize).max(2);
            let last_of_cursor = rows.iter().rposition(|(i, _)| *i == view.cursor).unwrap_or(0);
            let first = (last_of_cursor + 1).saturating_sub(room);
            lines.extend(rows.into_iter().skip(first).take(room).map(|(_, line)| line));
        }
    }
    let count = visible.len();
    let inner = popup(
        frame,
        area.width.saturating_sub(2),
        area.height.saturating_sub(2),
        // Each line's time is local: the zone is said once, here.
        &format!("History ({count}) · times in {}", state.zone.name(state.now)),
        theme.header(),
    );
    // The keys stay on the bottom line.
    while lines.len() + 1 < inner.height as usize {
        lines.push(Line::default());
    }
    lines.push(if view.typing { keys_line(keymap::FILTER, theme) } else { keys_line(keymap::HISTORY, theme) });
    frame.render_widget(Paragraph::new(lines), inner);
}
