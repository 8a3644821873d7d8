//! Checks a parsed playbook against the rules serde cannot express: references resolve,
//! steps are reachable, the phone's line is established before any step that needs it, URLs
//! are https and official, both languages are present. Collects every problem it finds.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use toml::Spanned;

use super::error::PlaybookError;
use super::format::*;
use super::known;

pub(crate) fn validate(pb: &Playbook, file: &str, text: &str) -> Vec<PlaybookError> {
    let mut v = Validator {
        file,
        text,
        errors: Vec::new(),
    };
    v.run(pb);
    v.errors
}

struct Validator<'a> {
    file: &'a str,
    text: &'a str,
    errors: Vec<PlaybookError>,
}

fn is_ident(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
}

fn is_fact_key(s: &str) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    parts.len() >= 2
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        })
}

/// `YYYY-MM-DD`, or `YYYY-MM` when only the month is known (better than inventing a day).
fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    let num = |r: Range<usize>| s.get(r).and_then(|x| x.parse::<u32>().ok());
    let month_ok = b.len() >= 7
        && b[4] == b'-'
        && matches!((num(0..4), num(5..7)), (Some(y), Some(m)) if y >= 2000 && (1..=12).contains(&m));
    match b.len() {
        7 => month_ok,
        10 => month_ok && b[7] == b'-' && matches!(num(8..10), Some(d) if (1..=31).contains(&d)),
        _ => false,
    }
}

fn is_host(s: &str) -> bool {
    s.contains('.')
        && !s.starts_with('.')
        && !s.ends_with('.')
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-')
}

/// The host of an `https://` URL, or `None` if it is not one.
pub(crate) fn https_host(url: &str) -> Option<&str> {
    let rest = url.strip_prefix("https://")?;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    // Credentials or a port in an official link are never needed and hide the real host.
    if authority.contains('@') || authority.contains(':') || authority.is_empty() {
        return None;
    }
    Some(authority)
}

