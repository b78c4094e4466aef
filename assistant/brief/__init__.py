"""Briefs: the builder, estimative language, source grading and rendering to Markdown, HTML and JSON."""
