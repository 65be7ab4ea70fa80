"""The order log reader: merged customer-days, same result from every format and chunk
size, one sentence per bad value (file, column, row), first-day attributes, CDNOW."""

from __future__ import annotations

import gzip
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from cdnow_sample import CALIBRATION_END, HOLDOUT_END, orders, weekly

import calibrate
import calibrate.orders
from calibrate import OrderLog, read_orders
from sim.errors import InputError

HEADER = "user_id,paid_at,amount,cat,tier,seg,chan,promo"
ROWS = [  # customer a: three rows on 1 January (one order), then 8 and 15 January
    "a,2024-01-01 09:00,10.0,books,tier1,gold,app,1",
    "b,2024-01-03,7.0,toys,tier2,new,web,0",
    "a,2024-01-01 18:30,5.0,toys,tier3,silver,web,",
    "a,2024-01-01 23:59,2.5,books,tier1,gold,app,no",
    "c,2024-01-10,3.0,books,TIER4,new,shop,true",
    "a,2024-01-08,20.0,books,tier1,gold,app,0",
    "b,2024-01-03,1.0,books,tier2,other,app,0",
    "c,2024-01-02,99.0,toys,tier3,vip,web,false",
    "a,2024-01-15,40.0,toys,tier1,gold,app,0",
]
OPTIONS = {"category": "cat", "city_tier": "tier", "segment": "seg", "channel": "chan",
           "promotion": "promo"}


