"""Which sentences an extractive answer quotes, and in what order (no model needed)."""

from __future__ import annotations

from assistant.answer.evidence import about_other_service, asked_services, candidate_sentences
from assistant.answer.extractive import select_sentences
from assistant.domain import DocumentInfo, Hit
from assistant.search.retrieval import Retrieval
from assistant.text.aliases import default_aliases
from assistant.text.apparatus import looks_like_apparatus
from assistant.text.dates import asked_years
from assistant.text.names import institution_names
from assistant.text.questions import premise_words, question_parts
from assistant.text.words import content_words
from assistant.tuning import DEFAULTS, AnswerTuning


def _hit(text: str, path: str = "news/report.md", rank: int = 1, start: int = 0, chunk: str = "c") -> Hit:
    info = DocumentInfo("d-" + path, path, path, "Title", "", "", "2016-06-15", "", "en", "md", 1)
    return Hit(chunk, text, info, start, start + len(text), None, 1.0, rank, similarity=0.7)


def _answer(question: str, hits: list[Hit], limit: int = 7) -> list[str]:
    retrieval = Retrieval(hits, content_words(question), [], idf={})
    return [s.text for s in select_sentences(candidate_sentences(question, retrieval), limit=limit)]


LIVE_VIDEO = (
    "Facebook said it reviews the vast majority of reports about live video within 24 hours. "
    "It said it is expanding a team dedicated to reviewing live content around the clock. "
    "Periscope and YouTube face the same questions about live broadcasts of violent crimes. "
    "The weather in Paris was mild for the whole of that week in June."
)


def test_a_sentence_that_carries_on_comes_with_the_one_before_it() -> None:
    question = "What did Facebook say about how it handled reports of live video?"
    first = "Facebook said it reviews the vast majority of reports about live video within 24 hours."
    follow = "It said it is expanding a team dedicated to reviewing live content around the clock."
    # One point asked for: the best sentence, and what carries it on, which is not a point of its own.
    assert _answer(question, [_hit(LIVE_VIDEO)], limit=1) == [first, follow]
    answer = _answer(question, [_hit(LIVE_VIDEO)])
    assert answer.index(follow) == answer.index(first) + 1


def test_a_pronoun_sentence_chosen_first_brings_what_it_refers_to_ahead_of_it() -> None:
    text = (
        "The commission published its findings on the attack on Tuesday. "
        "It found the gunman had posted about 30 comments on the page of a far-right group and praised its leader. "
        "Heavy rain closed several roads in the region that afternoon."
    )
    answer = _answer("How many comments did the gunman post on the page of the far-right group?", [_hit(text)], limit=1)
    assert answer == [
        "The commission published its findings on the attack on Tuesday.",
        "It found the gunman had posted about 30 comments on the page of a far-right group and praised its leader.",
    ]


def test_the_best_sentence_leads_even_when_a_chosen_sentence_comes_before_it_in_its_source() -> None:
    text = (
        "The ferry operator runs twelve boats between the islands and the mainland every day. "
        "In 2019 the ferry operator suspended the night boats after two of its crews went on strike over pay."
    )
    answer = _answer("Why did the ferry operator suspend the night boats?", [_hit(text)])
    # Both are quoted, but the one that answers opens the answer: it does not lean on the first.
    assert answer[0].startswith("In 2019 the ferry operator suspended the night boats")
    assert any(sentence.startswith("The ferry operator runs twelve boats") for sentence in answer[1:])


def test_a_question_asking_for_a_figure_opens_with_a_sentence_that_gives_one() -> None:
    text = (
        "The harbour board reviewed how the ferry operator handled crowding on the evening crossings. "
        "Inspectors counted 1,400 passengers on a ferry licensed for 900."
    )
    answer = _answer("How many passengers did the crowded evening ferry crossings carry?", [_hit(text)])
    # The review shares more of the question's words, but the count is what was asked for.
    assert answer[0] == "Inspectors counted 1,400 passengers on a ferry licensed for 900."
    assert len(answer) == 2


def test_a_sentence_about_another_platform_does_not_answer_for_the_one_asked_about() -> None:
    question = "How many clips of the harbour riot did Gab take down in its first week?"
    elsewhere = "Telegram said it took down 4,000 clips of the harbour riot in its first week."
    asked = "Gab said it took down about 900 clips of the riot and closed the accounts that posted them."
    # Telegram's sentence shares more of the question's words, but its figure is Telegram's: Gab's opens the answer.
    assert _answer(question, [_hit(f"{elsewhere} {asked}")])[0] == asked


