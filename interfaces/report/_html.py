"""HTML pieces of the report: tables, escaping, KPI labels and the rules for leaving out
what a plan does not use."""

from __future__ import annotations

import html
import math
from collections.abc import Iterable
from typing import Any

from sim import kpis


def _table(caption: str, heads: list[str], rows: Iterable[list[str]], *,
           numeric: set[int], escaped: bool = False) -> str:
    """An HTML table; cells are escaped here unless ``escaped`` says they already are."""
    def cell(tag: str, i: int, text: str) -> str:
        cls = ' class="num"' if i in numeric else ""
        return f"<{tag}{cls}>{text if escaped and tag == 'td' else _e(text)}</{tag}>"

    head = "".join(cell("th", i, h) for i, h in enumerate(heads))
    body = "".join("<tr>" + "".join(cell("td", i, c) for i, c in enumerate(row)) + "</tr>"
                   for row in rows)
    return (f'<p class="caption">{_e(caption)}</p><div class="table-wrap"><table>'
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>")



def _e(text: str) -> str:
    return html.escape(str(text), quote=True)


def _signed(kpi: str, value: float) -> str:
    text = kpis.fmt(kpi, value)
    return text if text.startswith(("-", "–")) else f"+{text}"


def _unused(kpi: str, values: list[float]) -> bool:
    """Zero or undefined on every seed: a mechanism the plan does not use (no gifts, no
    presale, no stock), left out as the terminal tables leave it out."""
    return kpi not in kpis.ALWAYS_SHOWN and all(v == 0 or _missing(v) for v in values)


def _interval(kpi: str, v: dict[Any, Any]) -> str:
    if _missing(v["ci_low"]) and _missing(v["ci_high"]):
        return "–"
    return f"{kpis.fmt(kpi, v['ci_low'])} – {kpis.fmt(kpi, v['ci_high'])}"


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))

