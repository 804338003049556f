"""Saved news pages of many builds, made in code: the HTML tests' and the extraction benchmark's corpus.

Each ``Page`` is one site's way of building an article page around a story (``Story``): the story's
paragraphs, wrapped as that site wraps them (in a ``<form>``, two ``<main>`` elements, comments as
``<article>``, related-story cards, a paywall wrapper, JSON-LD-only metadata, no ``<article>`` at all,
...), with the furniture real pages carry (menus, headline, byline, captions, "most read" lists,
newsletter boxes, footers). ``Page.furniture`` lists text of the page that is not the story.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from html import escape


@dataclass(frozen=True)
class Story:
    title: str
    authors: tuple[str, ...]
    date: str  # ISO day
    site: str
    paragraphs: tuple[str, ...]


@dataclass(frozen=True)
class Page:
    name: str
    html: str
    story: Story
    # What a reader accepts as the page's metadata (the builds below hide or garble it in their own ways).
    author: str
    furniture: tuple[str, ...]


STORIES = (
    Story(
        "Acme opens a research lab in Lyon",
        ("Jane Doe",),
        "2024-03-01",
        "Daily Planet",
        (
            "Acme will invest 10 million euros in a new research laboratory in Lyon over the next five years, "
            "the company said on Tuesday, in what its chief executive called the largest bet in its history "
            "on European research.",
            "The laboratory will open in May and employ 40 engineers, most of them hired from universities in "
            "the region. Recruitment has already begun, and twelve offers have been accepted.",
            '"This is a vote of confidence in Lyon," said the deputy mayor, Claire Hollis, who has campaigned '
            "for research jobs since her election in 2020.",
            "Acme already runs laboratories in Paris and Nantes. The company did not say whether the new site "
            "would take work from either of them.",
            "Shares in Acme rose 2 per cent in Paris after the announcement.",
        ),
    ),
    Story(
        "Tram line vote splits the city council",
        ("Claire Hollis", "Bo Chen"),
        "2023-11-14",
        "Northern Courier",
        (
            "The city council voted 27 to 24 on Monday night to build a tram line from the station to the "
            "university, ending a debate that has run for more than a decade.",
            "Supporters said the line would take 4,000 cars off the road each day. Opponents warned that the "
            "budget of 310 million pounds would grow, as it had for the bus lanes built in 2015.",
            "Work is due to start next spring. The council expects the first trams to run in 2028, although "
            "officials admitted that the timetable depends on a grant from the transport ministry.",
            "Shopkeepers on Mill Street, where the tracks will run, asked for compensation during the works. "
            "The council said it would consider their request in January.",
        ),
    ),
    Story(
        "Heatwave closes schools across the south",
        ("Ana de la Cruz",),
        "2019-05-16",
        "Morning Ledger",
        (
            "More than 300 schools in the south of the country closed on Thursday as temperatures passed 41 "
            "degrees Celsius for the third day running.",
            "The education ministry said pupils would be taught online until the weekend. Exams planned for "
            "Friday were moved to the following week.",
            "Hospitals reported a rise in admissions for heatstroke, mostly among elderly people living alone. "
            "The health agency urged neighbours to check on them twice a day.",
            "Forecasters expect the heat to break on Sunday, when storms are due to reach the coast.",
        ),
    ),
)

_NAV = (
    '<nav class="site-nav"><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li>'
    '<li><a href="/business">Business</a></li><li><a href="/sport">Sport</a></li>'
    '<li><a href="/opinion">Opinion</a></li></ul></nav>'
)
_MOST_READ = (
    '<aside class="most-read"><h2>Most read</h2><ol>'
    '<li><a href="/a">Celebrity chef opens third restaurant in the old harbour</a></li>'
    '<li><a href="/b">Ten things to do this weekend before the summer ends</a></li>'
    '<li><a href="/c">Football club names new manager after a difficult season</a></li></ol></aside>'
)
_FOOTER = (
    '<footer class="site-footer"><p>© 2024 Planet Media Group. All rights reserved.</p>'
    '<ul><li><a href="/privacy">Privacy policy</a></li><li><a href="/terms">Terms of use</a></li>'
    '<li><a href="/contact">Contact us</a></li></ul></footer>'
)
_NEWSLETTER = (
    '<div class="newsletter-signup"><h3>Get the morning briefing</h3>'
    "<p>Sign up for our newsletter and get the top stories in your inbox every morning.</p>"
    '<input type="email" placeholder="Your email"><button>Sign up</button></div>'
)
_COOKIES = (
    '<div id="cookie-consent" class="cookie-banner"><p>We use cookies to improve your experience on our '
    "site and to show you relevant advertising.</p><button>Accept all</button></div>"
)
FURNITURE = (
    "Most read",
    "Celebrity chef opens third restaurant",
    "All rights reserved",
    "Privacy policy",
    "Sign up for our newsletter",
    "We use cookies",
)


def _head(story: Story) -> str:
    parts = ['<meta charset="utf-8">', f"<title>{escape(story.title)} | {escape(story.site)}</title>"]
    parts += [
        f'<meta property="og:title" content="{escape(story.title)}">',
        f'<meta property="og:site_name" content="{escape(story.site)}">',
        f'<meta name="author" content="{escape(", ".join(story.authors))}">',
        f'<meta property="article:published_time" content="{story.date}T08:30:00+00:00">',
    ]
    parts.append('<link rel="stylesheet" href="/main.css"><script>window.dataLayer = [];</script>')
    return "<head>" + "".join(parts) + "</head>"


def _paragraphs(story: Story) -> str:
    return "".join(f"<p>{escape(p)}</p>" for p in story.paragraphs)


def _byline(story: Story) -> str:
    names = " and ".join(story.authors)
    return f'<div class="byline">By <a href="/authors/x" rel="author">{escape(names)}</a></div>'


def _figure(caption: str) -> str:
    return f'<figure><img src="/photo.jpg" alt=""><figcaption>{escape(caption)} Photo: Agency</figcaption></figure>'


def ordinary(story: Story) -> Page:
    caption = "The site chosen for the project, seen from the river."
    html = (
        f"<!doctype html><html lang='en'>{_head(story)}<body>{_COOKIES}<header><a href='/'>{story.site}</a>"
        f"{_NAV}</header><main><article><header><h1>{escape(story.title)}</h1>{_byline(story)}"
        f'<time datetime="{story.date}">{story.date}</time></header>{_figure(caption)}'
        f'<div class="article-body">{_paragraphs(story)}</div>'
        '<footer><ul class="tags"><li>Business</li><li>Science</li></ul></footer></article>'
        f"{_MOST_READ}</main>{_FOOTER}</body></html>"
    )
    return Page("ordinary", html, story, ", ".join(story.authors), (*FURNITURE, caption, "Photo: Agency"))


def form_wrapped(story: Story) -> Page:
    """An ASP.NET-style page: everything inside one <form>."""
    html = (
        f"<!doctype html><html>{_head(story)}<body><form method='post' action='./story.aspx' id='aspnetForm'>"
        "<input type='hidden' name='__VIEWSTATE' value='dDwtMTA4MzE0MjEwNTs7Pg=='>"
        f"<div id='header'>{_NAV}</div><div id='content'><div class='story'>"
        f"<h1>{escape(story.title)}</h1>{_byline(story)}<div class='story-text'>{_paragraphs(story)}</div>"
        f"</div>{_NEWSLETTER}</div><div id='footer'>{_FOOTER}</div></form></body></html>"
    )
    return Page("form-wrapped", html, story, ", ".join(story.authors), FURNITURE)


def two_mains(story: Story) -> Page:
    """Two <main> elements: the story, and a list of other stories."""
    others = "".join(
        f'<li><h3><a href="/s{n}">{t}</a></h3><p>{d}</p></li>'
        for n, (t, d) in enumerate(
            [
                ("Port strike enters second week", "Dockers say talks have stalled over pay and pensions."),
                ("Museum returns looted bronzes", "The objects were taken from Benin City in 1897."),
                ("Rail fares to rise in January", "Season tickets will cost up to 4.9 per cent more."),
            ]
        )
    )
    html = (
        f"<!doctype html><html>{_head(story)}<body>{_NAV}<main id='story'><h1>{escape(story.title)}</h1>"
        f"{_byline(story)}{_paragraphs(story)}</main><main id='more'><h2>More stories</h2><ul>{others}</ul></main>"
        f"{_FOOTER}</body></html>"
    )
    furniture = (*FURNITURE, "More stories", "Port strike enters second week", "Dockers say talks have stalled")
    return Page("two-mains", html, story, ", ".join(story.authors), furniture)


def comments_as_articles(story: Story) -> Page:
    """The story in an <article>, and each reader's comment in an <article> of its own."""
    comments = "".join(
        f'<article class="comment"><header><span class="user">{u}</span></header><p>{c}</p></article>'
        for u, c in [
            ("tom_k", "About time somebody invested in this city instead of the capital, to be honest with you."),
            ("reader2021", "I will believe it when I see it. They promised the same thing five years ago."),
            ("MargotB", "Does anyone know whether they will hire graduates from the local university?"),
        ]
    )
    html = (
        f"<!doctype html><html>{_head(story)}<body>{_NAV}<article class='story'><h1>{escape(story.title)}</h1>"
        f"{_byline(story)}{_paragraphs(story)}</article><section id='comments'><h2>Comments (3)</h2>"
        f"{comments}</section>{_FOOTER}</body></html>"
    )
    furniture = (*FURNITURE, "Comments (3)", "About time somebody invested", "I will believe it when I see it")
    return Page("comments-as-articles", html, story, ", ".join(story.authors), furniture)