def _csv(tmp_path: Path, rows: list[str], header: str = HEADER,
         name: str = "orders.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def _read(source: str | Path | pd.DataFrame, **kw: object) -> OrderLog:
    return read_orders(source, "user_id", "paid_at", "amount", **{**OPTIONS, **kw})  # type: ignore[arg-type]


def _frame() -> pd.DataFrame:
    frame = pd.DataFrame([r.split(",") for r in ROWS], columns=HEADER.split(","))
    frame["amount"] = frame["amount"].astype(float)
    return frame


def assert_same(one: OrderLog, other: OrderLog) -> None:
    pd.testing.assert_frame_equal(one.days, other.days)
    assert list(one.ids) == list(other.ids)
    assert (one.first, one.last) == (other.first, other.last)
    for name in ("segment", "city_tier", "channel"):
        assert list(getattr(one, name)) == list(getattr(other, name)), name
    assert one.categories is not None and other.categories is not None
    pd.testing.assert_frame_equal(one.categories, other.categories)


def test_same_day_rows_are_one_order_with_their_values_summed(tmp_path: Path) -> None:
    log = _read(_csv(tmp_path, ROWS))
    assert list(log.ids) == ["a", "b", "c"]  # codes in the order of first appearance
    a = log.days[log.days["customer"] == 0]
    assert list(a["date"].dt.day) == [1, 8, 15]
    assert list(a["value"]) == [17.5, 20.0, 40.0]  # three rows on 1 January: one order
    assert list(a["promotion"]) == [True, False, False]  # any line flagged
    assert len(log.days) == 6 and log.days["value"].sum() == pytest.approx(187.5)
    assert (log.first, log.last) == (pd.Timestamp("2024-01-01"), pd.Timestamp("2024-01-15"))
    assert str(log.days["date"].dtype) == "datetime64[ns]"
    cats = log.categories
    assert cats is not None
    books = cats[(cats["customer"] == 0) & (cats["category"] == "books")].iloc[0]
    assert (books["orders"], books["value"]) == (2, 32.5)  # 1 Jan (10 + 2.5) and 8 Jan
    assert int(cats["orders"].sum()) == 8 and cats["value"].sum() == pytest.approx(187.5)


def test_first_order_day_attributes_ties_to_the_first_row(tmp_path: Path) -> None:
    log = _read(_csv(tmp_path, ROWS), chunk_rows=2)
    # a: first day 1 January, first row gold/tier1/app; c: 2 January comes after the
    # 10 January row in the file but is her first day
    assert list(log.segment) == ["gold", "new", "vip"]  # type: ignore[arg-type]
    assert list(log.city_tier) == ["tier1", "tier2", "tier3"]  # type: ignore[arg-type]
    assert list(log.channel) == ["app", "web", "web"]  # type: ignore[arg-type]


def test_csv_gzip_parquet_and_frame_give_the_same_log(tmp_path: Path) -> None:
    csv = _read(_csv(tmp_path, ROWS))
    packed = tmp_path / "orders.csv.gz"
    packed.write_bytes(gzip.compress(_csv(tmp_path, ROWS).read_bytes()))
    assert_same(csv, _read(packed))
    frame = _frame()
    assert_same(csv, _read(frame))
    stored = frame.assign(paid_at=pd.to_datetime(frame["paid_at"], format="ISO8601"),
                          promo=frame["promo"].isin(["1", "true"]))
    stored.to_parquet(tmp_path / "orders.parquet", row_group_size=4)
    assert_same(csv, _read(tmp_path / "orders.parquet"))
    assert_same(csv, _read(tmp_path / "orders.parquet", chunk_rows=3))


@pytest.mark.parametrize("chunk_rows", [1, 2, 4])
def test_chunked_reading_gives_the_unchunked_log(tmp_path: Path, chunk_rows: int) -> None:
    path = _csv(tmp_path, ROWS)
    assert_same(_read(path), _read(path, chunk_rows=chunk_rows))


def test_times_and_zones_keep_the_day_as_written(tmp_path: Path) -> None:
    rows = ["a,2024-11-11T00:30:00+08:00,1", "a,2024-11-10T23:30:00-05:00,2",
            "b,2024-11-11T23:59:59Z,3", "b,2024-11-12 08:00,4"]
    log = read_orders(_csv(tmp_path, rows, "user_id,paid_at,amount"),
                      "user_id", "paid_at", "amount")
    assert [str(d.date()) for d in log.days["date"]] == [
        "2024-11-10", "2024-11-11", "2024-11-11", "2024-11-12"]
    zoned = pd.DataFrame({"c": ["x"], "v": [1.0], "d": pd.to_datetime(
        ["2024-11-11 00:30"]).tz_localize("Asia/Shanghai")})
    assert read_orders(zoned, "c", "d", "v").first == pd.Timestamp("2024-11-11")


def test_a_day_first_or_compact_date_format_is_read_throughout(tmp_path: Path) -> None:
    rows = ["a,05/01/2024,1", "a,31/01/2024,1", "b,13/02/2024,1"]
    log = read_orders(_csv(tmp_path, rows, "c,d,v"), "c", "d", "v")
    assert [str(d.date()) for d in log.days["date"]] == ["2024-01-05", "2024-01-31",
                                                          "2024-02-13"]
    rows = ["a;20240105;1", "b;20240229;2"]  # semicolons, and dates as in CDNOW
    log = read_orders(_csv(tmp_path, rows, "c;d;v"), "c", "d", "v")
    assert list(log.days["date"].dt.strftime("%m-%d")) == ["01-05", "02-29"]


BAD = [  # (rows, chunk_rows, column, option, row number, words of the sentence)
    (["a,2024-01-01,1", "b,2024-02-30,1"], 10, "paid_at", "--date", 2,
     "has '2024-02-30', which is not a date"),
    (["a,2024-01-01,1", "b,,1"], 10, "paid_at", "--date", 2, "has no date"),
    (["a,2024-01-01,1", "b,1850-01-01,1"], 10, "paid_at", "--date", 2,
     "has 1850-01-01, outside the years 1900 to 2200"),
    (["a,2024-01-01,1", "a,2024-01-01,1", " ,2024-01-01,1"], 10, "user_id", "--customer", 3,
     "has no customer id"),
    (["a,2024-01-01,1", "a,2024-01-02,12,50"], 10, None, None, 2,
     "data row 2 (header excluded) has 4 fields where the header has 3"),
    (["a,2024-01-01,1", "a,2024-01-02,12€"], 10, "amount", "--value", 2,
     "has '12€', which is not a number"),
    (["a,2024-01-01,1"] * 4 + ["a,2024-01-02,-3"], 2, "amount", "--value", 5,
     "has -3, a negative order value"),
    (["a,2024-01-01,inf"], 10, "amount", "--value", 1,
     "has 'inf', which is not a finite number"),
    (["a,2024-01-01,1", "a,2024-01-01,"], 1, "amount", "--value", 2, "has no order value"),
]


@pytest.mark.parametrize(("rows", "chunk_rows", "column", "option", "row", "words"), BAD)
def test_a_bad_value_names_the_file_column_and_row(
        tmp_path: Path, rows: list[str], chunk_rows: int, column: str | None,
        option: str | None, row: int, words: str) -> None:
    path = _csv(tmp_path, rows, "user_id,paid_at,amount")
    with pytest.raises(InputError) as err:
        read_orders(path, "user_id", "paid_at", "amount", chunk_rows=chunk_rows)
    message = str(err.value)
    assert message.startswith(f"{path}: ")
    if column is not None:
        assert message.startswith(f"{path}: column '{column}' ({option}): data row {row} "
                                  f"(header excluded) {words}"), message
    assert words in message
    assert message.count(". ") == 0  # one sentence


def test_optional_columns_allow_what_they_say(tmp_path: Path) -> None:
    rows = [*ROWS[:2], "b,2024-01-04,1.0,toys,north,new,web,0"]
    with pytest.raises(InputError, match=r"column 'tier' \(--city-tier\): data row 3 "
                       r"\(header excluded\) has 'north', which is not a city tier; allowed: "
                       r"tier1, tier2, tier3, tier4"):
        _read(_csv(tmp_path, rows))
    rows = [*ROWS[:3], "b,2024-01-04,1.0,toys,tier1,new,web,maybe"]
    with pytest.raises(InputError, match=r"column 'promo' \(--promotion\): data row 4 .*"
                       r"'maybe', which is not a promotion flag; allowed: 1/0, true/false"):
        _read(_csv(tmp_path, rows))
    rows = [*ROWS[:1], "b,2024-01-04,1.0,,tier1,new,web,0"]
    with pytest.raises(InputError, match=r"column 'cat' \(--category\): data row 2 .*"
                       r"has no category"):
        _read(_csv(tmp_path, rows))


def test_a_bad_row_of_a_parquet_file_or_frame_is_counted_from_one(tmp_path: Path) -> None:
    frame = pd.DataFrame({"user_id": ["a", "b", "c"], "paid_at": ["2024-01-01"] * 3,
                          "amount": [1.0, 2.0, -1.0]})
    frame.to_parquet(tmp_path / "o.parquet", row_group_size=1)
    with pytest.raises(InputError, match=r"o\.parquet: column 'amount' \(--value\): row 3 "
                       r"has -1\.0, a negative"):
        read_orders(tmp_path / "o.parquet", "user_id", "paid_at", "amount", chunk_rows=1)
    with pytest.raises(InputError, match=r"^orders: column 'paid_at' \(--date\): row 2 has "
                       r"no date"):
        read_orders(frame.assign(paid_at=["2024-01-01", None, "2024-01-02"]),
                    "user_id", "paid_at", "amount")


def test_missing_columns_and_unreadable_files(tmp_path: Path) -> None:
    path = _csv(tmp_path, ROWS)
    with pytest.raises(InputError, match=r"orders\.csv: --date: there is no column 'paidat' "
                       r"\(did you mean 'paid_at'\?\); the columns are user_id, paid_at, "
                       r"amount, cat, tier, seg, chan, promo$"):
        read_orders(path, "user_id", "paidat", "amount")
    with pytest.raises(InputError, match=r"the order log has no data rows \(only a header\)"):
        read_orders(_csv(tmp_path, [], name="empty.csv"), "user_id", "paid_at", "amount")
    (tmp_path / "zero.csv").write_bytes(b"")
    (tmp_path / "x.csv").write_bytes(bytes(range(256)))
    (tmp_path / "book.xlsx").write_bytes(b"PK\x03\x04rest")
    (tmp_path / "bad.parquet").write_bytes(b"not parquet")
    for name, words in [("zero.csv", "the file is empty"), ("x.csv", "holds binary data"),
                        ("book.xlsx", "is a ZIP archive"), ("none.csv", "there is no such "
                        "file"), ("bad.parquet", "cannot be read as Parquet")]:
        with pytest.raises(InputError, match=words) as err:
            read_orders(tmp_path / name, "user_id", "paid_at", "amount")
        assert str(err.value).startswith(str(tmp_path / name))


def test_columns_of_lists_a_csv_header_or_a_parquet_schema(tmp_path: Path) -> None:
    names = HEADER.split(",")
    assert calibrate.orders.columns_of(_csv(tmp_path, ROWS)) == names
    assert calibrate.orders.columns_of(_csv(tmp_path, ["a;1"], "\ufeffid; paid", "s.csv")) \
        == ["id", "paid"]  # byte order mark and spaces dropped, semicolons
    packed = tmp_path / "o.csv.gz"
    packed.write_bytes(gzip.compress(_csv(tmp_path, ROWS).read_bytes()))
    assert calibrate.orders.columns_of(packed) == names
    _frame().to_parquet(tmp_path / "o.parquet")
    assert calibrate.orders.columns_of(tmp_path / "o.parquet") == names
    (tmp_path / "bad.parquet").write_bytes(b"not parquet")
    for name, words in [("none.csv", "there is no such file"),
                        ("bad.parquet", "cannot be read as Parquet")]:
        with pytest.raises(InputError, match=words) as err:
            calibrate.orders.columns_of(tmp_path / name)
        assert str(err.value).startswith(str(tmp_path / name))


def test_the_customer_day_limit_refuses_with_a_reason(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(calibrate.orders, "MAX_CUSTOMER_DAYS", 5)
    with pytest.raises(InputError, match=r"more than 5 distinct customer-days .* refused "
                       r"because they would not fit in memory"):
        _read(_csv(tmp_path, ROWS), chunk_rows=2)


def test_until_problem_daily_series_and_first_orders(tmp_path: Path) -> None:
    log = _read(_csv(tmp_path, ROWS))
    assert log.until_problem("2024-01-15") is None  # the last day: no holdout, allowed
    assert log.until_problem("2024-01-01") is None
    assert log.until_problem("2023-12-31") == (
        "2023-12-31 is before the first order (2024-01-01); give a day from 2024-01-01 to "
        "2024-01-15")
    assert "2024-01-16 is after the last order (2024-01-15)" in str(
        log.until_problem("2024-01-16"))
    daily = log.daily()
    assert len(daily) == 15 and daily.index[0] == pd.Timestamp("2024-01-01")
    assert list(daily.iloc[:4]) == [1, 1, 1, 0] and int(daily.sum()) == 6
    assert list(log.daily("2024-01-03")) == [1, 1, 1]
    firsts = log.first_orders_per_day()
    assert int(firsts.sum()) == 3 and list(firsts.iloc[:4]) == [1, 1, 1, 0]
    holdout = log.holdout("2024-01-03")
    assert list(holdout.index) == [0, 1, 2]
    assert list(holdout["orders"]) == [2, 0, 1] and list(holdout["value"]) == [60.0, 0, 3.0]
    assert list(log.holdout("2024-01-01").index) == [0]  # b and c came later


def test_cdnow_summary_and_holdout_match_the_raw_frame(tmp_path: Path) -> None:
    raw = orders()
    text = raw.assign(date=raw["date"].dt.strftime("%Y%m%d"))  # as in the CDNOW file
    text.to_csv(tmp_path / "cdnow.csv", index=False)
    log = read_orders(tmp_path / "cdnow.csv", "customer", "date", "value", chunk_rows=1000)
    assert_frame = read_orders(raw, "customer", "date", "value")
    pd.testing.assert_frame_equal(log.days, assert_frame.days)
    summary = log.summary(CALIBRATION_END, freq_days=7)
    summary.index = pd.Index(log.ids[summary.index], name="customer")
    pd.testing.assert_frame_equal(summary.sort_index(), weekly(), check_index_type=False)
    holdout = log.holdout(CALIBRATION_END, HOLDOUT_END)
    assert len(holdout) == 2357  # every CDNOW customer first bought in 1997's first quarter
    assert int(holdout["orders"].sum()) == 1882  # FHL 2005's repeat purchases, weeks 40-78
    assert int((holdout["orders"] > 0).sum()) == 684
    assert int(log.holdout(CALIBRATION_END)["orders"].sum()) == 1882  # the log ends there
    assert log.last == pd.Timestamp(HOLDOUT_END)


@pytest.mark.slow
def test_a_million_rows_from_disk_in_a_few_seconds(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    n = 1_000_000
    when = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 365 * 86400, n),
                                                        unit="s")
    pd.DataFrame({"user_id": rng.integers(0, 200_000, n), "paid_at": when,
                  "amount": rng.gamma(2.0, 20.0, n).round(2)}).to_csv(tmp_path / "o.csv",
                                                                     index=False)
    start = time.perf_counter()
    log = read_orders(tmp_path / "o.csv", "user_id", "paid_at", "amount")
    assert time.perf_counter() - start < 10.0  # about 2.5 s on an idle machine
    raw = pd.read_csv(tmp_path / "o.csv", dtype={"user_id": str})
    assert log.days["value"].sum() == pytest.approx(raw["amount"].sum())
    assert log.n_customers == raw["user_id"].nunique()
    summary = calibrate.summarise(raw, "user_id", "paid_at", "amount", "2024-12-31")
    assert int(summary["n_orders"].sum()) == len(log.days)


def test_the_shipped_csv_order_log_is_the_cdnow_sample() -> None:
    """tests/data/cdnow/orders.csv (the README's example) holds CDNOW's purchases."""
    from cdnow_sample import CDNOW, orders

    csv = pd.read_csv(CDNOW.parent / "orders.csv", dtype={"user_id": str})
    raw = orders()
    assert len(csv) == len(raw) == 6919
    assert (csv["user_id"].to_numpy() == raw["customer"].to_numpy()).all()
    assert (pd.to_datetime(csv["paid_at"]).to_numpy() == raw["date"].to_numpy()).all()
    assert np.allclose(csv["amount"].to_numpy(), raw["value"].to_numpy())
