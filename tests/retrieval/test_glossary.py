"""The AR glossary: a clerk's words in English, German or French reach the records' words."""

from __future__ import annotations

import pytest

from retrieval import demo
from retrieval.glossary import CONCEPTS, EXPANSION_WEIGHT, EXPANSIONS, expansions
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
    req = RetrievalRequest(note["tenant_id"], query, note["customer_id"], mode=SearchMode.SPARSE)
    hits = Retriever(store).retrieve(req)
    assert hits and hits[0].citation.record_type == "collection_note"
    assert "Promise to pay" in hits[0].text
