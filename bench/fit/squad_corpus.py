"""SQuAD v1.1 dev -> a folder of 48 articles (title, blank line, paragraphs) and questions.json with paragraph offsets.

Usage: python bench/fit/squad_corpus.py ../shared/eval/squad/dev-v1.1.json WORKDIR
"""

import json
import pathlib
import re
import sys

d = json.load(open(sys.argv[1]))
out = pathlib.Path(sys.argv[2]) / "corpus"
out.mkdir(parents=True, exist_ok=True)
qs = []
for i, art in enumerate(d["data"]):
    title = art["title"].replace("_", " ")
    text = title + "\n\n"
    for p in art["paragraphs"]:
        start = len(text)
        text += p["context"].strip() + "\n\n"
        for q in p["qas"]:
            qs.append(
                {
                    "id": q["id"],
                    "question": q["question"],
                    "article": f"{i:02d}_{re.sub(r'[^A-Za-z0-9]+', '_', art['title'])}",
                    "para": [start, start + len(p["context"].strip())],
                    "answers": [a["text"] for a in q["answers"]],
                }
            )
    (out / f"{i:02d}_{re.sub(r'[^A-Za-z0-9]+', '_', art['title'])}.txt").write_text(text)
json.dump(qs, open(pathlib.Path(sys.argv[2]) / "questions.json", "w"))
print(len(qs), len(list(out.iterdir())))
