//! The secrets table: only the rows on screen are built.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table};

use super::{Theme, clamp_u16};
use crate::app::State;
use crate::app::table::Highlighter;
use crate::printable::{fit, printable};
use crate::timefmt::{Zone, countdown};

/// `5m`, `3h`, `12d`: the UPDATED column's compact age, on the clock of the
/// row's server. A time ahead of it by under a minute is `now` (a `Date` is
/// cut to the second); further ahead, its date.
fn short_age(zone: Zone, now: i64, then: i64) -> String {
    if shows_a_date(now, then) {
        return zone.clock(then).chars().take(DATE_WIDTH.into()).collect();
    }
    match zone.age(now, then) {
        _ if then > now => "now".to_string(),
        a if a == "just now" => "now".to_string(),
        a => a.trim_end_matches(" ago").to_string(),
    }
}

/// A date (`2026-10-17`) is the widest thing the UPDATED column shows; an
/// age is at most 3 columns.
const DATE_WIDTH: u16 = 10;

/// Whether the UPDATED column shows `then` as its date: a minute or more
/// ahead of the server, or old enough that `Zone::age` gives the date.
fn shows_a_date(now: i64, then: i64) -> bool {
    then - now >= 60_000 || crate::timefmt::age_is_a_date(now, then)
}

/// A description's first line, cut to `w` columns, and how many lines
/// follow it: a row is one line tall, and a newline must not show as `\u{a}`.
fn first_line(text: &str, w: usize) -> String {
    use unicode_width::UnicodeWidthStr;
    let mut lines = text.lines();
    let first = printable(lines.next().unwrap_or(""));
    let more = lines.count();
    if more == 0 {
        return fit(&first, w).into_owned();
    }
    let marker = format!(" (+{})", crate::app::plural(more, "line"));
    // Too narrow for the count: a cut line's `…` still says more follows.
    if w < marker.width() + 2 {
        return fit(&format!("{first} ⏎"), w).into_owned();
    }
    format!("{}{marker}", fit(&first, w - marker.width()))
}

/// The UPDATED column's narrowest width: its title and sort arrow.
const UPDATED_TITLE: u16 = 8;
const STATE_WIDTH: u16 = 14;
const SHORT_STATE_WIDTH: u16 = 8;
/// Below this, a description is not worth its column.
const MIN_DESCRIPTION: u16 = 12;
const MAX_NAME: u16 = 64;
/// NAME is cut (with `…`) down to this before a whole column goes.
const MIN_NAME: u16 = 24;
/// PROFILE is cut (with `…` first, as names differ at their ends) down to this.
const MIN_PROFILE: u16 = 10;

/// Which columns show, and how wide, in `inner` columns.
#[derive(Debug, PartialEq)]
struct Columns {
    profile: Option<u16>,
    name: u16,
    state: u16,
    description: Option<u16>,
    /// UPDATED's width, when it shows.
    updated: Option<u16>,
}

/// NAME is sized to its content and never dropped; when room runs out, a
/// long NAME is cut down to `MIN_NAME` first (one long name must not take
/// every row's columns) and a long PROFILE down to `MIN_PROFILE`, then
/// UPDATED goes, then DESCRIPTION, then STATE shrinks to an abbreviation,
/// and only then does NAME give way further.
fn columns(inner: u16, name_content: usize, profile: Option<u16>, deletes: u16, updated_width: u16) -> Columns {
    let name_want = clamp_u16(name_content).clamp(4, MAX_NAME);
    // The mark, the profile, the state and the countdown, with a space after each.
    let fixed = |profile: Option<u16>, state: u16| 2 + profile.map_or(0, |p| p + 1) + state + 1 + deletes + 1;
    let room = |profile, state, updated: Option<u16>| {
        inner.saturating_sub(fixed(profile, state) + updated.map_or(0, |w| w + 1))
    };
    let cut_profile = profile.map(|p| p.min(MIN_PROFILE));
    for updated in [Some(updated_width), None] {
        for profile in [profile, cut_profile] {
            let left = room(profile, STATE_WIDTH, updated);
            let name = name_want.min(left.saturating_sub(1 + MIN_DESCRIPTION));
            if name >= name_want.min(MIN_NAME) {
                return Columns { profile, name, state: STATE_WIDTH, description: Some(left - name - 1), updated };
            }
        }
    }
    let profile = cut_profile;
    let state = if room(profile, STATE_WIDTH, None) >= name_want { STATE_WIDTH } else { SHORT_STATE_WIDTH };
    let name = room(profile, state, None).clamp(4, name_want.max(4));
    Columns { profile, name, state, description: None, updated: None }
}

