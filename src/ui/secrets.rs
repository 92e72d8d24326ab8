//! The secrets table: only the rows on screen are built.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table};

use super::Theme;
use crate::app::{State, View};
use crate::printable::printable;
use crate::timefmt::{age, countdown};

/// `5m`, `3h`, `12d`: the UPDATED column's compact age.
fn short_age(now: i64, then: i64) -> String {
    match age(now, then) {
        a if a == "just now" => "now".to_string(),
        a => a.trim_end_matches(" ago").to_string(),
    }
}

pub fn table(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let all = state.view == View::All;
    let title = if state.table.filter().is_empty() {
        format!(" Secrets ({}) ", state.table.len())
    } else {
        format!(" Secrets ({} of {}) ", state.table.len(), state.table.rows().len())
    };
    let arrow = if state.table.reversed() { "▼" } else { "▲" };
    let mut title =
        vec![Span::raw(title), Span::styled(format!("· sort: {} {arrow} ", state.table.sort().label()), theme.dim())];
    if !state.table.filter().is_empty() {
        title.push(Span::styled(format!("· filter: {} ", state.table.filter()), theme.key()));
    }
    if !state.marked.is_empty() {
        title.push(Span::styled(format!("· {} marked ", state.marked.len()), theme.marked()));
    }
    let block = Block::default().borders(Borders::ALL).title(Line::from(title));
    let height = area.height.saturating_sub(3) as usize;

    if state.table.is_empty() {
        let text = if !state.loading.is_empty() {
            "Loading…".to_string()
        } else if !state.table.filter().is_empty() {
            format!("No secret matches '{}'. Esc clears the filter.", state.table.filter())
        } else if !state.load_errors.is_empty() {
            "Could not load the secrets (r tries again):".to_string()
        } else {
            "No secrets in this view.".to_string()
        };
        let mut lines = vec![Line::from(text)];
        for (p, e) in &state.load_errors {
            lines.push(Line::from(Span::styled(
                format!("{}: {e}", state.profile_name(*p)),
                theme.message(crate::app::Level::Error),
            )));
        }
        frame.render_widget(Paragraph::new(lines).block(block), area);
        return;
    }

    // The sorted column carries the arrow.
    let sorted_column = match state.table.sort() {
        crate::app::SortKey::Name => 1,
        crate::app::SortKey::State => 2,
        crate::app::SortKey::TimeLeft => 3,
        crate::app::SortKey::Updated => 5,
    };
    let mut header: Vec<String> = ["", "NAME", "STATE", "DELETES IN", "DESCRIPTION", "UPDATED"]
        .iter()
        .enumerate()
        .map(|(i, h)| if i == sorted_column { format!("{h}{arrow}") } else { h.to_string() })
        .collect();
    let mut widths = vec![
        Constraint::Length(1),
        Constraint::Fill(4),
        Constraint::Length(14),
        // Without colour the level marks (`!`, `!!`) need room too.
        Constraint::Length(if theme.color { 12 } else { 15 }),
        Constraint::Fill(3),
        Constraint::Length(7),
    ];
    if all {
        let longest = state.profiles.iter().map(|p| p.name.chars().count()).max().unwrap_or(7);
        header.insert(1, "PROFILE".to_string());
        widths.insert(1, Constraint::Length(longest.clamp(7, 16) as u16));
    }

    let selected = state.table.selected_index();
    // The footer may have grown over the rows the state scrolled for: keep
    // the selection in view all the same.
    let offset = if selected >= state.table.offset() + height { selected + 1 - height } else { state.table.offset() };
    let rows = state.table.visible_from(offset, height).enumerate().map(|(i, row)| {
        let s = &row.secret;
        let key = row.key();
        let pending = s.is_pending_delete();
        let marked = state.marked.contains(&key);
        let deletes = match (state.in_flight.get(&key), state.time_left(row.profile, s)) {
            (Some(op), _) => Cell::from(op.label()).style(theme.in_flight()),
            (None, Some(left)) => {
                Cell::from(format!("{}{}", countdown(left), theme.countdown_mark(left))).style(theme.countdown(left))
            }
            (None, None) => Cell::from(""),
        };
        let mut cells = vec![
            Cell::from(if marked { "●" } else { " " }).style(theme.marked()),
            Cell::from(printable(&s.name)),
            Cell::from(s.state_label()).style(theme.state(s.state.as_ref())),
            deletes,
            match &s.unreadable {
                Some(reason) => Cell::from(format!("unreadable: {}", printable(reason)))
                    .style(theme.message(crate::app::Level::Error)),
                None => Cell::from(printable(s.description.as_deref().unwrap_or(""))),
            },
            Cell::from(s.update_time.map(|u| short_age(state.now, u)).unwrap_or_default()),
        ];
        if all {
            cells.insert(1, Cell::from(printable(state.profile_name(row.profile))));
        }
        let mut style = if pending { theme.pending_row() } else { ratatui::style::Style::default() };
        // A profile whose refresh failed shows what it had, dimmed: stale.
        if state.load_errors.contains_key(&row.profile) {
            style = style.patch(theme.stale());
        }
        if offset + i == selected {
            style = style.patch(theme.selected());
        }
        Row::new(cells).style(style)
    });

    let mut footer_rows = Vec::new();
    if !state.load_errors.is_empty() {
        for (p, e) in &state.load_errors {
            footer_rows.push(format!("{}: {e}", state.profile_name(*p)));
        }
    }
    let table = Table::new(rows, widths).header(Row::new(header).style(theme.header())).column_spacing(1).block(block);
    frame.render_widget(table, area);
    // A profile that failed in the all-profiles view shows its error over the
    // bottom border, without hiding the others' rows.
    if let Some(first) = footer_rows.first() {
        let y = area.y + area.height.saturating_sub(1);
        let text = if footer_rows.len() > 1 {
            format!(" {first} (+{} more) ", footer_rows.len() - 1)
        } else {
            format!(" {first} ")
        };
        let line = Line::from(Span::styled(text, theme.message(crate::app::Level::Error)));
        frame.render_widget(
            Paragraph::new(line),
            Rect { x: area.x + 1, y, width: area.width.saturating_sub(2), height: 1 },
        );
    }
}
