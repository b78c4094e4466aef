"""Text judgments as pure functions (no I/O), each made once.

sentences, words, dates, figures, names, aliases, speech, apparatus (layout and page
furniture), instructions (lines addressed to a machine) and safe display.
"""
