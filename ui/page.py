"""The chat page: ask the articles, read quoted answers with their sources, open the whole article.

``build_page(bot)`` returns the Gradio Blocks; ``launch(bot)`` serves it (``qa chat`` calls it).
The page comes up at once and opens the index in the background (``ui.loading``);
all HTML comes from ``ui.render``, which escapes every article and question text.

Besides the page, the app serves one API endpoint, ``/ask``: a question string in,
the answer as JSON out (``Answer.to_dict()``), for ``gradio_client``.

The conversation is kept in the browser's storage (``gr.BrowserState``), so a reload shows it again.
Articles uploaded on the page are copied into the folder it serves (``ui.uploads``), and the index syncs.
"""

from __future__ import annotations

import itertools
import json
import logging
from collections.abc import Iterator, Sequence
from html import escape

import gradio as gr  # ui/__init__.py has turned Gradio's analytics off by now

from index.articles import ARTICLE_SUFFIXES
from qa.answer import Answer
from qa.api import QA
from ui.examples import BUILTIN_EXAMPLES, MAX_EXAMPLES
from ui.loading import IndexLoader
from ui.render import render_article, render_article_list, render_conversation, render_no_article
from ui.transcript import conversation_markdown
from ui.uploads import save_upload

logger = logging.getLogger(__name__)

TITLE = "News Q&A: answers quoted from the articles"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7860

# A click on a citation marker or a card's button asks the server for the whole article.
# (Gradio runs this as the body of a function; `element`, `trigger` and `watch` are its arguments.)
_OPEN_ON_CLICK = """
element.addEventListener('click', (event) => {
  const target = event.target.closest('[data-article]');
  if (!target || !element.contains(target)) return;
  event.preventDefault();
  element.querySelectorAll('.qa-selected').forEach((node) => node.classList.remove('qa-selected'));
  const card = target.closest('.qa-card');
  if (card) card.classList.add('qa-selected');
  trigger('click', {
    article_id: target.dataset.article,
    start: Number(target.dataset.start),
    end: Number(target.dataset.end),
  });
});
// A new reply scrolls the page so that its question is at the top: the quote shows before its cards,
// on a phone as on a desktop (the page scrolls as one; the conversation has no scroll box of its own).
watch('value', () => {
  const turns = element.querySelectorAll('.qa-turn');
  const last = turns[turns.length - 1];
  if (last) last.scrollIntoView({block: 'start'});
});
"""

# Whenever the viewer shows an article, bring the highlighted quote into view by scrolling the viewer
# itself (scrollIntoView would scroll the whole window too). Its close button empties it; on a phone,
# where the article covers the page, that closes it.
_SHOW_QUOTE = (
    """
element.addEventListener('click', (event) => {
  if (!event.target.closest('.qa-close')) return;
  event.preventDefault();
  props.value = """
    + json.dumps(render_no_article())
    + """;
});
watch('value', () => {
  const quote = element.querySelector('#qa-quote');
  let box = quote && quote.parentElement;
  while (box && box !== document.body && !['auto', 'scroll'].includes(getComputedStyle(box).overflowY)) {
    box = box.parentElement;
  }
  if (!quote || !box || box === document.body) return;
  const offset = quote.getBoundingClientRect().top - box.getBoundingClientRect().top;
  box.scrollTop += offset - box.clientHeight / 4;
});
"""
)

# Copy the conversation as Markdown, or save it as a file; the text comes from the hidden #qa-markdown box.
# Each says what it did on its button for a moment ("Copied"); with no conversation yet, nothing is copied or saved.
_FLASH = """const flash = (id, words) => {
    const button = document.getElementById(id);
    button.dataset.label = button.dataset.label || button.textContent;
    button.textContent = words;
    clearTimeout(button.flashTimer);
    button.flashTimer = setTimeout(() => { button.textContent = button.dataset.label; }, 1500);
  };"""
