//! The header (where you are, what is there, how fresh) and the footer
//! (the message of the moment and the keys that apply now).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use unicode_width::UnicodeWidthStr;

use super::{Theme, clamp_u16};
use crate::app::{Level, Mode, State, View, keymap};
use crate::csms::model::Millis;
use crate::printable::{fit, printable};
use crate::timefmt::Zone;

pub fn header(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let mut first = vec![Span::styled(" csms ", theme.header())];
    if state.demo.is_some() {
        first.push(Span::styled(" DEMO ", theme.badge()));
        first.push(Span::raw(" "));
    }
    match state.view {
        View::Profile(i) => {
            let p = &state.profiles[i];
            first.push(Span::styled(format!("{} ", printable(&p.name)), theme.header()));
            let mut badges = vec![];
            if p.read_only {
                badges.push(Span::raw(" "));
                badges.push(Span::styled(" READ-ONLY ", theme.badge()));
            }
            if p.insecure_tls {
                badges.push(Span::raw(" "));
                badges.push(Span::styled(" TLS-UNVERIFIED ", theme.danger_badge()));
            }
            let taken: usize = first.iter().chain(&badges).map(Span::width).sum();
            first.push(Span::raw(place(p, (area.width as usize).saturating_sub(taken))));
            first.extend(badges);
        }
        View::Group(g) => {
            let members = state.group_members(g);
            let group = state.profiles[g].group().unwrap_or("?");
            let s = if members.len() == 1 { "" } else { "s" };
            let group = printable(group);
            first.push(Span::styled(format!("{group} ({} project{s})", members.len()), theme.header()));
            if members.iter().any(|&p| state.profiles[p].insecure_tls) {
                first.push(Span::raw(" "));
                first.push(Span::styled(" TLS-UNVERIFIED ", theme.danger_badge()));
            }
        }
        View::All => {
            first.push(Span::styled(format!("all profiles ({})", state.profiles.len()), theme.header()));
            if state.profiles.iter().any(|p| p.insecure_tls) {
                first.push(Span::raw(" "));
                first.push(Span::styled(" TLS-UNVERIFIED ", theme.danger_badge()));
            }
        }
    }

    let mut second = vec![Span::raw(" ")];
    let counts = state.state_counts();
    if counts.is_empty() && state.loading.is_empty() && state.load_errors.is_empty() {
        second.push(Span::styled("no secrets", theme.dim()));
    }
    for (i, (label, n)) in counts.iter().enumerate() {
        if i > 0 {
            second.push(Span::raw("  "));
        }
        let state_value = crate::csms::SecretState::parse(label);
        second.push(Span::styled(format!("{n} {label}"), theme.state(Some(&state_value))));
    }
    // Counts over several profiles say which they could not include.
    let left_out = state
        .view_profiles()
        .into_iter()
        .filter(|p| state.load_errors.contains_key(p) && !state.fetched_at.contains_key(p))
        .count();
    if state.view.is_many() && left_out > 0 && !counts.is_empty() {
        second.push(Span::styled(format!("  ({left_out} failed left out)"), theme.dim()));
    }
    second.push(Span::styled("  │ ", theme.dim()));
    if !state.loading.is_empty() {
        let so_far: usize = state.preview.values().sum();
        second.push(Span::raw(if so_far > 0 { format!("loading… {so_far} so far ") } else { "loading… ".into() }));
    }
    match state.load_errors.iter().next() {
        // What is on screen is not what the server has now: say so, and why.
        Some((p, e)) => {
            let more = match state.load_errors.len() {
                1 => String::new(),
                n => format!(" (+{} more)", n - 1),
            };
            let who = if state.view.is_many() { format!("{}: ", state.profile_name(*p)) } else { String::new() };
            let text = match state.fetched_at.get(p) {
                Some(t) => {
                    format!("stale · last good fetch {} · {who}{e}{more}", good_fetch_age(state.zone, state.now, *t))
                }
                None => format!("could not load · {who}{e}{more}"),
            };
            let level = if state.fetched_at.contains_key(p) { Level::Warning } else { Level::Error };
            second.push(Span::styled(printable(&text).into_owned(), theme.message(level)));
        }
        None => {
            if let Some(oldest) = state.fetched_at.values().min() {
                second.push(Span::raw(format!("fetched {}", state.zone.age(state.now, *oldest))));
            }
        }
    }
    let second = fit_spans(second, area.width as usize);
    frame.render_widget(Paragraph::new(vec![Line::from(first), Line::from(second)]), area);
}

