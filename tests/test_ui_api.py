"""The running chat page's API: gradio_client calls `/ask` and gets what `QA.ask` returns, as JSON."""

from __future__ import annotations

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
    assert set(reply) == {"question", "text", "no_answer", "confidence", "citations", "read_as"}
    assert set(reply["citations"][0]) == {"article_id", "title", "source", "date", "quote", "start", "end", "score"}


def test_ask_endpoint_is_the_only_public_one(client):
    endpoints = client.view_api(print_info=False, return_format="dict")
    assert list(endpoints["named_endpoints"]) == ["/ask"]
    assert endpoints["unnamed_endpoints"] == {}


def test_ask_endpoint_reports_bad_input(client):
    with pytest.raises(Exception, match="question is empty"):
        client.predict("   ", api_name="/ask")