impl Validator<'_> {
    fn err(&mut self, span: Range<usize>, message: impl Into<String>) {
        self.errors
            .push(PlaybookError::at(self.file, self.text, span, message));
    }

    fn text(&mut self, t: &BiText, what: &str) {
        for (lang, s) in [("ja", &t.ja), ("en", &t.en)] {
            if s.get_ref().trim().is_empty() {
                self.err(
                    s.span(),
                    format!(
                        "{what}: the {lang} text is empty; write it in both Japanese and English"
                    ),
                );
            }
        }
    }

    fn run(&mut self, pb: &Playbook) {
        if *pb.format.get_ref() != FORMAT_VERSION {
            self.err(
                pb.format.span(),
                format!(
                    "format = {} is not supported; this Tebiki reads format = {FORMAT_VERSION}",
                    pb.format.get_ref()
                ),
            );
        }
        if !is_ident(pb.id.get_ref()) {
            self.err(
                pb.id.span(),
                "id must be lower-case letters, digits, '-' or '_' (e.g. \"au-id\")",
            );
        }
        self.text(&pb.name, "name");
        if pb.services.is_empty() {
            self.err(
                pb.id.span(),
                "services is empty; list the services this account covers",
            );
        }
        if pb.official_domains.is_empty() {
            self.err(
                pb.id.span(),
                "official_domains is empty; list the hosts this playbook may open",
            );
        }
        for d in &pb.official_domains {
            if !is_host(d.get_ref()) {
                self.err(
                    d.span(),
                    format!("official domain {:?} must be a bare lower-case host such as \"id.auone.jp\" (no scheme, path or port)", d.get_ref()),
                );
            }
        }
        let domains: HashSet<&str> = pb
            .official_domains
            .iter()
            .map(|d| d.get_ref().as_str())
            .collect();

        // Sources.
        let mut sources: HashMap<&str, Confidence> = HashMap::new();
        for s in &pb.sources {
            let id = s.id.get_ref().as_str();
            if !is_ident(id) {
                self.err(
                    s.id.span(),
                    format!("source id {id:?} must be lower-case letters, digits, '-' or '_'"),
                );
            }
            if sources.insert(id, *s.kind.get_ref()).is_some() {
                self.err(
                    s.id.span(),
                    format!("source id {id:?} is used twice; give each source its own id"),
                );
            }
            match &s.url {
                Some(u)
                    if !(u.get_ref().starts_with("https://")
                        || u.get_ref().starts_with("http://")) =>
                {
                    self.err(
                        u.span(),
                        format!(
                            "source url {:?} must start with https:// or http://",
                            u.get_ref()
                        ),
                    )
                }
                None if *s.kind.get_ref() != Confidence::UserReport => self.err(
                    s.kind.span(),
                    format!("source {id:?} has no url; only a user_report may have none"),
                ),
                _ => {}
            }
            if !is_date(s.checked.get_ref()) {
                self.err(
                    s.checked.span(),
                    format!("checked = {:?} must be the date it was read, as \"YYYY-MM-DD\" (or \"YYYY-MM\" if only the month is known)", s.checked.get_ref()),
                );
            }
        }

        // Facts.
        let mut facts: HashMap<&str, &FactDecl> = HashMap::new();
        for f in &pb.facts {
            let key = f.key.get_ref().as_str();
            if !is_fact_key(key) {
                self.err(
                    f.key.span(),
                    format!("fact key {key:?} must be dotted lower-case words, e.g. \"phone.vpn\""),
                );
            }
            if facts.insert(key, f).is_some() {
                self.err(f.key.span(), format!("fact {key:?} is declared twice"));
            }
            self.text(&f.label, &format!("fact {key} label"));
            if f.values.is_empty() {
                self.err(
                    f.key.span(),
                    format!("fact {key:?} has no values; list the values it can take"),
                );
            }
            if let Some(known) = known::measured_values(key) {
                for val in &f.values {
                    if !known.contains(&val.get_ref().as_str()) {
                        self.err(
                            val.span(),
                            format!(
                                "{key} is measured by Tebiki and is never {:?}; its values are {}",
                                val.get_ref(),
                                known.join(", ")
                            ),
                        );
                    }
                }
            }
        }

        // Steps.
        if pb.steps.is_empty() {
            self.err(
                pb.id.span(),
                "the playbook has no [[steps]]; add at least one",
            );
            return;
        }
        let mut step_ids: HashMap<&str, usize> = HashMap::new();
        for (i, s) in pb.steps.iter().enumerate() {
            let id = s.id.get_ref().as_str();
            if !is_ident(id) {
                self.err(
                    s.id.span(),
                    format!("step id {id:?} must be lower-case letters, digits, '-' or '_'"),
                );
            }
            if step_ids.insert(id, i).is_some() {
                self.err(
                    s.id.span(),
                    format!("step id {id:?} is used twice; give each step its own id"),
                );
            }
        }
        let first = &pb.steps[0];
        if first.branch {
            self.err(
                first.id.span(),
                "the first step cannot be a branch; the flow starts there",
            );
        }
        if let Some(r) = first.requires.first() {
            self.err(
                r.fact.span(),
                "the first step cannot require anything: nothing comes before it to provide it",
            );
        }

        for (i, s) in pb.steps.iter().enumerate() {
            let id = s.id.get_ref().as_str();
            self.text(&s.title, &format!("step {id} title"));
            self.text(&s.body, &format!("step {id} body"));
            if let Some(b) = &s.body_android {
                self.text(b, &format!("step {id} body_android"));
            }
            for p in [&s.picture, &s.picture_android].into_iter().flatten() {
                if !is_ident(p.get_ref()) {
                    self.err(
                        p.span(),
                        format!(
                            "picture id {:?} must be lower-case letters, digits or '_'",
                            p.get_ref()
                        ),
                    );
                }
            }
            self.source_refs(&s.sources, &sources, s.id.span(), &format!("step {id}"));
            for r in &s.requires {
                self.requirement(r, &facts, id);
                if s.provides.iter().any(|p| p.get_ref() == r.fact.get_ref()) {
                    self.err(
                        r.fact.span(),
                        format!("step {id} both requires and provides {}; a step cannot establish its own precondition", r.fact.get_ref()),
                    );
                }
            }
            for p in &s.provides {
                if !facts.contains_key(p.get_ref().as_str()) {
                    self.err(
                        p.span(),
                        format!("provides {:?}: no [[facts]] entry declares it", p.get_ref()),
                    );
                }
            }
            if s.approval && !s.requires.iter().any(|r| !r.confirmable) {
                self.err(
                    s.id.span(),
                    format!("approval step {id} must have a requirement the user cannot merely confirm (e.g. phone.network == cellular, confirmable = false)"),
                );
            }
            for a in &s.actions {
                self.action(a, &domains, &facts, &step_ids, &sources);
            }
            self.confirm_lines(s, &facts);
            let choices = s
                .actions
                .iter()
                .filter(|a| *a.kind.get_ref() == ActionKind::Choose)
                .count();
            if choices == 1 {
                self.err(
                    s.id.span(),
                    format!(
                        "step {id} has one choose action; a choice needs at least two (or use next)"
                    ),
                );
            }
            if choices > 0 && (s.next.is_some() || s.end) {
                self.err(
                    s.id.span(),
                    format!("step {id} chooses its route (choose actions), so it cannot have next or end = true"),
                );
            }
            // A choosing step has no "Next": it never falls off the end.
            match (&s.next, s.end) {
                _ if choices > 0 => {}
                (Some(n), true) => self.err(
                    n.span(),
                    format!("step {id} has both next and end = true; keep one"),
                ),
                (Some(n), false) if !step_ids.contains_key(n.get_ref().as_str()) => self.err(
                    n.span(),
                    format!("next = {:?}: no step has that id", n.get_ref()),
                ),
                (None, false) if i + 1 == pb.steps.len() => self.err(
                    s.id.span(),
                    format!("the last step {id} has no next step; add next = \"…\" or end = true"),
                ),
                _ => {}
            }
        }
        if !pb.steps.iter().any(|s| s.end) {
            self.err(
                pb.id.span(),
                "no step has end = true; mark the last step of the flow",
            );
        }

        // Counters.
        let mut counter_ids = HashSet::new();
        for c in &pb.counters {
            let id = c.id.get_ref().as_str();
            if !is_ident(id) {
                self.err(
                    c.id.span(),
                    format!("counter id {id:?} must be lower-case letters, digits, '-' or '_'"),
                );
            }
            if !counter_ids.insert(id) {
                self.err(c.id.span(), format!("counter id {id:?} is used twice"));
            }
            self.text(&c.label, &format!("counter {id} label"));
            self.text(&c.stop, &format!("counter {id} stop"));
            if !(2..=10).contains(c.locks_after.get_ref()) {
                self.err(
                    c.locks_after.span(),
                    "locks_after must be between 2 and 10: Tebiki stops one try before it",
                );
            }
            self.source_refs(&c.sources, &sources, c.id.span(), &format!("counter {id}"));
            match step_ids.get(c.on_stop.get_ref().as_str()) {
                None => self.err(
                    c.on_stop.span(),
                    format!("on_stop = {:?}: no step has that id", c.on_stop.get_ref()),
                ),
                Some(&j) if pb.steps[j].asks_for(id) => self.err(
                    c.on_stop.span(),
                    format!("on_stop = {:?} asks for the same number again; send the person to a step that says what to do instead", c.on_stop.get_ref()),
                ),
                Some(_) => {}
            }
            if c.reset_at.is_empty() {
                self.err(
                    c.id.span(),
                    format!("counter {id} has no reset_at; name the step that shows the number was right"),
                );
            }
            for r in &c.reset_at {
                if !step_ids.contains_key(r.get_ref().as_str()) {
                    self.err(
                        r.span(),
                        format!("reset_at {:?}: no step has that id", r.get_ref()),
                    );
                }
            }
            if !pb.steps.iter().any(|s| s.asks_for(id)) {
                self.err(
                    c.id.span(),
                    format!(
                        "counter {id} is never counted; add a count_failure action or remove it"
                    ),
                );
            }
        }
        for s in &pb.steps {
            for a in &s.actions {
                if let Some(c) = &a.counter
                    && !counter_ids.contains(c.get_ref().as_str())
                {
                    self.err(
                        c.span(),
                        format!(
                            "counter = {:?}: no [[counters]] entry has that id",
                            c.get_ref()
                        ),
                    );
                }
                if let (Some(c), Some(r)) = (&a.counter, &a.remaining)
                    && let Some(decl) = pb.counters.iter().find(|d| d.id.get_ref() == c.get_ref())
                    && (*r.get_ref() == 0 || *r.get_ref() >= *decl.locks_after.get_ref())
                {
                    self.err(
                        r.span(),
                        format!(
                            "remaining = {} must be between 1 and locks_after - 1 ({})",
                            r.get_ref(),
                            decl.locks_after.get_ref().saturating_sub(1)
                        ),
                    );
                }
            }
        }

        // Symptoms.
        let mut symptom_ids = HashSet::new();
        for sy in &pb.symptoms {
            let id = sy.id.get_ref().as_str();
            if !is_ident(id) {
                self.err(
                    sy.id.span(),
                    format!("symptom id {id:?} must be lower-case letters, digits, '-' or '_'"),
                );
            }
            if !symptom_ids.insert(id) {
                self.err(sy.id.span(), format!("symptom id {id:?} is used twice"));
            }
            self.text(&sy.label, &format!("symptom {id} label"));
            if sy.rules.is_empty() {
                self.err(
                    sy.id.span(),
                    format!("symptom {id} has no [[symptoms.rules]]; add at least one"),
                );
            }
            for r in &sy.rules {
                for c in [&r.when, &r.unless].into_iter().flatten() {
                    self.cond(c, &facts);
                }
                if !step_ids.contains_key(r.go_to.get_ref().as_str()) {
                    self.err(
                        r.go_to.span(),
                        format!("go_to = {:?}: no step has that id", r.go_to.get_ref()),
                    );
                }
                self.text(&r.cause, &format!("symptom {id} cause"));
                self.source_refs(
                    &r.sources,
                    &sources,
                    r.go_to.span(),
                    &format!("symptom {id} rule"),
                );
            }
        }

        if self.errors.is_empty() {
            self.graph(pb, &step_ids);
        }
    }

    fn source_refs(
        &mut self,
        refs: &[Spanned<String>],
        sources: &HashMap<&str, Confidence>,
        at: Range<usize>,
        what: &str,
    ) {
        if refs.is_empty() {
            self.err(
                at,
                format!(
                    "{what} cites no sources; every claim points at its sources (sources = [\"…\"])"
                ),
            );
        }
        for r in refs {
            if !sources.contains_key(r.get_ref().as_str()) {
                self.err(
                    r.span(),
                    format!("source {:?} is not declared in [[sources]]", r.get_ref()),
                );
            }
        }
    }

    fn fact_values(
        &mut self,
        fact: &Spanned<String>,
        is: &[Spanned<String>],
        facts: &HashMap<&str, &FactDecl>,
    ) -> bool {
        let key = fact.get_ref().as_str();
        let Some(decl) = facts.get(key) else {
            self.err(
                fact.span(),
                format!("fact {key:?} is not declared; add a [[facts]] entry for it"),
            );
            return false;
        };
        if is.is_empty() {
            self.err(
                fact.span(),
                format!("is = [] for {key}: list at least one allowed value"),
            );
        }
        for v in is {
            if !decl.values.iter().any(|d| d.get_ref() == v.get_ref()) {
                self.err(
                    v.span(),
                    format!(
                        "{key} never has the value {:?}; its declared values are {}",
                        v.get_ref(),
                        join(&decl.values)
                    ),
                );
            }
        }
        true
    }

    fn requirement(&mut self, r: &Requirement, facts: &HashMap<&str, &FactDecl>, step: &str) {
        let key = r.fact.get_ref().as_str();
        if self.fact_values(&r.fact, &r.is, facts)
            && r.confirmable
            && !facts.get(key).is_some_and(|d| d.confirmable)
        {
            self.err(
                r.fact.span(),
                format!("step {step}: requirement on {key} says confirmable = true but the fact is not declared confirmable"),
            );
        }
        if *r.max_age_secs.get_ref() == 0 {
            self.err(
                r.max_age_secs.span(),
                "max_age_secs = 0 can never be met; give the age in seconds, e.g. 600",
            );
        }
        self.text(
            &r.explain,
            &format!("step {step} requirement {key} explain"),
        );
    }

    fn cond(&mut self, c: &Cond, facts: &HashMap<&str, &FactDecl>) {
        self.fact_values(&c.fact, &c.is, facts);
        if c.max_age_secs == Some(0) {
            self.err(
                c.fact.span(),
                "max_age_secs = 0 can never hold; give the age in seconds",
            );
        }
    }

    /// A step's confirm buttons: each confirms a fact the step provides. A step whose
    /// confirms cover several facts is a checklist, one line per fact: the first confirm of
    /// each fact carries the line's picture (and may carry a hint), later ones carry neither,
    /// and every confirmable fact the step provides has its line.
    fn confirm_lines(&mut self, s: &crate::playbook::Step, facts: &HashMap<&str, &FactDecl>) {
        let id = s.id.get_ref();
        let confirms: Vec<&Action> = s
            .actions
            .iter()
            .filter(|a| *a.kind.get_ref() == ActionKind::Confirm)
            .collect();
        for a in &confirms {
            if let Some(f) = &a.fact
                && !s.provides.iter().any(|p| p.get_ref() == f.get_ref())
            {
                self.err(
                    f.span(),
                    format!("confirm: step {id} confirms {} but does not provide it; add it to provides", f.get_ref()),
                );
            }
        }
        let mut lines: Vec<&str> = Vec::new();
        for a in &confirms {
            if let Some(f) = &a.fact
                && !lines.contains(&f.get_ref().as_str())
            {
                lines.push(f.get_ref());
            }
        }
        let checklist = lines.len() > 1;
        let mut seen: Vec<&str> = Vec::new();
        for a in &confirms {
            let Some(f) = &a.fact else { continue };
            let first = !seen.contains(&f.get_ref().as_str());
            seen.push(f.get_ref());
            let at = a.kind.span();
            if !checklist {
                if let Some(p) = &a.picture {
                    self.err(p.span(), format!("confirm: picture is for the lines of a checklist step (confirms of several facts); step {id} confirms only {}", f.get_ref()));
                }
                if let Some(h) = &a.hint {
                    self.err(h.ja.span(), format!("confirm: hint is for the lines of a checklist step (confirms of several facts); step {id} confirms only {}", f.get_ref()));
                }
            } else if first && a.picture.is_none() {
                self.err(at, format!("confirm: the first confirm of {} in checklist step {id} needs picture = \"…\" (each line has its picture)", f.get_ref()));
            } else if !first {
                if let Some(p) = &a.picture {
                    self.err(p.span(), format!("confirm: only the first confirm of {} in step {id} carries the line's picture; remove this one", f.get_ref()));
                }
                if let Some(h) = &a.hint {
                    self.err(h.ja.span(), format!("confirm: only the first confirm of {} in step {id} carries the line's hint; remove this one", f.get_ref()));
                }
            }
        }
        if checklist {
            for p in &s.provides {
                let key = p.get_ref().as_str();
                if facts.get(key).is_some_and(|d| d.confirmable) && !lines.contains(&key) {
                    self.err(
                        p.span(),
                        format!(
                            "checklist step {id} provides {key} but has no confirm line for it"
                        ),
                    );
                }
            }
        }
    }

    fn official_url(&mut self, url: &Spanned<String>, domains: &HashSet<&str>) {
        match https_host(url.get_ref()) {
            None => self.err(url.span(), format!("url {:?} must be https:// with a plain host", url.get_ref())),
            Some(h) if !domains.contains(h) => self.err(
                url.span(),
                format!("url {:?}: host {h} is not in official_domains; only official hosts may be opened", url.get_ref()),
            ),
            _ => {}
        }
    }

    fn action(
        &mut self,
        a: &Action,
        domains: &HashSet<&str>,
        facts: &HashMap<&str, &FactDecl>,
        step_ids: &HashMap<&str, usize>,
        sources: &HashMap<&str, Confidence>,
    ) {
        let kind = *a.kind.get_ref();
        let at = a.kind.span();
        let present = [
            ("label", a.label.is_some()),
            ("url", a.url.is_some()),
            ("qr", a.qr.is_some()),
            ("platform", a.platform.is_some()),
            ("fact", a.fact.is_some()),
            ("value", a.value.is_some()),
            ("picture", a.picture.is_some()),
            ("hint", a.hint.is_some()),
            ("minutes", a.minutes.is_some()),
            ("confidence", a.confidence.is_some()),
            ("on_expiry", a.on_expiry.is_some()),
            ("expired", a.expired.is_some()),
            ("sources", !a.sources.is_empty()),
            ("starts", a.starts.is_some()),
            ("go_to", a.go_to.is_some()),
            ("counter", a.counter.is_some()),
            ("remaining", a.remaining.is_some()),
        ];
        let qr = a.qr.as_ref().map(|q| *q.get_ref());
        let (needed, allowed): (&[&str], &[&str]) = match kind {
            ActionKind::OpenUrl => (&["label", "url"], &["label", "url"]),
            ActionKind::CopyAccountId => (&["label"], &["label"]),
            ActionKind::Confirm => (
                &["label", "fact", "value"],
                &["label", "fact", "value", "picture", "hint"],
            ),
            ActionKind::StartPhoneCheck | ActionKind::StopPhoneCheck => (&[], &[]),
            ActionKind::StartWindow => (
                &["minutes", "confidence", "on_expiry", "expired", "sources"],
                &[
                    "minutes",
                    "confidence",
                    "on_expiry",
                    "expired",
                    "sources",
                    "starts",
                ],
            ),
            ActionKind::Choose => (
                &["label", "picture", "go_to"],
                &["label", "picture", "go_to", "hint"],
            ),
            ActionKind::CountFailure => (&["label", "counter"], &["label", "counter"]),
            ActionKind::CountRemaining => (
                &["label", "counter", "remaining"],
                &["label", "counter", "remaining"],
            ),
            ActionKind::EnterExpiry => (
                &["label", "confidence", "on_expiry", "expired", "sources"],
                &[
                    "label",
                    "confidence",
                    "on_expiry",
                    "expired",
                    "sources",
                    "hint",
                ],
            ),
            ActionKind::ShowQr => match qr {
                None | Some(QrKind::PhoneCheck) => (&["qr"], &["qr", "label"]),
                Some(QrKind::Url) => (&["qr", "url"], &["qr", "url", "label"]),
                Some(QrKind::AppStore) => (
                    &["qr", "url", "platform"],
                    &["qr", "url", "platform", "label"],
                ),
            },
        };
        let kind_name = kind.as_str();
        for (name, is) in present {
            if is && !allowed.contains(&name) {
                self.err(
                    at.clone(),
                    format!(
                        "action {kind_name}: field {name} does not apply to this kind; remove it"
                    ),
                );
            }
            if !is && needed.contains(&name) {
                self.err(
                    at.clone(),
                    format!("action {kind_name}: field {name} is required for this kind"),
                );
            }
        }
        if let Some(l) = &a.label {
            self.text(l, &format!("action {kind_name} label"));
        }
        if let Some(hint) = &a.hint {
            self.text(hint, &format!("action {kind_name} hint"));
        }
        if let Some(p) = &a.picture
            && !is_ident(p.get_ref())
        {
            self.err(
                p.span(),
                format!(
                    "picture id {:?} must be lower-case letters, digits or '_'",
                    p.get_ref()
                ),
            );
        }
        if let Some(u) = &a.url {
            self.official_url(u, domains);
        }
        if kind == ActionKind::Confirm
            && let (Some(f), Some(v)) = (&a.fact, &a.value)
            && self.fact_values(f, std::slice::from_ref(v), facts)
            && !facts
                .get(f.get_ref().as_str())
                .is_some_and(|d| d.confirmable)
        {
            self.err(
                f.span(),
                format!(
                    "confirm: fact {} is not declared confirmable = true",
                    f.get_ref()
                ),
            );
        }
        if kind == ActionKind::Choose
            && let Some(t) = &a.go_to
            && !step_ids.contains_key(t.get_ref().as_str())
        {
            self.err(
                t.span(),
                format!("go_to = {:?}: no step has that id", t.get_ref()),
            );
        }
        if matches!(kind, ActionKind::StartWindow | ActionKind::EnterExpiry) {
            if let Some(m) = &a.minutes
                && !(1..=24 * 60).contains(m.get_ref())
            {
                self.err(m.span(), "minutes must be between 1 and 1440");
            }
            if let Some(t) = &a.on_expiry
                && !step_ids.contains_key(t.get_ref().as_str())
            {
                self.err(
                    t.span(),
                    format!("on_expiry = {:?}: no step has that id", t.get_ref()),
                );
            }
            if let Some(e) = &a.expired {
                self.text(e, &format!("{kind_name} expired"));
            }
            self.source_refs(&a.sources, sources, at.clone(), kind_name);
            if let Some(c) = &a.confidence {
                let cited: Vec<Confidence> = a
                    .sources
                    .iter()
                    .filter_map(|s| sources.get(s.get_ref().as_str()).copied())
                    .collect();
                if !cited.is_empty() && !cited.contains(c.get_ref()) {
                    self.err(
                        c.span(),
                        format!("confidence = \"{}\" but none of the window's sources is of that kind; label it as its sources allow", c.get_ref().as_str()),
                    );
                }
            }
        }
    }

    /// Reachability and "the phone's line is established before it is needed".
    fn graph(&mut self, pb: &Playbook, ids: &HashMap<&str, usize>) {
        let n = pb.steps.len();
        // Where a step leads: its choices if it has any, else its next.
        let successors = |i: usize| -> Vec<usize> {
            let s = &pb.steps[i];
            let chosen: Vec<usize> = s
                .choices()
                .filter_map(|t| ids.get(t.as_str()).copied())
                .collect();
            if !chosen.is_empty() {
                chosen
            } else if s.end {
                vec![]
            } else if let Some(nx) = &s.next {
                ids.get(nx.get_ref().as_str())
                    .copied()
                    .into_iter()
                    .collect()
            } else if i + 1 < n {
                vec![i + 1]
            } else {
                vec![]
            }
        };
        // Symptoms can be reported from any step and expiries happen on their own, so their
        // targets are reachable once the flow has started.
        let mut entries = vec![0usize];
        for sy in &pb.symptoms {
            entries.extend(
                sy.rules
                    .iter()
                    .filter_map(|r| ids.get(r.go_to.get_ref().as_str()).copied()),
            );
        }
        for s in &pb.steps {
            for a in &s.actions {
                if let Some(t) = &a.on_expiry {
                    entries.extend(ids.get(t.get_ref().as_str()).copied());
                }
            }
        }
        for c in &pb.counters {
            entries.extend(ids.get(c.on_stop.get_ref().as_str()).copied());
        }
        let reach = |start: &[usize], blocked: &dyn Fn(usize) -> bool| -> Vec<bool> {
            let mut seen = vec![false; n];
            let mut stack: Vec<usize> = start.iter().copied().filter(|&i| !blocked(i)).collect();
            while let Some(i) = stack.pop() {
                if std::mem::replace(&mut seen[i], true) {
                    continue;
                }
                for j in successors(i) {
                    if !seen[j] && !blocked(j) {
                        stack.push(j);
                    }
                }
            }
            seen
        };
        let reachable = reach(&entries, &|_| false);
        for (i, s) in pb.steps.iter().enumerate() {
            if !reachable[i] {
                self.err(
                    s.id.span(),
                    format!(
                        "step {} cannot be reached: no next, go_to or on_expiry leads to it",
                        s.id.get_ref()
                    ),
                );
            }
        }
        for (i, s) in pb.steps.iter().enumerate() {
            for r in &s.requires {
                let key = r.fact.get_ref().as_str();
                let provides = |j: usize| pb.steps[j].provides.iter().any(|p| p.get_ref() == key);
                if !(0..n).any(provides) {
                    self.err(
                        r.fact.span(),
                        format!("step {} requires {key}, but no step provides it; add provides = [\"{key}\"] to the step that establishes it", s.id.get_ref()),
                    );
                } else if i != 0 && reach(&[0], &provides)[i] {
                    self.err(
                        r.fact.span(),
                        format!("step {} requires {key}, but the route from the first step reaches it without passing a step that provides it; move that step earlier", s.id.get_ref()),
                    );
                }
            }
        }
    }
}

fn join(values: &[Spanned<String>]) -> String {
    values
        .iter()
        .map(|v| v.get_ref().as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_host_rejects_other_schemes_ports_and_credentials() {
        assert_eq!(https_host("https://id.auone.jp/x?y"), Some("id.auone.jp"));
        assert_eq!(https_host("https://id.auone.jp"), Some("id.auone.jp"));
        assert_eq!(https_host("http://id.auone.jp/"), None);
        assert_eq!(https_host("https://id.auone.jp:8443/"), None);
        assert_eq!(https_host("https://evil@id.auone.jp/"), None);
        assert_eq!(https_host("https:///path"), None);
    }

    #[test]
    fn dates_and_keys_have_a_strict_shape() {
        assert!(is_date("2026-11-20"));
        assert!(is_date("2026-11"));
        assert!(!is_date("2026-1"));
        assert!(!is_date("2026-13-01"));
        assert!(!is_date("20261120"));
        assert!(is_fact_key("phone.private_relay"));
        assert!(!is_fact_key("phone"));
        assert!(!is_fact_key("Phone.VPN"));
    }
}
