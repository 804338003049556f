"""Pick the answer: the sentence of the retrieved passages that best answers the question.

No span reader ships here (see ../shared/MODELS.md), so every sentence of the
top passages is scored on evidence that can be computed from the text and the
embedder alone:

- ``dense``: cosine of the sentence to the question;
- ``overlap``: IDF-weighted share of the question's words found in the sentence;
- ``context``: the same share over the sentence, the one before it and the article's label (title, publisher, author),
  so "It will open in March" can answer through its neighbour;
- ``passage_dense``, ``passage_lexical``, ``passage_rank``: how well its passage was retrieved;
- ``type_match``: 1 when the sentence holds the kind of thing asked for (a number for
  "how many", a date for "when", a name for "who", a title or occupation for "what was his
  title", a name given as one, "titled ..." or quoted, for "what was it called", where any other
  name counts 0.75) beyond the question's own words;
- ``missing``: share of the question's names and numbers that the sentence's
  article never mentions (a question about "Brazil" is not answered by an
  article that never names it);
- ``short``: 1 for fragments under six words (headings, datelines);
- ``focus_missing``: 1 when a "how many X" question's X is absent from the sentence and its context;
- ``previous_dense``: cosine of the sentence before it to the question (the answer often
  follows the sentence that restates the question's topic);
- ``passage_fused``: its passage's fused retrieval score relative to the best passage's;
- ``length``: log of its length in words (a longer sentence says more);
- ``phrase``: share of the question's adjacent word pairs that the sentence has too
  ("Super Bowl", "chief executive"), which word overlap alone cannot see;
- ``near_previous``: for a follow-up, 1 / (1 + distance in sentences, at least 1) to the last
  answer's sentence in the same article, 0 elsewhere;
- ``byline``: 1 when the question asks who wrote the article (or when it was published),
  says which article (or follows up a conversation, which does), and the sentence holds
  its article's author (or date) as the article's metadata gives them: the byline and
  dateline, which share no words with such a question;
- ``year_missing``: 1 when a year the question gives ("in 2023") is nowhere in the sentence's
  article. It has no weight in the score; the confidence uses it (see ``confidence``).

The score is their weighted sum, with weights fitted on SQuAD (bench/fit/), but for
``near_previous`` and ``byline``, which SQuAD cannot show and were chosen on the
development sets. The answer's confidence is a logistic model of the best sentence's
score, its lead over the runner-up, its ``dense`` and its ``missing`` (see
``confidence``); below ``Settings.answer_threshold`` the reply is "no answer".
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from index.articles import Article
from index.build import CorpusIndex
from index.lexical import fold, stem, terms, words
from qa.config import Settings
from qa.demonyms import place_forms
from qa.query import Query
from qa.questions import names_and_numbers, names_in
from qa.retrieve import RetrievedPassage
from qa.word_forms import expand

_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
_YEAR = r"(1[5-9]|20)\d\d"
_NUMBER = re.compile(
    r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|tens|"
    r"hundreds?|thousands?|millions?|billions?|trillions?|dozens?|half|double|triple|several|multiple)\b",
    re.IGNORECASE,
)
# A month as news abbreviates it ("Nov. 13", "Aug 14"): with its period or before a day.
_MONTH_ABBREVIATION = r"(jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)(\.|(?=\s+\d{1,2}\b))"
_DATE = re.compile(
    rf"\b({_MONTHS}|{_YEAR}|\d{{4}}s|yesterday|today|tomorrow|last (year|month|week)|next (year|month|week)|"
    rf"monday|tuesday|wednesday|thursday|friday|saturday|sunday|century|decade)\b|\b{_MONTH_ABBREVIATION}",
    re.IGNORECASE,
)
_REASON = re.compile(r"\b(because|due to|since|as a result|in order to|so that|owing to|thanks to|reason)\b", re.I)
_QUESTION_TYPES = (
    # "What was his title?", "What's her position?", "What is Ken Hu's job?": a person's role.
    # Not a stance or a standing: "What is his position on tariffs?", "What was Acme's position in the rankings?"
    (
        "role",
        r"what\s*(is|was|['’]s)\s+(\S+\s+){0,2}?(his|her|their|\w+['’]s)\s+"
        r"((job|official|new|current|former|previous|first|last)\s+)?(title|position|job)"
        r"(?!\s+(on|about|over|regarding|towards?|growth|cuts?|losses|creation|market"
        r"|in\s+the\s+(market|rankings?|league|table|standings|polls?))\b)"
        r"|what title (did|does|do|has|had)\s+(\S+\s+){1,3}?(hold|have|get|receive|take)",
    ),
    # "What was his keynote called?", "What is the name of the fund?", "What title did he give it?": a name;
    # not "What is the drug called Ozempic used for?", nor "What is the name of the man who shot him?" (a name).
    (
        "called",
        r"(what|which)\s*(is|was|are|were|['’]s)\s+(\S+\s+){1,6}?(called|named|titled|dubbed)(?!\s+(?-i:[A-Z])|\s+[\"“])"
        r"|(what|which)(\s+(is|was|are|were)|['’]s)?\s+the (name|title) of"
        r"(?!\s+((the|a|an|his|her|its|their)\s+)?(man|woman|person|people|boy|girl|ceo|leader|king|queen|wife"
        r"|husband|son|daughter|president|player|author|founder|chief|director|manager|teacher|doctor|coach|owner"
        r"|scientist|artist|singer|actor|actress|winner)\b)(?![^?]*\b(who|whom|whose|where)\b)"
        r"|what (title|name) (did|does|do|was|is|has)",
    ),
    (
        "number",
        r"how (much|many|large|big|long|far|old|often|tall|high)|what (share|percentage|proportion|amount|number|size)"
        r"|(what|which) (time ?frame|period|span)",
    ),
    ("reason", r"why|for what reason|what (caused|led to)"),
    ("date", r"when|(what|which) (years?|dates?|days?|months?|time)|since when"),
    (
        "name",
        r"who|whom|whose|where|(which|what) (company|firm|country|city|university|bank|startup|person"
        r"|organi[sz]ation|team|town|agency|school|college|network|party|museum|church|club|newspaper|river"
        r"|island|province|county|empire|king|president|player|scientist)",
    ),
)
# The article itself, as a question names it: "it", "this", "the CFR blog post", "the piece on Huawei".
_THE_ARTICLE = r"(it|this|th(e|is|at) (\w+\W+){0,4}?(article|story|piece|post|column|op-ed|essay|blog))\b"
# After a verb with other uses ("Who filed the lawsuit in the story?", "Who ran it?"), only the article
# itself, named right after it: "the wire story", "this piece".
_THE_STORY = r"(the|this|that) (\w+\W+)?(article|story|piece|post|column|op-ed|essay|blog)\b"
_ASKS_AUTHOR = re.compile(
    rf"\bwho (wrote|authored|penned) {_THE_ARTICLE}|\bwho (reported|filed) {_THE_STORY}"
    rf"|\b(which|what) (reporter|journalist|correspondent|writer) (wrote|filed|reported|penned) {_THE_ARTICLE}"
    rf"|\b(author|writer|byline) of {_THE_ARTICLE}"
    r"|\b(article|story|piece|post)['’]s (author|writer|byline)\b|\bwho (is|was) the (author|writer|reporter)\W*$",
    re.I,
)
_ASKS_PUBLISHED = re.compile(
    rf"\b(when|what (date|day)|which (date|day)) (was|is) {_THE_ARTICLE}"
    r"(\W+\w+){0,6}?\W+(published|posted|written|dated)\b"
    r"|\b(publication|publishing) date\b",
    re.I,
)
_OUTLET = r"(news )?(outlet|publication|newspaper|paper|magazine|website|site|publisher|agency|wire|blog)"
_ASKS_PUBLISHER = re.compile(
    rf"\b(which|what) {_OUTLET} (published|ran|printed|carried|posted|put out|released|issued) {_THE_ARTICLE}"
    rf"|\bwho published {_THE_ARTICLE}|\bwho (ran|printed|carried|posted|put out) {_THE_STORY}"
    rf"|\b(publisher|outlet) (of|behind|for) {_THE_ARTICLE}"
    rf"|\b(in|on) (which|what) {_OUTLET} (was|is|did) {_THE_ARTICLE}",
    re.I,
)
_ARTICLE_ABOUT = re.compile(r"\b(article|story|piece|post|column|op-ed|essay|blog)\s+(on|about)\b", re.I)
_COUNT = re.compile(r"\bhow (many|much)\b", re.I)
# Number questions a year answers ("How long has it been there?": "since 2018"). Any other ("How
# big is its workforce?", "How tall is the tower?") is not answered by a year ("Founded in 1987, ...").
_SPAN = re.compile(r"\bhow (long|old)\b|\b(time ?frame|period|span)\b", re.I)
# A year as a date: after a preposition of time or a month ("in 1987", "since 2018", "May 2019"); not
# after "to", "of" or "around", which also precede amounts ("rose to 2000", "a staff of 1500").
_DATED_YEAR = re.compile(
    rf"\b(in|since|until|till|during|before|after|early|late|mid|{_MONTHS})([\s-]+)"
    rf"{_YEAR}\b",
    re.I,
)
# "How long has it been in Russia?" asks for the time until now: "for 17 years", "over the past two
# years", "since 2018", "two years ago"; not "over the next five years".
_ASKS_ELAPSED = re.compile(r"\bhow long (has|have|had)\b", re.I)
_UNIT = r"(years?|months?|decades?|weeks?|days?)"
_ELAPSED = re.compile(
    rf"\b(for|over|in|during)\s+the\s+(past|last)\s+(\S+\s+){{0,2}}?{_UNIT}\b"
    rf"|\bfor\s+(?!the\b)(?!\S+\s+(more|further|next)\b)(\S+\s+){{0,2}}?{_UNIT}\b"
    rf"|\bsince\s+((early|late|mid)[\s-]+)?(({_MONTHS})\b|{_YEAR}\b|then\b)"
    rf"|\b\S+\s+{_UNIT}\s+ago\b",
    re.I,
)
_A_YEAR = re.compile(_YEAR)
_QUOTATION = re.compile(r'"[^"]*"|“[^”]*”')
# "How many trams ...?" asks for a count, which a sum of money is not. (A share can be one: "How many
# Victorians are Catholic?" is answered by "26.7%".)
_HOW_MANY = re.compile(r"\bhow many\b", re.I)
_CURRENCY = r"(pounds?|euros?|dollars?|yuan|yen|francs?|rupees?|roubles?|rubles?|pesos?|krona|krone|kronor|kroner)"
_MONEY = re.compile(
    rf"(?<!\w)[A-Z]{{0,3}}[$€£¥]\s?\d[\d,.]*(\s?(million|billion|trillion|bn|m)\b)?"
    rf"|\b\d[\d,.]*(\s+(million|billion|trillion))?\s+{_CURRENCY}\b",
    re.I,
)
_MONEY_WORD = re.compile(rf"\b{_CURRENCY}\b|[$€£¥]", re.I)
# "On what date ...?", "What day ...?" ask for a day, which a year or a month alone does not give:
# "18 August", "August 18", "Nov. 13", "2025-03-14", "3/14/2025", "Monday", "yesterday".
_ASKS_DAY = re.compile(r"\b(what|which) (date|day)\b", re.I)
_MONTH_NAME = (
    r"(jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|june?|july?|aug(ust)?|sep(t(ember)?)?|oct(ober)?"
    r"|nov(ember)?|dec(ember)?)(\.|(?!\w))"
)
_DAY = re.compile(
    rf"\b\d{{1,2}}(st|nd|rd|th)?\s+(of\s+)?{_MONTH_NAME}|\b{_MONTH_NAME}\s*\d{{1,2}}(st|nd|rd|th)?\b"
    r"|\b\d{4}-\d\d-\d\d\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b"
    r"|\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday|yesterday|today|tomorrow)\b",
    re.I,
)
# What a role question is answered by: a title or an occupation ("Deputy Chairman", "research associate").
# One person's title or occupation (not a plural: "CFR fellows and staff", "100,000 representatives" name
# no one's role); words with other senses only where they name a role: "head of", not "chief reason".
_ROLE = re.compile(
    r"\b(chair(man|woman|person)?|(vice[- ])?president|chief(?!\s+(reason|concern|cause|aim|goal|source))"
    r"|ceo|cfo|cto|coo|director|head(?=\s+of\b)|(co-?)?founder|manager|minister|secretary|spokes(man|woman|person)"
    r"|analyst|professor|fellow(?!\s+(citizen|countrym[ae]n|member|player|student|worker|passenger))"
    r"|associate(?!\s+with\b)|researcher|editor|reporter|correspondent"
    r"|executive(?!\s+(order|branch|power|summary))|officer|governor|mayor|senator|ambassador|chancellor|lawyer"
    r"|engineer|scientist|economist|advis[eo]r|commissioner|leader|dean|coach|captain|deputy|curator|teacher"
    r"|doctor|nurse|council(l)?or|judge|consultant|owner|architect|journalist|representative|superintendent"
    r"|king|queen)\b",
    re.I,
)
# A name given as one: "a keynote titled "Our Shared Ambition"", "a fund known as the Youth Fund"; not
# "police called for calm".
_CALLED = re.compile(r"\b(called|named|titled|entitled|dubbed|known as)\s+(the\s+)?([\"“']|(?-i:[A-Z]))", re.I)
# A short quotation, as a title is quoted; speech is longer (and the bound keeps an unclosed quote linear).
_SHORT_QUOTE = re.compile(r'"[^"]{1,60}"|“[^”]{1,60}”')
# The ``type_match`` of a sentence that answers "What was it called?" with a name not given as one:
# 0.5, 0.75 and 1 got 210, 213 and 213 of SQuAD's 281 such questions right (211 as any other question),
# and 0.5 and 0.75 one development follow-up more than 1 (measured before review narrowed the kind to
# 253 SQuAD questions; docs/EVALUATION.md).
_OTHER_NAME = 0.75
_QUESTION_PATTERNS = tuple((kind, re.compile(rf"\b({pattern})\b", re.I)) for kind, pattern in _QUESTION_TYPES)
# The question's asking word: its first wh-word, or the one after a leading "When ...," clause ("When
# Fox left, who replaced him?"); a "when" joined to it ("How and when ...?") asks too.
_WH = re.compile(r"\b(who|whom|whose|what|which|when|where|why|how)\b", re.I)
_WHEN_CLAUSE = re.compile(r"^\W*when\b[^,?]*,\s*(?=(who|whom|whose|what|which|where|why|how)\b)", re.I)
_JOINED_WHEN = re.compile(r"\s+(and|or)\s+(when)\b", re.I)


#: The evidence for a sentence, in the order of ``Settings.weights``.
FEATURES = (
    "dense",
    "overlap",
    "context",
    "passage_dense",
    "passage_lexical",
    "passage_rank",
    "type_match",
    "missing",
    "short",
    "focus_missing",
    "previous_dense",
    "passage_fused",
    "length",
    "phrase",
    "near_previous",
    "byline",
    "year_missing",
)


_DENSE, _TYPE_MATCH, _MISSING, _YEAR_MISSING = (
    FEATURES.index(f) for f in ("dense", "type_match", "missing", "year_missing")
)


@dataclass(frozen=True)
class ScoredSentence:
    """A candidate answer sentence, its score and the evidence for it (see FEATURES)."""

    position: int
    passage: RetrievedPassage
    score: float
    features: tuple[float, ...]


def question_type(question: str) -> str | None:
    """ "role", "called", "number", "date", "name", "reason" or None, from the question's wording.

    A "when" that is not the question's asking word opens a clause and does not ask for a date:
    "Who led the troops when Cyprus fell?" and "When Cyprus fell, who led the troops?" ask for a name.

    Example:
        >>> question_type("How many partners worked with the lab?")
        'number'
        >>> question_type("What was his title back when he spoke in Paris?")
        'role'
        >>> question_type("What did he announce when he spoke in Paris?") is None
        True
    """
    asking = _asking_words(question)
    for name, pattern in _QUESTION_PATTERNS:
        for match in pattern.finditer(question):
            if match.group(0).lower() == "when" and match.start() not in asking:
                continue
            return name
    return None


def _asking_words(question: str) -> set[int]:
    """Where the question's asking words start (see ``_WH``)."""
    clause = _WHEN_CLAUSE.match(question)
    first = _WH.search(question, clause.end() if clause else 0)
    if first is None:
        return set()
    joined = _JOINED_WHEN.match(question, first.end())
    return {first.start(), joined.start(2)} if joined else {first.start()}


