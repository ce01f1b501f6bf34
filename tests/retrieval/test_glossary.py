"""The AR glossary: a clerk's words in English, German or French reach the records' words."""

from __future__ import annotations

import pytest

from retrieval import demo
from retrieval.glossary import CONCEPTS, EXPANSION_WEIGHT, EXPANSIONS, concepts, expansions
from retrieval.index import SearchMode
from retrieval.retriever import RetrievalRequest, Retriever
from retrieval.sparse import STOPWORDS, query_vector, term_index, tokenize
from retrieval.store import RetrievalStore


def test_every_concept_adds_searchable_record_words() -> None:
    for concept, (record_words, names) in CONCEPTS.items():
        assert tokenize(record_words), concept  # not only stopwords
        assert all(w == w.lower() for w in names.split()), concept
        assert not set(record_words.split()) & STOPWORDS, concept
    assert "invoice" in EXPANSIONS["rechnung"] and "invoice" in EXPANSIONS["facture"]


def test_typed_words_keep_full_weight_and_expansions_count_less() -> None:
    idx, val = query_vector("Zahlung für Rechnung INV-100025 payment")
    weights = dict(zip(idx, val, strict=True))
    assert weights[term_index("payment")] == 1.0  # typed, also a record word of "zahlung"
    assert weights[term_index("invoice")] == EXPANSION_WEIGHT
    assert weights[term_index("inv-100025")] == 1.0
    assert "payment" not in expansions("Zahlung payment")
    assert expansions("INV-100025 1234.50") == []  # ids and amounts are not words


@pytest.mark.parametrize("query", ["Zahlungszusage?", "promesse de paiement", "did they commit"])
def test_a_promise_to_pay_is_found_in_the_clerks_words(
    store: RetrievalStore, small_data: demo.DemoData, query: str
) -> None:
    notes = [n for n in small_data.rows["collection_note"] if n.get("promise_to_pay_date")]
    assert notes, "the small demo data has a promise to pay"
    note = notes[0]
    req = RetrievalRequest(
        note["tenant_id"], query, note["customer_id"], mode=SearchMode.SPARSE, structured=False
    )  # the keyword branch alone: the words, not the promise date, find it
    hits = Retriever(store).retrieve(req)
    assert hits and hits[0].citation.record_type == "collection_note"
    assert "Promise to pay" in hits[0].text


def test_concepts_are_named_in_each_language() -> None:
    assert concepts("Zahlungszusage?") == {"promise"}
    assert concepts("le client s'est-il engagé à régler") >= {"promise", "payment"}
    assert concepts("INV-100025 1234.50") == set()


def test_a_promise_date_answers_a_question_about_a_commitment(
    store: RetrievalStore, small_data: demo.DemoData
) -> None:
    """The production path puts the notes that carry a promise date ahead of notes that
    only share the query's words ("balance", "settle")."""
    notes = small_data.rows["collection_note"]
    note = next(n for n in notes if n.get("promise_to_pay_date"))
    promised = {
        n["note_id"]
        for n in notes
        if n.get("promise_to_pay_date")
        and (n["tenant_id"], n["customer_id"]) == (note["tenant_id"], note["customer_id"])
    }
    query = "did they commit to a date for settling the balance"
    req = RetrievalRequest(note["tenant_id"], query, note["customer_id"], limit=10)
    hits = Retriever(store).retrieve(req)
    assert hits[0].citation.record_id in promised
    assert hits[0].facts == ["promise"]
    ranks = [h.citation.record_id in promised for h in hits]
    assert ranks == sorted(ranks, reverse=True)  # every promise ahead of every other hit
    plain = Retriever(store).retrieve(
        RetrievalRequest(note["tenant_id"], "payment plan", note["customer_id"], limit=10)
    )
    assert plain and all(not h.facts or h.citation.record_id in promised for h in plain)


def test_points_written_before_facts_existed_still_answer(small_data: demo.DemoData) -> None:
    from retrieval.nodes import record_nodes
    from retrieval.record_types import RECORD_TYPES
    from retrieval.results import hit_of

    row = next(n for n in small_data.rows["collection_note"] if n.get("promise_to_pay_date"))
    record = RECORD_TYPES["collection_note"].model_validate(row)
    payload = dict(record_nodes(record)[0][0].metadata)
    assert hit_of(payload, 1.0, "").facts == ["promise"]
    del payload["facts"]  # a point written by an earlier version
    assert hit_of(payload, 1.0, "").facts == ["promise"]
