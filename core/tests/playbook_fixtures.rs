//! Malformed playbooks are rejected with the expected `file:line` and message; the good
//! ones load. Loading never panics, whatever the bytes.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use tebiki_core::playbook::{self, load_file, load_str};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/playbooks")
}

/// (file in `bad/`, line of the defect, part of the message that says what to fix)
const EXPECTED: &[(&str, usize, &str)] = &[
    (
        "approval_reachable_before_wifi_step",
        72,
        "reaches it without passing a step that provides it",
    ),
    (
        "approval_satisfied_by_confirmation_only",
        62,
        "must have a requirement the user cannot merely confirm",
    ),
    (
        "bad_checked_date",
        13,
        "must be the date it was read, as \"YYYY-MM-DD\"",
    ),
    (
        "checklist_line_without_picture",
        79,
        "the first confirm of phone.relay in checklist step ready needs picture",
    ),
    (
        "confirm_of_fact_not_provided",
        80,
        "step ready confirms phone.relay but does not provide it",
    ),
    (
        "confirm_on_measured_fact",
        55,
        "fact phone.network is not declared confirmable",
    ),
    ("choose_single_option", 31, "a choice needs at least two"),
    (
        "choose_to_unknown_step",
        41,
        "go_to = \"nowhere\": no step has that id",
    ),
    (
        "choose_without_picture",
        40,
        "action choose: field picture is required",
    ),
    (
        "counter_locks_after_one",
        23,
        "locks_after must be between 2 and 10",
    ),
    (
        "counter_remaining_out_of_range",
        94,
        "remaining = 3 must be between 1 and locks_after - 1 (2)",
    ),
    (
        "counter_stops_at_the_counting_step",
        24,
        "asks for the same number again",
    ),
    (
        "counter_unknown",
        87,
        "counter = \"pim\": no [[counters]] entry has that id",
    ),
    (
        "expiry_without_on_expiry",
        66,
        "action enter_expiry: field on_expiry is required",
    ),
    ("duplicate_step_id", 87, "step id \"approve\" is used twice"),
    ("empty_japanese_body", 33, "the ja text is empty"),
    (
        "field_not_for_action_kind",
        38,
        "action open_url: field minutes does not apply",
    ),
    ("http_url", 39, "must be https://"),
    (
        "last_step_without_end",
        87,
        "the last step done has no next step; add next = \"…\" or end = true",
    ),
    (
        "measured_fact_value_typo",
        19,
        "phone.network is measured by Tebiki and is never \"lte\"",
    ),
    ("missing_english_title", 31, "missing field `en`"),
    (
        "next_to_unknown_step",
        36,
        "next = \"nowhere\": no step has that id",
    ),
    ("not_toml_at_all", 1, "expected `=`"),
    (
        "nothing_provides_the_line",
        71,
        "requires phone.network, but no step provides it",
    ),
    (
        "official_domain_with_scheme",
        6,
        "must be a bare lower-case host",
    ),
    (
        "official_source_without_url",
        10,
        "source \"guide\" has no url",
    ),
    (
        "requirement_on_undeclared_fact",
        71,
        "fact \"phone.bluetooth\" is not declared",
    ),
    (
        "requirement_value_not_declared",
        72,
        "never has the value \"5g\"",
    ),
    (
        "step_requires_what_it_provides",
        54,
        "both requires and provides phone.vpn",
    ),
    ("step_without_sources", 87, "step done cites no sources"),
    (
        "symptom_go_to_unknown_step",
        105,
        "go_to = \"nowhere\": no step has that id",
    ),
    ("syntax_unterminated_string", 31, "invalid basic string"),
    ("unknown_action_kind", 38, "unknown variant `launch_rocket`"),
    ("unknown_field", 30, "unknown field `colour`"),
    (
        "unknown_source",
        35,
        "source \"blog\" is not declared in [[sources]]",
    ),
    ("unreachable_step", 97, "step orphan cannot be reached"),
    ("unsupported_format", 1, "format = 2 is not supported"),
    (
        "url_outside_official_domains",
        39,
        "host evil.example is not in official_domains",
    ),
    (
        "window_overclaims_confidence",
        80,
        "confidence = \"user_report\" but none of the window's sources",
    ),
    (
        "window_start_unknown",
        100,
        "unknown variant `sometime`, expected `on_next` or `on_enter`",
    ),
    (
        "window_without_minutes",
        78,
        "action start_window: field minutes is required",
    ),
    ("zero_max_age", 73, "max_age_secs = 0 can never be met"),
];