/// `text` with the characters the filter matched highlighted.
fn highlighted(text: &str, highlighter: &Highlighter, theme: &Theme) -> Line<'static> {
    let chars: Vec<char> = text.chars().collect();
    let hit = highlighter.hits(text);
    if !hit.contains(&true) {
        return Line::from(text.to_string());
    }
    let mut spans = Vec::new();
    let mut start = 0;
    for i in 1..=chars.len() {
        if i == chars.len() || hit[i] != hit[start] {
            let piece: String = chars[start..i].iter().collect();
            spans.push(if hit[start] { Span::styled(piece, theme.key()) } else { Span::raw(piece) });
            start = i;
        }
    }
    Line::from(spans)
}

/// `text` in `w` columns, cut at its start: `lab/cn-north-4_payments` and
/// `lab/cn-north-4_empty` differ at their ends, so that is what stays.
fn fit_end(text: &str, w: usize) -> String {
    use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};
    if text.width() <= w || w == 0 {
        return fit(text, w).into_owned();
    }
    let mut kept = Vec::new();
    let mut used = 1;
    for c in text.chars().rev() {
        used += c.width().unwrap_or(0);
        if used > w {
            break;
        }
        kept.push(c);
    }
    std::iter::once('…').chain(kept.into_iter().rev()).collect()
}

/// A state label that fits the narrow STATE column.
fn short_state(label: &str) -> &str {
    match label {
        "PENDING_DELETE" => "PENDING",
        other => other,
    }
}