def score_sentences(
    index: CorpusIndex, query: Query, passages: list[RetrievedPassage], settings: Settings
) -> list[ScoredSentence]:
    """Every sentence of the top ``settings.reader_passages`` passages, scored, best first.

    A follow-up's earlier questions and last answer count only in the ``context`` feature
    (the sentence with its neighbour and its article's label), at ``query.context_weight`` of their IDF;
    the kind of answer wanted comes from the question alone.
    """
    top = passages[: settings.reader_passages]
    if not top:
        return []
    question, question_vector = query.question, query.vector
    q_terms = set(terms(question))
    q_weights = {t: index.bm25.term_idf(t) for t in q_terms}
    q_total = sum(q_weights.values()) or 1.0
    # A follow-up's earlier turns count only in ``context`` (the sentence with its neighbour and its
    # article's label): counted in the sentence's own overlap they would favour repeating the last answer.
    c_weights = dict(q_weights)
    if query.context:
        for t in set(terms(query.context)) - q_terms:
            c_weights[t] = query.context_weight * index.bm25.term_idf(t)
    c_total = sum(c_weights.values()) or 1.0
    q_names = names_and_numbers(question)
    q_years = {n for n in q_names if _A_YEAR.fullmatch(n)}
    q_words = set(words(question))
    q_pairs = _pairs(terms(question))
    kind = question_type(question)
    amount = kind == "number" and not _SPAN.search(question)
    day = kind == "date" and bool(_ASKS_DAY.search(question))
    count = amount and bool(_HOW_MANY.search(question)) and not _MONEY_WORD.search(question)
    elapsed = bool(_ASKS_ELAPSED.search(question))
    names = index.names() if kind in ("name", "called") else frozenset()
    focus = _focus_term(question)
    best_passage = max(p.dense for p in top)
    best_fused = max(p.fused for p in top)
    answered_at = index.sentence_at(*query.previous_answer) if query.previous_answer else None
    has = expand(question).matches  # a term, or its abbreviation or spelled-out form
    byline = _byline_field(question, in_conversation=bool(query.context))

    # Each sentence competes once, with the best-ranked passage that contains it.
    owner: dict[int, RetrievedPassage] = {}
    for retrieved in top:
        passage = index.passages[retrieved.position]
        for position in range(passage.first_sentence, passage.last_sentence):
            owner.setdefault(position, retrieved)
    if byline is not None:
        # A byline question is answered by the byline of an article it found, wherever that stands.
        for retrieved in top:
            for position in _front_matter_sentences(index, retrieved.position):
                owner.setdefault(position, retrieved)
    positions = sorted(owner)
    if byline is None:
        # A front matter's publisher, author and date (sentences before the body) answer only byline
        # questions: "When will the lab open?" is not answered by the file's "date: 2024-03-14".
        positions = [p for p in positions if not _in_front_matter(index, p)]
        if not positions:
            return []
    similarities = index.sentence_vectors[positions] @ question_vector
    previous = index.sentence_vectors[[max(p - 1, 0) for p in positions]] @ question_vector

    rank = {retrieved.position: r for r, retrieved in enumerate(top)}
    weights = np.asarray(settings.weights, dtype=np.float64)
    # What the question names that an article lacks depends on the article alone: once per article.
    lacking: dict[str, tuple[float, float]] = {}
    credited: set[str] = set()  # articles whose byline sentence has had its evidence
    scored = []
    for position, dense, previous_dense in zip(positions, similarities.tolist(), previous.tolist(), strict=True):
        sentence = index.sentences[position]
        has_previous = position > 0 and index.sentences[position - 1].article_id == sentence.article_id
        article = index.articles[sentence.article_id]
        if article.id not in lacking:
            vocabulary = index.article_vocabulary(article.id)
            lacking[article.id] = (
                len(_unmentioned(q_names, vocabulary, has, index.names())) / len(q_names) if q_names else 0.0,
                1.0 if any(y not in vocabulary for y in q_years) else 0.0,
            )
        missing, year_missing = lacking[article.id]
        s_list, s_terms = index.sentence_terms(position)
        # The sentence with its article's label (title, publisher, author) and the sentence before it.
        c_terms = s_terms | index.label_terms(article.id)
        if has_previous:
            c_terms |= index.sentence_terms(position - 1)[1]
        retrieved = owner[position]
        features = (
            dense,
            sum(w for t, w in q_weights.items() if has(t, s_terms)) / q_total,
            sum(w for t, w in c_weights.items() if has(t, c_terms)) / c_total,
            retrieved.dense / best_passage if best_passage > 0 else 0.0,
            retrieved.lexical,
            1.0 / (1 + rank[retrieved.position]),
            _type_match(
                kind, sentence.text, q_words, amount=amount, elapsed=elapsed, day=day, count=count, names=names
            ),
            missing,
            1.0 if len(sentence.text.split()) < 6 else 0.0,
            1.0 if focus and focus not in c_terms else 0.0,
            previous_dense if has_previous else 0.0,
            retrieved.fused / best_fused if best_fused > 0 else 0.0,
            math.log1p(len(sentence.text.split())),
            len(q_pairs & _pairs(s_list)) / len(q_pairs) if q_pairs else 0.0,
            _nearness(index, position, answered_at),
            _byline_evidence(byline, sentence.text, article, credited),
            year_missing,
        )
        score = float(np.dot(weights, features)) + settings.bias
        scored.append(ScoredSentence(position, retrieved, score, features))
    scored.sort(key=lambda s: (-s.score, s.position))
    return scored


