"""The briefing assistant: cited answers from a library of articles and reports.

The package is split into a UI-free core (settings, domain types, loading,
chunking, embedding, storage, indexing and the service object) and thin front
ends (`assistant.cli`, later the TUI) that only call `AssistantService`.
"""

__version__ = "0.1.0"
