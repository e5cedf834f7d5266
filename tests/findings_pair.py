"""A small pair whose beads have fidelity findings, written as a data directory with its PO file
(through the store, as `workbench align` writes it): for the findings page tests, web and browser."""

from __future__ import annotations

from pathlib import Path

from factories import write_corpus
from workbench import store
from workbench.corpus import Document, Sentence
from workbench.model import Alignment, Bead

PAIR = "appeal-ru__story-en"
PO_NAME = f"{PAIR}.po"
SRC = ["Петицию подписали 5000 человек.",
       "Президент объявил о мобилизации 21 сентября.",
       "Мы против войны.",
       "Подписывайте петицию."]
TGT = ["More than a hundred people came.",
       "The petition was signed by 50,000 people.",
       "The president announced mobilization on September 22.",
       "We are not against the war.",
       "Sign the petition."]
MT = ["The petition was signed by 5000 people.",
      "The president announced mobilization on September 21.",
      "We are against the war.",
      "Sign the petition."]
BEADS = [Bead((), (0,), 0.0, "test"), Bead((0,), (1,), 0.9, "test"), Bead((1,), (2,), 0.9, "test"),
         Bead((2,), (3,), 0.9, "test"), Bead((3,), (4,), 0.9, "test")]


def _sentences(texts: list[str]) -> list[Sentence]:
    out, pos = [], 0
    for i, t in enumerate(texts):
        out.append(Sentence(index=i, text=t, start=pos, end=pos + len(t), paragraph=i, line=2 * i + 1))
        pos += len(t) + 2
    return out


def make_findings_dir(root: Path, *, beads: list[Bead] | None = None) -> Path:
    """A data directory with the pair above and its PO file; returns the PO file's path."""
    write_corpus(root, ("appeal-ru", "ru", "appeal.ru.txt", "Обращение", SRC),
                 ("story-en", "en", "story.en.txt", "Story", TGT))
    s_doc = Document("appeal-ru", "ru", "corpora/appeal.ru.txt", "\n\n".join(SRC))
    t_doc = Document("story-en", "en", "corpora/story.en.txt", "\n\n".join(TGT))
    po = root / "translations" / PO_NAME
    store.write_alignment(po, s_doc, t_doc, _sentences(SRC), _sentences(TGT),
                          Alignment(beads or BEADS, {"method": "test"}), mt=MT,
                          mt_model="test-model 1.0")
    return po