def confidence(
    scored: list[ScoredSentence], settings: Settings, question: str, outside_quotes_cosine: float | None = None
) -> float:
    """Probability that the best of ``scored`` (best first) answers the question.

    A logistic model of the best sentence's score, its lead over the runner-up, its cosine
    to the question and the share of the question's names its article lacks, fitted on
    SQuAD questions asked with and without their own article in the collection (see
    bench/fit/README.md): a sentence that stands out from the rest is more likely to be the
    answer than the best of many equally weak ones, and one that means what the question
    asks more likely than one that shares its words.

    A "how many" or "how much" question whose best sentence holds no number besides the
    question's own loses ``settings.no_number_penalty`` of log-odds: such a sentence is about
    the subject but cannot give the number asked for. A question whose year ("revenue in 2023")
    the best sentence's article never gives loses ``settings.year_missing_penalty``: the
    article is not about that time (on SQuAD, 3 of 645 questions with a year miss it in their
    own article).

    ``outside_quotes_cosine`` is the cosine of the best sentence without its quotations (see
    ``outside_quotes``), when it has any: the better of it and the whole sentence's counts. In
    '"This is about survival," said Marit Haugland, chief executive of Fjordair', what a "who"
    question asks about is the attribution, and the quotation, about something else, drags the
    whole sentence's cosine down.
    """
    if not scored:
        return 0.0
    best = scored[0].score
    lead = best - scored[1].score if len(scored) > 1 else 0.0
    w_score, w_lead, w_dense, w_missing, intercept = settings.confidence_model
    features = scored[0].features
    dense = features[_DENSE] if outside_quotes_cosine is None else max(features[_DENSE], outside_quotes_cosine)
    z = w_score * best + w_lead * lead + w_dense * dense + w_missing * features[_MISSING] + intercept
    if _COUNT.search(question) and features[_TYPE_MATCH] == 0.0:
        z -= settings.no_number_penalty
    z -= settings.year_missing_penalty * features[_YEAR_MISSING]
    return 1.0 / (1.0 + math.exp(-max(min(z, 50.0), -50.0)))


