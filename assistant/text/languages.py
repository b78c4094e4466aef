"""Document languages: which ones the English side of the index cannot read, and their names for an analyst.

Loaders record a document's language as a code ("ar", "zh-cn", "nl"); the index's English encoder
and BM25 read only English, so every other known language goes to the multilingual side, and a
refusal that may be wrong because a name is written in another script says which language it is.
"""

from __future__ import annotations

# The languages most likely in a library on extremism online; any other code is shown as it is.
_NAMES = {
    "ar": "Arabic",
    "de": "German",
    "en": "English",
    "es": "Spanish",
    "fa": "Persian",
    "fr": "French",
    "id": "Indonesian",
    "it": "Italian",
    "ja": "Japanese",
    "ko": "Korean",
    "nl": "Dutch",
    "pl": "Polish",
    "ps": "Pashto",
    "pt": "Portuguese",
    "ru": "Russian",
    "so": "Somali",
    "sv": "Swedish",
    "tr": "Turkish",
    "uk": "Ukrainian",
    "ur": "Urdu",
    "zh": "Chinese",
}


def foreign(language: str) -> bool:
    """A document language the English encoder does not read: known, and not English."""
    code = language.strip().lower()
    return bool(code) and code != "en"


def language_name(language: str) -> str:
    """The English name of a language code ("ar" -> "Arabic", "zh-cn" -> "Chinese"), or the code itself."""
    code = language.strip().lower()
    return _NAMES.get(code.split("-")[0].split("_")[0], language.strip())