def related_cards(story: Story) -> Page:
    """Related-story cards, each an <article> with a headline and a teaser, after the story."""
    cards = "".join(
        f'<article class="card"><a href="/r{n}"><img src="/r{n}.jpg"><h3>{t}</h3></a><p>{d}</p></article>'
        for n, (t, d) in enumerate(
            [
                ("Why investors are betting on regional science hubs", "Analysis: money is leaving the capitals."),
                ("The engineers who never left", "A graduate class stayed in town. Here is what happened next."),
            ]
        )
    )
    html = (
        f"<!doctype html><html>{_head(story)}<body>{_NAV}<div class='page'><article id='main-story'>"
        f"<h1>{escape(story.title)}</h1>{_byline(story)}{_paragraphs(story)}</article>"
        f"<section class='related'><h2>Related stories</h2>{cards}</section>{_MOST_READ}</div>"
        f"{_FOOTER}</body></html>"
    )
    furniture = (*FURNITURE, "Related stories", "Why investors are betting", "The engineers who never left")
    return Page("related-cards", html, story, ", ".join(story.authors), furniture)


def paywall(story: Story) -> Page:
    """The story's paragraphs inside a paywall wrapper, with the subscription offer next to them."""
    first, *rest = story.paragraphs
    html = (
        f"<!doctype html><html>{_head(story)}<body>{_NAV}<article><h1>{escape(story.title)}</h1>"
        f"{_byline(story)}<p>{escape(first)}</p><div class='paywall meteredContent' data-paywall='true'>"
        + "".join(f"<p>{escape(p)}</p>" for p in rest)
        + "</div><div class='subscribe-offer'><h3>Subscribe to keep reading</h3><p>Get unlimited access "
        "for 1 euro a month. Cancel anytime.</p><a href='/subscribe'>Subscribe now</a></div></article>"
        f"{_FOOTER}</body></html>"
    )
    furniture = (*FURNITURE, "Subscribe to keep reading", "unlimited access")
    return Page("paywall", html, story, ", ".join(story.authors), furniture)


