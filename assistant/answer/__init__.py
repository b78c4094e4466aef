"""Answering: candidate sentences and coverage, extractive answers, generated answers and attribution."""
