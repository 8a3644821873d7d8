//! `playbook` describes a service's login flow as data (TOML): steps, what each requires
//! and provides, actions, symptoms, official domains and sources with their confidence.
//! Loading validates and reports `file:line:column` errors; it never panics. The format is
//! documented with a complete example in `playbooks/README.md`.
//!
//! Bundled playbooks are compiled in from the repository's `playbooks/` folder, so the app
//! works offline; [`bundled`] loads each on its own, so one bad file never stops the others.

mod error;
mod format;
pub mod known;
mod validate;

use std::path::Path;

pub use error::PlaybookError;
pub use format::*;
pub(crate) use validate::https_host;

macro_rules! bundled {
    ($file:literal) => {
        (
            $file,
            include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../playbooks/", $file)),
        )
    };
}

/// The playbooks compiled into this build: `(file name, text)`.
pub const BUNDLED: &[(&str, &str)] = &[
    bundled!("au-id.toml"),
    bundled!("docomo-d-account.toml"),
    bundled!("softbank.toml"),
    bundled!("rakuten.toml"),
    bundled!("mynaportal.toml"),
    bundled!("line-pc.toml"),
];

/// Parses and validates one playbook. `file` is the name used in error messages. Returns
/// every problem found, in file order as far as possible.
pub fn load_str(file: &str, text: &str) -> Result<Playbook, Vec<PlaybookError>> {
    let mut pb: Playbook = match toml::from_str(text) {
        Ok(pb) => pb,
        Err(e) => {
            let message = e.message().trim().to_owned();
            return Err(vec![match e.span() {
                Some(span) => PlaybookError::at(file, text, span, message),
                None => PlaybookError::whole(file, message),
            }]);
        }
    };
    let mut errors = validate::validate(&pb, file, text);
    if !errors.is_empty() {
        errors.sort_by_key(|e| (e.line, e.column));
        return Err(errors);
    }
    pb.origin = Origin {
        file: file.to_owned(),
        hash: content_hash(text),
    };
    Ok(pb)
}

/// Reads and validates a playbook file.
pub fn load_file(path: &Path) -> Result<Playbook, Vec<PlaybookError>> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| {
        vec![PlaybookError::whole(
            &file,
            format!("cannot read the file: {e}; check the path and permissions"),
        )]
    })?;
    load_str(&file, &text)
}

/// Loads every bundled playbook. The good ones come back even if another is broken.
pub fn bundled() -> (Vec<Playbook>, Vec<PlaybookError>) {
    let mut good = Vec::new();
    let mut bad = Vec::new();
    for (file, text) in BUNDLED {
        match load_str(file, text) {
            Ok(pb) => good.push(pb),
            Err(mut e) => bad.append(&mut e),
        }
    }
    (good, bad)
}

/// FNV-1a 64: a cheap fingerprint to notice that a playbook changed under a saved session.
/// Not a security measure.
pub fn content_hash(text: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{h:016x}")
}

impl Playbook {
    pub fn id(&self) -> &str {
        self.id.get_ref()
    }

    /// Index of the step with this id.
    pub fn step_index(&self, id: &str) -> Option<usize> {
        self.steps.iter().position(|s| s.id.get_ref() == id)
    }

    pub fn step(&self, id: &str) -> Option<&Step> {
        self.steps.iter().find(|s| s.id.get_ref() == id)
    }

    /// The step that `Next` leads to from step `i`, if any (none from a choosing step).
    pub fn next_of(&self, i: usize) -> Option<usize> {
        let s = self.steps.get(i)?;
        if s.end || s.chooses() {
            None
        } else if let Some(n) = &s.next {
            self.step_index(n.get_ref())
        } else if i + 1 < self.steps.len() {
            Some(i + 1)
        } else {
            None
        }
    }

    /// The main route: from the first step along `next` to the end (no branches); on a
    /// choosing step, along its first choice.
    pub fn main_route(&self) -> Vec<usize> {
        self.route(&std::collections::BTreeMap::new())
    }

    /// The route through the choices made (`step id → chosen step id`); where none was made
    /// yet, the first choice.
    pub fn route(&self, chosen: &std::collections::BTreeMap<String, String>) -> Vec<usize> {
        let mut route = Vec::new();
        let mut cur = if self.steps.is_empty() { None } else { Some(0) };
        while let Some(i) = cur {
            if route.contains(&i) || route.len() > self.steps.len() {
                break;
            }
            route.push(i);
            let s = &self.steps[i];
            cur = if s.chooses() {
                chosen
                    .get(s.id.get_ref())
                    .and_then(|t| self.step_index(t))
                    .or_else(|| s.choices().next().and_then(|t| self.step_index(t)))
            } else {
                self.next_of(i)
            };
        }
        route
    }

    pub fn fact(&self, key: &str) -> Option<&FactDecl> {
        self.facts.iter().find(|f| f.key.get_ref() == key)
    }

    /// The first step that establishes `key`.
    pub fn provider_of(&self, key: &str) -> Option<usize> {
        self.steps
            .iter()
            .position(|s| s.provides.iter().any(|p| p.get_ref() == key))
    }

    pub fn source(&self, id: &str) -> Option<&Source> {
        self.sources.iter().find(|s| s.id.get_ref() == id)
    }

    pub fn symptom(&self, id: &str) -> Option<&Symptom> {
        self.symptoms.iter().find(|s| s.id.get_ref() == id)
    }

    pub fn is_official_url(&self, url: &str) -> bool {
        https_host(url).is_some_and(|h| self.official_domains.iter().any(|d| d.get_ref() == h))
    }

    /// What `tebiki-doctor playbook` prints for a valid playbook.
    pub fn summary(&self) -> String {
        let mut by_kind = std::collections::BTreeMap::new();
        for s in &self.sources {
            *by_kind.entry(s.kind.get_ref().as_str()).or_insert(0) += 1;
        }
        let kinds: Vec<String> = by_kind.iter().map(|(k, n)| format!("{k} {n}")).collect();
        let route = self.main_route();
        let branches = self.steps.len() - route.len();
        let domains: Vec<&str> = self
            .official_domains
            .iter()
            .map(|d| d.get_ref().as_str())
            .collect();
        format!(
            "id: {}\nname: {} / {}\nservices: {}\nsteps: {} on the main route, {} in branches ({})\nsymptoms: {}\nsources: {} ({})\nofficial domains: {}\nhash: {}\n",
            self.id(),
            self.name.ja.get_ref(),
            self.name.en.get_ref(),
            self.services.join(", "),
            route.len(),
            branches,
            route
                .iter()
                .map(|&i| self.steps[i].id.get_ref().as_str())
                .collect::<Vec<_>>()
                .join(" → "),
            self.symptoms
                .iter()
                .map(|s| s.id.get_ref().as_str())
                .collect::<Vec<_>>()
                .join(", "),
            self.sources.len(),
            kinds.join(", "),
            domains.join(", "),
            self.origin.hash,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_playbooks_all_load() {
        let (good, bad) = bundled();
        assert!(
            bad.is_empty(),
            "bundled playbooks have errors:\n{}",
            bad.iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        );
        assert_eq!(good.len(), BUNDLED.len());
        assert_eq!(good[0].id(), "au-id");
    }

    #[test]
    fn content_hash_changes_with_the_text() {
        assert_ne!(content_hash("a"), content_hash("b"));
        assert_eq!(content_hash("a"), content_hash("a"));
        assert_eq!(content_hash("").len(), 16);
    }
}