def test_which_service_a_sentence_speaks_of() -> None:
    aliases = default_aliases()
    asked = asked_services("What did Meta's main network remove after the harbour riot?", aliases)
    assert asked == {"Facebook"}
    assert about_other_service("YouTube removed the clips within the hour.", "", asked, aliases)
    # Another name of the same service, both services, or none at all: not another service.
    assert not about_other_service("Instagram removed the clips within the hour.", "", asked, aliases)
    assert not about_other_service("Facebook and YouTube removed the clips.", "", asked, aliases)
    assert not about_other_service("The harbour police removed the barriers.", "", asked, aliases)
    # A sentence carrying on from one about another service speaks of that one, and only then.
    before = "Reddit closed the forum where the riot was planned."
    assert about_other_service("The company said it removed 300 posts.", before, asked, aliases)
    assert not about_other_service("Moderators said they removed 300 posts.", before, asked, aliases)


def test_an_answer_does_not_open_with_a_sentence_whose_subject_it_leaves_out() -> None:
    question = "How many clips of the harbour riot were removed within a day?"
    # The passage starts where its source went on about a company named in the sentence before, not retrieved.
    orphan = "The company said it removed 2,000 clips of the harbour riot within a day."
    whole = "Volunteer moderators of the ferry forum removed 300 clips of the riot."
    answer = _answer(question, [_hit(orphan, "news/a.md"), _hit(whole, "news/b.md", rank=2, chunk="b")])
    assert answer[0] == whole
    assert orphan in answer


def test_continuation_is_found_across_passages_and_html_paragraphs() -> None:
    body = (
        "<p>Facebook said it reviews most reports of live video within a day.</p>"
        "<p>It said it is also testing the monitoring of broadcasts that go viral before anyone reports them.</p>"
    )
    cut = body.index("<p>It said")
    first, second = _hit(body[:cut], chunk="a"), _hit(body[cut:], start=cut, rank=2, chunk="b")
    answer = _answer("What did Facebook say about reports of live video?", [first, second], limit=1)
    assert answer == [
        "Facebook said it reviews most reports of live video within a day.",
        "It said it is also testing the monitoring of broadcasts that go viral before anyone reports them.",
    ]


def test_a_heading_between_sentences_ends_the_run() -> None:
    text = (
        "Facebook said it reviews most reports of live video within a day.\n\n"
        "## Unrelated section on a different company\n\n"
        "It sells furniture through a large network of warehouses in Sweden and Germany."
    )
    answer = _answer("What did Facebook say about reports of live video?", [_hit(text)], limit=1)
    assert answer == ["Facebook said it reviews most reports of live video within a day."]


def test_a_sentence_adding_a_new_figure_is_not_a_repeat() -> None:
    text = (
        "Brookings estimated that supporters ran at least 46,000 Twitter accounts late in 2014. "
        "The study estimated between 46,000 and 70,000 accounts, with an absolute maximum of 90,000. "
        "Brookings estimated that supporters ran at least 46,000 Twitter accounts in late 2014 overall."
    )
    answer = _answer("How many Twitter accounts did Brookings estimate supporters ran in late 2014?", [_hit(text)])
    assert any("90,000" in sentence for sentence in answer)
    assert sum("46,000 Twitter accounts" in sentence for sentence in answer) == 1


def test_reference_lists_contents_lines_and_page_furniture_are_not_quoted() -> None:
    apparatus = [
        "Rieger, “Far-right conspiracy groups on fringe platforms: a longitudinal analysis,” Convergence, 2022.",
        "18Tom Willaert, “A computational analysis of Telegram’s narrative affordances”, PLOS ONE, 18–11 (Nov.",
        "Davey, “A safe space to hate: White supremacist mobilisation on Telegram,” Institute, vol. 2",
        "2.2 Number of nodes at each iteration for the different networks . . . . . 14",
        "Posted on: Monday, November 13, 2017 2:33:00 AM",
        "Keywords: Incel; far-right; Telegram; network analysis; snowball sampling",
        "![Germany passes controversial law to fine Facebook over hate speech](https://cdn.example.com/87935698.jpg)",
    ]
    statements = [
        "In March, “the platform failed us badly,” Smith said on Tuesday about Telegram.",
        "Boogaloo activists wear Hawaiian shirts, a reference to the “Big Luau,” a code word adopted in 2020.",
        "David Shanks, the chief censor, classed the manifesto as “objectionable” and told people to destroy it.",
    ]
    assert [looks_like_apparatus(line) for line in apparatus] == [True] * len(apparatus)
    assert [looks_like_apparatus(line) for line in statements] == [False] * len(statements)
    text = "\n".join([*apparatus, "Telegram channels grew quickly after far-right groups were banned elsewhere."])
    answer = _answer("How did far-right groups use Telegram channels?", [_hit(text)])
    assert answer == ["Telegram channels grew quickly after far-right groups were banned elsewhere."]


def test_link_markup_does_not_make_a_sentence() -> None:
    text = (
        '<a href="http://feeds.example.com/twitter/isis/accounts/story01.htm">Source </a>\n'
        "Twitter suspended 125,000 accounts linked to ISIS since the middle of 2015."
    )
    answer = _answer("How many ISIS accounts did Twitter suspend?", [_hit(text)])
    assert answer == ["Twitter suspended 125,000 accounts linked to ISIS since the middle of 2015."]