def outside_quotes(sentence: str) -> str | None:
    """The sentence without its quotations, if it has any and at least three words stand outside them.

    Example:
        >>> outside_quotes('"This is about survival," said Marit Haugland, chief executive of Fjordair.')
        'said Marit Haugland, chief executive of Fjordair.'
        >>> outside_quotes("Fjordair will merge with Skagen Wings.") is None
        True
    """
    if not _QUOTATION.search(sentence):
        return None
    rest = " ".join(_QUOTATION.sub(" ", sentence).split())
    return rest if len(rest.split()) >= 3 else None


def _byline_field(question: str, *, in_conversation: bool = False) -> str | None:
    """ "author" when the question asks who wrote the article, "date" when it asks when it was published,
    "source" when it asks which outlet published it (the ``Article`` field that holds the answer).

    A question that does not say which article ("Who wrote it?", "Who wrote the article?") asks
    about the article of the conversation: asked first, it has none, and gets no byline evidence.
    One that names something ("the SCMP piece") or says what the article is about does.
    """
    if not in_conversation and not names_in(question) and not _ARTICLE_ABOUT.search(question):
        return None
    if _ASKS_AUTHOR.search(question):
        return "author"
    if _ASKS_PUBLISHED.search(question):
        return "date"
    if _ASKS_PUBLISHER.search(question):
        return "source"
    return None