_COPY_MARKDOWN = f"""(text) => {{
  {_FLASH}
  if (!text) {{ flash('qa-copy', 'Nothing to copy yet'); return; }}
  if (!navigator.clipboard) {{ flash('qa-copy', 'Copying needs https or this machine'); return; }}
  navigator.clipboard.writeText(text).then(() => flash('qa-copy', 'Copied'), () => flash('qa-copy', 'Could not copy'));
}}"""
_DOWNLOAD_MARKDOWN = f"""(text) => {{
  {_FLASH}
  if (!text) {{ flash('qa-download', 'Nothing to save yet'); return; }}
  const link = document.createElement('a');
  link.href = URL.createObjectURL(new Blob([text], {{type: 'text/markdown'}}));
  link.download = 'conversation.md';
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 10000);
}}"""

# The page's layout (passed to launch): the page scrolls as one; on a desktop the article viewer stays
# beside the conversation as it grows, and scrolls inside itself; on a phone (one column) a citation
# opens the article over the page, with a button that closes it.
PAGE_CSS = """
.gradio-container { overflow: clip !important; }  /* hidden would stop anything inside from sticking */
#qa-viewer-column { position: sticky; top: 0.5rem; align-self: flex-start; }
#qa-article { max-height: calc(100vh - 5rem); overflow-y: auto !important; }
#qa-ask-row { position: sticky; bottom: 0; z-index: 10; background: var(--body-background-fill); }
@media (max-width: 720px) {
  #qa-viewer-column { position: static; }
  #qa-article { max-height: none; overflow-y: visible !important; }
  #qa-viewer-column:has(.qa-article) { position: fixed; inset: 0; z-index: 1000; padding: 0.75rem;
    height: 100dvh !important; display: block !important; overflow-y: auto; background: var(--body-background-fill); }
}
"""

# Shared by the conversation and the article viewer (each gr.HTML scopes it to itself).
# Plain CSS only: Gradio evaluates it as a template, so no backticks or dollar-brace.
_CSS = """
.qa-empty, .qa-article-empty { color: var(--body-text-color-subdued); padding: 1em; }
.qa-turn { margin: 0 0 1.5em 0; }
.qa-question { text-align: right; margin: 0.5em 0; }
.qa-question p { display: inline-block; margin: 0; padding: 0.5em 0.9em; border-radius: 1em;
  background: var(--color-accent-soft); max-width: 85%; text-align: left; }
.qa-answer { margin: 0.5em 0; padding: 0.6em 0.9em; border-left: 4px solid var(--color-accent);
  font-size: 1.05em; background: var(--block-background-fill); }
.qa-cite { text-decoration: none; font-weight: 600; margin-left: 0.2em; cursor: pointer; }
.qa-confidence, .qa-meta, .qa-offsets, .qa-label, .qa-read-as {
  color: var(--body-text-color-subdued); font-size: 0.85em; }
.qa-confidence { margin: 0 0 0.5em 0; }
.qa-no-answer { margin: 0.5em 0; padding: 0.6em 0.9em; border-left: 4px solid #b45309; }
.qa-closest-label { font-weight: 600; margin: 0.5em 0 0.2em 0; }
.qa-cards { list-style: none; padding: 0; margin: 0; }
.qa-card { border: 1px solid var(--border-color-primary); border-radius: 0.5em; padding: 0.5em 0.8em;
  margin: 0.4em 0; }
.qa-card.qa-closest { border-style: dashed; }
.qa-card.qa-selected { border-color: var(--color-accent); }
.qa-title { font-weight: 600; }
.qa-label { margin-left: 0.4em; font-style: italic; }
.qa-card p, .qa-card .qa-open { display: block; }
.qa-meta { margin: 0.1em 0; }
.qa-card-id { font-family: var(--font-mono); overflow-wrap: anywhere; }
.qa-context { margin: 0.3em 0; line-height: 1.5; }
.qa-open { font-size: 0.85em; cursor: pointer; text-decoration: underline; background: none; border: none;
  padding: 0; color: var(--color-accent); }
.qa-waiting, .qa-error { font-style: italic; color: var(--body-text-color-subdued); }
.qa-error { color: #b91c1c; }
mark { background: #fde047; color: #111; padding: 0 0.1em; border-radius: 0.2em; }
.qa-answer mark.qa-span { font-weight: 600; }
.qa-not-sure { margin: 0.5em 0 0.2em 0; color: #92400e; }
.qa-answer.qa-uncertain { border-left: 4px dashed var(--border-color-primary); color: var(--body-text-color-subdued);
  font-style: italic; }
.qa-answer.qa-uncertain mark { background: #fef9c3; }
.qa-close { position: sticky; top: 0; float: right; cursor: pointer; padding: 0.2em 0.6em; border-radius: 0.4em;
  border: 1px solid var(--border-color-primary); background: var(--block-background-fill); }
.qa-article-title { margin: 0 0 0.2em 0; }
.qa-article-text { white-space: pre-wrap; line-height: 1.55; margin-top: 0.6em; }
"""

