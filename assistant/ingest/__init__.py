"""Getting documents in: finding source files, loading and cleaning them, chunking, indexing and the index lock."""
