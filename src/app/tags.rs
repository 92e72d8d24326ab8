//! The tags dialog: the selected secret's tags, added (`key=value`) and
//! removed one at a time, each checked against the service's rules and its
//! limit of 20 before anything is sent.

use crossterm::event::KeyEvent;

use super::field::TextField;
use super::keymap::{self, Action};
use super::{Effect, Level, Mode, Op, RowKey, State};
use crate::csms::model::{MAX_TAGS, Tag, check_tag};

#[derive(Debug, Clone, PartialEq)]
pub struct TagsDialog {
    pub key: RowKey,
    /// The secret's id (tags are addressed by it) and its tags, once read.
    pub loaded: Option<Result<(String, Vec<Tag>), String>>,
    pub cursor: usize,
    /// `key=value` being typed, when adding.
    pub adding: Option<TextField>,
    /// A change is under way: keys wait for its answer.
    pub busy: bool,
}

impl TagsDialog {
    pub fn new(key: RowKey) -> TagsDialog {
        TagsDialog { key, loaded: None, cursor: 0, adding: None, busy: false }
    }

    fn tags(&self) -> &[Tag] {
        match &self.loaded {
            Some(Ok((_, tags))) => tags,
            _ => &[],
        }
    }
}

/// The longest `key=value` the service takes (128 and 255 characters), in
/// the widest UTF-8, and a space each side of `=`.
const TAG_LINE_BYTES: usize = 4 * (128 + 255) + 3;

pub(super) fn on_key(state: &mut State, mut dialog: TagsDialog, key: KeyEvent) -> Vec<Effect> {
    if let Some(mut line) = dialog.adding.take() {
        return match keymap::lookup(keymap::LINE, &key) {
            Some(Action::Back) => {
                state.mode = Mode::Tags(Box::new(dialog));
                vec![]
            }
            Some(Action::Apply) => {
                let text = line.text().to_string();
                add(state, dialog, &line, &text)
            }
            _ => {
                state.edited(line.on_key(&key), &line);
                dialog.adding = Some(line);
                state.mode = Mode::Tags(Box::new(dialog));
                vec![]
            }
        };
    }
    let count = dialog.tags().len();
    match keymap::lookup(keymap::TAGS, &key) {
        Some(Action::Back) => {
            state.mode = Mode::Normal;
            return vec![];
        }
        Some(Action::Down) => dialog.cursor = (dialog.cursor + 1).min(count.saturating_sub(1)),
        Some(Action::Up) => dialog.cursor = dialog.cursor.saturating_sub(1),
        Some(Action::AddTag | Action::RemoveTag) if dialog.busy || !matches!(dialog.loaded, Some(Ok(_))) => {
            state.say(Level::Info, "Wait for the tags to be read");
        }
        Some(Action::AddTag) => dialog.adding = Some(TextField::default().with_limit(TAG_LINE_BYTES)),
        Some(Action::RemoveTag) => {
            if let Some(tag) = dialog.tags().get(dialog.cursor).cloned() {
                // Asked first, as every change is; the answer comes back to this dialog.
                let key = dialog.key.clone();
                state.behind = Some(Box::new(Mode::Tags(Box::new(dialog))));
                state.mode = Mode::Confirm(super::Pending::RemoveTag { key, tag });
                return vec![];
            }
        }
        _ => {}
    }
    state.mode = Mode::Tags(Box::new(dialog));
    vec![]
}

/// Removes `tag`, confirmed, from the secret of the tags dialog on screen.
pub(super) fn remove(state: &mut State, tag: Tag) -> Vec<Effect> {
    let Mode::Tags(dialog) = std::mem::replace(&mut state.mode, Mode::Normal) else { return vec![] };
    send(state, *dialog, vec![], vec![Tag { key: tag.key, value: None }])
}

