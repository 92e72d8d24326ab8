//! The terminal: setup and teardown that always restore it (on quit, error,
//! panic, SIGTERM, SIGINT and SIGHUP), and the event loop that feeds the state
//! machine from keys, a one-second tick and the worker's channel.

use std::time::Duration;

use crossterm::event::{Event, EventStream, MouseButton, MouseEventKind};
use futures::StreamExt;
use tokio::sync::mpsc;

use crate::app::{self, Effect, Msg, ProfileInfo, State, View};
use crate::remembered::Remembered;
use crate::timefmt::now_ms;
use crate::ui::{self, Theme};
use crate::worker::Worker;
use crate::workspace::Workspace;

/// Restores the terminal when dropped, whatever the way out.
struct TerminalGuard;

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        let _ = crossterm::execute!(
            std::io::stdout(),
            crossterm::event::DisableBracketedPaste,
            crossterm::event::DisableMouseCapture
        );
        ratatui::restore();
    }
}

/// Puts text on the terminal's clipboard (OSC 52); empty text clears it.
/// The sequence goes to the terminal only, never to a log.
fn set_clipboard(out: &mut impl std::io::Write, text: &crate::csms::Redacted) -> std::io::Result<()> {
    use base64::Engine;
    let encoded = base64::engine::general_purpose::STANDARD.encode(text.expose());
    write!(out, "\x1b]52;c;{encoded}\x07")?;
    out.flush()
}

/// How the UI ended.
pub struct Ended {
    /// The requests still under way when it quit (their outcome is unknown).
    pub unfinished: Vec<String>,
    /// The exit status of the signal that ended it (SIGTERM: 143), if one did.
    pub signal_status: Option<i32>,
}

/// Opens the UI on a profile (or the default one) and runs until quit.
pub async fn run(ws: Workspace, profile: Option<&str>) -> anyhow::Result<Ended> {
    // The last run's profile, unless one is named; several profiles and no
    // default: open on the picker rather than refuse.
    let remembered = if ws.is_demo() { Remembered::default() } else { crate::remembered::load() };
    // A profile with regions names every target found under it: its group view.
    let named = profile.is_some();
    let group = profile
        .or(remembered.profile.as_deref())
        .or(ws.config.default_profile.as_deref())
        .filter(|n| ws.config.is_group(n))
        .and_then(|n| ws.config.group(n).first().map(|first| first.name.clone()));
    let profile = match &group {
        Some(first) => Some(first.as_str()),
        None => profile.or(remembered.profile.as_deref().filter(|p| ws.config.profiles.contains_key(*p))),
    };
    let start = match ws.profile(profile) {
        Ok(p) => Some(p.name.clone()),
        Err(_) if profile.is_none() && ws.config.profiles.len() > 1 => None,
        Err(e) => return Err(anyhow::anyhow!(e)),
    };
    let profiles: Vec<_> = ws.config.profiles.values().cloned().collect();
    let infos = profiles.iter().map(ProfileInfo::from).collect();
    let first = start.as_ref().and_then(|s| profiles.iter().position(|p| &p.name == s)).unwrap_or(0);
    // The file `csms` without `--demo` would open (`CSMS_CONFIG`, else the platform's).
    let config = std::env::var_os("CSMS_CONFIG").map(std::path::PathBuf::from).or_else(crate::config::default_path);
    let demo = ws.is_demo().then(|| crate::config::demo_hint(config.as_deref()));
    let refresh = i64::try_from(ws.config.refresh_interval.as_millis()).unwrap_or(i64::MAX);
    let view = opening_view(group.is_some(), named, &remembered, ws.is_demo(), first);
    let (mut state, effects) = State::new(infos, view, refresh, demo, now_ms());
    state.home = first;
    if let Some(sort) = remembered.sort_key() {
        state.table.set_sort(sort);
    }
    if remembered.reversed {
        state.table.reverse();
    }
    if start.is_none() {
        app::picker::open(&mut state);
    }
    state.clipboard_clear_ms = i64::try_from(ws.config.clipboard_clear.as_millis()).unwrap_or(i64::MAX);
    state.skipped_at_start(ws.skipped.iter().map(|s| (s.target.clone(), s.why.clone())).collect());

    let (tx, rx) = mpsc::unbounded_channel();
    let worker = Worker::new(profiles, tx);
    worker.revalidate(ws.behind.clone());

    // ratatui::init installs a panic hook that restores the terminal before
    // the panic message prints; the guard covers every other way out.
    // Signals are caught before raw mode begins, so none can end the process with the terminal raw.
    let termination = crate::signals::Termination::listen()?;
    let terminal = ratatui::try_init()?;
    let _guard = TerminalGuard;
    // Pastes arrive whole (into a value field without being typed key by key).
    crossterm::execute!(std::io::stdout(), crossterm::event::EnableBracketedPaste)?;
    if ws.config.mouse {
        crossterm::execute!(std::io::stdout(), crossterm::event::EnableMouseCapture)?;
    }
    let demo = ws.is_demo();
    let result = event_loop(terminal, state, effects, worker.clone(), rx, termination).await;
    // The changes still unanswered go into the journal as unknown.
    worker.quit();
    drop(_guard);
    // The workspace (and the demo emulator in it) lives until the UI is gone.
    drop(ws);
    let (state, signal_status) = result?;
    if !demo {
        crate::remembered::save(&Remembered::of(&state));
    }
    Ok(Ended { unfinished: state.unfinished(), signal_status })
}

