"""Crash and fault rounds for the index: syncs killed at random moments, readers during syncs, and damage
to every file the index and the models depend on. Prints a table of tried / handled / failed.

Usage: python bench/faults.py [--kills 40] [--reader-seconds 60] [--seed 0] [--skip-models]

- **kill**: the folder changes (an article added, removed or edited), a sync starts in a child process
  (``tests/sync_child.py``, the fake embedder of the tests) and is killed with SIGKILL after a random
  delay. Handled: no extraction worker of it outlives it, the index a reader loads then is whole (every
  offset exact), and the next sync completes and answers like a fresh build of the folder.
- **readers**: three reader processes reload and ask in a loop while this process changes the folder
  and syncs. Handled: a reader exits 0 (every answer it got was exact: ``tests/sync_child.py read``).
- **damage**: each file of a build, and ``CURRENT``, truncated, extended, bit-flipped or deleted; then a
  new ``QA`` over the folder asks a question. Handled: the exact answer (the damage found and the
  index rebuilt). A wrong answer or an unexpected exception is a failure.
- **model damage**: the embedder's cached ONNX export and its checksum, and a copy of the shipped
  reader and its checksum, each damaged the same four ways. Handled: the embedder gives the same
  vectors as before (the damage found and the export made again, in a fresh process), the reader
  refuses with ``ReaderModelError``. Skipped with ``--skip-models`` (it exports the model once, about a minute).

Uses the FAISS store and the tests' fake embedder (``tests/conftest.py``) for speed: the faults are in
the index's files, not in the model. About 10 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from index import store as index_store  # noqa: E402
from index.build import load_index  # noqa: E402
from qa.api import QA  # noqa: E402
from qa.reader import READER_MODEL, Reader, ReaderModelError  # noqa: E402
from tests.conftest import LYON, NANTES, FakeEmbedder, extraction_workers  # noqa: E402
from tests.sync_child import STABLE_ANSWER, STABLE_QUESTION  # noqa: E402

EXTRA = {
    "brest": "Brest harbour gets a new crane\n\nThe port of Brest installed a 90-metre crane on Monday. "
    "The crane cost 14 million euros and lifts 400 tonnes.\n",
    "toulon": "Toulon opens a museum\n\nThe navy museum of Toulon reopened on Sunday after two years of work.\n",
    "rennes": "Rennes gets a metro line\n\nThe second metro line of Rennes opened in September with 15 stations.\n",
}
DAMAGES = ("truncate", "extend", "bit-flip", "delete")


def damage(path: Path, how: str, rng: random.Random) -> None:
    data = path.read_bytes()
    if how == "truncate":
        path.write_bytes(data[: len(data) // 2])
    elif how == "extend":
        path.write_bytes(data + bytes(rng.randrange(256) for _ in range(64)))
    elif how == "bit-flip":
        flipped = bytearray(data)
        for _ in range(max(1, min(100, len(data) // 100))):
            flipped[rng.randrange(len(flipped))] ^= 1 << rng.randrange(8)
        path.write_bytes(bytes(flipped))
    else:
        path.unlink()


def change_folder(folder: Path, rng: random.Random, version: list[int]) -> None:
    """One random change: an extra article added or removed, or the Lyon article edited."""
    present = [name for name in EXTRA if (folder / f"{name}.txt").exists()]
    move = rng.choice(["add", "remove", "edit"] if present else ["add", "edit"])
    if move == "add" and len(present) < len(EXTRA):
        name = rng.choice([n for n in EXTRA if n not in present])
        (folder / f"{name}.txt").write_text(EXTRA[name], "utf-8")
    elif move == "remove" and present:
        (folder / f"{rng.choice(present)}.txt").unlink()
    else:
        version[0] += 1
        (folder / "lyon.txt").write_text(LYON.replace("40 engineers", f"{40 + version[0]} engineers"), "utf-8")


def whole(index) -> bool:
    """Every sentence and passage quotes its article exactly."""
    for item in (*index.sentences, *index.passages):
        if index.articles[item.article_id].text[item.start : item.end] != item.text:
            return False
    return True


def answers_exactly(bot: QA) -> bool:
    answer = bot.ask(STABLE_QUESTION)
    exact = all(bot.get_article(c.article_id).text[c.start : c.end] == c.quote for c in answer.citations)
    return exact and answer.text == STABLE_ANSWER


def folder_ids(folder: Path) -> list[str]:
    return sorted(p.stem for p in folder.iterdir() if p.suffix in (".txt", ".html"))


def child(*args: str | Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QA_TEST_STORE": "faiss"}
    env.pop(index_store.PAUSE_ENV, None)
    command = [sys.executable, "-m", "tests.sync_child", *map(str, args)]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


PAGE = (
    "<html><head><title>Rouen opens a library</title></head><body><article><h1>Rouen opens a library</h1>"
    "<p>The new library of Rouen opened on Saturday with 80,000 books.</p></article></body></html>"
)


def new_folder(work: Path) -> Path:
    """Two text articles and a page (extracted in the worker process, which a kill must not leave behind)."""
    folder = work / "corpus"
    folder.mkdir()
    (folder / "lyon.txt").write_text(LYON, "utf-8")
    (folder / "nantes.txt").write_text(NANTES, "utf-8")
    (folder / "rouen.html").write_text(PAGE, "utf-8")
    return folder


def trial(table: Counter, failures: list[str], kind: str, label: str, check: Callable[[], str]) -> None:
    """Count one trial of ``kind``: handled when ``check`` returns "", failed when it returns why or raises."""
    table[kind, "tried"] += 1
    try:
        why = check()
    except Exception as error:  # noqa: BLE001 - any exception is a failure to report
        why = f"{type(error).__name__}: {error}"
    table[kind, "failed" if why else "handled"] += 1
    if why:
        failures.append(f"{label}: {why}")


def kills(work: Path, rounds: int, rng: random.Random, table: Counter, failures: list[str]) -> None:
    folder = new_folder(work)
    index_dir = work / "index"
    version = [0]
    started = time.monotonic()
    child("sync", folder, index_dir).communicate(timeout=300)
    span = time.monotonic() - started  # how long a child's sync takes, start to finish
    started = time.monotonic()
    child("sync", folder, index_dir).communicate(timeout=300)
    idle = time.monotonic() - started  # ... and one with nothing to do: the kills land after its start-up
    for number in range(rounds):
        change_folder(folder, rng, version)
        running = child("sync", folder, index_dir)
        time.sleep(rng.uniform(0.7 * idle, max(span, idle)))
        if running.poll() is None:
            running.send_signal(signal.SIGKILL)
        running.communicate(timeout=300)

        def after_the_kill(pid: int = running.pid) -> str:
            deadline = time.monotonic() + 5
            while extraction_workers(pid) and time.monotonic() < deadline:
                time.sleep(0.1)  # a worker notices its parent is gone within a second
            if extraction_workers(pid):
                return "an extraction worker outlived the killed sync"
            survivor = load_index(index_dir)
            ok = whole(survivor)
            survivor.close()
            bot = QA(folder, index_dir=index_dir, embedder=FakeEmbedder(), progress=False)
            ok = ok and sorted(bot.index.articles) == folder_ids(folder) and whole(bot.index) and answers_exactly(bot)
            ok = ok and not list(index_dir.glob(".tmp-*")) and len(list(index_dir.glob("build-*"))) <= 2
            bot.close()
            return "" if ok else "wrong or incomplete index after the next sync"

        trial(table, failures, "kill", f"kill round {number}", after_the_kill)


def readers(work: Path, seconds: float, rng: random.Random, table: Counter, failures: list[str]) -> None:
    folder = new_folder(work)
    index_dir = work / "index"
    bot = QA(folder, index_dir=index_dir, embedder=FakeEmbedder(), progress=False)
    bot.sync()
    bot.close()
    running = [child("read", folder, index_dir, seconds) for _ in range(3)]
    version = [0]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        change_folder(folder, rng, version)

        def sync() -> str:
            writer = QA(folder, index_dir=index_dir, embedder=FakeEmbedder(), progress=False)
            ok = sorted(writer.index.articles) == folder_ids(folder) and answers_exactly(writer)
            writer.close()
            return "" if ok else "wrong index or answer"

        trial(table, failures, "sync during reads", "sync during reads", sync)
    for process in running:
        out, err = process.communicate(timeout=seconds + 120)
        table["reader during syncs", "tried"] += 1
        ok = process.returncode == 0
        table["reader during syncs", "handled" if ok else "failed"] += 1
        if ok:
            table["reader answers checked", "tried"] += json.loads(out)["answers"]
            table["reader answers checked", "handled"] += json.loads(out)["answers"]
        else:
            failures.append(f"reader: {err.decode(errors='replace')[-500:]}")


def index_damage(work: Path, rng: random.Random, table: Counter, failures: list[str]) -> None:
    folder = new_folder(work)
    (folder / "brest.txt").write_text(EXTRA["brest"], "utf-8")
    pristine = work / "pristine"
    bot = QA(folder, index_dir=pristine, embedder=FakeEmbedder(), progress=False)
    bot.sync()
    bot.close()
    build = index_store.current_build(pristine)
    targets = [Path("CURRENT")] + [p.relative_to(pristine) for p in sorted(build.iterdir()) if p.is_file()]
    for target in targets:
        for how in DAMAGES:
            copy = work / f"trial-{target.name}-{how}"
            shutil.copytree(pristine, copy)
            damage(copy / target, how, rng)
            kind = "damage: CURRENT" if target.name == "CURRENT" else f"damage: build/{target.name}"

            def reopen(copy: Path = copy) -> str:
                bot = QA(folder, index_dir=copy, embedder=FakeEmbedder(), progress=False)
                ok = whole(bot.index) and answers_exactly(bot)
                bot.close()
                return "" if ok else "wrong answer"

            trial(table, failures, kind, f"{kind} {how}", reopen)
            shutil.rmtree(copy, ignore_errors=True)


_EMBED = (
    "import json, sys; from index.embedder import MiniLMEmbedder; "
    "print(json.dumps(MiniLMEmbedder().encode(['When did Huawei open its Paris OpenLab?'])[0].tolist()))"
)


def model_damage(work: Path, rng: random.Random, table: Counter, failures: list[str]) -> None:
    cache = work / "model-cache"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QA_MODEL_CACHE": str(cache)}

    def embed() -> list[float]:
        done = subprocess.run([sys.executable, "-c", _EMBED], env=env, capture_output=True, text=True, timeout=600)
        if done.returncode != 0:
            raise RuntimeError(done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "no output")
        return json.loads(done.stdout)

    reference = embed()  # exports the model into the empty cache
    exported = sorted(cache.rglob("*.onnx"))
    files = (*exported, *[p.with_name(p.name + ".sha256") for p in exported])
    saved = {path: path.read_bytes() for path in files}
    for target in files:
        for how in DAMAGES:
            damage(target, how, rng)
            kind = "damage: embedder " + ("checksum" if target.suffix == ".sha256" else "ONNX cache")

            def same_vectors() -> str:
                ok = sum(a * b for a, b in zip(embed(), reference, strict=True)) > 0.9999
                return "" if ok else "different vectors"

            trial(table, failures, kind, f"{kind} {how}", same_vectors)
            for path, data in saved.items():  # the cache as first exported, for the next trial
                path.write_bytes(data)
    for name in ("reader.onnx", "reader.onnx.sha256"):
        for how in DAMAGES:
            copy = work / "reader"
            shutil.rmtree(copy, ignore_errors=True)
            copy.mkdir()
            shutil.copy(READER_MODEL, copy / "reader.onnx")
            shutil.copy(READER_MODEL.with_name("reader.onnx.sha256"), copy / "reader.onnx.sha256")
            damage(copy / name, how, rng)
            kind = "damage: reader " + ("checksum" if name.endswith(".sha256") else "model")

            def refused(copy: Path = copy) -> str:
                try:
                    Reader(copy / "reader.onnx").read("Who founded Huawei?", ["Huawei was founded by Ren Zhengfei."])
                except ReaderModelError:
                    return ""
                return "read without complaint"

            trial(table, failures, kind, f"{kind} {how}", refused)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=40)
    parser.add_argument("--reader-seconds", type=float, default=60)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--skip-models", action="store_true")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    logging.disable(logging.WARNING)  # the damage rounds' "rebuilding" warnings: the table says it all
    table: Counter = Counter()
    failures: list[str] = []
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        steps = [
            ("kill", lambda w: kills(w, args.kills, rng, table, failures)),
            ("readers", lambda w: readers(w, args.reader_seconds, rng, table, failures)),
            ("damage", lambda w: index_damage(w, rng, table, failures)),
        ]
        if not args.skip_models:
            steps.append(("models", lambda w: model_damage(w, rng, table, failures)))
        for name, step in steps:
            (work / name).mkdir()
            print(f"{name} ...", file=sys.stderr, flush=True)
            step(work / name)
    kinds = list(dict.fromkeys(kind for kind, _ in table))
    print("| fault | tried | handled | failed |")
    print("|---|---|---|---|")
    for kind in kinds:
        print(f"| {kind} | {table[kind, 'tried']} | {table[kind, 'handled']} | {table[kind, 'failed']} |")
    print(f"\n{time.monotonic() - started:.0f} s")
    for failure in failures:
        print("FAILED", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