fn add(state: &mut State, mut dialog: TagsDialog, field: &TextField, line: &str) -> Vec<Effect> {
    let refuse = |state: &mut State, mut dialog: TagsDialog, why: String| {
        state.say(Level::Warning, why);
        dialog.adding = Some(field.clone());
        state.mode = Mode::Tags(Box::new(dialog));
        vec![]
    };
    let Some((k, v)) = line.split_once('=') else {
        return refuse(state, dialog, format!("'{line}' is not key=value"));
    };
    let (k, v) = (k.trim(), v.trim());
    if let Err(why) = check_tag(k, v) {
        return refuse(state, dialog, why);
    }
    if dialog.tags().len() >= MAX_TAGS && !dialog.tags().iter().any(|t| t.key == k) {
        return refuse(state, dialog, format!("a secret carries at most {MAX_TAGS} tags"));
    }
    dialog.adding = None;
    send(state, dialog, vec![Tag { key: k.to_string(), value: Some(v.to_string()) }], vec![])
}

fn send(state: &mut State, mut dialog: TagsDialog, create: Vec<Tag>, delete: Vec<Tag>) -> Vec<Effect> {
    let Some(Ok((secret_id, _))) = &dialog.loaded else { return vec![] };
    let effect = Effect::ChangeTags {
        profile: dialog.key.0,
        name: dialog.key.1.clone(),
        secret_id: secret_id.clone(),
        create,
        delete,
    };
    dialog.busy = true;
    state.in_flight.insert(dialog.key.clone(), Op::Tag);
    state.mode = Mode::Tags(Box::new(dialog));
    vec![effect]
}

/// The tags as read, or as the server has them after a change.
pub(super) fn loaded(state: &mut State, key: &RowKey, result: Result<(String, Vec<Tag>), String>) {
    if let Mode::Tags(dialog) = &mut state.mode
        && dialog.key == *key
    {
        dialog.cursor = dialog.cursor.min(result.as_ref().map_or(0, |(_, t)| t.len().saturating_sub(1)));
        dialog.loaded = Some(result);
    }
}

/// The one tag a change set or removed, named (`Tag 'k' removed from 'x'`),
/// from the tags before and after it; none when it was not one tag.
fn what_changed(before: &[Tag], after: &[Tag], name: &str) -> Option<String> {
    let removed: Vec<&Tag> = before.iter().filter(|b| !after.iter().any(|a| a.key == b.key)).collect();
    let set: Vec<&Tag> = after.iter().filter(|a| !before.contains(a)).collect();
    match (removed.as_slice(), set.as_slice()) {
        ([tag], []) => Some(format!("Tag '{}' removed from '{name}'", tag.key)),
        ([], [tag]) => Some(format!("Tag '{}' set on '{name}'", tag.key)),
        _ => None,
    }
}

/// A change's answer; after a failure the tags are read again, since an
/// answer that never came may hide a change that did.
pub(super) fn changed(state: &mut State, key: RowKey, result: Result<Vec<Tag>, String>) -> Vec<Effect> {
    state.in_flight.remove(&key);
    match result {
        Ok(tags) => {
            let mut outcome = format!("Tags of '{}' changed", key.1);
            if let Mode::Tags(dialog) = &mut state.mode
                && dialog.key == key
            {
                dialog.busy = false;
                dialog.cursor = dialog.cursor.min(tags.len().saturating_sub(1));
                if let Some(Ok((_, old))) = &mut dialog.loaded {
                    outcome = what_changed(old, &tags, &key.1).unwrap_or(outcome);
                    *old = tags;
                }
            }
            state.report(Level::Success, outcome);
        }
        Err(e) => {
            if let Mode::Tags(dialog) = &mut state.mode
                && dialog.key == key
            {
                dialog.busy = false;
            }
            state.report(Level::Error, format!("Changing the tags of '{}'{}", key.1, super::ended(&e)));
            if matches!(&state.mode, Mode::Tags(d) if d.key == key) {
                return vec![Effect::LoadTags { profile: key.0, name: key.1 }];
            }
        }
    }
    vec![]
}