/// The spans that fit in `width` columns; the one that crosses the edge is
/// cut with `…`, so a cut line does not read as if that were all it said.
fn fit_spans(spans: Vec<Span<'_>>, width: usize) -> Vec<Span<'_>> {
    let mut room = width;
    let mut fitted = Vec::with_capacity(spans.len());
    for span in spans {
        let w = span.width();
        if w > room {
            if room > 0 {
                fitted.push(Span::styled(fit(&span.content, room).into_owned(), span.style));
            }
            break;
        }
        room -= w;
        fitted.push(span);
    }
    fitted
}

/// Where a profile is, in `room` columns: the least useful parts go first
/// (how IAM chose the project, then the end of the project id), the region stays.
fn place(p: &crate::app::ProfileInfo, room: usize) -> String {
    /// The start of a project id worth showing, cut.
    const ID_START: usize = 8;
    if p.finding {
        return "asking IAM for its projects…".into();
    }
    let full = printable(&format!("{} · project {}", p.region, p.project_label())).into_owned();
    let id = printable(&format!("{} · project {}", p.region, p.project_id)).into_owned();
    let region = printable(&p.region).into_owned();
    if full.width() <= room {
        full
    } else if room >= id.width().min(region.width() + " · project ".len() + ID_START + 1) {
        fit(&id, room).into_owned()
    } else {
        region
    }
}

/// How long ago the last good fetch was, to the second under a minute: after
/// a failed refresh, "just now" would read as if the data were fresh.
fn good_fetch_age(zone: Zone, now: Millis, then: Millis) -> String {
    match (now - then) / 1000 {
        secs @ 0..60 => format!("{secs}s ago"),
        _ => zone.age(now, then),
    }
}

/// The footer's lines at this width: the message (wrapped, so a long error
/// keeps its request id on screen) and the keys.
pub fn footer_height(state: &State, width: u16) -> u16 {
    let len = message(state, width, &Theme { color: false }).width();
    // Word wrapping leaves ragged ends: count on four fifths of the width.
    let usable = (width as usize * 4 / 5).max(1);
    let lines = if len <= width as usize { 1 } else { len.div_ceil(usable) }.clamp(1, MAX_MESSAGE_LINES);
    clamp_u16(lines) + 1 + u16::from(!candidates(state).is_empty())
}

/// What Tab left to choose from on the `:` line.
fn candidates(state: &State) -> &[String] {
    match &state.mode {
        Mode::Command { candidates, .. } => candidates,
        _ => &[],
    }
}

/// The candidates in one line of `width` columns: as many as fit, then how many more.
fn candidates_line(candidates: &[String], width: usize, theme: &Theme) -> Line<'static> {
    let mut text = String::from(" ");
    for (i, c) in candidates.iter().enumerate() {
        let more = format!("… {} more", candidates.len() - i);
        let room = if i + 1 == candidates.len() { width } else { width.saturating_sub(more.len() + 2) };
        if text.width() + c.width() + 2 > room {
            text.push_str(&more);
            break;
        }
        text.push_str(&printable(c));
        text.push_str("  ");
    }
    Line::from(Span::styled(text, theme.dim()))
}

const MAX_MESSAGE_LINES: usize = 4;

/// The line above the keys: the filter or command being typed, the message
/// of the moment, or on the demo a hint on configuring a real account.
fn message(state: &State, width: u16, theme: &Theme) -> Line<'static> {
    if state.quitting.is_some() {
        let n = state.in_flight.len();
        let (requests, are) = (crate::app::plural(n, "request"), if n == 1 { "is" } else { "are" });
        let text = format!(
            " Quitting once the {requests} under way {are} answered · q quits now (their outcome stays unknown)"
        );
        Line::from(Span::styled(text, theme.message(Level::Warning)))
    } else if let Mode::Filter { input } | Mode::Command { input, .. } = &state.mode {
        let prompt = if matches!(state.mode, Mode::Filter { .. }) { " / " } else { " : " };
        let room = usize::from(width).saturating_sub(4);
        let mut spans = vec![Span::styled(prompt, theme.key())];
        spans.extend(super::field_lines(input, room, true).into_iter().next().unwrap_or_default());
        Line::from(spans)
    } else if let Some(m) = state.footer_message() {
        Line::from(Span::styled(format!(" {}", printable(&m.text)), theme.message(m.level)))
    } else if let Some(hint) = &state.demo {
        Line::from(Span::styled(format!(" Demo data · {}", printable(hint)), theme.dim()))
    } else {
        Line::default()
    }
}

