"""Text judgments as pure functions (no I/O): words, dates, names, planted instructions, safe display."""
