"""What people read: every parameter and scenario has a readable label, numbers in the
language's format, and no internal name in a generated label."""

from __future__ import annotations

import re

import pytest

from simcoop import config as schema
from simcoop import labels
from simcoop.labels import count, euro, fmt, fmt_difference, label, number, override_label, percent
from simcoop.analysis.naming import combination_label, scenario_label
from simcoop.run import group_options

NOT_SHOWN = {"seed", "scenario_name", "sweep_name", "data.path", "experiment.name", "sample.file", "sample.id"}


def test_every_parameter_and_option_has_a_label_in_both_languages():
    for name, _ in schema.iter_params():
        if name not in NOT_SHOWN:
            assert labels.has_label(name), name
    for group in ("key", "region_rule", "incentive", "behaviour", "data"):
        for option in group_options(group):
            assert labels.has_label(f"{group}.{option}"), f"{group}.{option}"
    for key, (nl, en) in labels.LABELS.items():
        assert nl.strip() and en.strip(), key


def test_dutch_numbers_use_a_decimal_comma_and_whole_counts():
    assert number(1234.5, "nl") == "1.234,5" and number(1234.5, "en") == "1,234.5"
    assert count(23.67, "nl") == "24"
    assert percent(0.57, "nl") == "57 %" and percent(0.57, "en") == "57%"
    assert euro(12345, "nl") == "€ 12.345"
    assert fmt("coverage_municipalities", 0.594, "nl") == "59 %"
    assert fmt("n_igs", 23.67, "nl") == "24"
    assert fmt("dominance_mean", 0.1234, "nl") == "0,12"
    assert fmt_difference("coverage_municipalities", 0.031, "nl") == "+3 procentpunt"
    assert fmt_difference("coverage_municipalities", -0.001, "nl") == "±0 procentpunt"
    assert fmt_difference("net_eur", -2827.4, "nl") == "-€ 2.827"


def test_overrides_read_as_words_not_config_paths():
    assert override_label("key", "per_budget", "nl") == "verdeelsleutel: volgens begroting"
    assert override_label("incentive.subsidy_per_inhabitant", 1.5, "nl") == \
        "Vlaamse subsidie per inwoner (euro): 1,5"
    assert override_label("region_rule.deadline", 2031, "nl") == "termijn van de regioregel: 2031"
    text = combination_label({"scenario": "current_policy", "incentive.subsidy_per_inhabitant": 0.9}, "en")
    assert text == "Current policy, Flemish subsidy per inhabitant (EUR): 0.9"


def test_a_scenario_without_a_label_is_described_by_what_it_changes(monkeypatch):
    monkeypatch.delitem(labels.LABELS, "scenario.no_heritage_cells")
    text = scenario_label("no_heritage_cells", "nl")
    assert text == "Aandeel niet-gelijste gemeenten in een erfgoedcel vooraf: 0; gekende erfgoedsamenwerking telt mee: nee"
    assert not re.search(r"\w+_\w+|\w\.\w", text)  # no internal name, no config path


def test_an_unknown_language_is_refused():
    with pytest.raises(ValueError, match="accepted: one of nl, en"):
        label("n_igs", "fr")
