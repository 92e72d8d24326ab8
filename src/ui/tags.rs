//! The tags dialog.

use ratatui::Frame;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::dialogs::{keys_line, popup};
use super::{Theme, clamp_u16};
use crate::app::tags::TagsDialog;
use crate::app::{Level, State, keymap};
use crate::csms::model::MAX_TAGS;
use crate::printable::printable;

pub fn tags(frame: &mut Frame, state: &State, dialog: &TagsDialog, theme: &Theme) {
    let mut lines =
        vec![Line::from(format!("profile {}", printable(state.profile_name(dialog.key.0)))), Line::default()];
    match &dialog.loaded {
        None => lines.push(Line::from(Span::styled("reading the tags…", theme.dim()))),
        Some(Err(e)) => lines.push(Line::from(Span::styled(printable(e).into_owned(), theme.message(Level::Error)))),
        Some(Ok((_, tags))) if tags.is_empty() => lines.push(Line::from(Span::styled("no tags", theme.dim()))),
        Some(Ok((_, tags))) => {
            lines.push(Line::from(Span::styled(format!("{} of {MAX_TAGS} tags", tags.len()), theme.dim())));
            for (i, t) in tags.iter().enumerate() {
                // The selection has a mark of its own: reverse video alone is lost on some terminals.
                let mark = if i == dialog.cursor { "▸" } else { " " };
                let text = format!("{mark} {:<28} {}", printable(&t.key), printable(t.value.as_deref().unwrap_or("")));
                let style = if i == dialog.cursor { theme.selected() } else { Style::default() };
                lines.push(Line::from(Span::styled(text, style)));
            }
        }
    }
    lines.push(Line::default());
    match &dialog.adding {
        Some(line) => {
            let mut spans = vec![Span::styled("key=value> ", theme.key())];
            spans.extend(super::field_lines(line, 58, true).into_iter().next().unwrap_or_default());
            lines.push(Line::from(spans));
            lines.push(keys_line(keymap::LINE, theme));
        }
        None if dialog.busy => lines.push(Line::from(Span::styled("sending…", theme.in_flight()))),
        None => lines.push(keys_line(keymap::TAGS, theme)),
    }
    let height = clamp_u16(lines.len()).saturating_add(2).min(frame.area().height);
    let inner = popup(frame, 72, height, &format!("Tags of {}", printable(&dialog.key.1)), theme.header());
    frame.render_widget(Paragraph::new(lines), inner);
}
