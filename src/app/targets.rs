//! The targets of profiles with `regions`, checked again behind the UI: the
//! UI opens on the projects found last, and IAM's newer word adds the
//! projects that appeared and retires those that went.

use super::health::LoadError;
use super::{Effect, Level, ProfileInfo, State, View, plural};

/// What a target IAM no longer lists shows instead of secrets.
pub const GONE: &str = "IAM no longer lists this project";

/// What a check of one profile's projects found.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    /// The profile with `regions`.
    pub profile: String,
    /// Targets IAM lists now and the UI did not know, at the indices they
    /// take (the end of the list, in order).
    pub added: Vec<(usize, ProfileInfo)>,
    /// Targets IAM no longer lists.
    pub gone: Vec<usize>,
    /// Projects passed over (target, why).
    pub skipped: Vec<(String, String)>,
    /// Why the check failed, if it did.
    pub failed: Option<LoadError>,
    /// The profile itself, when it stood in place of its targets until now:
    /// found, it leaves for them; failed, it fails with why.
    pub finding: Option<usize>,
}

impl State {
    /// The profiles a view may load: not those IAM no longer lists.
    pub(super) fn live(&self, profile: usize) -> bool {
        !self.gone.contains(&profile)
    }

    pub(super) fn targets_checked(&mut self, c: Checked) -> Vec<Effect> {
        if let (Some(i), Some(LoadError { health, text: error })) = (c.finding, &c.failed) {
            // Still in place of its targets, and IAM did not answer: it fails with why.
            self.loading.remove(&i);
            self.load_errors.insert(i, error.clone());
            self.health.insert(i, *health);
            self.note(Level::Error, format!("{}: its projects could not be found: {error}", c.profile));
            self.loads_done();
            return vec![];
        }
        let mut effects = Vec::new();
        let mut added = Vec::new();
        for (index, info) in c.added {
            if index != self.profiles.len() {
                // The worker and the UI number targets alike: a gap is a bug, kept out of the rows.
                let known = self.profiles.len();
                self.note(Level::Error, format!("{}: a new target out of order ({index}, not {known})", info.name));
                continue;
            }
            added.push(info.name.clone());
            let group = info.group().map(str::to_string);
            self.profiles.push(info);
            let shown = match self.view {
                View::All => true,
                View::Group(g) => self.profiles[g].group() == group.as_deref(),
                View::Profile(_) => false,
            };
            if shown {
                self.loading.insert(index);
                effects.push(Effect::Load { generation: self.generation, profile: index });
            }
        }
        let mut gone = Vec::new();
        for index in c.gone {
            if self.gone.insert(index) {
                gone.push(self.profile_name(index).to_string());
                self.table.replace_profile(index, vec![]);
                self.loading.remove(&index);
                self.load_errors.insert(index, GONE.into());
                self.health.insert(index, super::health::Health::Gone);
                self.marked.retain(|(p, _)| *p != index);
            }
        }
        let mut notes: Vec<String> = c.skipped.iter().map(|(t, why)| format!("skipped {t}: {why}")).collect();
        notes.extend(c.failed.map(|e| e.text));
        for n in &notes {
            self.note(Level::Warning, n.clone());
        }
        self.skipped.retain(|t, _| !t.starts_with(&format!("{}/", c.profile)));
        self.skipped.extend(c.skipped);
        let mut news = Vec::new();
        if let Some(i) = c.finding {
            // Its targets take its place, quietly: they are the news.
            self.gone.insert(i);
            self.loading.remove(&i);
            self.load_errors.remove(&i);
            self.health.remove(&i);
            news.push(format!("{} found", plural(added.len(), "project")));
            if self.view == View::Profile(i) {
                let first = self.profiles.len() - added.len();
                effects = if added.is_empty() { vec![] } else { self.switch_view(View::Group(first)) };
            }
        } else if !added.is_empty() {
            news.push(format!("new: {}", added.join(", ")));
        }
        if !gone.is_empty() {
            news.push(format!("gone: {}", gone.join(", ")));
        }
        if !news.is_empty() {
            let text = format!("projects of {}: {}", c.profile, news.join("; "));
            self.note(Level::Info, text.clone());
            self.say(Level::Info, text);
        } else if let Some(n) = notes.first() {
            self.say(Level::Warning, n.clone());
        }
        if self.view == View::Profile(self.home) && !self.live(self.home) && c.finding != Some(self.home) {
            self.say(Level::Warning, format!("{}: {GONE}", self.profile_name(self.home)));
        }
        self.loads_done();
        effects
    }
}
