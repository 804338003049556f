"""The chat page: ask the articles, read quoted answers with their sources, open the whole article.

``build_page(bot)`` returns the Gradio Blocks; ``launch(bot)`` serves it (``qa chat`` calls it).
The page comes up at once and opens the index in the background (``ui.loading``);
all HTML comes from ``ui.render``, which escapes every article and question text.

Besides the page, the app serves one API endpoint, ``/ask``: a question string in,
the answer as JSON out (``Answer.to_dict()``), for ``gradio_client``.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from html import escape

import gradio as gr  # ui/__init__.py has turned Gradio's analytics off by now

from qa.answer import Answer
from qa.api import QA
from ui.examples import example_questions
from ui.loading import IndexLoader
from ui.render import render_article, render_conversation, render_no_article

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
// A new reply scrolls so that its question is at the top: the quote shows before its cards.
watch('value', () => {
  const turns = element.querySelectorAll('.qa-turn');
  const last = turns[turns.length - 1];
  let box = element.parentElement;
  while (box && !['auto', 'scroll'].includes(getComputedStyle(box).overflowY)) box = box.parentElement;
  if (!last || !box) return;
  box.scrollTop += last.getBoundingClientRect().top - box.getBoundingClientRect().top;
});
"""

# Whenever the viewer shows an article, bring the highlighted quote into view.
_SHOW_QUOTE = """
watch('value', () => {
  const quote = element.querySelector('#qa-quote');
  if (quote) quote.scrollIntoView({block: 'center'});
});
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
.qa-context { margin: 0.3em 0; line-height: 1.5; }
.qa-open { font-size: 0.85em; cursor: pointer; text-decoration: underline; background: none; border: none;
  padding: 0; color: var(--color-accent); }
.qa-waiting, .qa-error { font-style: italic; color: var(--body-text-color-subdued); }
.qa-error { color: #b91c1c; }
mark { background: #fde047; color: #111; padding: 0 0.1em; border-radius: 0.2em; }
.qa-answer mark.qa-span { font-weight: 600; }
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


def build_page(bot: QA, *, examples: Sequence[str] | None = None, loader: IndexLoader | None = None) -> gr.Blocks:
    """The chat page for ``bot``'s articles, opening its index in the background.

    Args:
        bot: The articles to ask (``QA()`` for the built-in ones).
        examples: Questions to offer as buttons; by default drawn from the articles.
        loader: An ``IndexLoader`` already started; by default one is started here.
    """
    loader = loader or IndexLoader(bot).start()
    examples = list(examples) if examples is not None else example_questions(bot.folder)
    views = itertools.count(1)

    def status() -> tuple[str, gr.Timer]:
        kind = "qa-loading" if not loader.done else ("qa-failed" if loader.error else "qa-ready")
        return _STATUS.format(kind=kind, text=escape(loader.status())), gr.Timer(active=not loader.done)

    def respond(question: str, answers: list[Answer]) -> Iterator[tuple[str, str, list[Answer]]]:
        answers = list(answers or [])
        question = (question or "").strip()
        if not question:
            yield render_conversation(answers, bot.get_article), "", answers
            return
        notice = None if loader.ready else "Loading the model and index… the answer follows as soon as they are ready."
        yield render_conversation(answers, bot.get_article, pending=question, notice=notice), "", answers
        try:
            answer = bot.ask(question, history=answers)
        except (TypeError, ValueError) as error:  # a question the person can fix: it stays in the box
            yield render_conversation(answers, bot.get_article, pending=question, error=str(error)), question, answers
            return
        except Exception as error:  # the person sees why, and the page keeps working
            failed = render_conversation(answers, bot.get_article, pending=question, error=f"Failed: {error}")
            yield failed, question, answers
            return
        answers = [*answers, answer]
        yield render_conversation(answers, bot.get_article), "", answers

    def show_article(event: gr.EventData) -> str:
        try:
            article = bot.get_article(str(_event_field(event, "article_id")))
            html = render_article(article, int(_event_field(event, "start")), int(_event_field(event, "end")))
        except (KeyError, TypeError, ValueError):
            return '<div class="qa-article-empty">That passage is not in these articles.</div>'
        # A fresh attribute each time, so clicking the same citation again scrolls to the quote again.
        return f'<div data-view="{next(views)}">{html}</div>'

    def new_conversation() -> tuple[list[Answer], str, str]:
        return [], render_conversation([], bot.get_article), render_no_article()

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
        except (TypeError, ValueError) as error:
            raise gr.Error(str(error)) from None

    with gr.Blocks(title=TITLE) as page:
        gr.Markdown(
            f"# {TITLE}\nEvery answer is a sentence quoted verbatim from one article, with its source. "
            "When the articles do not say, the page says so."
        )
        status_line = gr.HTML(status()[0], elem_id="qa-status", css_template=_STATUS_CSS, js_on_load=None)
        timer = gr.Timer(0.5, active=not loader.done)
        answers = gr.State([])
        with gr.Row(equal_height=False):
            with gr.Column(scale=3):
                conversation = gr.HTML(
                    render_conversation([], bot.get_article),
                    elem_id="qa-conversation",
                    js_on_load=_OPEN_ON_CLICK,
                    css_template=_CSS,
                    max_height=640,
                )
                with gr.Row():
                    question = gr.Textbox(
                        placeholder="Ask a question about the articles",
                        show_label=False,
                        max_length=1000,
                        scale=5,
                        elem_id="qa-question",
                        autofocus=True,
                    )
                    ask_button = gr.Button("Ask", variant="primary", scale=1, elem_id="qa-ask")
                example_buttons = []
                if examples:
                    gr.Markdown("Try one of these:")
                    with gr.Row():
                        example_buttons = [
                            gr.Button(text, size="sm", variant="secondary", elem_classes="qa-example")
                            for text in examples
                        ]
                clear_button = gr.Button("New conversation", size="sm", elem_id="qa-clear")
            with gr.Column(scale=2):
                gr.Markdown("### The article")
                viewer = gr.HTML(
                    render_no_article(),
                    elem_id="qa-article",
                    js_on_load=_SHOW_QUOTE,
                    css_template=_CSS,
                    max_height=720,
                )

        # Every answer goes through one queue slot: two CPUs gain nothing from parallel questions.
        private = {"api_visibility": "private", "concurrency_id": "answer", "concurrency_limit": 1}
        outputs = [conversation, question, answers]
        question.submit(respond, [question, answers], outputs, **private)
        ask_button.click(respond, [question, answers], outputs, **private)
        for button in example_buttons:
            button.click(respond, [button, answers], outputs, **private)
        clear_button.click(new_conversation, None, [answers, conversation, viewer], api_visibility="private")
        conversation.click(show_article, None, viewer, api_visibility="private", show_progress="hidden")
        page.load(status, None, [status_line, timer], api_visibility="private", show_progress="hidden")
        timer.tick(status, None, [status_line, timer], api_visibility="private", show_progress="hidden")
        gr.api(ask, api_name="ask", concurrency_id="answer")
    return page


def launch(
    bot: QA, *, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, share: bool = False, block: bool = True
) -> gr.Blocks:
    """Serve the chat page for ``bot`` on ``http://host:port`` (a public share link only if ``share``)."""
    page = build_page(bot)
    page.launch(server_name=host, server_port=port, share=share, prevent_thread_lock=not block, show_error=True)
    return page


def _event_field(event: gr.EventData, name: str) -> object:
    """A field the page's JavaScript sent with a click (None when absent)."""
    data = getattr(event, "_data", None)
    return data.get(name) if isinstance(data, dict) else None
