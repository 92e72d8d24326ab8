//! The forms that change a secret, and the copy menu. A value shows as `•`
//! per character, never as itself.

use ratatui::Frame;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::dialogs::{keys_line, popup};
use super::{Theme, clamp_u16};
use crate::app::field::TextField;
use crate::app::forms::{Describe, Field, GeneratorFields, NewSecret, NewValue, ValueField};
use crate::app::{Level, RowKey, State, keymap};
use crate::printable::printable;

/// The columns of a field's label, right-aligned, and the gap after it.
const LABEL: usize = 14;
/// The columns a form's field has for its text.
const FIELD_WIDTH: usize = 70 - LABEL;

/// `label: text█`, highlighted when it has the focus.
fn field<'a>(label: &str, text: String, focused: bool, theme: &Theme) -> Line<'a> {
    let label_style = if focused { theme.key() } else { theme.dim() };
    let mut spans = vec![Span::styled(format!("{label:>12}  "), label_style), Span::raw(text)];
    if focused {
        spans.push(Span::raw("█"));
    }
    Line::from(spans)
}

/// A text field under its label, a line per line of text, the cursor drawn
/// where it is when the field has the focus; `suffix` follows the last line.
fn text_field<'a>(label: &str, text: &TextField, focused: bool, suffix: &str, theme: &Theme) -> Vec<Line<'a>> {
    let label_style = if focused { theme.key() } else { theme.dim() };
    let mut lines: Vec<Line> = super::field_lines(text, FIELD_WIDTH.saturating_sub(suffix.len()), focused)
        .into_iter()
        .enumerate()
        .map(|(i, spans)| {
            let label = if i == 0 { format!("{label:>12}  ") } else { " ".repeat(LABEL) };
            let mut line = vec![Span::styled(label, label_style)];
            line.extend(spans);
            Line::from(line)
        })
        .collect();
    if let Some(last) = lines.last_mut() {
        last.spans.push(Span::styled(suffix.to_string(), theme.dim()));
    }
    lines
}

/// A masked value: `•` per character, never the value, and how many there are.
fn value_field<'a>(value: &TextField, generating: bool, focused: bool, theme: &Theme) -> Vec<Line<'a>> {
    if generating {
        return vec![field("value", "generating…".into(), false, theme)];
    }
    let count = value.secret().chars();
    let suffix = if count == 0 { String::new() } else { format!(" ({})", crate::app::plural(count, "character")) };
    text_field("value", value, focused, &suffix, theme)
}

fn generator_lines<'a>(
    g: &GeneratorFields,
    length_focused: bool,
    symbols_focused: bool,
    theme: &Theme,
) -> Vec<Line<'a>> {
    let hint = match g.length.value() {
        Err(why) => format!("  {why}"),
        Ok(_) if length_focused => format!("  {} to {}: type it, or ←/→", g.length.min, g.length.max),
        Ok(_) => String::new(),
    };
    let mut length = text_field("length", &g.length.field, length_focused, "", theme);
    length[0]
        .spans
        .push(Span::styled(hint, if g.length.value().is_err() { theme.message(Level::Warning) } else { theme.dim() }));
    let symbols = format!("[{}] symbols", if g.symbols { "x" } else { " " });
    vec![
        length.remove(0),
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
    // The name's check has a line of its own under it, so the cursor stays in the field.
    let name_check = match form.name_problem() {
        Some(_) if form.name.is_empty() => Line::default(),
        Some(p) => Line::from(Span::styled(format!("{}✗ {p}", " ".repeat(LABEL)), theme.message(Level::Warning))),
        None => Line::from(Span::styled(format!("{}✓", " ".repeat(LABEL)), theme.message(Level::Success))),
    };
    let mut lines =
        vec![Line::from(format!("profile {}", printable(state.profile_name(form.profile)))), Line::default()];
    lines.extend(text_field("name", &form.name, form.focus == Field::Name, "", theme));
    lines.push(name_check);
    lines.extend(text_field("description", &form.description, form.focus == Field::Description, "", theme));
    lines.extend(value_field(&form.value, form.generating, form.focus == Field::Value, theme));
    lines.extend(generator_lines(&form.generator, form.focus == Field::Length, form.focus == Field::Symbols, theme));
    lines.push(Line::default());
    lines.push(problem_line(form.problem(), theme));
    lines.push(keys_line(keymap::FORM, theme));
    let inner = popup(frame, 72, clamp_u16(lines.len()).saturating_add(2), "New secret", theme.header());
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
    ];
    lines.extend(value_field(&form.value, form.generating, form.focus == ValueField::Value, theme));
    lines.extend(generator_lines(
        &form.generator,
        form.focus == ValueField::Length,
        form.focus == ValueField::Symbols,
        theme,
    ));
    lines.push(Line::default());
    lines.push(problem_line(form.problem(), theme));
    lines.push(keys_line(keymap::FORM, theme));
    let inner = popup(frame, 72, clamp_u16(lines.len()).saturating_add(2), "New value", theme.header());
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

pub fn describe(frame: &mut Frame, state: &State, form: &Describe, theme: &Theme) {
    let mut lines = vec![
        Line::from(vec![
            Span::raw("Description of "),
            Span::styled(printable(&form.key.1).into_owned(), theme.header()),
        ]),
        Line::from(format!("profile {}", printable(state.profile_name(form.key.0)))),
        Line::default(),
    ];
    for (i, spans) in super::field_lines(&form.text, 66, true).into_iter().enumerate() {
        let mut line = vec![Span::styled(if i == 0 { "> " } else { "  " }, theme.key())];
        line.extend(spans);
        lines.push(Line::from(line));
    }
    lines.push(Line::default());
    lines.push(keys_line(keymap::DESCRIBE, theme));
    let height = clamp_u16(lines.len()).saturating_add(2).min(frame.area().height);
    let inner = popup(frame, 72, height, "Edit description", theme.header());
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
    let inner = popup(frame, 64, clamp_u16(lines.len()).saturating_add(2), "Copy", theme.header());
    frame.render_widget(Paragraph::new(lines), inner);
}