def _front_matter_sentences(index: CorpusIndex, passage_position: int) -> range:
    """Positions of the front-matter sentences (publisher, author, date) of the article of a passage."""
    first = passage_position
    article_id = index.passages[first].article_id
    while first > 0 and index.passages[first - 1].article_id == article_id:
        first -= 1
    start = end = index.passages[first].first_sentence
    while end < len(index.sentences) and index.sentences[end].article_id == article_id and _in_front_matter(index, end):
        end += 1
    return range(start, end)


def _in_front_matter(index: CorpusIndex, position: int) -> bool:
    """Whether the sentence at ``position`` is a front-matter value (it stands before its article's body)."""
    sentence = index.sentences[position]
    return sentence.start < index.articles[sentence.article_id].body_start


def _byline_evidence(byline: str | None, sentence: str, article: Article, credited: set[str]) -> float:
    """1.0 for the first sentence of an article (in reading order) that holds the asked-for byline value.

    Only the first: with several authors, each on a line of the front matter, the byline is still one
    answer, and its first line should not have to compete with the next.
    """
    if (
        byline is None
        or article.id in credited
        or not _holds(sentence, getattr(article, byline), several=byline == "author")
    ):
        return 0.0
    credited.add(article.id)
    return 1.0


def _holds(sentence: str, value: str, *, several: bool = False) -> bool:
    """Whether ``value`` (an author or a date from the article's metadata) stands in the sentence.

    With ``several``, the value is a list of names ("Jane Roe, Bo Chen", "Jane Roe and Bo Chen"),
    and any one of them will do.
    """
    if several:
        return any(_holds(sentence, name) for name in re.split(r",\s*|\s+and\s+", value))
    value = " ".join(value.split())
    # From the start of a word: "Ian" is not in "Italian"; the end is left open for bylines printed
    # glued to the next word ("Iris Dengin Barcelona").
    return bool(value) and re.search(rf"(?<!\w){re.escape(value)}", " ".join(sentence.split()), re.I) is not None


