"""Write the picture of every notebook cell tagged ``img:NAME`` to ``notebooks/img/NAME.png``.

The README shows these pictures; after re-executing the notebooks, run
``.venv/bin/python notebooks/export_images.py`` so they match the stored outputs.
"""

from __future__ import annotations

import base64
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent


def main() -> None:
    for path in sorted(HERE.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            for tag in cell.metadata.get("tags", []):
                if not tag.startswith("img:"):
                    continue
                pngs = [o["data"]["image/png"] for o in cell.get("outputs", [])
                        if "image/png" in o.get("data", {})]
                if len(pngs) != 1:
                    raise SystemExit(f"{path.name}: cell tagged {tag} has {len(pngs)} "
                                     "pictures, not 1")
                out = HERE / "img" / f"{tag[4:]}.png"
                out.write_bytes(base64.b64decode(pngs[0]))
                print(out.relative_to(HERE.parent))


if __name__ == "__main__":
    main()
