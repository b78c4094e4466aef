"""Finding passages: the BM25 index and hybrid retrieval with its filters."""