def _nearness(index: CorpusIndex, position: int, previous: int | None) -> float:
    """1 / (1 + distance in sentences, at least 1), for a sentence of the same article as the previous answer.

    The previous answer itself counts as near as its neighbours: a follow-up is often answered
    by the same sentence, but as often by the next one, which the same bonus would otherwise lose to.
    """
    if previous is None or index.sentences[previous].article_id != index.sentences[position].article_id:
        return 0.0
    return 1.0 / (1 + max(abs(position - previous), 1))


def lacks_a_name(index: CorpusIndex, article_id: str, question: str) -> bool:
    """Whether the article never mentions one of the question's names or numbers.

    False for an article the index no longer has (a conversation may outlive it).
    """
    if article_id not in index.articles:
        return False
    names = names_and_numbers(question)
    vocabulary = index.article_vocabulary(article_id)
    return bool(_unmentioned(names, vocabulary, expand(question).matches, index.names()))


def _unmentioned(
    names: set[str],
    vocabulary: frozenset[str],
    has: Callable[[str, frozenset[str]], bool],
    known: frozenset[str] = frozenset(),
) -> list[str]:
    """The names (and numbers) that an article whose words and terms are ``vocabulary`` never mentions."""
    return [n for n in names if not _mentioned(n, vocabulary, has, known)]