def json_ld_only(story: Story) -> Page:
    """No metadata tags: only JSON-LD, in a @graph, with every author a Person."""
    data = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "WebSite", "name": story.site, "url": "https://example.com/"},
            {
                "@type": "NewsArticle",
                "headline": story.title,
                "datePublished": story.date + "T06:00:00Z",
                "dateModified": story.date + "T09:45:00Z",
                "author": [{"@type": "Person", "name": name} for name in story.authors],
                "publisher": {"@type": "Organization", "name": story.site},
            },
        ],
    }
    html = (
        f'<!doctype html><html><head><meta charset="utf-8"><title>{escape(story.title)}</title>'
        f'<script type="application/ld+json">{json.dumps(data)}</script></head><body>{_NAV}'
        f"<div class='content'><h1>{escape(story.title)}</h1><div class='text'>{_paragraphs(story)}</div></div>"
        f"{_NEWSLETTER}{_FOOTER}</body></html>"
    )
    return Page("json-ld-only", html, story, ", ".join(story.authors), FURNITURE)


def no_article_element(story: Story) -> Page:
    """Div soup: no <article> or <main>, the body classed like a sidebar layout."""
    html = (
        f"<!doctype html><html>{_head(story)}<body class='l-sidebar-fixed has-ads'>{_COOKIES}"
        f"<div class='l-header'>{_NAV}</div><div class='l-container'><div class='l-main'>"
        f"<div class='headline'><h1>{escape(story.title)}</h1></div>{_byline(story)}"
        f"<div class='story-body'>{_paragraphs(story)}</div></div>"
        f"<div class='l-sidebar'>{_MOST_READ}{_NEWSLETTER}</div></div>{_FOOTER}</body></html>"
    )
    return Page("no-article-element", html, story, ", ".join(story.authors), FURNITURE)


