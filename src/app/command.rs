//! The `:` command line: its commands and their completion.

use super::keymap;
use super::{Effect, Level, Mode, SortKey, State, View};

/// Runs a `:` command line.
pub(super) fn run_command(state: &mut State, line: &str) -> Vec<Effect> {
    if !line.is_empty() && state.command_history.last().map(String::as_str) != Some(line) {
        state.command_history.push(line.to_string());
    }
    // What an earlier command said is old news once another one runs.
    state.message = None;
    let (cmd, arg) = line.split_once(' ').map_or((line, ""), |(c, a)| (c, a.trim()));
    // Commands are case-insensitive; profile names are as configured.
    let cmd = cmd.to_lowercase();
    let cmd = cmd.as_str();
    match cmd {
        "" => vec![],
        "profile" | "ctx" | "p" => match view_named(state, arg) {
            Some(view) => state.switch_view(view),
            None => {
                state.say(Level::Error, format!("no profile named '{arg}'"));
                vec![]
            }
        },
        "all" | "a" => state.switch_view(View::All),
        "sort" | "s" => {
            let key = match arg.to_lowercase().as_str() {
                "time" | "time-left" => Some(SortKey::TimeLeft),
                "name" => Some(SortKey::Name),
                "state" => Some(SortKey::State),
                "updated" => Some(SortKey::Updated),
                _ => None,
            };
            match key {
                Some(k) => {
                    state.table.set_sort(k);
                    // A sort named outright starts the natural way round, whatever `S` did before.
                    if state.table.reversed() {
                        state.table.reverse();
                    }
                    state.say(Level::Info, format!("Sorted by {}", k.label()));
                }
                None => state.say(Level::Error, format!("sort by time, name, state or updated, not '{arg}'")),
            }
            state.after_move();
            vec![]
        }
        "filter" | "f" => {
            state.table.set_filter(arg);
            state.table.select_first();
            state.after_move();
            vec![]
        }
        "refresh" | "r" => state.refresh_asked(),
        "help" | "?" => {
            state.mode = Mode::Help { scroll: 0 };
            vec![]
        }
        // `q!` quits at once, as in vi; `quit` waits for requests under way.
        "q!" => {
            state.quit = true;
            vec![]
        }
        "quit" | "q" => {
            state.ask_quit(None);
            vec![]
        }
        name if arg.is_empty() && view_named(state, name).is_some() => {
            state.switch_view(view_named(state, name).expect("checked"))
        }
        other => {
            let known = keymap::COMMANDS.iter().map(|c| c.0).collect::<Vec<_>>().join(", ");
            // What was typed is echoed cut: the rest of the message must stay on screen.
            let other = crate::printable::fit(&crate::printable::printable(other), UNKNOWN_SHOWN).into_owned();
            state.say(Level::Error, format!("unknown command '{other}': try {known}, or a profile name"));
            vec![]
        }
    }
}

/// The view a name opens: a profile's (or target's) own, or the group of
/// the targets a profile with regions was split into, as the picker and
/// `--profile` open it.
fn view_named(state: &State, name: &str) -> Option<View> {
    if let Some(i) = state.profiles.iter().position(|p| p.name == name) {
        return Some(View::Profile(i));
    }
    (0..state.profiles.len()).find(|&i| state.live(i) && state.profiles[i].group() == Some(name)).map(View::Group)
}

/// Every name `profile` takes: the profiles' and targets' own, and their groups'.
fn profile_names(state: &State) -> Vec<&str> {
    let mut names: Vec<&str> = Vec::new();
    for p in &state.profiles {
        for name in p.group().into_iter().chain([p.name.as_str()]) {
            if !names.contains(&name) {
                names.push(name);
            }
        }
    }
    names
}

/// Completes the word at the cursor (`cursor` characters in) of the command
/// line: the line up to that word's end is completed, what follows it stays.
/// Gives the line, the cursor after the completed word, and the candidates.
pub(super) fn complete_at(state: &State, input: &str, cursor: usize) -> (String, usize, Vec<String>) {
    let at = input.char_indices().nth(cursor).map_or(input.len(), |(i, _)| i);
    let end = input[at..].find(' ').map_or(input.len(), |i| at + i);
    let (head, tail) = input.split_at(end);
    let (completed, candidates) = complete_or_list(state, head);
    // A completed command brings its space; the one already after it is not doubled.
    let tail = if completed.ends_with(' ') { tail.strip_prefix(' ').unwrap_or(tail) } else { tail };
    let cursor = completed.chars().count();
    (completed + tail, cursor, candidates)
}

/// Completes the command line, and the candidates that remain when Tab
/// could not choose (shown above the line while it is open). Once a
/// command is typed, they are its arguments alone: the command is on the line.
pub(super) fn complete_or_list(state: &State, input: &str) -> (String, Vec<String>) {
    let completed = complete(state, input);
    let candidates = if completed == input { candidates(state, input) } else { vec![] };
    let candidates = if candidates.len() > 1 { candidates } else { vec![] };
    let argument = |c: String| c.split_once(' ').map_or(c.clone(), |(_, arg)| arg.to_string());
    (completed, candidates.into_iter().map(argument).collect())
}

/// The columns of an unknown command echoed in its error.
const UNKNOWN_SHOWN: usize = 24;

/// What `sort` takes.
const SORT_KEYS: [&str; 4] = ["time", "name", "state", "updated"];

fn candidates(state: &State, input: &str) -> Vec<String> {
    match input.split_once(' ') {
        Some(("profile" | "ctx" | "p", prefix)) => profile_names(state)
            .into_iter()
            .filter(|name| name.starts_with(prefix.trim_start()))
            .map(|name| format!("profile {name}"))
            .collect(),
        Some((cmd @ ("sort" | "s"), prefix)) => SORT_KEYS
            .iter()
            .filter(|k| k.starts_with(&prefix.trim_start().to_lowercase()))
            .map(|k| format!("{cmd} {k}"))
            .collect(),
        Some(_) => vec![],
        None => keymap::COMMANDS
            .iter()
            .map(|c| c.0.to_string())
            .chain(state.profiles.iter().map(|p| p.name.clone()))
            .filter(|c| c.starts_with(&input.to_lowercase()) || c.starts_with(input))
            .collect(),
    }
}

/// Completes the command line: a command name, or a profile name after `profile`.
fn complete(state: &State, input: &str) -> String {
    let candidates = candidates(state, input);
    match candidates.as_slice() {
        [one] if one.contains(' ') => one.clone(),
        [one] if keymap::COMMANDS.iter().any(|c| c.0 == one && !c.1.is_empty()) => format!("{one} "),
        [one] => one.clone(),
        // The longest common prefix of several candidates.
        [first, rest @ ..] => {
            let mut prefix = first.clone();
            for c in rest {
                while !c.starts_with(&prefix) {
                    prefix.pop();
                }
            }
            if prefix.len() > input.len() { prefix } else { input.to_string() }
        }
        [] => input.to_string(),
    }
}
