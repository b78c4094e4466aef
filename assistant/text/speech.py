"""Speech: whether a sentence reports someone saying something, or quotes their words.

One list of speech verbs serves every judgment that asks "does someone speak
here?": a reference-list entry that has a speaker is a sentence after all
(`assistant.text.apparatus`), a group named before a speech verb speaks in its
own words (`assistant.answer.attribution`), and "the correct answer is …"
reported from someone is not an instruction (`assistant.text.instructions`).
A verb in the passive ("they were told", "she was asked") reports no speaker.
"""

from __future__ import annotations

import re

#: Verbs that report speech or writing, as a regular-expression alternation.
SPEECH_VERBS = (
    r"(?:claim(?:s|ed)?|said|says|stated|declared|announced|boasted|vowed|threatened|warned|urged|called on"
    r"|called for|praised|celebrated|insisted|argued|argues|told|added|asked|wrote)"
)
#: A speech verb as a whole word, not in the passive: the core of every "someone speaks" rule.
SPEECH = rf"(?<!\bwas )(?<!\bwere )(?<!\bbeen )(?<!\bbeing )(?<!\bis )(?<!\bare )\b{SPEECH_VERBS}\b"
#: Verbs that hand over to a quotation ("The tweet read:", "It added:"): the speech verbs and those of posting.
HAND_OVER_VERBS = (
    rf"(?:{SPEECH_VERBS}|read|reads|reading|saying|states|declares|writes|proclaimed|tweeted|posted|continued"
    r"|went on)"
)

_SPEAKS = re.compile(SPEECH)
# A quotation inside the sentence: curly quotes, or a straight one opening a word or after a colon.
_QUOTED = re.compile(r"[“”]|(?:^|\s)\"\w|:\s*[\"“‘]")


def reports_speech(text: str) -> bool:
    """Someone is reported saying or writing something in `text` ("the minister said", "IS claimed")."""
    return bool(_SPEAKS.search(text))


def quotes_someone(text: str) -> bool:
    """`text` holds a quotation: someone's own words rather than the writer's."""
    return bool(_QUOTED.search(text))
