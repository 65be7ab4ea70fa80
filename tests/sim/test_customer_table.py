"""Reading a customer table: the checks, one sentence per problem, paths and the cache."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml

import scenarios
import sim
from sim._io import scenario_to_yaml
from sim.customer_table import read_customer_table

SEGMENT = {"purchase": {"r": 0.24, "alpha": 30.9}, "dropout": {"a": 0.79, "b": 2.43},
           "basket": {"mean": 35.0}}


def good_rows(n: int = 4) -> pd.DataFrame:
    return pd.DataFrame({
        "customer": [f"c{i}" for i in range(n)], "segment": ["a", "b"] * (n // 2),
        "city_tier": ["tier1", ""] * (n // 2), "frequency": [0, 2] * (n // 2),
        "recency": [0, 30] * (n // 2), "T": [40, 60] * (n // 2),
        "monetary": [0.0, 25.0] * (n // 2), "n_orders": [1, 3] * (n // 2),
        "spend": [20.0, 75.0] * (n // 2), "categories.goods": [1, 3] * (n // 2)})


def write_scenario(folder: Path, file: str = "customers.csv", size: int = 100,
                   **population: Any) -> Path:
    """A two-segment market with one category, no channels, 90 days, naming ``file``."""
    folder.mkdir(parents=True, exist_ok=True)
    data = {"name": "tiny", "horizon": {"start": "2026-01-05", "days": 90},
            "population": {"size": size, "scale": 1.0, "initial_customer_share": 0.0,
                           "customers": {"file": file},
                           "segments": {"a": {"share": 0.5, **SEGMENT},
                                        "b": {"share": 0.5, **SEGMENT}}, **population},
            "catalog": {"categories": {"goods": {"price": 35.0, "unit_cost": 20.0}}}}
    path = folder / "market.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def load_with(tmp_path: Path, rows: pd.DataFrame | str) -> sim.Scenario:
    table = tmp_path / "customers.csv"
    if isinstance(rows, str):
        table.write_text(rows)
    else:
        rows.to_csv(table, index=False)
    return scenarios.load(write_scenario(tmp_path))


def test_a_good_table_is_read_into_the_scenario(tmp_path: Path) -> None:
    sc = load_with(tmp_path, good_rows())
    h = sc.customer_history
    assert h is not None and h.size == 4
    assert h.ids.tolist() == ["c0", "c1", "c2", "c3"]
    assert h.segment.tolist() == [0, 1, 0, 1] and h.city_tier.tolist() == [0, -1, 0, -1]
    assert h.frequency.tolist() == [0, 2, 0, 2] and h.T.tolist() == [40, 60, 40, 60]
    assert h.categories is not None and h.categories[:, 0].tolist() == [1, 3, 1, 3]
    assert not h.ids.flags.writeable  # shared by every scenario reading the file


def test_parquet_reads_like_csv(tmp_path: Path) -> None:
    good_rows().to_parquet(tmp_path / "customers.parquet", index=False)
    good_rows().to_csv(tmp_path / "customers.csv", index=False)
    seg, cat = ["a", "b"], ["goods"]
    pq = read_customer_table(tmp_path / "customers.parquet", seg, cat)
    csv = read_customer_table(tmp_path / "customers.csv", seg, cat)
    for name in ("ids", "segment", "city_tier", "frequency", "recency", "T", "monetary",
                 "n_orders", "spend", "categories"):
        assert np.array_equal(getattr(pq, name), getattr(csv, name)), name


def _broken(column: str, row: int, value: Any) -> pd.DataFrame:
    rows = good_rows().astype(object)
    rows.loc[row - 1, column] = value
    return rows


BAD_ROWS = {
    "negative frequency": (_broken("frequency", 2, -1), "frequency", 2, "at least 0"),
    "recency above T": (_broken("recency", 2, 61), "recency", 2, "at most T"),
    "text for a number": (_broken("T", 3, "soon"), "T", 3, "must be a number"),
    "part of a day": (_broken("T", 1, 40.5), "T", 1, "whole number"),
    "unknown segment": (_broken("segment", 4, "bb"), "segment", 4, "did you mean 'b'"),
    "unknown city tier": (_broken("city_tier", 1, "tier9"), "city_tier", 1, "tier1"),
    "duplicate id": (_broken("customer", 3, "c1"), "customer", 3, "repeats the id 'c1'"),
    "no repeat value": (_broken("monetary", 2, 0.0), "monetary", 2, "above 0"),
    "too few orders": (_broken("n_orders", 2, 2), "n_orders", 2, "more than frequency"),
    "recency without repeats": (_broken("recency", 1, 5), "recency", 1, "must be 0"),
    "negative category count": (_broken("categories.goods", 4, -2), "categories.goods", 4,
                                "at least 0"),
}


@pytest.mark.parametrize("case", list(BAD_ROWS))
def test_a_bad_row_is_named_with_its_file_column_and_row(tmp_path: Path, case: str) -> None:
    rows, column, row, says = BAD_ROWS[case]
    with pytest.raises(sim.InputError) as err:
        load_with(tmp_path, rows)
    e = err.value
    assert e.source == str((tmp_path / "customers.csv").resolve())
    assert e.field == column
    assert e.message.startswith(f"row {row} ")
    assert says in e.message
    assert "\n" not in str(e) and str(e).count("; ") <= 2


BAD_FILES = {
    "missing column": (good_rows().drop(columns="spend"), "spend", "required column"),
    "unknown category column": (good_rows().rename(columns={"categories.goods":
                                                            "categories.food"}),
                                "categories.food", "unknown catalog category 'food'"),
    "unknown column": (good_rows().rename(columns={"spend": "spent"}), "spent",
                       "did you mean 'spend'"),
    "no segment with two segments": (good_rows().drop(columns="segment"), "segment",
                                     "2 segments (a, b)"),
    "header only": ("customer,frequency,recency,T,monetary,n_orders,spend\n", None,
                    "no customers"),
    "empty file": ("", None, "the file is empty"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_a_bad_table_is_named_with_its_file_and_column(tmp_path: Path, case: str) -> None:
    rows, column, says = BAD_FILES[case]
    with pytest.raises(sim.InputError) as err:
        load_with(tmp_path, rows)
    assert err.value.source == str((tmp_path / "customers.csv").resolve())
    assert err.value.field == column
    assert says in err.value.message and "\n" not in str(err.value)


def test_a_missing_table_is_caught_when_the_scenario_loads(tmp_path: Path) -> None:
    with pytest.raises(sim.InputError) as err:
        scenarios.load(write_scenario(tmp_path, file="nowhere.csv"))
    assert err.value.source == str(tmp_path.resolve() / "nowhere.csv")
    assert "no such file" in err.value.message


def test_a_table_of_another_kind_is_refused(tmp_path: Path) -> None:
    (tmp_path / "customers.xlsx").write_text("x")
    with pytest.raises(sim.InputError, match=r"a \.csv or \.parquet file"):
        scenarios.load(write_scenario(tmp_path, file="customers.xlsx"))


def test_population_must_hold_the_simulated_share_of_the_table(tmp_path: Path) -> None:
    good_rows(40).to_csv(tmp_path / "customers.csv", index=False)
    path = write_scenario(tmp_path, size=30)
    with pytest.raises(sim.InputError) as err:
        scenarios.load(path)
    assert err.value.source == str(path) and err.value.field == "population.size"
    assert "at least 40" in err.value.message
    assert str((tmp_path / "customers.csv").resolve()) in err.value.message
    sc = scenarios.load(write_scenario(tmp_path, size=80)).with_population(20)  # scale 4
    assert sc.customer_history.used(sc.population.scale) == 10
    with pytest.raises(sim.InputError) as err:  # 10 table customers do not fit in 5 shoppers
        sc.with_overrides({"population.size": 5})
    assert err.value.source == "overrides" and err.value.field == "population.size"
    assert "at least 10" in err.value.message
    with pytest.raises(sim.InputError) as err:
        sc.with_population(160)  # scale 0.5: a row would be half a customer
    assert err.value.field == "population.scale"


def test_a_relative_path_is_relative_to_the_scenario_file(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    folder = tmp_path / "shop"
    (folder / "data").mkdir(parents=True)
    good_rows().to_csv(folder / "data" / "customers.csv", index=False)
    path = write_scenario(folder, file="data/customers.csv")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    sc = scenarios.load(path)
    table = (folder / "data" / "customers.csv").resolve()
    assert sc.population.customers is not None and sc.population.customers.file == table
    # written out, the path is absolute: a copy of the scenario in another folder still runs
    copy = elsewhere / "copy.yaml"
    copy.write_text(scenario_to_yaml(sc))
    assert yaml.safe_load(copy.read_text())["population"]["customers"]["file"] == str(table)
    assert scenarios.load(copy).customer_history.ids.tolist() == ["c0", "c1", "c2", "c3"]


def test_a_scenario_built_in_python_resolves_against_the_current_directory(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    good_rows().to_csv(tmp_path / "customers.csv", index=False)
    data = yaml.safe_load(write_scenario(tmp_path / "sub", file="customers.csv").read_text())
    monkeypatch.chdir(tmp_path)
    sc = sim.Scenario.model_validate(data)
    assert sc.population.customers is not None
    assert sc.population.customers.file == (tmp_path / "customers.csv").resolve()
    assert sc.customer_history is not None and sc.customer_history.size == 4


def test_a_table_is_read_once_per_version_of_the_file(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch
                                                      ) -> None:
    calls = []
    read_csv = pd.read_csv

    def counting(*args: Any, **kwargs: Any) -> pd.DataFrame:
        calls.append(args[0])
        return read_csv(*args, **kwargs)

    monkeypatch.setattr(pd, "read_csv", counting)
    sc = load_with(tmp_path, good_rows())
    again = scenarios.load(write_scenario(tmp_path))
    changed = sc.with_overrides({"population.size": 50}).with_strategy(sc.strategy)
    assert again.customer_history is sc.customer_history is changed.customer_history
    assert len(calls) == 1
    shutil.copy(tmp_path / "customers.csv", tmp_path / "old.csv")
    good_rows(6).to_csv(tmp_path / "customers.csv", index=False)  # a new version
    assert scenarios.load(write_scenario(tmp_path)).customer_history.size == 6
    assert len(calls) == 2