pub fn table(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let all = state.view.is_many();
    // Where the selection is: 12/262, or 3/12 of 262 under a filter.
    let at = if state.table.is_empty() { 0 } else { state.table.selected_index() + 1 };
    let title = if state.table.filter().is_empty() {
        format!(" Secrets ({at}/{}) ", state.table.len())
    } else {
        format!(" Secrets ({at}/{} of {}) ", state.table.len(), state.table.rows().len())
    };
    let arrow = state.table.arrow();
    // A fuzzy filter ranks by match; the sort only breaks ties.
    let order = match state.table.is_fuzzy() {
        true => "· best match first ".to_string(),
        false => format!("· sort: {} {arrow} ", state.table.sort().label()),
    };
    let mut title = vec![Span::raw(title), Span::styled(order, theme.dim())];
    if !state.table.filter().is_empty() {
        title.push(Span::styled(format!("· filter: {} ", printable(state.table.filter())), theme.key()));
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
            format!("No secret matches '{}'. Esc clears the filter.", printable(state.table.filter()))
        } else if !state.load_errors.is_empty() {
            "Could not load the secrets (r tries again):".to_string()
        } else if state.view_profiles().iter().any(|&p| state.profiles.get(p).is_some_and(|p| !p.read_only)) {
            "No secrets in this view: n creates one.".to_string()
        } else {
            "No secrets in this view.".to_string()
        };
        let mut lines = vec![Line::from(text)];
        for (p, e) in &state.load_errors {
            let why = state.health.get(p).map_or("failed", |h| h.label());
            lines.push(Line::from(Span::styled(
                printable(&format!("{} ({why}): {e}", state.profile_name(*p))).into_owned(),
                theme.message(crate::app::Level::Error),
            )));
        }
        frame.render_widget(Paragraph::new(lines).block(block), area);
        return;
    }

    let deletes_width: u16 = if theme.color { 12 } else { 15 };
    // Within one profile's targets, the column names the project alone.
    let in_group = matches!(state.view, crate::app::View::Group(_));
    let shown_name = |name| shown_profile(name, in_group);
    let profile_width = all.then(|| {
        let widest = state.view_profiles().iter().map(|&p| shown_name(state.profile_name(p)).chars().count()).max();
        clamp_u16(widest.unwrap_or(7).clamp(7, 28))
    });
    let updated_of = |row: &crate::app::table::Row| {
        row.secret.update_time.map(|u| short_age(state.zone, state.server_now(row.profile), u)).unwrap_or_default()
    };
    // Wide enough for a date when any row shows one, so none is cut; decided
    // without formatting every row's age on every frame.
    let dated = state
        .table
        .rows()
        .iter()
        .any(|r| r.secret.update_time.is_some_and(|u| shows_a_date(state.server_now(r.profile), u)));
    let updated_width = if dated { DATE_WIDTH } else { 0 }.max(UPDATED_TITLE);
    let cols =
        columns(area.width.saturating_sub(2), state.table.name_width(), profile_width, deletes_width, updated_width);

    // The sorted column carries the arrow; under a fuzzy filter none does.
    let sorted = match state.table.sort() {
        _ if state.table.is_fuzzy() => "",
        crate::app::SortKey::Name => "NAME",
        crate::app::SortKey::State => "STATE",
        crate::app::SortKey::TimeLeft => "DELETES IN",
        crate::app::SortKey::Updated => "UPDATED",
    };
    let title_of = |h: &str| if h == sorted { format!("{h}{arrow}") } else { h.to_string() };
    let mut header = vec![String::new()];
    let mut widths = vec![Constraint::Length(1)];
    if let Some(w) = cols.profile {
        header.push(title_of(if in_group { "PROJECT" } else { "PROFILE" }));
        widths.push(Constraint::Length(w));
    }
    header.push(title_of("NAME"));
    widths.push(Constraint::Length(cols.name));
    header.push(title_of("STATE"));
    widths.push(Constraint::Length(cols.state));
    header.push(title_of("DELETES IN"));
    widths.push(Constraint::Length(deletes_width));
    if let Some(w) = cols.description {
        header.push(title_of("DESCRIPTION"));
        widths.push(Constraint::Length(w));
    }
    if let Some(w) = cols.updated {
        header.push(title_of("UPDATED"));
        widths.push(Constraint::Length(w));
    }

    // To show where each name matched the filter.
    let highlighter = state.table.highlighter();
    let selected = state.table.selected_index();
    // The footer may have grown over the rows the state scrolled for: keep
    // the selection in view all the same.
    let offset = if selected >= state.table.offset() + height { selected + 1 - height } else { state.table.offset() };
    let rows = state.table.visible_from(offset, height).enumerate().map(|(i, row)| {
        let s = &row.secret;
        let key = row.key();
        let pending = s.is_pending_delete();
        let marked = state.marked.contains(&key);
        let deletes = match (state.in_flight_label(&key), state.time_left(row.profile, s)) {
            (Some(label), _) => Cell::from(label).style(theme.in_flight()),
            (None, Some(left)) => {
                Cell::from(format!("{}{}", countdown(left), theme.countdown_mark(left))).style(theme.countdown(left))
            }
            // Unknown is shown as urgent as it gets: it may be the next deletion.
            (None, None) if crate::listing::time_unknown(s) => {
                Cell::from(crate::listing::TIME_UNKNOWN).style(theme.countdown(0))
            }
            (None, None) => Cell::from(""),
        };
        // Cut text ends with `…`, so a cut name never reads as another one.
        let fitted = |text: &str, w: u16| fit(&printable(text), w as usize).into_owned();
        let mut cells = vec![Cell::from(if marked { "●" } else { " " }).style(theme.marked())];
        if let Some(w) = cols.profile {
            cells.push(Cell::from(fit_end(&printable(shown_name(state.profile_name(row.profile))), w as usize)));
        }
        cells.push(Cell::from(highlighted(&fitted(&s.name, cols.name), &highlighter, theme)));
        let label = if row.placeholder {
            // No state until the server has the secret.
            "".into()
        } else if cols.state < 14 {
            fit(short_state(s.state_label()), cols.state as usize)
        } else {
            s.state_label().into()
        };
        cells.push(Cell::from(label.into_owned()).style(theme.state(s.state.as_ref())));
        cells.push(deletes);
        if let Some(w) = cols.description {
            cells.push(match &s.unreadable {
                Some(reason) => Cell::from(fitted(&format!("unreadable: {reason}"), w))
                    .style(theme.message(crate::app::Level::Error)),
                None => Cell::from(first_line(s.description.as_deref().unwrap_or(""), w as usize)),
            });
        }
        if cols.updated.is_some() {
            cells.push(Cell::from(updated_of(row)));
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

    let table = Table::new(rows, widths).header(Row::new(header).style(theme.header())).column_spacing(1).block(block);
    frame.render_widget(table, area);
    // Failures show over the bottom border, without hiding the others' rows.
    if let Some(text) = health_strip(state, area.width.saturating_sub(2) as usize) {
        let y = area.y + area.height.saturating_sub(1);
        let line = Line::from(Span::styled(text, theme.message(crate::app::Level::Error)));
        frame.render_widget(
            Paragraph::new(line),
            Rect { x: area.x + 1, y, width: area.width.saturating_sub(2), height: 1 },
        );
    }
}

/// A row's profile as the PROFILE column shows it: within one profile's
/// targets, the project alone.
fn shown_profile(name: &str, in_group: bool) -> &str {
    match name.split_once('/') {
        Some((_, project)) if in_group => project,
        _ => name,
    }
}

/// What failed in the view, in one line of `width` columns: one failure's
/// whole error; several, every failed profile with why in a word
/// (`✗ 2 of 30 failed: acme/x auth failed · acme/y unreachable`), cut with `…`.
fn health_strip(state: &State, width: usize) -> Option<String> {
    let view = state.view_profiles();
    let failed: Vec<usize> = view.iter().copied().filter(|p| state.load_errors.contains_key(p)).collect();
    match failed.as_slice() {
        [] => None,
        [p] => Some(format!(" {}: {} ", state.profile_name(*p), state.load_errors[p])),
        _ => {
            let each: Vec<String> = failed
                .iter()
                .map(|p| {
                    let why = state.health.get(p).map_or("failed", |h| h.label());
                    format!("{} {why}", state.profile_name(*p))
                })
                .collect();
            let text = format!("✗ {} of {} failed: {}", failed.len(), view.len(), each.join(" · "));
            Some(format!(" {} ", fit(&printable(&text), width.saturating_sub(2))))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_description_of_several_lines_shows_its_first_and_how_many_follow() {
        assert_eq!(first_line("line one\nline two\nline three", 30), "line one (+2 lines)");
        assert_eq!(first_line("line one\r\nline two", 30), "line one (+1 line)");
        assert_eq!(first_line("a rather long first line\nmore", 20), "a rather … (+1 line)");
        assert_eq!(first_line("line one\nline two", 8), "line on…", "too narrow for the count");
        assert_eq!(first_line("single", 30), "single");
    }

    #[test]
    fn filter_words_are_highlighted_where_they_match() {
        let theme = Theme { color: true };
        let parts = |line: Line| -> Vec<(String, bool)> {
            line.spans.iter().map(|s| (s.content.to_string(), s.style == theme.key())).collect()
        };
        let words = Highlighter::Words(vec!["db".chars().collect(), "prod".chars().collect()]);
        assert_eq!(
            parts(highlighted("App-DB-prod", &words, &theme)),
            [("App-".into(), false), ("DB".into(), true), ("-".into(), false), ("prod".into(), true)]
        );
        assert_eq!(highlighted("plain", &Highlighter::Words(vec![]), &theme).spans.len(), 1);
        let mut table = crate::app::table::SecretTable::default();
        table.set_filter("~apd");
        assert_eq!(
            parts(highlighted("App-DB-prod", &table.highlighter(), &theme)),
            [("Ap".into(), true), ("p-".into(), false), ("D".into(), true), ("B-prod".into(), false)],
            "fuzzy: the characters the match used"
        );
    }

    #[test]
    fn columns_give_way_in_order_and_name_never_goes() {
        let wide = columns(198, 25, None, 12, 7);
        assert_eq!(wide.name, 25, "sized to the names, not to half the screen");
        assert!(wide.updated == Some(7) && wide.description.is_some_and(|d| d > 100));
        let mid = columns(78, 25, None, 12, 7);
        assert!(mid.updated.is_some() && mid.description.is_some());
        let narrow = columns(70, 25, None, 12, 7);
        assert!(narrow.updated.is_none() && narrow.description.is_some(), "UPDATED goes first: {narrow:?}");
        let narrower = columns(56, 25, None, 12, 7);
        assert_eq!((narrower.description, narrower.state), (None, STATE_WIDTH), "then DESCRIPTION");
        let tight = columns(38, 25, None, 12, 7);
        assert_eq!(tight.state, SHORT_STATE_WIDTH, "then STATE shrinks");
        assert!(tight.name >= 4, "NAME stays: {tight:?}");
        assert_eq!(short_state("PENDING_DELETE"), "PENDING");
    }

    #[test]
    fn a_long_name_is_cut_before_whole_columns_go() {
        let cols = columns(78, 64, None, 12, UPDATED_TITLE);
        assert!(cols.updated.is_some() && cols.description == Some(MIN_DESCRIPTION), "{cols:?}");
        assert!(cols.name >= MIN_NAME && cols.name < 64, "{cols:?}");
        let narrower = columns(70, 64, None, 12, UPDATED_TITLE);
        assert!(
            narrower.updated.is_none() && narrower.description.is_some() && narrower.name >= MIN_NAME,
            "{narrower:?}"
        );
    }
}