def publisher_as_author(story: Story) -> Page:
    """The author tag names the publisher (as BBC and Condé Nast pages do); the byline names the reporter
    with a job title, and the page also gives a placeholder date before the real one."""
    ld = {
        "@type": "NewsArticle",
        "headline": story.title,
        "datePublished": story.date + "T11:00:00.000Z",
        "author": {"@type": "Person", "name": story.authors[0] + ", Senior correspondent"},
        "publisher": {"@type": "Organization", "name": story.site},
    }
    html = (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{escape(story.title)} - {story.site}</title>"
        f"<meta property='og:title' content='{escape(story.title)}'>"
        f"<meta property='og:site_name' content='{story.site}'>"
        f"<meta name='author' content='{story.site}'>"
        "<meta property='article:modified_time' content='0001-01-01T00:00:00Z'>"
        f"<script type='application/ld+json'>{json.dumps(ld)}</script>"
        f"</head><body>{_NAV}<main><article><header><h1>{escape(story.title)}</h1>"
        f"<p class='byline'>By {escape(story.authors[0])}, Senior correspondent</p></header>"
        f"{_paragraphs(story)}</article></main>{_MOST_READ}{_FOOTER}</body></html>"
    )
    return Page("publisher-as-author", html, story, story.authors[0], FURNITURE)


def live_layout(story: Story) -> Page:
    """Sections with intermediate headings and a pull quote, the kind a long read has."""
    half = len(story.paragraphs) // 2
    html = (
        f"<!doctype html><html>{_head(story)}<body>{_NAV}<article><h1>{escape(story.title)}</h1>"
        f"{_byline(story)}<section>{''.join(f'<p>{escape(p)}</p>' for p in story.paragraphs[:half])}</section>"
        f"<section>{''.join(f'<p>{escape(p)}</p>' for p in story.paragraphs[half:])}</section>"
        f"<div class='share-tools'><a>Share on Facebook</a><a>Share on X</a></div></article>"
        f"{_MOST_READ}{_FOOTER}</body></html>"
    )
    return Page("sections", html, story, ", ".join(story.authors), (*FURNITURE, "Share on Facebook"))


SHAPES: tuple[Callable[[Story], Page], ...] = (
    ordinary,
    form_wrapped,
    two_mains,
    comments_as_articles,
    related_cards,
    paywall,
    json_ld_only,
    no_article_element,
    publisher_as_author,
    live_layout,
)


def pages() -> list[Page]:
    """Every shape around every story."""
    return [shape(story) for shape in SHAPES for story in STORIES]
