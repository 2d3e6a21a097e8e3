"""LangChain interop: a `BaseRetriever` over a Searcher; each hit becomes a Document with its provenance."""

from __future__ import annotations

from dataclasses import asdict

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever

from index.search import Searcher


class IndexRetriever(BaseRetriever):
    """`IndexRetriever(searcher=open_index(...), k=4).invoke("question")` -> list of Documents."""

    searcher: Searcher
    k: int = 4

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        return [
            Document(
                page_content=hit.text,
                id=hit.chunk_id,
                metadata={
                    "source": hit.source,
                    "title": hit.title,
                    "chunk_id": hit.chunk_id,
                    "score": hit.score,
                    "rank": hit.rank,
                    **{f"position_{key}": value for key, value in asdict(hit.position).items()},
                },
            )
            for hit in self.searcher.retrieve(query, k=self.k)
        ]
