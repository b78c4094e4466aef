"""The only modules that touch heavy libraries: the Chroma store, the embedding model and the query encoder."""