#[test]
fn every_malformed_fixture_is_rejected_at_the_expected_line_with_what_to_fix() {
    let dir = fixtures().join("bad");
    let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| {
            e.unwrap()
                .path()
                .file_stem()
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = EXPECTED.iter().map(|(n, _, _)| (*n).to_owned()).collect();
    listed.sort();
    assert_eq!(
        on_disk, listed,
        "every fixture has an expectation and vice versa"
    );
    assert!(EXPECTED.len() >= 15);

    for (name, line, needle) in EXPECTED {
        let file = format!("{name}.toml");
        let text = std::fs::read_to_string(dir.join(&file)).unwrap();
        let errors = load_str(&file, &text)
            .err()
            .unwrap_or_else(|| panic!("{file} was accepted"));
        let prefix = format!("{file}:{line}:");
        let hit = errors
            .iter()
            .find(|e| e.to_string().starts_with(&prefix) && e.message.contains(needle));
        assert!(
            hit.is_some(),
            "{file}: expected an error at line {line} containing {needle:?}, got:\n{}",
            errors
                .iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        );
        for e in &errors {
            assert!(
                e.line >= 1 && e.column >= 1,
                "{file}: every error has a position: {e}"
            );
        }
    }
}

#[test]
fn the_minimal_fixture_and_the_bundled_playbooks_load() {
    let pb = load_file(&fixtures().join("good/minimal.toml")).unwrap();
    assert_eq!(pb.id(), "mini");
    assert_eq!(pb.main_route().len(), 4);
    let (good, bad) = playbook::bundled();
    assert!(bad.is_empty(), "{bad:?}");
    assert!(!good.is_empty());
}

#[test]
fn a_missing_file_is_an_error_naming_the_path() {
    let errors = load_file(Path::new("/nonexistent/tebiki/x.toml")).unwrap_err();
    assert_eq!(errors.len(), 1);
    assert!(
        errors[0]
            .to_string()
            .starts_with("/nonexistent/tebiki/x.toml: cannot read the file"),
        "{}",
        errors[0]
    );
}

#[test]
fn one_bad_playbook_does_not_stop_the_others() {
    // The same loop `bundled` runs, over a good and a bad text.
    let good = std::fs::read_to_string(fixtures().join("good/minimal.toml")).unwrap();
    let bad = std::fs::read_to_string(fixtures().join("bad/http_url.toml")).unwrap();
    let results: Vec<_> = [("a.toml", good.as_str()), ("b.toml", bad.as_str())]
        .into_iter()
        .map(|(f, t)| load_str(f, t))
        .collect();
    assert!(results[0].is_ok());
    assert!(results[1].is_err());
}

#[test]
fn au_playbook_opens_only_its_official_domains_and_labels_the_window_as_a_user_report() {
    let (good, _) = playbook::bundled();
    let au = good.iter().find(|p| p.id() == "au-id").unwrap();
    let domains: Vec<&str> = au
        .official_domains
        .iter()
        .map(|d| d.get_ref().as_str())
        .collect();
    assert_eq!(domains, ["id.auone.jp", "www.au.com", "www.uqwimax.jp"]);
    let window = au
        .steps
        .iter()
        .flat_map(|s| s.actions.iter())
        .find(|a| *a.kind.get_ref() == playbook::ActionKind::StartWindow)
        .unwrap();
    assert_eq!(*window.minutes.as_ref().unwrap().get_ref(), 15);
    assert_eq!(
        *window.confidence.as_ref().unwrap().get_ref(),
        playbook::Confidence::UserReport
    );
    // Every requirement on the line is measured-only.
    for s in &au.steps {
        for r in &s.requires {
            if r.fact.get_ref() == "phone.network" {
                assert!(!r.confirmable, "step {}", s.id.get_ref());
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, .. ProptestConfig::default() })]

    #[test]
    fn loading_arbitrary_text_never_panics(text in "\\PC{0,400}") {
        let _ = load_str("fuzz.toml", &text);
    }

    #[test]
    fn loading_a_mangled_playbook_never_panics(cut in 0usize..4000, insert in "[\\[\\]=\"a-z.\\n ]{0,12}") {
        let good = std::fs::read_to_string(fixtures().join("good/minimal.toml")).unwrap();
        let mut cut = cut.min(good.len());
        while !good.is_char_boundary(cut) {
            cut -= 1;
        }
        let text = format!("{}{}{}", &good[..cut], insert, &good[cut..]);
        if let Err(errors) = load_str("mangled.toml", &text) {
            prop_assert!(!errors.is_empty());
        }
    }
}

#[test]
fn the_readme_example_is_the_minimal_fixture() {
    let readme = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../playbooks/README.md"),
    )
    .unwrap();
    let start = readme.find("```toml\n").expect("README has a toml example") + "```toml\n".len();
    let len = readme[start..].find("```").unwrap();
    let example = &readme[start..start + len];
    let fixture = std::fs::read_to_string(fixtures().join("good/minimal.toml")).unwrap();
    // The fixture starts with one comment line the README leaves out.
    let fixture_body = fixture.split_once('\n').unwrap().1;
    assert_eq!(
        example, fixture_body,
        "keep playbooks/README.md's example in step with the fixture"
    );
    assert!(load_str("README.md", example).is_ok());
}
