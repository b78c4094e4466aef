"""What is not prose is never quoted: link pieces, captions, references, bylines, headlines, fragments.

Each rule has a made-up sentence it rejects and a look-alike piece of real prose it keeps. The
loader drops whole lines of page furniture, and answers show links by their text only.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.answer.evidence import Retrieval, candidate_sentences, quotable, quotable_sentences
from assistant.answer.extractive import compose_extractive, select_sentences
from assistant.domain import DocumentInfo, Hit
from assistant.ingest.loaders import ColumnOptions, drop_furniture, is_furniture, load
from assistant.ingest.sources import SourceFile, discover
from assistant.text.apparatus import debris_kind, display_text, finished
from assistant.text.words import content_words

# (kind, a made-up sentence of that kind, a real sentence that looks like it and must be quoted)
CASES = [
    (
        "link",
        "4417%252FXYZ.jpeg%26client%3Dab12cd%26signature%3D9f8e7d&client=77aa&signature=1b2c) the image loads.",
        "The hosting firm said 25% of the 300 requests it received in 2019 came from the police.",
    ),
    (
        "link",
        "a91c0ffee7d3b2a4e5f6#diff-abc12) to stop people from using its channels for crimes.",
        "The messaging app changed its [privacy policy](https://example.org/policy?v=2) to stop crimes.",
    ),
    (
        "image",
        "River-town-bridge-protest-march.jpg, was crowded with people who believed the rumour.",
        "The bridge in the river town was crowded with people who believed the rumour.",
    ),
    (
        "image",
        "Protesters march through the old town square (pictured) on the second day of the strike.",
        "Protesters marched through the old town square on the second day of the strike.",
    ),
    (
        "image",
        "Figure 4 Share of removed posts by month across the three forums studied",
        "The share of removed posts rose every month across the three forums studied.",
    ),
    (
        "reference",
        "[212] Maria Example, The Long Road to the Border: A Study, Northern Press",
        "Maria Example's study of the border, published by Northern Press, found that smuggling fell.",
    ),
    (
        "reference",
        "Editors (March 3, 2016). Forum rules tighten after a wave of reports",
        "Editors tightened the forum rules on March 3, 2016, after a wave of reports.",
    ),
    (
        "reference",
        '"Forum bans extremist channels". _The Daily Courier_, Retrieved June 2, 2018',
        "The forum banned extremist channels, the Daily Courier reported on June 2, 2018.",
    ),
    (
        "reference",
        "Jonas Pike, _The Hidden Networks of the Coast_ (1999), pp.",
        "Jonas Pike wrote in 1999 that the hidden networks of the coast reached far inland.",
    ),
    (
        "reference",
        "(Reporting by Ana Lopez; editing by Tom Field)",
        "Ana Lopez reported that the editors had cut the story by half before it ran.",
    ),
    (
        "reference",
        "∗All authors contributed equally to this study of harbour forums.",
        "Two authors contributed equally to the growth of the harbour forums, the moderators said.",
    ),
    (
        "reference",
        "Corresponding author: Lena Marsh, Example University.",
        "The corresponding rules were written by Lena Marsh at Example University.",
    ),
    (
        "byline",
        "By [Ruth Okafor](http://example.org/author/ruth/) / March 9, 2016 / [Example Daily](http://example.org/)",
        "By March 9, 2016, the channel had lost half of its followers to a rival app.",
    ),
    (
        "byline",
        "From Example News's Ruth Okafor and Dan Brill",
        "From the start, Example News said it would publish the leaked documents.",
    ),
    (
        "headline",
        "Growth of Separatism by Region",
        "Separatism grew in every region of the country.",
    ),
    (
        "headline",
        "Listing as a terrorist organisation",
        "The group was listed as a terrorist organisation.",
    ),
    (
        "headline",
        "Northern Alliance of the River Provinces and the Coast",
        "The Northern Alliance holds the river provinces and the coast.",
    ),
    (
        "table",
        "1998 | ongoing | Insurgency in the hills | Asia | Northland | Hill Front |",
        "The insurgency in the hills of Northland began in 1998 and is still ongoing.",
    ),
    # A two-column row whose opening border the sentence splitter left behind.
    (
        "table",
        "Ferries cancelled in the first week of the strike | about 40 |",
        "About 40 ferries were cancelled in the first week of the strike.",
    ),
    (
        "aside",
        "[Old harbour museum shows its hidden treasures]",
        "The old harbour museum shows treasures that were hidden for a century.",
    ),
    (
        "speaker",
        "Maria T. Example, Jr.: Judge Brennan?",
        "Maria T. Example, Jr.: The statute covers every platform that hosts content for others.",
    ),
    # A transcript typed with split contractions: "'s" is no word of its own.
    (
        "speaker",
        "HARLAN: Here 's the thing.",
        "HARLAN: Here 's the plan we agreed with the harbour office last week.",
    ),
    (
        "speaker",
        "HARLAN and BRENT (together): Agreed.",
        "HARLAN and BRENT (together): We agreed to close the relay channel on Friday.",
    ),
    (
        "question",
        "What do the moderators of these forums actually remove?",
        'The moderator asked: "What do we actually remove?"',
    ),
    (
        "fragment",
        "and other similar clips of the attack, the sources said.",
        "And other platforms removed similar clips of the attack, the sources said.",
    ),
    (
        "fragment",
        "On the second day of the strike, the harbour office said there was",
        "On the second day of the strike, the harbour office said there was no ferry.",
    ),
    (
        "link",
        "[Download and read the full harbour report here.",
        "Readers can download the harbour report here, the office said, and judge its figures for themselves.",
    ),
    (
        "link",
        "Click here to see every ferry timetable.",
        "The ferry company told passengers to check its timetables before travelling.",
    ),
    (
        "fragment",
        ") has closed more than 40,000 accounts since the spring, the company said.",
        "The company has closed more than 40,000 accounts since the spring.",
    ),
    (
        "fragment",
        "The harbour office signed an agreement with FerryWatch (Ferry Safety Monitoring",
        "The harbour office signed an agreement with FerryWatch (a safety monitor) in May.",
    ),
    (
        "table",
        "Route Before After % Change Ferries per day 14 11 -21.4% Passengers per ferry 310 402 29.7% The port "
        "authority expects the numbers to settle by the summer.",
        "Ferries per day fell from 14 to 11 (-21.4%), while passengers per ferry rose from 310 to 402 (29.7%).",
    ),
    (
        "reference",
        "Portsmouth: Harbour University Press, 2012.",
        "Portsmouth: the harbour office said the university's press would publish its report in 2012.",
    ),
    (
        "reference",
        "PhD thesis, Harbour University, 2018.",
        "A PhD thesis at Harbour University found in 2018 that ferry delays doubled in a decade.",
    ),
    (
        "lead-in",
        "In June the harbour office issued an apology, stating:",
        "In June the harbour office issued an apology: the timetable had been wrong for a year.",
    ),
    (
        "lead-in",
        "The new rules allow three kinds of cargo that were banned before (lines 12 to 20):",
        "The new rules allow three kinds of cargo that were banned before (lines 12 to 20).",
    ),
    (
        "self-description",
        "This article is a timeline of ferry accidents in and around the northern harbour.",
        "This ferry line was closed after three accidents in and around the northern harbour.",
    ),
    (
        "self-description",
        "This list is not complete.",
        "This list includes every ferry company the harbour office banned after 2019.",
    ),
    (
        "self-description",
        "This page lists the ferry routes that the harbour office closed after the storm.",
        "This Article shall apply to every ferry route that the harbour office licenses.",
    ),
    (
        "figure-gap",
        "Cargo seizures amount to of all the inspections the harbour office made in 2022.",
        "Cargo seizures amount to a third of all the inspections the harbour office made in 2022.",
    ),
    (
        "figure-gap",
        "The office removed listings, representing of all the ferry listings it reviewed.",
        "The office was not only of one mind but also quick to remove the ferry listings.",
    ),
    (
        "figure-gap",
        "Reports from passengers made up more than of the total cases the harbour office closed.",
        "Ferry safety is a matter of training rather than of luck, the harbour office said.",
    ),
    (
        "figure-gap",
        "Between July and June, the harbour office received over reports of crowded crossings.",
        "Between July and June, the harbour office received over 400 reports of crowded crossings.",
    ),
    (
        "procedure",
        "Anna B. Lowe: We'll hear argument this morning in Case 24-101, Harbour Ferries versus Marsh.",
        "Anna B. Lowe: We heard in argument that the ferry company removed the posts within an hour.",
    ),
    (
        "caption",
        "Number of ferry crossings a month between 2019 and 2021 Figure 7.",
        "Ferry crossings fell by a third between 2019 and 2021, as shown in Figure 7.",
    ),
    (
        "figure-gap",
        "The ferry forum removed almost posts for the same rule in the second half of the year.",
        "The ferry forum removed almost all posts that broke the same rule in the second half of the year.",
    ),
    (
        "figure-gap",
        "Further, more than items were actioned after complaints about the ferry forum.",
        "Ferry videos were shared more than posts were, the harbour office found.",
    ),
    (
        "reference",
        "[^quayside]: A term the forum's moderators used for smuggled permits (glossary).",
        "The forum's moderators used the term quayside for smuggled permits, the glossary says.",
    ),
    (
        "fragment",
        "12 CHAPTER 2. INTRODUCTION ready been sold on three other forums by then.",
        "INTRODUCTIONS were made on three other forums by then, the moderators said.",
    ),
]


def _quoted(text: str, *, record: bool = False, title: str = "") -> list[str]:
    """The sentences of `text` an answer may quote, as they would be quoted."""
    return [text[start:end] for _, (start, end, _) in quotable_sentences(text, record=record, title=title)]


@pytest.mark.parametrize(("kind", "debris", "prose"), CASES)
def test_debris_is_never_quoted_and_its_look_alike_prose_is(kind: str, debris: str, prose: str) -> None:
    assert debris_kind(debris) == kind
    assert not quotable(debris)
    assert debris_kind(prose) == ""
    assert quotable(prose)


@pytest.mark.parametrize(
    "prose",
    [
        "eBay said it removed the listings within a day.",
        "Figure 4 shows that the share of removed posts rose every month.",
        "Tens of thousands of accounts are run by the group",
        "The ministry said the videos were removed.",
        "#Breaking militants enter the town after a week of fighting",
        "Veuillez revenir dans les prochains jours, a déclaré le ministère. »",
        "قالت الحكومة إن القناة أغلقت بعد أسبوع من التحذيرات",
    ],
)
def test_short_posts_names_and_other_scripts_still_read_as_prose(prose: str) -> None:
    assert debris_kind(prose) == ""


def test_a_running_head_that_is_the_documents_title_is_not_quoted() -> None:
    title = "Ferry Strikes: How the Northern Ports Closed, 2010-2020"
    page = f"{title}\n\n2. The long strike\n\nThe strike of 2014 closed the northern ports for a week.\n"
    assert _quoted(page, title=title) == ["The strike of 2014 closed the northern ports for a week."]
    # A title that is a finished sentence states its finding, and a short post is often its own title: both quoted.
    claim = "The northern ports stayed shut for a week after the strike."
    assert _quoted(f"{claim}\n\nThe board met on Monday.", title=claim.rstrip(".")) == [
        claim,
        "The board met on Monday.",
    ]
    post = "The northern ports are shut again tonight"
    assert _quoted(post, record=True, title=post) == [post]


def test_list_items_and_fact_lines_are_quoted_like_sentences() -> None:
    text = (
        "Under the law, platforms must:\n\n"
        "- remove manifestly unlawful posts within 24 hours of a complaint;\n"
        "- publish a transparency report every six months.\n\n"
        "Passed by the Assembly: 30 June 2017.\n\n"
        "Northland's Media Act (2017) relied on complaints from users and a one-day deadline."
    )
    quoted = _quoted(text)
    # The lead-in says nothing alone: what it announces is in the items, each quoted as a sentence.
    assert quoted == [
        "remove manifestly unlawful posts within 24 hours of a complaint;",
        "publish a transparency report every six months.",
        "Passed by the Assembly: 30 June 2017.",
        "Northland's Media Act (2017) relied on complaints from users and a one-day deadline.",
    ]
    # Out of a list, the same lower-case opening is a piece cut from a sentence.
    assert debris_kind("remove manifestly unlawful posts within 24 hours of a complaint;") == "fragment"


def test_a_paragraph_that_does_not_end_like_a_sentence_is_a_headline_but_an_item_or_fact_line_is_not() -> None:
    text = (
        "Ferry operator names a new harbour master for the winter season\n"
        "----------------------------------------------------------------\n\n"
        "The harbour board met on Monday to review the ferry timetable.\n\n"
        "# Ferry operator bans late boarding after harbour inquiry\n\n"
        "> Inquiry details how the operator ignored warnings about crowding on the evening crossings\n\n"
        "@highlight\n\n"
        "Growing concern over crowded crossings in the winter months\n\n"
        "- passengers boarding after the horn is sounded\n\n"
        "Ferries sailed: 412 crossings in March\n\n"
        "The operator said crowding on the evening crossings had eased since the inquiry."
    )
    quoted = _quoted(text)
    assert quoted == [
        "The harbour board met on Monday to review the ferry timetable.",
        "passengers boarding after the horn is sounded",
        "Ferries sailed: 412 crossings in March",
        "The operator said crowding on the evening crossings had eased since the inquiry.",
    ]
    # A post need not be written as a sentence: its words are quoted as they are.
    post = "Inquiry details how the operator ignored warnings about crowding on the evening crossings"
    assert _quoted(post, record=True) == [post]
    assert not quotable(post)


def test_a_paragraph_that_closes_without_a_stop_loses_its_last_line_and_keeps_its_prose() -> None:
    text = (
        "The ferry inquiry took evidence for a year. Here our reporters explain how they covered the ferry inquiry\n\n"
        "Harbour board says crowding was 'worse than anyone had admitted'\n\n"
        "The board said the crossings were “worse than anyone had admitted.”\n\n"
        "In response to the report, the operator removed the late boarding rule under its Passenger Safety"
    )
    quoted = _quoted(text)
    # The quote keeps the closing mark the splitter leaves after the stop.
    assert quoted == [
        "The ferry inquiry took evidence for a year.",
        "The board said the crossings were “worse than anyone had admitted.”",
    ]


def test_a_section_heading_run_into_the_first_sentence_is_left_out_of_the_quote() -> None:
    text = (
        "4.2 Limitations While this study counts ferries, it does not count passengers.\n\n"
        "Conclusion In conclusion, the harbour is busier than ever.\n\n"
        "Results Are Mixed for the Harbour\n\n"
        "Results show that ferries ran late on most days.\n\n"
        "DISCUSSION The ferry company blamed the weather for most delays.\n\n"
        # A thesis's title page, its roman page number and the abstract's heading, run into its first sentence.
        "NORTH HARBOUR COLLEGE Jane Example Counting ferries: a network study 2024 ii Abstract Ferries are "
        "the busiest boats in the harbour.\n\n"
        "The 12 Methods we tried all failed to count the passengers."
    )
    quoted = _quoted(text)
    assert quoted == [
        "While this study counts ferries, it does not count passengers.",
        "In conclusion, the harbour is busier than ever.",
        "Results show that ferries ran late on most days.",
        "The ferry company blamed the weather for most delays.",
        "Ferries are the busiest boats in the harbour.",
        # A count before a capitalised word is no page number, and no heading follows it.
        "The 12 Methods we tried all failed to count the passengers.",
    ]


def test_a_pdfs_page_number_and_a_caption_run_into_a_sentence_are_left_out_of_the_quote() -> None:
    text = (
        "7 This sharp rise suggests the ferry network changed within a week.\n\n"
        "On 6 January, crossings rose by 67% compared to 1 January Figure 4%Change in crossings since 1 January.\n\n"
        "13 May: Five ferries were withdrawn for repairs after the storm.\n\n"
        "Figure 13 shows that crossings recovered by the summer."
    )
    assert _quoted(text) == [
        "This sharp rise suggests the ferry network changed within a week.",
        "On 6 January, crossings rose by 67% compared to 1 January",
        # A date is not a page number, and a sentence about a figure is prose.
        "13 May: Five ferries were withdrawn for repairs after the storm.",
        "Figure 13 shows that crossings recovered by the summer.",
    ]


def test_the_loader_drops_lines_of_page_furniture_and_keeps_the_prose(tmp_path: Path) -> None:
    text = (
        "---\ntitle: Forum bans channels\n---\n\n"
        "![Forum bans channels - Example](https://cdn.example.com/img/670x503/2017/10/26/ban.jpg)\n\n"
        "[ad_1]\n"
        "The forum updated its rules on incitement, calling the old ones too vague.\n\n"
        "Full story on Example News: [Forum bans channels - Example](http://example.com/n/AbCdEf)\n\n"
        'Read more... {"player":{"image":"https://example.com/a%2Fb.jpg"}}\n'
        '<br><a href="http://feeds.example.com/story01.htm">Source </a>\n'
        "The source of the leak said the full story would come out later.\n"
    )
    path = tmp_path / "snippet.md"
    path.write_text(text)
    found = discover([path], max_bytes=10**9).files[0]
    source = SourceFile(tmp_path, "snippet.md", path, found.format, found.size, {})
    [doc] = list(load(source, path.read_bytes(), "hash", ColumnOptions()))
    assert doc.text == (
        "The forum updated its rules on incitement, calling the old ones too vague.\n\n"
        "The source of the leak said the full story would come out later."
    )
    assert not is_furniture("An image of the attack was shared 300,000 times, police said.")
    assert drop_furniture("Read more about the ban in the report.\n") == "Read more about the ban in the report.\n"


def _hit(text: str) -> Hit:
    info = DocumentInfo("d-1", "news/forum.md", "news/forum.md", "Title", "", "", "2017-10-26", "", "en", "md", 1)
    return Hit("c", text, info, 0, len(text), None, 1.0, 1, similarity=0.7)


def test_an_answer_shows_a_links_text_and_the_citation_keeps_the_source_verbatim() -> None:
    sentence = (
        "The forum banned the channels after a [report by researchers](https://example.org/r?id=7&x=1) "
        "found ![chart](https://example.org/c.png) <b>calls for violence</b> in them."
    )
    text = "Forum moderators met in October. " + sentence
    question = "Why did the forum ban the channels?"
    retrieval = Retrieval([_hit(text)], content_words(question), [], idf={})
    body, citations = compose_extractive(select_sentences(candidate_sentences(question, retrieval)))
    assert "report by researchers" in body
    for syntax in ("](", "http", "![", "<b>", "example.org"):
        assert syntax not in body
    assert any(c.quote == sentence for c in citations)
    assert display_text('See <a href="http://x.example/a">the ruling</a> at https://x.example/b now.') == (
        "See the ruling at now."
    )


def test_a_sources_footnote_marks_are_not_shown_where_they_would_read_as_citations() -> None:
    sentence = "The harbour office closed 40 ferry routes in 2019.[31][32]"
    question = "How many ferry routes did the harbour office close?"
    retrieval = Retrieval([_hit(sentence)], content_words(question), [], idf={})
    body, citations = compose_extractive(select_sentences(candidate_sentences(question, retrieval)))
    assert body == "The harbour office closed 40 ferry routes in 2019. [1]"
    assert citations[0].quote == sentence  # the quote stays as the source has it
    # The marks do not hide the stop before them: the sentence is finished, not a headline.
    assert finished(sentence) and not finished("The harbour office closed 40 ferry routes[31]")
    # A Markdown footnote's reference is a mark of the same kind.
    assert display_text("Ferries were quayside boats[^quayside] then.") == "Ferries were quayside boats then."
    # A bracketed number standing alone is the text's own, as is a statute's numbering.
    assert display_text("See [3] above; Section 230(c)(1) applies.") == "See [3] above; Section 230(c)(1) applies."


def test_a_news_feeds_headline_run_into_the_first_sentence_is_left_out_of_the_quote() -> None:
    title = "Harbour board fines ferry operator over crowding - Coast Times"
    snippet = (
        "Coast Times Harbour board fines ferry operator over crowding Coast Times PORTSEA -- The harbour board "
        "fined the ferry operator £40,000 on Monday for crowding the evening crossings."
    )
    quoted = _quoted(snippet, title=title)
    # The dateline after it goes too: the quote starts with the news.
    assert quoted == [
        "The harbour board fined the ferry operator £40,000 on Monday for crowding the evening crossings."
    ]
    # A first sentence whose subject is the title keeps it: only the feed's shape is cut.
    article = "Harbour board fines ferry operator over crowding, the Coast Times reported on Monday."
    kept = _quoted(article, title=title)
    assert kept == [article]


def test_a_quoted_sentence_keeps_its_closing_mark_and_an_apostrophe_is_not_one() -> None:
    text = (
        "The board called the crossings “worse than anyone had admitted.” The ferry ran late all week.\n\n"
        'The captain wrote: "We cannot sail tonight." The harbour closed at noon.\n\n'
        "The operator’s chief said the crossings were ‘safe for now.’ Nobody believed the operator’s claim."
    )
    assert _quoted(text) == [
        "The board called the crossings “worse than anyone had admitted.”",
        "The ferry ran late all week.",
        'The captain wrote: "We cannot sail tonight."',
        "The harbour closed at noon.",
        "The operator’s chief said the crossings were ‘safe for now.’",
        "Nobody believed the operator’s claim.",
    ]


def test_a_news_storys_dateline_is_left_out_of_the_quote_and_capitals_that_are_the_subject_stay() -> None:
    text = (
        "DUNMORE — Gunmen fired on the ferry terminal on Wednesday, the port said.\n\n"
        "PORT ELLEN/DUNMORE</span> Some of the harbour's biggest operators cut services overnight.\n\n"
        "CARAWAY, Westshire -- Harbour websites were defaced on Sunday with a message.\n\n"
        "NATO Secretary General said the alliance would send ships to the harbour."
    )
    assert _quoted(text) == [
        "Gunmen fired on the ferry terminal on Wednesday, the port said.",
        "Some of the harbour's biggest operators cut services overnight.",
        "Harbour websites were defaced on Sunday with a message.",
        "NATO Secretary General said the alliance would send ships to the harbour.",
    ]


def test_entries_of_a_pages_see_also_list_are_not_quoted_and_a_policy_section_so_named_is() -> None:
    page = (
        "The harbour board was founded in 1850 and runs the ferries between the islands.\n\n\n"
        "See also\n\n"
        "-   List of ferry disasters in the North Sea and the Baltic\n"
        "-   Harbour boards of the northern islands since 1850\n"
    )
    assert _quoted(page) == ["The harbour board was founded in 1850 and runs the ferries between the islands."]
    policy = (
        "### External Links\n\n"
        "Creators often share links in their bios, and a link that breaks these rules is removed.\n\n"
        "### Comments\n\n"
        "-   Comments that threaten a ferry crew or its passengers with violence\n"
    )
    assert _quoted(policy) == [
        "Creators often share links in their bios, and a link that breaks these rules is removed.",
        "Comments that threaten a ferry crew or its passengers with violence",
    ]
