"""The running chat page's API: gradio_client calls `/ask` and gets what `QA.ask` returns, as JSON."""

from __future__ import annotations

import time

import pytest
from gradio_client import Client

pytestmark = [pytest.mark.browser, pytest.mark.model]


@pytest.fixture(scope="module")
def client(chat_server):
    return Client(chat_server.url, verbose=False)


@pytest.mark.parametrize(
    "question",
    ["Which Russian bank did Huawei partner with?", "Who won the 2018 FIFA World Cup?"],
    ids=["answered", "no-answer"],
)
def test_ask_endpoint_returns_the_answer_as_json(client, real_qa, question):
    reply = client.predict(question, api_name="/ask")
    assert reply == real_qa.ask(question).to_dict()
    assert set(reply) == {"question", "text", "no_answer", "confidence", "citations", "short_answer", "read_as"}
    assert set(reply["citations"][0]) == {
        "article_id",
        "title",
        "source",
        "date",
        "quote",
        "start",
        "end",
        "score",
        "answer_start",
        "answer_end",
    }


def test_a_follow_up_over_the_api_is_answered_as_in_python(client, real_qa):
    first = "How much money is Huawei putting into its Paris OpenLab?"
    follow_up = "Who announced it?"
    reply = client.predict(first, api_name="/ask")
    expected = real_qa.ask(follow_up, history=[real_qa.ask(first)]).to_dict()
    # The earlier turn as the answer's JSON, or as just its question.
    assert client.predict(follow_up, [reply], api_name="/ask") == expected
    assert client.predict(follow_up, [first], api_name="/ask") == real_qa.ask(follow_up, history=[first]).to_dict()


def test_ask_endpoint_is_the_only_public_one(client):
    endpoints = client.view_api(print_info=False, return_format="dict")
    assert list(endpoints["named_endpoints"]) == ["/ask"]
    assert endpoints["unnamed_endpoints"] == {}


def test_ask_endpoint_reports_bad_input(client):
    with pytest.raises(Exception, match="question is empty"):
        client.predict("   ", api_name="/ask")


def test_a_refused_question_is_one_log_line_in_the_servers_terminal(client, chat_server):
    before = chat_server.log.read_text(errors="replace")
    with pytest.raises(Exception, match="question is empty"):
        client.predict("   ", api_name="/ask")
    with pytest.raises(Exception, match="history must be a list"):
        client.predict("Who announced it?", "not a list", api_name="/ask")

    deadline = time.monotonic() + 10
    while (new := chat_server.log.read_text(errors="replace")[len(before) :]).count("\n") < 2:
        assert time.monotonic() < deadline, f"nothing logged: {new!r}"
        time.sleep(0.1)
    time.sleep(0.5)  # a traceback, were there one, would follow its line
    new = chat_server.log.read_text(errors="replace")[len(before) :]
    assert new.splitlines() == [
        "WARNING: /ask refused: question is empty; type a question about the articles, like "
        "'What did the council decide?'",
        "WARNING: /ask refused: history must be a list of earlier questions or answers' JSON, oldest first",
    ]