pub fn footer(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let candidates = candidates(state);
    let list_height = u16::from(!candidates.is_empty());
    let [list_area, message_area, keys_area] =
        Layout::vertical([Constraint::Length(list_height), Constraint::Min(1), Constraint::Length(1)]).areas(area);
    if !candidates.is_empty() {
        frame.render_widget(Paragraph::new(candidates_line(candidates, area.width.into(), theme)), list_area);
    }
    let table = match &state.mode {
        Mode::Normal => keymap::TABLE,
        Mode::Filter { .. } => keymap::FILTER,
        Mode::Command { .. } => keymap::COMMAND,
        Mode::Confirm(_) => keymap::CONFIRM,
        Mode::Schedule { .. } => keymap::SCHEDULE,
        Mode::Details { .. } => keymap::DETAILS,
        Mode::NewSecret(_) | Mode::NewValue(_) => keymap::FORM,
        Mode::Describe(_) => keymap::DESCRIBE,
        Mode::Tags(_) => keymap::TAGS,
        Mode::Copy { .. } => keymap::COPY,
        Mode::History(_) => keymap::HISTORY,
        Mode::PickProfile { .. } => keymap::PICKER,
        Mode::ChooseProject { .. } => keymap::CHOOSE,
        _ => keymap::POPUP,
    };
    let mut shown = Vec::new();
    for (label, what) in keymap::footer(table) {
        // `c` only where it can act, and with what it would act on.
        let what = match (&state.mode, what) {
            (Mode::Normal, "cancel") if !state.marked.is_empty() => format!("cancel {} marked", state.marked.len()),
            (Mode::Normal, "cancel") => {
                let acts = state.table.selected().is_some_and(|r| {
                    r.secret.is_pending_delete() && !state.profiles.get(r.profile).is_some_and(|p| p.read_only)
                });
                if !acts {
                    continue;
                }
                what.to_string()
            }
            // The keys that act on the selected secret, only when one is.
            (Mode::Normal, "delete" | "value" | "edit" | "tags" | "copy" | "mark" | "details")
                if state.table.selected().is_none() =>
            {
                continue;
            }
            // In the details: no value to reveal and no rollback while pending; nothing to cancel otherwise.
            (Mode::Details { secret, .. }, "reveal" | "roll back") if secret.is_pending_delete() => continue,
            (Mode::Details { secret, .. }, "cancel") if !secret.is_pending_delete() => continue,
            _ => what.to_string(),
        };
        shown.push((label, what));
    }
    let mut keys = vec![Span::raw(" ")];
    for (label, what) in fit_keys(shown, area.width as usize) {
        keys.push(Span::styled(label, theme.key()));
        keys.push(Span::raw(format!(" {what}  ")));
    }
    frame.render_widget(Paragraph::new(message(state, area.width, theme)).wrap(Wrap { trim: false }), message_area);
    frame.render_widget(Paragraph::new(Line::from(keys)), keys_area);
}

/// The footer's keys that go first when the line is too narrow for all of
/// them, in that order (`?` lists every key, so it goes last).
const FIRST_TO_GO: &[&str] = &["all", "profile", "details", "mark", "filter", "quit", "history", "copy", "tags"];

/// `keys` (key, what it does) less those the width has no room for: the
/// ones of `FIRST_TO_GO` first, then from the end.
fn fit_keys(mut keys: Vec<(&'static str, String)>, width: usize) -> Vec<(&'static str, String)> {
    let wide = |keys: &[(&str, String)]| 1 + keys.iter().map(|(k, w)| k.width() + w.width() + 3).sum::<usize>();
    while wide(&keys) > width + 2 && !keys.is_empty() {
        let gone = FIRST_TO_GO.iter().find_map(|name| keys.iter().position(|(_, what)| what == name));
        keys.remove(gone.unwrap_or(keys.len() - 1));
    }
    keys
}
