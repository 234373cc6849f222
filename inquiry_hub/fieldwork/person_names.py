"""Person names in French text: spaCy's ``fr_core_news_sm`` reduced to its entity recogniser.

The model is loaded at first use, once per process (thread-safe), with every component but
``ner`` left out; its load time and memory are kept in ``MODEL_LOAD``. Paragraphs already
read are answered from a cache: the gate reads the same ones at proposal time, at
execution time and after each change of the vault.
"""

from __future__ import annotations

import re
import resource
import threading
import time

MODEL = "fr_core_news_sm"
#: Everything but the entity recogniser (which has its own token-to-vector layer).
_NOT_NEEDED = ["tok2vec", "morphologizer", "parser", "senter", "attribute_ruler", "lemmatizer"]
_nlp = None
_nlp_lock = threading.Lock()
#: Measured once, when the model is loaded: seconds and resident memory added (MiB).
MODEL_LOAD: dict[str, float] = {}


def _rss_mib() -> float:
    try:
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[1]) * resource.getpagesize() / 2**20
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def nlp():
    """The French pipeline, reduced to named entities; loaded at first use, once per process."""
    global _nlp
    if _nlp is None:
        with _nlp_lock:
            if _nlp is None:
                import spacy

                before, start = _rss_mib(), time.perf_counter()
                model = spacy.load(MODEL, exclude=_NOT_NEEDED)
                MODEL_LOAD.update(seconds=time.perf_counter() - start, rss_mib=_rss_mib() - before)
                _nlp = model
    return _nlp


_SENTENCE_START = re.compile(r"(?:^|[.!?:;…»«\"“”()\[\]#>*\n-])\s*$")


def _persons_of(model, texts: list[str]) -> list[list[str]]:
    found = []
    for text, doc in zip(texts, model.pipe(texts, batch_size=64), strict=True):
        names = []
        for ent in doc.ents:
            if ent.label_ != "PER" or not any(c.isupper() for c in ent.text):
                continue
            words = [t.text for t in ent if not any(c.isdigit() for c in t.text)]
            # One capitalised word opening a sentence or a title is mostly not a name to
            # the small model's eyes either ("Shared", "Synthèse"); first and last names are.
            alone = len([w for w in words if w[:1].isalpha()]) <= 1
            if not words or alone and _SENTENCE_START.search(text[: ent.start_char]):
                continue
            names.append(ent.text)
        found.append(names)
    return found


#: Sentence → its person entities: proposal-time and execution-time checks, and re-checks
#: after a vault change, read the same sentences again.
_SEEN: dict[str, tuple[str, ...]] = {}
_SEEN_MAX = 32768
_run_lock = threading.Lock()


_SENTENCES = re.compile(r"(?<=[.!?…])\s+|\n+")
_EDGES = "\"'’«»“”()[]{}.,;:!?…*_-"


def _candidates(text: str, known) -> list[str]:
    """The sentences of a text that may hold a person name the gate would report: a
    capitalised word after the first one that is not a word the gate already allows
    (``known(word)``: pseudonyms, members' names, public names)."""
    found = []
    for sentence in _SENTENCES.split(text):
        words = (w.strip(_EDGES) for w in sentence.split()[1:])
        if any(w[:1].isupper() and not known(w) for w in words if w):
            found.append(sentence)
    return found


def persons(texts: list[str], known=lambda word: False) -> list[tuple[str, ...]]:
    """PER entities of each text, sentence by sentence; sentences already seen come from a cache."""
    by_text = [_candidates(t, known) for t in texts]
    fresh = list(dict.fromkeys(s for sentences in by_text for s in sentences if s not in _SEEN))
    if fresh:
        model = nlp()
        # One reader at a time: spaCy does not promise thread-safe inference, nor dicts safe eviction.
        with _run_lock:
            for sentence, found in zip(fresh, _persons_of(model, fresh), strict=True):
                _SEEN[sentence] = tuple(found)
            while len(_SEEN) > _SEEN_MAX:
                _SEEN.pop(next(iter(_SEEN)), None)
            return [tuple(n for s in sentences for n in _SEEN.get(s, ())) for sentences in by_text]
    return [tuple(n for s in sentences for n in _SEEN.get(s, ())) for sentences in by_text]