def _mentioned(
    name: str,
    vocabulary: frozenset[str],
    has: Callable[[str, frozenset[str]], bool],
    known: frozenset[str] = frozenset(),
) -> bool:
    """Whether an article whose words and terms are ``vocabulary`` mentions a question's name or number.

    As the article may write it: stemmed ("Germans": "German"), without accents ("Gospic":
    "Gospić"), as a place or its adjective ("Valdorian": "Valdoria", see ``qa.demonyms``; only a
    form among ``known``, the names the articles capitalise, so that "Julian" is not "July" nor
    "Sean" "sea"), or in parts ("V&A", "U.S.", "NP-complete", "Super Bowl-related").
    """
    if has(name, vocabulary) or has(stem(name), vocabulary):
        return True
    if any(form in vocabulary and form in known for form in place_forms(name)):
        return True
    parts = [p for p in re.split(r"\W+", fold(name)) if p]
    return bool(parts) and all(p in vocabulary or stem(p) in vocabulary for p in parts)


def _pairs(found: list[str] | tuple[str, ...]) -> set[tuple[str, str]]:
    """Adjacent pairs of a text's stemmed content words (``terms(text)``)."""
    return set(zip(found, found[1:], strict=False))


_FOCUS = re.compile(r"\bhow (?:many|much)\s+(?:of\s+)?(?:the\s+|its\s+|their\s+)?([A-Za-z][\w-]+)", re.I)


