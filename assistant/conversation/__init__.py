"""Conversations: everything about a conversation that is not drawing it.

The TUI and `assistant ask --session` behave the same way because both go
through this package: `session` (the follow-up flow: rewrite, answer, record),
`rewriting` (follow-ups made standalone), `records` (what a turn keeps),
`store` (the SQLite audit trail and its layout versions) and `export`
(Markdown). It imports no UI library.
"""
