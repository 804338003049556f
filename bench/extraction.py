"""HTML extraction benchmark: how much of each page's story our extraction keeps, and how little else.

Every ``NAME.html`` in the folder (default: bench/data/extraction/) has its reference story text in
``NAME.txt``, written by hand: the article's paragraphs, without headline, byline, captions, menus,
comments or related stories. Each extractor's text is scored against it with shingle precision,
recall and F1, a shingle being four consecutive words (lower-cased ``\\w+`` tokens; a text of fewer
than four words is one shingle): precision is the share of the extraction's shingles that are in the
reference, recall the share of the reference's that the extraction has.

Extractors compared:

- **ours**: ``index.html.extract_html`` (trafilatura with our options, fallback and clean-up): the
  text that gets indexed;
- **trafilatura**: ``trafilatura.extract(html)`` with its default options;
- **previous** (with ``--previous FILE``): another version of index/html.py, e.g. one taken from
  git history (``git show COMMIT:index/html.py > /tmp/previous_html.py``).

    python bench/extraction.py                                   # table + bench/results/extraction.json
    python bench/extraction.py --previous /tmp/previous_html.py  # with an older extractor as well
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SHINGLE_WORDS = 4


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[tuple[str, ...]]:
    """The text's word ``size``-grams, lower-cased.

    Example:
        >>> sorted(shingles("The cat sat on the mat", 4))
        [('cat', 'sat', 'on', 'the'), ('sat', 'on', 'the', 'mat'), ('the', 'cat', 'sat', 'on')]
    """
    words = re.findall(r"\w+", text.lower())
    if not words:
        return set()
    if len(words) < size:
        return {tuple(words)}
    return {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}


def score(extracted: str, reference: str) -> dict[str, float]:
    """Shingle precision, recall and F1 of ``extracted`` against ``reference``."""
    got, want = shingles(extracted), shingles(reference)
    common = len(got & want)
    precision = common / len(got) if got else 0.0
    recall = common / len(want) if want else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def _ours(html: str) -> str:
    from index.html import extract_html

    return extract_html(html).text


def _trafilatura(html: str) -> str:
    import trafilatura

    return trafilatura.extract(html) or ""


def _module_extractor(path: Path) -> Callable[[str], str]:
    spec = importlib.util.spec_from_file_location("previous_html", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return lambda html: module.extract_html(html).text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=Path, default=ROOT / "bench" / "data" / "extraction")
    parser.add_argument("--previous", type=Path, help="an older index/html.py to score as well")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "extraction.json")
    args = parser.parse_args(argv)

    extractors: dict[str, Callable[[str], str]] = {"ours": _ours, "trafilatura": _trafilatura}
    if args.previous:
        extractors["previous"] = _module_extractor(args.previous)
    pages = sorted(p for p in args.pages.glob("*.html") if p.with_suffix(".txt").is_file())
    if not pages:
        parser.error(f"no NAME.html with a NAME.txt reference in {args.pages}")
    results: dict[str, dict[str, dict[str, float]]] = {name: {} for name in extractors}
    for page in pages:
        html = page.read_text("utf-8")
        reference = page.with_suffix(".txt").read_text("utf-8")
        for name, extract in extractors.items():
            results[name][page.stem] = score(extract(html), reference)

    names = list(extractors)
    print(f"{len(pages)} pages, word {SHINGLE_WORDS}-gram shingles; F1 per page")
    print(f"{'page':<28}" + "".join(f"{n:>13}" for n in names))
    for page in pages:
        print(f"{page.stem:<28}" + "".join(f"{results[n][page.stem]['f1']:>13.3f}" for n in names))
    means = {
        name: {m: sum(s[m] for s in results[name].values()) / len(pages) for m in ("precision", "recall", "f1")}
        for name in names
    }
    for measure in ("precision", "recall", "f1"):
        print(f"{'mean ' + measure:<28}" + "".join(f"{means[n][measure]:>13.3f}" for n in names))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps({"shingle_words": SHINGLE_WORDS, "pages": len(pages), "mean": means, "per_page": results}, indent=2)
        + "\n",
        "utf-8",
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