_STATUS = '<div class="qa-status {kind}" id="qa-status-line">{text}</div>'
_STATUS_CSS = """
.qa-status { padding: 0.4em 0.8em; border-radius: 0.4em; font-size: 0.95em; }
.qa-loading { background: #fef3c7; color: #111; }
.qa-ready { background: #dcfce7; color: #111; }
.qa-failed { background: #fee2e2; color: #111; }
"""
_LIST_CSS = """
.qa-list-articles { width: 100%; border-collapse: collapse; font-size: 0.9em; }
.qa-list-articles th, .qa-list-articles td { text-align: left; padding: 0.25em 0.5em;
  border-bottom: 1px solid var(--border-color-primary); vertical-align: top; }
.qa-list-id, .qa-list-file { font-family: var(--font-mono); font-size: 0.9em; word-break: break-all; }
.qa-list-count { font-weight: 600; margin: 0.5em 0 0.2em 0; }
.qa-list-skipped { margin: 0; color: var(--body-text-color-subdued); }
@media (max-width: 720px) {  /* a phone: each article a block of labelled lines, not five narrow columns */
  .qa-list-articles thead { display: none; }
  .qa-list-articles tr { display: block; padding: 0.4em 0; border-bottom: 1px solid var(--border-color-primary); }
  .qa-list-articles td { display: block; border: none; padding: 0 0.5em; }
  .qa-list-articles td[data-label]::before { content: attr(data-label) ": "; color: var(--body-text-color-subdued); }
  .qa-list-articles td.qa-list-title { font-weight: 600; }
  .qa-list-id { word-break: normal; overflow-wrap: anywhere; }
}
.qa-collection-note { margin: 0.3em 0; }
"""
# A re-scan or upload's outcome, one line per file.
_NOTE = '<div class="qa-collection-note" id="qa-collection-note">{lines}</div>'


