//! Popups: confirmations, the schedule dialog, details, profiles, help and reports.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph, Wrap};

use super::{Theme, clamp_u16};
use crate::app::field::{NumberField, TextField};
use crate::app::{Mode, Pending, Reveal, RowKey, State, View, keymap};
use crate::csms::model::Millis;
use crate::printable::printable;
use crate::timefmt::countdown;

/// Clears a centered area and draws a bordered block in it; returns the inside.
pub(super) fn popup(frame: &mut Frame, width: u16, height: u16, title: &str, style: Style) -> Rect {
    // The keys line at the bottom stays in view: it says what works in the dialog.
    popup_above(frame, 1, width, height, title, style)
}

/// As `popup`, leaving the `bottom` lines of the screen in view.
fn popup_above(frame: &mut Frame, bottom: u16, width: u16, height: u16, title: &str, style: Style) -> Rect {
    let full = frame.area();
    let area = Rect { height: full.height.saturating_sub(bottom), ..full };
    let [v] = Layout::vertical([Constraint::Length(height.min(area.height))]).flex(Flex::Center).areas(area);
    let [rect] = Layout::horizontal([Constraint::Length(width.min(area.width))]).flex(Flex::Center).areas(v);
    frame.render_widget(Clear, rect);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .border_style(style)
        .title(Span::styled(format!(" {title} "), style));
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    inner
}

pub(super) fn keys_line(table: &[keymap::Binding], theme: &Theme) -> Line<'static> {
    let mut spans = Vec::new();
    for (label, what) in keymap::footer(table) {
        spans.push(Span::styled(label, theme.key()));
        spans.push(Span::raw(format!(" {what}   ")));
    }
    Line::from(spans)
}

fn time_left_text(state: &State, profile: usize, deletes_at: Option<Millis>) -> String {
    match deletes_at {
        Some(t) => format!("{} (at {})", countdown(t - state.server_now(profile)), state.zone.time(t)),
        None => crate::listing::TIME_UNKNOWN.into(),
    }
}

