"""Input validation: every broken file in tests/data/bad/ fails with one clear sentence.

The table of what each file must say is tests/data/bad/EXPECTED.yaml; the same table drives
tests/sim/test_cli_errors.py.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

import scenarios
import sim
from agents.promotions import Promotion
from sim.schema import Strategy

BAD = Path(__file__).resolve().parents[1] / "data" / "bad"
EXPECTED: dict[str, dict[str, Any]] = yaml.safe_load((BAD / "EXPECTED.yaml").read_text())


@pytest.fixture(scope="module")
def double11() -> sim.Scenario:
    return scenarios.load("double11")


def _load(path: Path, kind: str, scenario: sim.Scenario) -> object:
    if kind == "scenario":
        return scenarios.load(path)
    return sim.load_strategy_file(path, scenario)


def _check_message(err: sim.InputError, path: Path, expected: dict[str, Any]) -> None:
    text = str(err)
    assert "\n" not in text, f"not one line: {text!r}"
    assert "Traceback" not in text
    assert err.source == str(path)
    head = f"{path}: {expected['field']}" if expected["field"] else f"{path}: "
    assert text.startswith(head), f"{text!r} does not start with {head!r}"
    for part in expected["contains"]:
        assert part in text, f"{part!r} not in {text!r}"


def test_every_bad_file_is_in_the_table() -> None:
    on_disk = {p.name for p in BAD.glob("*.yaml")} - {"EXPECTED.yaml"}
    assert on_disk == set(EXPECTED)
    assert len(on_disk) >= 14
    for name, entry in EXPECTED.items():
        assert entry["kind"] in ("scenario", "strategy"), name
        assert set(entry) == {"kind", "field", "contains"}, name


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_file_says_what_is_broken_on_its_first_line(name: str) -> None:
    first = (BAD / name).read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# BROKEN: ") and len(first) > len("# BROKEN: ") + 5


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_file_fails_with_one_clear_sentence(name: str, double11: sim.Scenario) -> None:
    expected = EXPECTED[name]
    path = BAD / name
    try:
        _load(path, expected["kind"], double11)
    except sim.InputError as err:
        _check_message(err, path, expected)
    except Exception as exc:  # any other exception would reach the user as a traceback
        pytest.fail(f"{name}: raised {type(exc).__name__} ({exc}) instead of sim.InputError")
    else:
        pytest.fail(f"{name}: loaded without an error")


def test_bad_scenario_files_also_fail_when_named_by_a_string_path() -> None:
    for name, expected in EXPECTED.items():
        if expected["kind"] == "scenario":
            with pytest.raises(sim.InputError) as info:
                scenarios.load(str(BAD / name))
            _check_message(info.value, BAD / name, expected)


def test_unknown_channel_is_caught_only_against_a_scenario(double11: sim.Scenario) -> None:
    path = BAD / "strategy_unknown_channel.yaml"
    plan = sim.load_strategy_file(path)  # no scenario: the names cannot be checked
    assert set(plan.shares) == {"serach", "social"}
    with pytest.raises(sim.InputError, match="did you mean 'search'"):
        sim.load_strategy_file(path, double11)


@pytest.mark.parametrize("name", scenarios.names())
def test_every_shipped_scenario_validates(name: str) -> None:
    sc = scenarios.load(name)
    assert isinstance(sc, sim.Scenario)
    assert sc.name == name
    assert sc.horizon.n_days >= 1 and sc.population.size >= 1
    assert sum(s.share for s in sc.population.segments.values()) == pytest.approx(1.0)
    # by path too, and the default plan fits the scenario's channels
    assert scenarios.load(str(scenarios.path(name))) == sc
    assert set(sc.strategy.shares) <= set(sc.channels)


def test_shipped_scenarios_include_baseline_and_double11() -> None:
    assert {"baseline", "double11"} <= set(scenarios.names())


def test_with_overrides_replaces_fields_and_keeps_the_original(double11: sim.Scenario) -> None:
    small = double11.with_overrides({"population.size": 1000, "horizon.days": 10})
    assert small.population.size == 1000
    assert small.horizon.n_days == 10
    assert small.population.segments == double11.population.segments
    assert double11.population.size == 50_000 and double11.horizon.n_days == 61


@pytest.mark.parametrize(("overrides", "field", "allowed"), [
    ({"population.size": 0}, "population.size", "greater than or equal to 1"),
    ({"horizon.days": "sixty"}, "horizon.days", "valid integer"),
    ({"strategy.budget": -1}, "strategy.budget", "greater than or equal to 0"),
    ({"population.sizee": 10}, "population.sizee", "did you mean 'size'"),
    ({"populaton.size": 10}, "populaton.size", "not a section"),
])
def test_bad_override_names_the_field(double11: sim.Scenario, overrides: dict[str, Any],
                                      field: str, allowed: str) -> None:
    with pytest.raises(sim.InputError) as info:
        double11.with_overrides(overrides)
    text = str(info.value)
    assert info.value.field == field
    assert text.startswith(f"overrides: {field}: ")
    assert allowed in text and "\n" not in text


def test_misspelt_scenario_name_gets_a_hint() -> None:
    with pytest.raises(sim.InputError) as info:
        scenarios.load("doubel11")
    text = str(info.value)
    assert text.startswith("doubel11: ")
    assert "did you mean 'double11'" in text
    assert "baseline" in text and "\n" not in text


def test_missing_scenario_file_is_an_input_error(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.yaml"
    with pytest.raises(sim.InputError, match="no such file") as info:
        scenarios.load(missing)
    assert str(info.value).startswith(str(missing))


def _rich_strategy() -> Strategy:
    return Strategy(
        budget=2_500_000.0,
        shares={"search": 0.4, "social": 0.35, "kol": 0.25},
        phasing={"normal": 0.2, "warmup": 0.3, "burst": 0.4, "hangover": 0.1},
        flighting={"kol": [{"start": dt.date(2026, 11, 1), "end": dt.date(2026, 11, 3)},
                           {"start": dt.date(2026, 11, 11), "end": dt.date(2026, 11, 11)}]},
        promotions=[
            Promotion(name="early_bird", discount=0.1, start=dt.date(2026, 10, 20),
                      end=dt.date(2026, 10, 31), categories=["fashion", "beauty"]),
            Promotion(name="main_day", discount=0.3, start=dt.date(2026, 11, 11),
                      end=dt.date(2026, 11, 11)),
        ],
    )


@pytest.mark.parametrize("which", ["double11", "baseline", "rich", "empty"])
def test_strategy_round_trips_through_yaml(which: str, tmp_path: Path,
                                           double11: sim.Scenario) -> None:
    plan = {"double11": double11.strategy, "baseline": scenarios.load("baseline").strategy,
            "rich": _rich_strategy(), "empty": Strategy()}[which]
    text = sim.strategy_to_yaml(plan)
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    back = sim.load_strategy_file(path, double11)
    assert back == plan
    assert sim.strategy_to_yaml(back) == text