def build_page(bot: QA, *, examples: Sequence[str] | None = None, loader: IndexLoader | None = None) -> gr.Blocks:
    """The chat page for ``bot``'s articles, opening its index in the background.

    Serve it with ``launch`` (or ``page.launch(css=PAGE_CSS)``: the layout comes with the CSS).

    Args:
        bot: The articles to ask (``QA()`` for the built-in ones).
        examples: Questions to offer as buttons; by default the built-in articles' own, or for a folder of one's
            own, those the loader found answered (``IndexLoader.examples``), shown once the index is open.
        loader: An ``IndexLoader`` already started; by default one is started here.
    """
    loader = loader or IndexLoader(bot).start()
    builtin = bot.builtin
    # A folder of one's own: the questions the loader found answered, shown once the index is open.
    later = examples is None and not builtin
    if later:
        examples = [""] * MAX_EXAMPLES  # hidden buttons, which the questions fill
    else:
        examples = list(BUILTIN_EXAMPLES if examples is None else examples)
    views = itertools.count(1)
    uncertain_below = bot.settings.uncertain_below
    # The built-in articles live inside the installed package: the page adds nothing to them.
    can_upload = not builtin

    def conversation_html(answers: Sequence[Answer], **pending: str | None) -> str:
        return render_conversation(answers, bot.get_article, uncertain_below=uncertain_below, **pending)

    def article_list() -> str:
        if loader.done and loader.error and can_upload:
            return '<div class="qa-list">No articles to list: add some with “Add articles” below.</div>'
        if not loader.ready:
            return '<div class="qa-list">The list follows once the index is open.</div>'
        index = bot.latest_index()
        return render_article_list(list(index.articles.values()), bot.skipped)

    def status_line() -> str:
        kind = "qa-loading" if not loader.done else ("qa-failed" if loader.error else "qa-ready")
        text = loader.status()
        if loader.done and loader.error and can_upload:  # a folder of one's own, empty say: it takes uploads
            text += " Add articles under “The articles” below."
        return _STATUS.format(kind=kind, text=escape(text))

    def status(shown_build: str, examples_shown: str) -> tuple:
        """The status line, the article list when the index in use changed (an outside ``qa index``), and
        for a folder of one's own, the example questions once the index is open and whenever the loader chose
        them anew (after an upload or a re-scan); ``examples_shown`` is the build this page's were chosen for."""
        timer = status_timer()
        build = bot.latest_index().build if loader.ready else ""
        listing = article_list() if build != shown_build else gr.skip()
        chosen_for, offered = loader.examples_build, loader.examples
        if not later or not loader.ready or examples_shown == chosen_for:
            return status_line(), timer, listing, build, examples_shown, *[gr.skip()] * (len(examples) + 1)
        buttons = [gr.update(value=q, visible=True) for q in offered]
        buttons += [gr.update(visible=False)] * (len(examples) - len(offered))
        return status_line(), timer, listing, build, chosen_for, gr.update(visible=bool(offered)), *buttons

    def respond(question: str, answers: list[Answer]) -> Iterator[tuple]:
        """The conversation, the question box and the answers; with the answer, what the browser keeps."""
        answers = list(answers or [])
        question = question or ""
        if not question.strip():
            yield conversation_html(answers), "", answers, gr.skip(), gr.skip()
            return
        notice = None if loader.ready else "Loading the model and index… the answer follows as soon as they are ready."
        shown = question.strip()
        yield conversation_html(answers, pending=shown, notice=notice), "", answers, gr.skip(), gr.skip()
        try:
            answer = bot.ask(question, history=answers)
        except (TypeError, ValueError) as error:  # a question the person can fix: it stays in the box
            logger.warning("question refused: %s", error)
            yield conversation_html(answers, pending=shown, error=str(error)), question, answers, gr.skip(), gr.skip()
            return
        except Exception as error:  # the person sees why, and the page keeps working
            logger.exception("answering failed")
            failed = conversation_html(answers, pending=shown, error=f"Failed: {error}")
            yield failed, question, answers, gr.skip(), gr.skip()
            return
        answers = [*answers, answer]
        yield conversation_html(answers), "", answers, *keep(answers)

    def keep(answers: list[Answer]) -> tuple[list[dict], str]:
        """The conversation into the browser's storage, and as Markdown for the copy and download buttons.

        Sent with the answer itself: a reload right after it finds the conversation kept.
        """
        return [a.to_dict() for a in answers], conversation_markdown(answers, uncertain_below)

    def restore(stored: list | None) -> tuple[list[Answer], str, str]:
        """The conversation the browser kept (a reload), shown again once the index is open."""
        try:
            answers = [Answer.from_dict(turn) for turn in stored or []]
        except (TypeError, ValueError, KeyError) as error:  # kept by another version of the page
            logger.warning("the stored conversation could not be read (%s); starting afresh", error)
            answers = []
        if answers and not loader.wait():
            return [], conversation_html([]), ""
        return answers, conversation_html(answers), conversation_markdown(answers, uncertain_below)

    def show_article(event: gr.EventData) -> str:
        try:
            article = bot.get_article(str(_event_field(event, "article_id")))
            html = render_article(article, int(_event_field(event, "start")), int(_event_field(event, "end")))
        except (KeyError, TypeError, ValueError):
            return '<div class="qa-article-empty">That passage is not in these articles.</div>'
        # A fresh attribute each time, so clicking the same citation again scrolls to the quote again.
        return f'<div data-view="{next(views)}">{html}</div>'

    def new_conversation() -> tuple[list[Answer], str, str, list[dict], str]:
        return [], conversation_html([]), render_no_article(), *keep([])

    def add_articles(files: list | None) -> tuple:
        """Copy the uploaded files into the folder, then sync the index."""
        results = [save_upload(f, bot.folder, getattr(f, "orig_name", None)) for f in _paths(files)]
        lines = [r.message for r in results]
        if any(r.saved_as for r in results):
            lines.extend(_synced(bot, {r.saved_as for r in results if r.saved_as}))
            loader.reopen()
        return synced(lines)

    def rescan() -> tuple:
        lines = _synced(bot, set())
        loader.reopen()
        return synced(lines)

    def synced(lines: list[str]) -> tuple:
        """What an upload or a re-scan changes: its note, the article list, the build shown, and the status
        timer, on again where the index opened only now (a folder that had no article), to show it ready."""
        note_html = _NOTE.format(lines="<br>".join(escape(line) for line in lines))
        build = bot.latest_index().build if loader.ready else ""
        return note_html, article_list(), build, status_timer()

    def status_timer() -> gr.Timer:
        """Loading: ask for the status twice a second; then every few seconds, for a sync by another process;
        none after a failure, until an upload or a re-scan opens the index."""
        return gr.Timer(0.5 if not loader.done else 3.0, active=not loader.done or loader.ready)

    def ask(question: str, history: list | None = None) -> dict:
        """Answer a question from the articles: a sentence quoted verbatim, with its citations.

        ``history``: the conversation so far, oldest first, for a follow-up ("Who announced it?"):
        earlier questions, or the JSON of earlier answers as this endpoint returned them.

        Returns the answer as JSON: text, short_answer, no_answer, confidence, and citations
        (article_id, title, source, date, quote, start, end, score, answer_start, answer_end), best first.
        """
        try:
            if history is not None and not isinstance(history, list):
                raise TypeError("history must be a list of earlier questions or answers' JSON, oldest first")
            turns = [Answer.from_dict(t) if isinstance(t, dict) else t for t in history or []]
            return bot.ask(question, turns).to_dict()
        except (TypeError, ValueError) as error:  # the caller's mistake: one line here, the message there
            logger.warning("/ask refused: %s", error)
            raise gr.Error(str(error), print_exception=False) from None

    with gr.Blocks(title=TITLE) as page:
        gr.Markdown(
            f"# {TITLE}\nEvery answer is a sentence quoted verbatim from one article, with its source. "
            "When the articles do not say, the page says so."
        )
        status_html = gr.HTML(status_line(), elem_id="qa-status", css_template=_STATUS_CSS, js_on_load=None)
        timer = gr.Timer(0.5, active=True)
        answers = gr.State([])
        shown_build = gr.State("")
        examples_shown = gr.State("")  # the index build this page's example buttons were chosen for
        stored = gr.BrowserState([], storage_key="news-qa-conversation")
        with gr.Row(equal_height=False):
            with gr.Column(scale=3, min_width=300):
                conversation = gr.HTML(
                    conversation_html([]),
                    elem_id="qa-conversation",
                    js_on_load=_OPEN_ON_CLICK,
                    css_template=_CSS,
                )
                with gr.Row(elem_id="qa-ask-row"):
                    question = gr.Textbox(
                        placeholder="Ask a question about the articles",
                        label="Question",  # not shown: what a screen reader names the box
                        show_label=False,
                        scale=5,
                        elem_id="qa-question",
                        autofocus=True,
                    )  # no max_length: the browser would cut a long question silently; ask() says it is too long
                    ask_button = gr.Button("Ask", variant="primary", scale=1, elem_id="qa-ask")
                example_buttons = []
                examples_heading = gr.Markdown("Try one of these:", visible=bool(examples) and not later)
                with gr.Row():
                    example_buttons = [
                        gr.Button(text, size="sm", variant="secondary", elem_classes="qa-example", visible=not later)
                        for text in examples
                    ]
                with gr.Row():
                    clear_button = gr.Button("New conversation", size="sm", elem_id="qa-clear")
                    copy_button = gr.Button("Copy as Markdown", size="sm", elem_id="qa-copy")
                    download_button = gr.Button("Download as Markdown", size="sm", elem_id="qa-download")
                markdown = gr.Textbox(visible=False, elem_id="qa-markdown")
            with gr.Column(scale=2, min_width=300, elem_id="qa-viewer-column"):
                gr.Markdown("### The article")
                viewer = gr.HTML(
                    render_no_article(),
                    elem_id="qa-article",
                    js_on_load=_SHOW_QUOTE,
                    css_template=_CSS,
                    elem_classes="qa-viewer",
                )
        with gr.Accordion("The articles", open=False, elem_id="qa-collection"):
            listing = gr.HTML(article_list(), elem_id="qa-article-list", css_template=_LIST_CSS, js_on_load=None)
            note = gr.HTML("", elem_id="qa-collection-notes", css_template=_LIST_CSS, js_on_load=None)
            with gr.Row():
                if can_upload:
                    upload = gr.UploadButton(
                        "Add articles (" + ", ".join(ARTICLE_SUFFIXES) + ")",
                        file_count="multiple",
                        file_types=list(ARTICLE_SUFFIXES),
                        size="sm",
                        elem_id="qa-upload",
                    )
                else:
                    upload = None
                    gr.Markdown(
                        "These are the built-in articles. To add your own, serve a folder of them: "
                        "`qa chat --corpus DIR`."
                    )
                # The built-in articles never change: nothing to re-scan.
                rescan_button = gr.Button("Re-scan the folder", size="sm", elem_id="qa-rescan") if can_upload else None

        # Every answer goes through one queue slot: two CPUs gain nothing from parallel questions.
        # Uploads and re-scans embed articles: they take the same slot.
        private = {"api_visibility": "private", "concurrency_id": "answer", "concurrency_limit": 1}
        outputs = [conversation, question, answers, stored, markdown]
        question.submit(respond, [question, answers], outputs, **private)
        ask_button.click(respond, [question, answers], outputs, **private)
        for button in example_buttons:
            button.click(respond, [button, answers], outputs, **private)
        cleared = [answers, conversation, viewer, stored, markdown]
        clear_button.click(new_conversation, None, cleared, api_visibility="private")
        copy_button.click(None, [markdown], None, js=_COPY_MARKDOWN, api_visibility="private")
        download_button.click(None, [markdown], None, js=_DOWNLOAD_MARKDOWN, api_visibility="private")
        conversation.click(show_article, None, viewer, api_visibility="private", show_progress="hidden")
        if upload is not None:
            upload.upload(add_articles, upload, [note, listing, shown_build, timer], **private)
        if rescan_button is not None:
            rescan_button.click(rescan, None, [note, listing, shown_build, timer], **private)
        status_outputs = [status_html, timer, listing, shown_build, examples_shown, examples_heading, *example_buttons]
        hidden = {"api_visibility": "private", "show_progress": "hidden"}
        page.load(status, [shown_build, examples_shown], status_outputs, **hidden)
        page.load(restore, stored, [answers, conversation, markdown], **hidden)
        timer.tick(status, [shown_build, examples_shown], status_outputs, **hidden)
        gr.api(ask, api_name="ask", concurrency_id="answer")
    return page


