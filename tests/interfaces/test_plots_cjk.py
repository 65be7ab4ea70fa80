"""Chinese promotion names are drawn with real glyphs, not empty boxes."""

from __future__ import annotations

import warnings

import matplotlib
import pytest
from matplotlib import font_manager
from matplotlib.ft2font import FT2Font

import scenarios
import sim
from interfaces import plots
from interfaces.plots._style import CJK_FONT

NAME = "双十一预售"


@pytest.fixture(scope="module")
def chinese_run() -> sim.Results:
    sc = scenarios.load("double11").with_population(2000)
    promos = sc.strategy.promotions
    renamed = [promos[0].model_copy(update={"name": NAME}), *promos[1:]]
    sc = sc.with_strategy(sc.strategy.model_copy(update={"promotions": renamed}))
    return sim.simulate(sc, seeds=1)


def test_fallback_font_comes_after_the_latin_one() -> None:
    families = list(matplotlib.rcParams["font.family"])
    assert CJK_FONT == "Noto Sans SC"
    assert families[-1] == CJK_FONT and len(families) >= 2
    # Latin text keeps the font it had: the first family still resolves to DejaVu Sans
    first = font_manager.findfont(font_manager.FontProperties(family=[families[0]]))
    assert "DejaVuSans" in first


def test_the_fallback_font_covers_the_name() -> None:
    path = font_manager.findfont(font_manager.FontProperties(family=[CJK_FONT]),
                                 fallback_to_default=False)
    charmap = FT2Font(path).get_charmap()
    assert all(ord(ch) in charmap for ch in NAME + "促销满减")


def test_a_chinese_promotion_name_draws_without_missing_glyphs(chinese_run, tmp_path) -> None:
    assert chinese_run.strategy.promotions[0].name == NAME
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = plots.promotions(chinese_run)
        fig.axes[0].set_title(f"{NAME}: 促销日历")
        paths = plots.save_figures([("promotions", lambda _: fig)], None, tmp_path)
    missing = [str(w.message) for w in caught if "missing from font" in str(w.message)]
    assert missing == []
    assert paths[0].stat().st_size > 10_000
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels[0].startswith(NAME)


def test_without_the_fallback_the_same_name_is_missing(tmp_path) -> None:
    """The check above can fail: with DejaVu Sans alone matplotlib reports the glyphs."""
    fig = matplotlib.figure.Figure()
    fig.suptitle(NAME, family="DejaVu Sans")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.savefig(tmp_path / "boxes.png")
    assert any("missing from font" in str(w.message) for w in caught)