/// The view the UI opens on: a named profile always wins over the last
/// run's all-profiles view, which comes back only when none is named.
fn opening_view(group: bool, named: bool, remembered: &Remembered, demo: bool, first: usize) -> View {
    match group {
        true => View::Group(first),
        false if remembered.all_profiles && !named && !demo => View::All,
        false => View::Profile(first),
    }
}

async fn event_loop(
    mut terminal: ratatui::DefaultTerminal,
    mut state: State,
    effects: Vec<Effect>,
    worker: Worker,
    mut rx: mpsc::UnboundedReceiver<Msg>,
    mut termination: crate::signals::Termination,
) -> anyhow::Result<(State, Option<i32>)> {
    let theme = Theme::from_env();
    for e in effects {
        worker.run(e);
    }
    let size = terminal.size()?;
    app::update(&mut state, Msg::Viewport { rows: ui::table_height(size.height), screen: (size.width, size.height) });

    let mut events = EventStream::new();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut dirty = true;
    let mut signal_status = None;

    while !state.quit {
        if dirty {
            terminal.draw(|f| ui::draw(f, &state, &theme))?;
            dirty = false;
        }
        let msg = tokio::select! {
            status = termination.wait() => {
                signal_status = Some(status);
                Msg::Terminate
            }
            _ = tick.tick() => Msg::Tick(now_ms()),
            Some(msg) = rx.recv() => msg,
            ev = events.next() => match ev {
                Some(Ok(Event::Key(key))) => Msg::Key(key),
                Some(Ok(Event::Paste(text))) => Msg::Paste(crate::csms::Redacted::new(text)),
                Some(Ok(Event::Mouse(m))) => match m.kind {
                    MouseEventKind::ScrollDown => Msg::Scroll(3),
                    MouseEventKind::ScrollUp => Msg::Scroll(-3),
                    MouseEventKind::Down(MouseButton::Left) if m.row >= ui::FIRST_ROW_LINE => {
                        Msg::Click { row: (m.row - ui::FIRST_ROW_LINE) as usize, at: now_ms() }
                    }
                    _ => continue,
                },
                Some(Ok(Event::Resize(w, h))) => Msg::Viewport { rows: ui::table_height(h), screen: (w, h) },
                Some(Ok(_)) => continue,
                Some(Err(e)) => return Err(e.into()),
                None => break,
            },
        };
        for effect in app::update(&mut state, msg) {
            match effect {
                // The terminal's own: written here, where the terminal is.
                Effect::Clipboard { text } => set_clipboard(terminal.backend_mut(), &text)?,
                other => worker.run(other),
            }
        }
        // Countdowns change every tick, so every message redraws.
        dirty = true;
    }
    Ok((state, signal_status))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_named_profile_opens_on_itself_after_a_run_that_ended_on_all_profiles() {
        let all = Remembered { profile: Some("lab".into()), all_profiles: true, ..Remembered::default() };
        assert_eq!(opening_view(false, true, &all, false, 2), View::Profile(2));
        assert_eq!(opening_view(true, true, &all, false, 2), View::Group(2));
        assert_eq!(opening_view(false, false, &all, false, 2), View::All, "none named: as the last run left it");
        assert_eq!(opening_view(false, false, &all, true, 2), View::Profile(2), "the demo remembers nothing");
    }
}