pub fn confirm(frame: &mut Frame, state: &State, pending: &Pending, theme: &Theme) {
    let warn = theme.message(crate::app::Level::Warning);
    let mut lines = Vec::new();
    let height = match pending {
        Pending::Cancel { key, deletes_at } => {
            let p = &state.profiles[key.0];
            lines.push(Line::from("Cancel the scheduled deletion of"));
            lines.push(Line::from(Span::styled(format!("  {}", printable(&key.1)), theme.header())));
            lines.push(Line::from(printable(&format!("profile {} · {}", p.name, p.region)).into_owned()));
            lines.push(Line::from(printable(&format!("project {}", p.project_label())).into_owned()));
            lines.push(Line::from(vec![
                Span::raw("time left: "),
                Span::styled(time_left_text(state, key.0, *deletes_at), warn),
            ]));
            9
        }
        Pending::CancelMany { keys, hidden } => {
            lines.push(Line::from(format!(
                "Cancel the scheduled deletion of {}:",
                crate::app::plural(keys.len(), "secret")
            )));
            if *hidden > 0 {
                lines.push(Line::from(Span::styled(format!("  ({hidden} of them hidden by the filter)"), warn)));
            }
            const SHOWN: usize = 8;
            for key in keys.iter().take(SHOWN) {
                lines.push(Line::from(
                    printable(&format!("  {} (profile {})", key.1, state.profile_name(key.0))).into_owned(),
                ));
            }
            if keys.len() > SHOWN {
                lines.push(Line::from(format!("  … and {} more", keys.len() - SHOWN)));
            }
            // The lines so far, a blank one and the keys, inside the border.
            clamp_u16(lines.len()).saturating_add(4)
        }
        Pending::PutValue { key, consequence, .. } => {
            lines.push(Line::from(vec![
                Span::raw("A new value for "),
                Span::styled(printable(&key.1).into_owned(), theme.header()),
            ]));
            lines.push(Line::from(format!("profile {}", printable(state.profile_name(key.0)))));
            lines.push(Line::from(Span::styled(consequence.clone(), warn)));
            clamp_u16(lines.len()).saturating_add(4)
        }
        Pending::Rollback { key, from, to } => {
            lines.push(Line::from(vec![
                Span::raw("Roll back "),
                Span::styled(printable(&key.1).into_owned(), theme.header()),
            ]));
            lines.push(Line::from(format!("profile {}", printable(state.profile_name(key.0)))));
            lines.push(Line::from(Span::styled(
                format!("SYSCURRENT moves from {from} to {to}; {from} becomes SYSPREVIOUS"),
                warn,
            )));
            clamp_u16(lines.len()).saturating_add(4)
        }
        Pending::RemoveTag { key, tag } => {
            lines.push(Line::from(vec![
                Span::raw("Remove the tag "),
                Span::styled(printable(&tag.key).into_owned(), theme.header()),
                Span::raw(printable(&format!(" = {}", tag.value.as_deref().unwrap_or(""))).into_owned()),
            ]));
            lines.push(Line::from(vec![
                Span::raw("from "),
                Span::styled(printable(&key.1).into_owned(), theme.header()),
            ]));
            lines.push(Line::from(format!("profile {}", printable(state.profile_name(key.0)))));
            clamp_u16(lines.len()).saturating_add(4)
        }
    };
    lines.push(Line::default());
    lines.push(keys_line(keymap::CONFIRM, theme));
    let title = match pending {
        Pending::Cancel { .. } | Pending::CancelMany { .. } => "Cancel deletion?",
        Pending::PutValue { .. } => "Put a new value?",
        Pending::Rollback { .. } => "Roll back?",
        Pending::RemoveTag { .. } => "Remove a tag?",
    };
    let inner = popup(frame, 64, height, title, warn);
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

pub fn schedule(
    frame: &mut Frame,
    state: &State,
    key: &RowKey,
    days: &NumberField,
    typed: &TextField,
    (on_days, selected): (bool, bool),
    theme: &Theme,
) {
    let danger = theme.message(crate::app::Level::Error);
    let mut window = vec![Span::raw("recovery window: ")];
    if on_days && selected {
        // Selected whole: typing replaces it.
        window.push(Span::styled(days.field.text().to_string(), theme.selected()));
    } else {
        window.extend(super::field_lines(&days.field, 3, on_days).into_iter().next().unwrap_or_default());
    }
    window.push(Span::raw(" days (7 to 30, ↑/↓)"));
    // The recovery window runs on the server's clock, as the countdowns do.
    let when = match days.value() {
        Ok(days) => Line::from(format!(
            "deleted for good on {}, unless cancelled",
            state.zone.time(state.server_now(key.0) + days as Millis * 86_400_000)
        )),
        Err(why) => Line::from(Span::styled(format!("{why} days"), theme.message(crate::app::Level::Warning))),
    };
    let name_style = if typed.text() == key.1 { theme.message(crate::app::Level::Success) } else { Style::default() };
    let mut name = vec![Span::styled("> ", theme.key())];
    let typed = super::field_lines(typed, 64, !on_days).into_iter().next().unwrap_or_default();
    name.extend(typed.into_iter().map(|s| s.patch_style(name_style)));
    let lines = vec![
        Line::from(vec![
            Span::raw("Schedule the deletion of "),
            Span::styled(printable(&key.1).into_owned(), theme.header()),
        ]),
        Line::from(format!("profile {}", printable(state.profile_name(key.0)))),
        Line::from(window),
        when,
        Line::default(),
        Line::from("Type the secret's name to confirm:"),
        Line::from(name),
        Line::default(),
        keys_line(keymap::SCHEDULE, theme),
    ];
    let inner = popup(frame, 72, 11, "Schedule deletion", danger);
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

const DETAILS_WIDTH: u16 = 76;

/// Every field of the secret, its value on request, and its versions.
pub fn details(frame: &mut Frame, state: &State, theme: &Theme) {
    let Mode::Details { key: (profile, _), secret: s, versions, cursor, value, shown, scroll, .. } = &state.mode else {
        return;
    };
    let (profile, cursor, versions) = (*profile, *cursor, versions.as_ref());
    let time = |t: Option<Millis>| t.map(|t| state.zone.time(t)).unwrap_or_else(|| "-".into());
    let text = |v: &Option<String>| v.clone().filter(|x| !x.is_empty()).unwrap_or_else(|| "-".into());
    // A shown value names its version.
    let value_label = shown.as_ref().map_or_else(|| "value".to_string(), |v| format!("value of {}", printable(v)));
    let mut fields: Vec<(&str, Line)> = vec![
        ("name", Line::from(s.name.clone())),
        ("profile", Line::from(state.profile_name(profile).to_string())),
        ("state", Line::from(Span::styled(s.state_label().to_string(), theme.state(s.state.as_ref())))),
    ];
    if let Some(reason) = &s.unreadable {
        fields.push(("unreadable", Line::from(Span::styled(reason.clone(), theme.message(crate::app::Level::Error)))));
    }
    if let Some(left) = state.time_left(profile, s) {
        fields.push((
            "deletes in",
            Line::from(Span::styled(time_left_text(state, profile, s.scheduled_delete_time), theme.countdown(left))),
        ));
    } else if crate::listing::time_unknown(s) {
        fields.push(("deletes in", Line::from(Span::styled(crate::listing::TIME_UNKNOWN, theme.countdown(0)))));
    }
    fields.push(("id", Line::from(text(&s.id))));
    // Each line of a description on a line of its own, under one label.
    let description = text(&s.description);
    fields.extend(
        description
            .lines()
            .enumerate()
            .map(|(i, l)| (if i == 0 { "description" } else { "" }, Line::from(l.to_string()))),
    );
    fields.extend([
        ("type", Line::from(text(&s.secret_type))),
        ("kms key", Line::from(text(&s.kms_key_id))),
        ("created", Line::from(time(s.create_time))),
        ("updated", Line::from(time(s.update_time))),
        ("scheduled delete", Line::from(time(s.scheduled_delete_time))),
        ("auto rotation", Line::from(s.auto_rotation.map_or("-".into(), |b| b.to_string()))),
        ("rotation period", Line::from(text(&s.rotation_period))),
        ("last rotation", Line::from(time(s.rotation_time))),
        ("next rotation", Line::from(time(s.next_rotation_time))),
        (
            "events",
            Line::from(
                s.event_subscriptions.as_ref().map(|e| e.join(", ")).filter(|e| !e.is_empty()).unwrap_or("-".into()),
            ),
        ),
        ("enterprise project", Line::from(text(&s.enterprise_project_id))),
        (
            &value_label,
            match value {
                Reveal::Hidden if s.is_pending_delete() => {
                    Line::from(Span::styled("none readable while pending deletion", theme.dim()))
                }
                Reveal::Hidden => Line::from(Span::styled("•••••••• (v reveals the selected version's)", theme.dim())),
                Reveal::Loading => Line::from(Span::styled("reading…", theme.dim())),
                Reveal::Shown(v) => Line::from(Span::styled(v.expose().to_string(), theme.key())),
                Reveal::Failed(e) => Line::from(Span::styled(e.clone(), theme.message(crate::app::Level::Error))),
            },
        ),
    ]);
    // A long value (a description, a revealed secret) wraps under its label
    // instead of running off the dialog.
    const LABEL: usize = 20;
    let room = (DETAILS_WIDTH as usize).saturating_sub(2 + LABEL).max(10);
    let mut lines: Vec<Line> = Vec::new();
    for (k, v) in fields {
        // Every field but the label is the server's text.
        let style = v.spans.first().map(|sp| sp.style).unwrap_or_default();
        let text: String = v.spans.iter().map(|sp| printable(&sp.content).into_owned()).collect();
        let chars: Vec<char> = text.chars().collect();
        let chunks: Vec<String> = if chars.is_empty() {
            vec![String::new()]
        } else {
            chars.chunks(room).map(|c| c.iter().collect()).collect()
        };
        for (i, chunk) in chunks.into_iter().enumerate() {
            let label = if i == 0 { format!("{k:>18}  ") } else { " ".repeat(LABEL) };
            lines.push(Line::from(vec![Span::styled(label, theme.dim()), Span::styled(chunk, style)]));
        }
    }
    lines.push(Line::default());
    match versions {
        None => lines.push(Line::from(Span::styled("versions: loading…", theme.dim()))),
        Some(Err(e)) => lines.push(Line::from(Span::styled(
            printable(&format!("versions: {e}")).into_owned(),
            theme.message(crate::app::Level::Error),
        ))),
        Some(Ok(vs)) => {
            lines.push(Line::from(Span::styled(
                format!("versions ({}) · j/k select, v reveal, R roll back", vs.len()),
                theme.header(),
            )));
            for (i, v) in vs.iter().rev().enumerate() {
                let (id, stages) = (printable(&v.id), printable(&v.version_stages.join(",")).into_owned());
                let mut text = format!("  {id:<6} {stages:<18} {}", time(v.create_time));
                if shown.as_deref() == Some(v.id.as_str()) {
                    text.push_str("  (value shown above)");
                }
                let style = if i == cursor { theme.selected() } else { Style::default() };
                lines.push(Line::from(Span::styled(text, style)));
            }
        }
    }
    let first_version = lines.len().saturating_sub(versions.and_then(|v| v.as_ref().ok()).map_or(0, Vec::len));
    let height = clamp_u16(lines.len()).saturating_add(2).min(frame.area().height);
    // Tall enough to reach the footer: its messages (what `v` or `R` did) stay in view.
    let footer = super::chrome::footer_height(state, frame.area().width);
    let inner = popup_above(frame, footer, DETAILS_WIDTH, height, &printable(&s.name), theme.header());
    let page = inner.height as usize;
    let bottom = lines.len().saturating_sub(page);
    state.details_layout.set(crate::app::DetailsLayout { page, bottom, first_version });
    let top = (*scroll).min(bottom);
    frame.render_widget(Paragraph::new(lines).scroll((clamp_u16(top), 0)), inner);
    more_marks(frame, inner, top > 0, top < bottom, theme);
}

/// On the borders of a scrolled dialog: that lines are hidden above or
/// below, and the key that shows them.
fn more_marks(frame: &mut Frame, inner: Rect, above: bool, below: bool, theme: &Theme) {
    let marks = [(above, inner.y.saturating_sub(1), " ▲ more: PgUp "), (below, inner.bottom(), " ▼ more: PgDn ")];
    for (shown, y, text) in marks {
        let width = clamp_u16(text.chars().count());
        if shown && inner.width > width + 2 && y < frame.area().bottom() {
            let at = Rect { x: inner.right() - width - 1, y, width, height: 1 };
            frame.render_widget(Paragraph::new(Span::styled(text, theme.key())), at);
        }
    }
}

/// The pending deletions of `members`: until every one has loaded, the sum
/// is a floor (`3+`), and before any has, nothing (`…`).
fn pending_of(state: &State, members: &[usize]) -> String {
    let loaded: Vec<usize> = members.iter().filter_map(|p| state.pending_counts.get(p).copied()).collect();
    let pending: usize = loaded.iter().sum();
    match loaded.len() {
        n if n == members.len() => format!("{pending} pending"),
        0 => "… pending".to_string(),
        _ => format!("{pending}+ pending"),
    }
}

pub fn profiles(frame: &mut Frame, state: &State, selected: usize, filter: &TextField, theme: &Theme) {
    use crate::app::picker::{Choice, choices};
    let current = |c: &Choice| match (c, state.view) {
        (Choice::All, View::All) => true,
        (Choice::Profile(i), View::Profile(v)) => *i == v,
        (Choice::Group(g), View::Group(v)) => state.profiles[*g].group() == state.profiles[v].group(),
        _ => false,
    };
    // The name column fits the longest name (a target's is indented by two).
    let w = state
        .profiles
        .iter()
        .map(|p| match p.name.split_once('/') {
            Some((g, n)) => (g.chars().count()).max(n.chars().count() + 2),
            None => p.name.chars().count(),
        })
        .max()
        .unwrap_or(0)
        .clamp(20, 40);
    let pending_text = |p: &usize| match state.pending_counts.get(p) {
        Some(n) => format!("{n} pending"),
        None => "not loaded yet".into(),
    };
    let mut prompt = vec![Span::styled(" > ", theme.key())];
    prompt.extend(super::field_lines(filter, 60, true).into_iter().next().unwrap_or_default());
    let mut lines = vec![Line::from(prompt)];
    let choices = choices(state, filter.text());
    let group_of = |c: Option<&Choice>| match c {
        Some(Choice::Profile(p)) => state.profiles[*p].group(),
        _ => None,
    };
    for (i, c) in choices.iter().enumerate() {
        let mark = if current(c) { "●" } else { " " };
        let text = match c {
            Choice::All => {
                let pending = pending_of(state, &(0..state.profiles.len()).collect::<Vec<_>>());
                format!(" {mark} {:<w$} {:<16} {pending}", "all profiles", "")
            }
            Choice::Group(g) => {
                let members: Vec<usize> = (0..state.profiles.len())
                    .filter(|&p| state.profiles[p].group() == state.profiles[*g].group())
                    .collect();
                let pending = pending_of(state, &members);
                let failing = members.iter().filter(|p| state.load_errors.contains_key(p)).count();
                let failing = if failing > 0 { format!("· {failing} failing") } else { String::new() };
                let projects = crate::app::plural(members.len(), "project");
                let group = state.profiles[*g].group().unwrap_or("?");
                format!(" {mark} {:<w$} {projects:<16} {:<16} {failing}", printable(group), pending)
            }
            Choice::Profile(p) if state.profiles[*p].group().is_some() => {
                // A target, beneath its profile: its project name, region, pending and health.
                let info = &state.profiles[*p];
                let project = info.name.split_once('/').map_or(info.name.as_str(), |(_, n)| n);
                let health = match state.health.get(p) {
                    Some(h) => h.label(),
                    None if state.fetched_at.contains_key(p) => "ok",
                    None => "",
                };
                let tw = w - 2;
                format!(
                    " {mark}   {:<tw$} {:<16} {:<16} {health}",
                    printable(project),
                    printable(&info.region),
                    pending_text(p)
                )
            }
            Choice::Profile(p) => {
                let info = &state.profiles[*p];
                let mut flags = Vec::new();
                if info.read_only {
                    flags.push("read-only");
                }
                if info.insecure_tls {
                    flags.push("TLS-UNVERIFIED");
                }
                let pending = pending_text(p);
                let health = state.health.get(p).map_or("", |h| h.label());
                format!(
                    " {mark} {:<w$} {:<16} {pending:<16} {} {health}",
                    printable(&info.name),
                    printable(&info.region),
                    flags.join(" ")
                )
            }
        };
        let style = if i == selected { theme.selected() } else { Style::default() };
        lines.push(Line::from(Span::styled(text, style)));
        // After a profile's last target, the projects discovery passed over (not choices).
        if let Some(group) = group_of(Some(c))
            && group_of(choices.get(i + 1)) != Some(group)
        {
            let prefix = format!("{group}/");
            for (target, why) in state.skipped.iter().filter(|(t, _)| t.starts_with(&prefix)) {
                let project = &target[prefix.len()..];
                let region = crate::config::regions::region_of(project);
                let tw = w - 2;
                let text = format!(
                    "     {:<tw$} {:<16} {:<16} {}",
                    printable(project),
                    printable(region),
                    "skipped",
                    printable(why)
                );
                lines.push(Line::from(Span::styled(text, theme.dim())));
            }
        }
    }
    if choices.is_empty() {
        let text = format!(" No profile matches '{}' (⌫ edits the filter)", printable(filter.text()));
        lines.push(Line::from(Span::styled(text, theme.dim())));
    }
    lines.push(keys_line(keymap::PICKER, theme));
    let height = clamp_u16(lines.len()).saturating_add(2).min(frame.area().height);
    // As wide as its longest line (within the terminal), at least 78.
    let width = clamp_u16(lines.iter().map(|l| l.width()).max().unwrap_or(0).max(76)).saturating_add(2);
    let inner = popup(frame, width, height, "Profiles", theme.header());
    frame.render_widget(Paragraph::new(lines), inner);
}

/// Every binding of every mode, straight from the keymap, as wide as the
/// terminal (what a key does wraps beside it, never cut).
pub fn help(frame: &mut Frame, scroll: usize, theme: &Theme) {
    let (width, height) = (frame.area().width.saturating_sub(2), frame.area().height.saturating_sub(2));
    let lines: Vec<Line> = keymap::help_lines(width.saturating_sub(2))
        .into_iter()
        .map(|l| match l {
            keymap::HelpLine::Blank => Line::default(),
            keymap::HelpLine::Title(t) => Line::from(Span::styled(t, theme.header())),
            keymap::HelpLine::Entry(key, what) => Line::from(vec![Span::styled(key, theme.key()), Span::raw(what)]),
        })
        .collect();
    let inner = popup(frame, width, height, "Keys (j/k/g/G scroll, esc close)", theme.header());
    let scroll = clamp_u16(scroll.min(lines.len().saturating_sub(inner.height as usize)));
    frame.render_widget(Paragraph::new(lines).scroll((scroll, 0)), inner);
}

pub fn report(frame: &mut Frame, title: &str, lines: &[String], scroll: usize, theme: &Theme) {
    let height = clamp_u16(lines.len()).saturating_add(2).min(frame.area().height.saturating_sub(2));
    let inner = popup(frame, frame.area().width.saturating_sub(4), height, title, theme.header());
    let scroll = clamp_u16(scroll.min(lines.len().saturating_sub(inner.height as usize)));
    let text: Vec<Line> = lines.iter().map(|l| Line::from(l.clone())).collect();
    // Wrapped, so an error's request id is never cut off.
    frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: false }).scroll((scroll, 0)), inner);
}