def _focus_term(question: str) -> str | None:
    """The counted thing of a "how many X" question, stemmed: "how many partners" -> "partner"."""
    match = _FOCUS.search(question)
    if not match:
        return None
    found = terms(match.group(1))
    return found[0] if found else None


def _type_match(
    kind: str | None,
    sentence: str,
    question_words: set[str],
    *,
    amount: bool = False,
    elapsed: bool = False,
    day: bool = False,
    count: bool = False,
    names: frozenset[str] = frozenset(),
) -> float:
    """1.0 when the sentence holds something of the asked-for kind that the question does not already say.

    For a question after a name ("called": "What was the keynote called?"), a name given as one
    ("titled ...", "known as ...", or a short quotation) is 1.0 and any other name ``_OTHER_NAME``.
    For one after a role ("What was his title?"), a title or occupation ("Deputy Chairman") is one.

    For a question after an amount (``amount``: "how many", "how big", not "how long"), a year
    given as a date ("in 1987") is not one. For one after the time until now (``elapsed``: "how
    long has"), only a span that ends now is ("for 17 years", "since 2018"). For one after a day
    (``day``: "on what date"), only a day is ("18 August", "Monday"), not a year. For one after a
    count (``count``: "how many trams"), a sum of money is not one ("1.2 billion pounds"). A name is a
    capitalised word, but the sentence's first word only when the articles write it with a
    capital elsewhere too (``names``, see ``CorpusIndex.names``): "Nevertheless, she announced
    ..." names nobody.
    """
    if kind is None:
        return 0.0
    if kind == "reason":
        return 1.0 if _REASON.search(sentence) else 0.0
    if kind == "called":
        # A name given as one, or quoted, is what such a question asks for; any other name may be.
        quoted = [m.group(0) for m in _SHORT_QUOTE.finditer(sentence) if len(m.group(0).split()) <= 8]
        if _CALLED.search(sentence) or _beyond(quoted, question_words):
            return 1.0
        return _OTHER_NAME * _type_match("name", sentence, question_words, names=names)
    if kind == "role":
        hits = [m.group(0) for m in _ROLE.finditer(sentence)]
    elif kind == "number" and elapsed:
        hits = [m.group(0) for m in _ELAPSED.finditer(sentence)]
    elif kind == "number":
        if amount:
            sentence = _DATED_YEAR.sub(r"\1\2", sentence)
        if count:
            sentence = _MONEY.sub(" ", sentence)
        hits = [m.group(0) for m in re.finditer(r"[\w.,$€£¥%]*\d[\w.,%]*", sentence)]
        hits += [m.group(0) for m in _NUMBER.finditer(sentence) if not m.group(0).isdigit()]
    elif kind == "date":
        hits = [m.group(0) for m in (_DAY if day else _DATE).finditer(sentence)]
    else:
        hits = [m.group(0) for m in names_in(sentence, known=names)]
    return 1.0 if _beyond(hits, question_words) else 0.0


def _beyond(hits: list[str], question_words: set[str]) -> bool:
    """Whether one of ``hits`` says something beyond the question's own words."""
    return any(words(h) and not set(words(h)) <= question_words for h in hits)
