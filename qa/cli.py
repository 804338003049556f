"""The ``qa`` command: ask questions and build indexes from the shell.

qa ask "How much will Huawei invest in its Paris OpenLab?"
qa ask --json --corpus ~/my-articles "Who founded the company?"
qa index ~/my-articles
qa index ~/my-articles --store http://milvus.internal:19530
qa list ~/my-articles
qa chat --port 7860
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import re
import shlex
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

from index.articles import CorpusError, suffix_list
from index.metadata import readable_date
from qa.answer import Answer
from qa.api import QA
from qa.wording import count


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the process exit code (0 ok, 1 failure, 2 bad input)."""
    parser = _parser()
    args = parser.parse_args(argv)
    root = logging.getLogger()
    if not root.handlers:  # as logging.basicConfig, but warnings name files: their names are shown, not obeyed
        handler = logging.StreamHandler()
        handler.setFormatter(_PrintableFormatter("%(levelname)s: %(message)s"))
        root.addHandler(handler)
        root.setLevel(logging.WARNING)
    try:
        code = args.run(args)
        if sys.stdout is not None:
            sys.stdout.flush()  # a reader that stopped early shows here, not at exit
        return code
    except BrokenPipeError:
        # Whoever read the output stopped early (``qa ask --json ... | head``): end quietly, with the status of
        # a process a closed pipe ends (128 + SIGPIPE), as other command-line tools do; the rest is discarded.
        with contextlib.suppress(OSError, ValueError, AttributeError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 128 + 13
    except (ValueError, TypeError, KeyError, CorpusError) as error:
        message = error.args[0] if isinstance(error, KeyError) and error.args else error
        print(f"qa: error: {printable(str(message))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("qa: interrupted", file=sys.stderr)
        return 130
    except PermissionError as error:  # most often an index folder this user may not write to
        where = f": {printable(repr(str(error.filename)))}" if error.filename else ""
        print(
            f"qa: error: permission denied{where}; if that is in the index folder, choose one you can write to "
            "(--index-dir DIR, or QA_INDEX_HOME)",
            file=sys.stderr,
        )
        return 1
    except Exception as error:  # a person at a shell gets a sentence, not a traceback
        print(f"qa: error: {type(error).__name__}: {printable(str(error))}", file=sys.stderr)
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="qa", description="Ask questions of news articles; answers are quoted.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    ask = commands.add_parser("ask", help="answer a question from the articles")
    ask.add_argument("question", help="the question, in quotes")
    _add_collection_options(ask)
    ask.add_argument("--json", action="store_true", help="print the answer as JSON")
    ask.set_defaults(run=_run_ask)

    index = commands.add_parser("index", help="build or refresh the index of a folder of articles")
    index.add_argument(
        "folder",
        metavar="DIR",
        help="folder of .txt, .md, .html, .pdf, .docx, .odt and .rtf articles (.markdown, .htm, saved web pages too)",
    )
    _add_collection_options(index, corpus=False)
    index.add_argument("--rebuild", action="store_true", help="rebuild even if the index is current")
    index.set_defaults(run=_run_index)

    listing = commands.add_parser("list", help="list the indexed articles and the skipped files of a folder")
    listing.add_argument("folder", metavar="DIR", nargs="?", help="folder of articles (default: the built-in ones)")
    _add_collection_options(listing, corpus=False)
    listing.set_defaults(run=_run_list)

    evaluate = commands.add_parser("eval", help="measure answer quality on a question set")
    which = evaluate.add_mutually_exclusive_group(required=True)
    which.add_argument("--gold", metavar="FILE", help="question set in the gold format (JSON), asked of --corpus")
    which.add_argument("--squad", metavar="FILE", help="SQuAD v1.1 JSON: its articles become the collection")
    _add_collection_options(evaluate, corpus_help="folder of articles for --gold (default: the built-in ones)")
    evaluate.add_argument("--workdir", metavar="DIR", help="where --squad writes its articles (default: the cache)")
    evaluate.add_argument("--articles", type=int, metavar="N", help="--squad: only the first N articles")
    evaluate.add_argument("--limit", type=int, metavar="N", help="only the first N questions")
    evaluate.add_argument("--out", metavar="FILE", help="also write the report as JSON")
    evaluate.set_defaults(run=_run_eval)

    chat = commands.add_parser("chat", help="serve the chat page (http://127.0.0.1:7860 by default)")
    _add_collection_options(chat)
    chat.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s)")
    chat.add_argument(
        "--port", type=int, default=_default_port(), help="port to listen on (default: $CHAT_PORT, else 7860)"
    )
    chat.add_argument("--share", action="store_true", help="also ask Gradio for a public share link (off by default)")
    chat.set_defaults(run=_run_chat)
    return parser


def _default_port() -> int:
    try:
        return int(os.environ.get("CHAT_PORT", "7860"))
    except ValueError:
        return 7860


def _add_collection_options(
    command: argparse.ArgumentParser,
    *,
    corpus: bool = True,
    corpus_help: str = "folder of .txt, .md, .html, .pdf, .docx, .odt and .rtf articles (default: the built-in ones)",
) -> None:
    """--corpus (unless ``corpus`` is False), --index-dir and --store, which every command that opens an index takes."""
    if corpus:
        # --folder too: what a newcomer who has read "your own folder of articles" tries first.
        command.add_argument("--corpus", "--folder", dest="corpus", metavar="DIR", help=corpus_help)
    command.add_argument("--index-dir", metavar="DIR", help="where the index is kept (default: the user cache)")
    command.add_argument(
        "--store",
        metavar="STORE",
        help="where passage vectors live: faiss (the default for a new index), milvus:DIR (a milvus-lite "
        "directory, one process at a time) or http://HOST:19530 (a Milvus server); default: the index's own",
    )


def _run_ask(args: argparse.Namespace) -> int:
    bot = QA(args.corpus, index_dir=args.index_dir, progress=not args.json, store=args.store)
    with _skipped_files_listed_here():
        answer = bot.ask(args.question)
    if bot.skipped:  # one line on each question, not one per file: `qa list` names them
        command = "qa list" if args.corpus is None else f"qa list {shlex.quote(args.corpus)}"
        print(
            printable(f"note: {count(len(bot.skipped), 'file')} of the folder skipped; `{command}` says why"),
            file=sys.stderr,
        )
    if args.json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(printable(format_answer(answer, bot)))
    return 0


def _run_index(args: argparse.Namespace) -> int:
    bot = QA(args.folder, index_dir=args.index_dir, store=args.store)
    with _skipped_files_listed_here():
        report = bot.sync(rebuild=args.rebuild)
    index = bot.index
    m = index.manifest
    verb = {"built": "Built", "updated": "Updated the index:"}.get(index.how, "Index is up to date:")
    counts = [count(m.n_articles, "article"), count(m.n_passages, "passage"), count(m.n_sentences, "sentence")]
    print(f"{verb} {', '.join(counts)} ({m.model_name})")
    print(f"articles: {report}")
    for skipped in report.skipped:
        print(printable(f"skipped {skipped.path}: {skipped.reason}"))
    for note in report.notes:
        print(printable(f"{note.path}: {note.note}"))
    others = _other_files_line(bot)
    if others:
        print(printable(others))
    return 0


def _other_files_line(bot: QA) -> str:
    """One line naming the folder's files of types that are not read (``story.pages``), or "" when there are none."""
    others = bot.other_files()
    if not others:
        return ""
    shown = ", ".join(others[:5]) + (f" and {len(others) - 5} more" if len(others) > 5 else "")
    return f"not read ({count(len(others), 'file')} of other types; articles are {suffix_list()}): {shown}"


def _run_list(args: argparse.Namespace) -> int:
    bot = QA(args.folder, index_dir=args.index_dir, store=args.store)
    with _skipped_files_listed_here():
        listing = format_article_list(bot)
    print(printable(listing))
    return 0


@contextlib.contextmanager
def _skipped_files_listed_here() -> Iterator[None]:
    """``qa index`` and ``qa list`` print the skipped files themselves: the sync's log warning would repeat them."""
    articles_log = logging.getLogger("index.articles")
    level = articles_log.level
    articles_log.setLevel(logging.ERROR)
    try:
        yield
    finally:
        articles_log.setLevel(level)


def format_article_list(bot: QA) -> str:
    """The indexed articles (title, then publisher, date and id), then the skipped files and why.

    The index is brought in step with the folder first, so the list is what questions are answered from.

    Example:
        >>> print(format_article_list(QA("my-articles")))
        2 articles in my-articles
        Acme opens a lab in Lyon
            Lyon Daily · 3 May 2024 · lyon
        ...
        skipped chart.txt: binary file (contains NUL bytes), not a text article
    """
    articles = list(bot.index.articles.values())
    lines = [f"{count(len(articles), 'article')} in {bot.folder}"]
    for article in articles:
        lines.append(article.title or article.id)
        by = [f"by {article.author}"] if article.author else []
        about = [article.source or "publisher unknown", *by, readable_date(article.date) or "date unknown", article.id]
        lines.append("    " + " · ".join(about))
    lines.extend(f"skipped {skipped.path}: {skipped.reason}" for skipped in bot.skipped)
    others = _other_files_line(bot)
    if others:
        lines.append(others)
    return "\n".join(lines)


def _run_eval(args: argparse.Namespace) -> int:
    from qa import evaluate

    if args.squad:
        squad = Path(args.squad)
        if not squad.is_file():
            raise ValueError(f"no SQuAD file at {squad}; pass the path of dev-v1.1.json")
        workdir = Path(args.workdir) if args.workdir else evaluate.default_squad_workdir(squad, args.articles)
        corpus, questions = evaluate.squad_collection(squad, workdir, args.articles)
        name = f"SQuAD {squad.name}" + (f", first {args.articles} articles" if args.articles else "")
    else:
        gold = Path(args.gold)
        if not gold.is_file():
            raise ValueError(f"no question set at {gold}")
        corpus, questions = args.corpus, evaluate.load_gold(gold)
        name = gold.name
    if args.limit is not None:
        questions = questions[: args.limit]
    bot = QA(corpus, index_dir=args.index_dir, store=args.store)
    report = evaluate.evaluate(bot, questions, name, progress=evaluate.print_progress)
    print(evaluate.format_report(report))
    if args.out:
        Path(args.out).write_text(json.dumps(report.to_dict(), ensure_ascii=False, indent=1) + "\n", "utf-8")
        print(f"report written to {args.out}")
    return 0


def _run_chat(args: argparse.Namespace) -> int:
    if args.corpus is not None and not Path(args.corpus).expanduser().is_dir():
        raise ValueError(f"corpus folder {args.corpus!r} does not exist or is not a folder")
    _check_port_free(args.host, args.port)  # before anything loads: a busy port is a one-line error, exit 2
    from ui.page import launch  # imports gradio: only this command pays for it

    launch(
        QA(args.corpus, index_dir=args.index_dir, store=args.store), host=args.host, port=args.port, share=args.share
    )
    return 0


# Control characters, and the bidirectional overrides that can make printed text read backwards.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    r"""``text`` with control characters (but line breaks and tabs) shown as ``\xNN``, and bidirectional
    overrides as ``\uNNNN``: an article or a file name cannot clear, recolour, retitle the terminal it is
    printed to or make its text read backwards. Lone surrogates (a file name
    that is not UTF-8) are shown the same way.

    Example:
        >>> printable("Title\x1b]0;owned\x07 here")
        'Title\\x1b]0;owned\\x07 here'
    """
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return _CONTROL.sub(_escaped, text)


class _PrintableFormatter(logging.Formatter):
    """Log lines with control characters and bidirectional overrides escaped (see ``printable``)."""

    def format(self, record: logging.LogRecord) -> str:
        return printable(super().format(record))


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _check_port_free(host: str, port: int) -> None:
    """Raise ValueError, naming the port and how to pick another, when nothing can listen on it."""
    import socket

    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server itself binds
            probe.bind((host, port))
    except OSError as error:
        raise ValueError(
            f"port {port} on {host} is not free ({error.strerror}); pick another with --port N "
            f"(or CHAT_PORT=N make chat)"
        ) from None


def format_answer(answer: Answer, bot: QA) -> str:
    """The answer as a person reads it: the quote, its source, and the quote in its context."""
    lines = []
    if answer.no_answer:
        lines.append("The articles do not answer this question.")
        if answer.citations:
            lines.append("\nClosest passages (not answers):")
    else:
        before, short, after = answer.citations[0].quote_parts
        unsure = answer.confidence < bot.settings.uncertain_below  # as the chat page marks it
        lines.append(f"{'Not sure: ' if unsure else 'Answer: '}{short}")
        lines.append(f"{before}**{short}**{after}")  # the short answer marked inside the quoted sentence
        lines.append(f"\nconfidence {answer.confidence:.2f}" + (" (low)" if unsure else ""))
    for number, citation in enumerate(answer.citations, 1):
        before, after = bot.context(citation)
        where = ", ".join(x for x in (citation.source, readable_date(citation.date)) if x)
        lines.append(f"\n[{number}] {citation.title}" + (f" ({where})" if where else ""))
        lines.append(f"    {citation.article_id}, characters {citation.start}-{citation.end}")
        lines.append("    " + " ".join(x for x in (before, f"»{citation.quote}«", after) if x))
    return "\n".join(lines)
