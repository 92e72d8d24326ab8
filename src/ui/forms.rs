//! The forms that change a secret, and the copy menu. A value shows as `•`
//! per character, never as itself.

use ratatui::Frame;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::Theme;
use super::dialogs::{keys_line, popup};
use crate::app::forms::{Describe, Field, Generator, NewSecret, NewValue, ValueField};
use crate::app::{Level, RowKey, State, keymap};
use crate::csms::Redacted;
use crate::printable::printable;

/// `label: text█`, highlighted when it has the focus.
fn field<'a>(label: &str, text: String, focused: bool, theme: &Theme) -> Line<'a> {
    let label_style = if focused { theme.key() } else { theme.dim() };
    let mut spans = vec![Span::styled(format!("{label:>12}  "), label_style), Span::raw(text)];
    if focused {
        spans.push(Span::raw("█"));
    }
    Line::from(spans)
}

fn mask(value: &Redacted, generating: bool) -> String {
    if generating {
        "generating…".into()
    } else if value.is_empty() {
        String::new()
    } else {
        format!("{} ({} characters)", "•".repeat(value.chars().min(24)), value.chars())
    }
}

fn generator_lines<'a>(g: &Generator, length_focused: bool, symbols_focused: bool, theme: &Theme) -> Vec<Line<'a>> {
    let length = if length_focused { format!("◀ {} ▶", g.length) } else { g.length.to_string() };
    let symbols = format!("[{}] symbols", if g.symbols { "x" } else { " " });
    vec![
        field("length", length, false, theme).patch_style(if length_focused { theme.key() } else { Style::default() }),
        field("generator", symbols, false, theme).patch_style(if symbols_focused {
            theme.key()
        } else {
            Style::default()
        }),
    ]
}

fn problem_line<'a>(problem: Option<&str>, theme: &Theme) -> Line<'a> {
    match problem {
        Some(p) => Line::from(Span::styled(format!("  {p}"), theme.message(Level::Warning))),
        None => Line::from(Span::styled("  ready: enter sends it", theme.message(Level::Success))),
    }
}

pub fn new_secret(frame: &mut Frame, state: &State, form: &NewSecret, theme: &Theme) {
    let name_state = match form.name_problem() {
        Some(_) if form.name.is_empty() => String::new(),
        Some(p) => format!("  ✗ {p}"),
        None => "  ✓".into(),
    };
    let mut lines = vec![
        Line::from(format!("profile {}", printable(state.profile_name(form.profile)))),
        Line::default(),
        field("name", format!("{}{}", printable(&form.name), name_state), form.focus == Field::Name, theme),
        field("description", printable(&form.description).into_owned(), form.focus == Field::Description, theme),
        field("value", mask(&form.value, form.generating), form.focus == Field::Value, theme),
    ];
    lines.extend(generator_lines(&form.generator, form.focus == Field::Length, form.focus == Field::Symbols, theme));
    lines.push(Line::default());
    lines.push(problem_line(form.problem(), theme));
    lines.push(keys_line(keymap::FORM, theme));
    let inner = popup(frame, 72, lines.len() as u16 + 2, "New secret", theme.header());
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

pub fn new_value(frame: &mut Frame, state: &State, form: &NewValue, theme: &Theme) {
    let consequence = match (&form.versions, form.consequence()) {
        (_, Some(c)) => c,
        (Some(Err(e)), _) => format!("the versions could not be read: {e}"),
        _ => "reading the versions…".into(),
    };
    let mut lines = vec![
        Line::from(vec![
            Span::raw("A new value for "),
            Span::styled(printable(&form.key.1).into_owned(), theme.header()),
        ]),
        Line::from(format!("profile {}", printable(state.profile_name(form.key.0)))),
        Line::from(Span::styled(consequence, theme.dim())),
        Line::default(),
        field("value", mask(&form.value, form.generating), form.focus == ValueField::Value, theme),
    ];
    lines.extend(generator_lines(
        &form.generator,
        form.focus == ValueField::Length,
        form.focus == ValueField::Symbols,
        theme,
    ));
    lines.push(Line::default());
    lines.push(problem_line(form.problem(), theme));
    lines.push(keys_line(keymap::FORM, theme));
    let inner = popup(frame, 72, lines.len() as u16 + 2, "New value", theme.header());
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

pub fn describe(frame: &mut Frame, state: &State, form: &Describe, theme: &Theme) {
    let lines = vec![
        Line::from(vec![
            Span::raw("Description of "),
            Span::styled(printable(&form.key.1).into_owned(), theme.header()),
        ]),
        Line::from(format!("profile {}", printable(state.profile_name(form.key.0)))),
        Line::default(),
        Line::from(vec![
            Span::styled("> ", theme.key()),
            Span::raw(printable(&form.text).into_owned()),
            Span::raw("█"),
        ]),
        Line::default(),
        keys_line(keymap::LINE, theme),
    ];
    let inner = popup(frame, 72, 9, "Edit description", theme.header());
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

pub fn copy_menu(frame: &mut Frame, state: &State, key: &RowKey, theme: &Theme) {
    let clear = match state.clipboard_clear_ms {
        0 => "a copied value stays on the clipboard".to_string(),
        ms => format!("csms asks the terminal to clear a copied value after {} s", ms / 1000),
    };
    let mut lines = vec![
        Line::from(vec![Span::raw("Copy from "), Span::styled(printable(&key.1).into_owned(), theme.header())]),
        Line::from(Span::styled(clear, theme.dim())),
        Line::default(),
    ];
    for b in keymap::COPY {
        lines.push(Line::from(vec![Span::styled(format!("  {:<5}", b.label), theme.key()), Span::raw(b.help)]));
    }
    let inner = popup(frame, 64, lines.len() as u16 + 2, "Copy", theme.header());
    frame.render_widget(Paragraph::new(lines), inner);
}