def launch(
    bot: QA, *, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, share: bool = False, block: bool = True
) -> gr.Blocks:
    """Serve the chat page for ``bot`` on ``http://host:port`` (a public share link only if ``share``)."""
    page = build_page(bot)
    page.launch(
        server_name=host,
        server_port=port,
        share=share,
        prevent_thread_lock=not block,
        show_error=True,
        css=PAGE_CSS,
    )
    return page


def _paths(files: list | str | None) -> list[str]:
    """The server-side paths of what an UploadButton passed (paths, or file objects with ``.name``)."""
    if files is None:
        return []
    items = files if isinstance(files, list) else [files]
    return [item if isinstance(item, str) else str(getattr(item, "name", item)) for item in items]


def _synced(bot: QA, new_files: set[str]) -> list[str]:
    """Sync the index with the folder; lines saying what changed, and any of ``new_files`` the sync skipped."""
    try:
        report = bot.sync()
    except Exception as error:  # e.g. the folder was emptied: the person reads why, the page keeps working
        logger.warning("re-scanning %s failed: %s", bot.folder, error)
        return [f"Could not re-scan the folder: {error}"]
    lines = [f"Index: {report}."]
    lines.extend(f"{s.path}: skipped, {s.reason}" for s in report.skipped if s.path in new_files)
    return lines


def _event_field(event: gr.EventData, name: str) -> object:
    """A field the page's JavaScript sent with a click (None when absent)."""
    data = getattr(event, "_data", None)
    return data.get(name) if isinstance(data, dict) else None