def test_scene_setting_clauses_are_told_from_what_is_asked() -> None:
    scene = premise_words(
        "After its payment providers dropped Gab following the 2018 shooting, which company brought the site back?"
    )
    assert {"payment", "providers", "dropped", "2018", "shooting"} <= scene
    assert not {"company", "brought", "site"} & scene
    # Without a comma nothing is taken for scenery: "before it treats" belongs to the question.
    assert premise_words("What threshold does Meta apply before it treats an attack as mass violence?") == set()


def test_sentences_from_a_year_the_question_names_are_preferred() -> None:
    question = "In 2016, what did Facebook say about reports of live video?"
    then = _hit("Facebook said it reviews reports of live video within a day, a spokesman explained.", "a.md")
    later_info = DocumentInfo("d-b", "b.md", "b.md", "Title", "", "", "2019-03-20", "", "en", "md", 1)
    text = "Facebook said it reviews reports of live video within minutes, a spokesman explained."
    later = Hit("n", text, later_info, 0, len(text), None, 1.0, 1, similarity=0.7)
    retrieval = Retrieval([later, then], content_words(question), [], idf={})
    ranked = sorted(candidate_sentences(question, retrieval), key=lambda s: -s.score)
    assert ranked[0].hit.document.path == "a.md"


def test_a_year_after_since_or_following_bounds_the_period_instead_of_naming_it() -> None:
    assert asked_years("What happened to Telegram after the 2020 election and the Capitol attack?") == (set(), "2020")
    assert asked_years("Following the 2018 Pittsburgh shooting, who hosted Gab?") == (set(), "2018")
    assert asked_years("Back in 2016, what did Facebook say about live video?") == ({"2016"}, "2016")
    assert asked_years("How did the 2019 attack compare with the 2022 one?") == ({"2019", "2022"}, "2019")
    assert asked_years("What did Twitter remove?") == (set(), None)


def test_institution_names_are_read_from_the_question() -> None:
    assert institution_names("How large a fine did Germany's Federal Office of Justice impose?") == [
        "Federal Office of Justice"
    ]
    assert institution_names("Which Department of Homeland Security report named it?") == [
        "Department of Homeland Security"
    ]
    assert institution_names("What did the Global Internet Forum to Counter Terrorism share?") == [
        "Global Internet Forum to Counter Terrorism"
    ]
    # Two names side by side, or capitals in a title-cased question, are not one institution.
    assert institution_names("How did Facebook and YouTube respond to the New Zealand attack?") == []
    assert institution_names("How Many of Them Were Removed?") == []


def test_a_question_asking_two_things_is_split_where_it_moves_on() -> None:
    assert question_parts("Which court kept the ferry law blocked, and what standard did the judges apply?") == [
        "Which court kept the ferry law blocked",
        "what standard did the judges apply?",
    ]
    assert question_parts("When did the harbour close, and why?") == []  # "why" leans on the rest
    assert question_parts("How many ferries did the harbour office cancel in 2019?") == []


def test_a_sentence_answering_one_part_in_full_leads_over_one_touching_each_part() -> None:
    question = "Which court kept the ferry law blocked, and what standard did the judges apply to the harbour rules?"
    touching = "The ferry law and the harbour rules were discussed by the court."
    answering = "The judges applied strict scrutiny as the standard for the harbour rules."
    hits = [_hit(f"{touching} {answering}")]
    retrieval = Retrieval(hits, content_words(question), [], idf={})

    def first(tuning: AnswerTuning) -> str:
        return select_sentences(candidate_sentences(question, retrieval, tuning=tuning), limit=1, tuning=tuning)[0].text

    assert first(DEFAULTS.answer) == answering
    # Without the part's share, the sentence holding a few words of each part wins.
    assert first(DEFAULTS.answer.model_copy(update={"part_weight": 0.0})) == touching


def test_a_report_describing_its_own_scope_gives_way_to_its_findings() -> None:
    scope = "This study examines how online hate networks changed after the riots in three countries."
    finding = "After the riots, the online hate networks lost communities: from 120 to 95 within a week."
    hits = [_hit(f"{scope} {finding}")]
    question = "How did the online hate networks change after the riots?"
    assert _answer(question, hits, limit=1) == [finding]
    # Without the rule the study's account of itself, holding more of the question's words, would lead.
    retrieval = Retrieval(hits, content_words(question), [], idf={})
    unpenalised = AnswerTuning(scope_penalty=0.0)
    chosen = select_sentences(candidate_sentences(question, retrieval, tuning=unpenalised), 1, tuning=unpenalised)
    assert [s.text for s in chosen] == [scope]
    # Asked what the study set out to do, its own account of that answers.
    assert _answer("What did the study of online hate networks after the riots examine?", hits, limit=1) == [scope]
