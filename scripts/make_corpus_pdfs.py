"""Generate the PDF reports that belong to the briefing assistant's default corpus.

The report texts live in this module (see ``REPORTS``). Each report is rendered
with fpdf2 to ``corpus/reports/<filename>`` with a cover page, section
headings, a summary table, page numbers in the footer and PDF metadata
(Title, Author, Subject, Keywords, CreationDate).

Only the PDF core fonts (Helvetica) are used, so every string must be
encodable as latin-1; the script checks this before rendering anything.

Usage (fpdf2 must be installed, e.g. in a throwaway virtual environment)::

    python scripts/make_corpus_pdfs.py
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

REPO_ROOT = Path(__file__).resolve().parent.parent
OUTPUT_DIR = REPO_ROOT / "corpus" / "reports"

AUTHOR = "Briefing Assistant editorial team"
FONT = "Helvetica"
BODY_SIZE = 11
LINE_HEIGHT = 6.0
TEXT_GREY = (90, 90, 90)
ACCENT = (20, 60, 110)


@dataclass(frozen=True)
class Section:
    """One titled section of a report: paragraphs first, then bullets."""

    heading: str
    paragraphs: tuple[str, ...] = ()
    bullets: tuple[str, ...] = ()


@dataclass(frozen=True)
class Report:
    """The full text and metadata of one PDF report."""

    filename: str
    title: str
    subtitle: str
    subject: str
    keywords: tuple[str, ...]
    date: datetime
    sources_note: str
    key_points: tuple[str, ...]
    sections: tuple[Section, ...]
    table_heading: str
    table_columns: tuple[str, str]
    table_rows: tuple[tuple[str, str], ...]


ISLAMIC_STATE_MIGRATION = Report(
    filename="islamic-state-online-migration-2014-2019.pdf",
    title="From Timelines to Channels",
    subtitle="How the Islamic State moved its online distribution from Twitter to Telegram, 2014-2019",
    subject="Islamic State (ISIS, ISIL, IS, Daesh) online propaganda "
    "distribution, platform suspensions and Europol action, 2014-2019",
    keywords=("Islamic State", "ISIS", "Daesh", "Twitter", "Telegram", "Europol"),
    date=datetime(2019, 12, 2, 9, 0, tzinfo=UTC),
    sources_note=(
        "Written for this corpus in our own words. Facts are drawn from public "
        "reporting by The Atlantic (June 2014), the Brookings Institution "
        "(March 2015), Twitter's company blog (2016), Telegram's public "
        "statements (November 2015) and Europol (2018 and 2019)."
    ),
    key_points=(
        "In 2014 the group treated Twitter as open infrastructure, using "
        "automation and hashtag hijacking to look far larger than it was.",
        "Suspensions from 2015 onward shrank its reach on Twitter: the company "
        "reported 360,000 suspensions between mid-2015 and August 2016.",
        "From late 2015 Telegram channels became the group's main distribution "
        "hub, organised around Amaq claims and Nashir re-posting networks.",
        "A Europol-coordinated action with Telegram in November 2019 ended "
        "Telegram's role as a stable home for official outlets.",
    ),
    sections=(
        Section(
            heading="1. 2014: an open-platform strategy",
            paragraphs=(
                "When IS fighters took Mosul on 10 June 2014, the group's "
                "supporters were already running a coordinated campaign on "
                "Twitter. J.M. Berger, writing in The Atlantic on 16 June 2014, "
                "described an Android app called The Dawn of Glad Tidings that "
                "let the group's media operatives post through the accounts of "
                "supporters who installed it. Activity peaked at close to "
                "40,000 tweets in a single day.",
                "During the FIFA World Cup in Brazil the same month, supporters "
                "attached football hashtags to propaganda images. On 29 June "
                "2014 the group declared a caliphate and renamed itself the "
                "Islamic State. Its English-language magazine Dabiq appeared in "
                "July, and on 19 August 2014 it released the video of the murder "
                "of the American journalist James Foley, the first of several "
                "hostage videos featuring the British militant Mohammed Emwazi.",
            ),
        ),
        Section(
            heading="2. 2015-2016: measurement and suspensions",
            paragraphs=(
                "The Brookings Institution's ISIS Twitter Census, by J.M. Berger "
                "and Jonathon Morgan (March 2015), estimated that at least "
                "46,000 accounts were used by supporters between September and "
                "December 2014, with much of the activity driven by a "
                "hyperactive core of 500 to 2,000 accounts.",
                "Twitter then published enforcement figures. On 5 February 2016 "
                "it reported more than 125,000 suspensions since mid-2015 for "
                "threatening or promoting terrorist acts, mainly linked to the "
                "group. On 18 August 2016 it reported 235,000 more, for a total "
                "of 360,000. Supporters kept opening new accounts, but each "
                "account reached fewer people and lived for less time.",
            ),
        ),
        Section(
            heading="3. The Telegram era",
            paragraphs=(
                "Telegram introduced broadcast channels in September 2015. "
                "Channels gave administrators full control of the feed, allowed "
                "large files and, at first, were rarely removed. After the Paris "
                "attacks of 13 November 2015, which killed 130 people, Telegram "
                "said on 18 November that it had blocked 78 channels linked to "
                "the group in 12 languages.",
            ),
            bullets=(
                "Amaq News Agency issued short claims of responsibility and "
                "battlefield updates, often within hours of an incident.",
                "Nashir-branded channels re-posted official releases into many "
                "language channels so that no single removal mattered much.",
                "Supporter channels recycled archives and linked outward to "
                "file-sharing sites and to open platforms to recruit audiences.",
            ),
        ),
        Section(
            heading="4. Law-enforcement pressure",
            paragraphs=(
                "Europol's EU Internet Referral Unit began work on 1 July 2015, "
                "flagging content to companies for voluntary removal. On 27 "
                "April 2018 Europol announced a takedown, led by Belgian "
                "prosecutors, of online infrastructure used by Amaq, al-Bayan "
                "radio, Halumu and Nashir.",
                "The decisive step came in November 2019, when the EU IRU "
                "coordinated a multi-day referral action with Telegram. Europol "
                "announced on 25 November 2019 that a significant part of the "
                "group's key actors on Telegram had been identified and "
                "disrupted. Supporters tested alternatives such as TamTam, Hoop "
                "Messenger and self-hosted Rocket.Chat servers, none of which "
                "matched Telegram's reach.",
            ),
        ),
        Section(
            heading="5. Implications for analysts",
            bullets=(
                "Names vary by source: ISIS, ISIL, IS, Islamic State and Daesh "
                "all refer to the same organisation; searches should cover all.",
                "Suspension figures count accounts, not people, and are not comparable across companies or years.",
                "Each wave of enforcement displaced activity rather than ending "
                "it; monitoring must follow the audience to the next platform.",
            ),
        ),
    ),
    table_heading="Timeline",
    table_columns=("Date", "Event"),
    table_rows=(
        ("10 Jun 2014", "IS takes Mosul; Dawn of Glad Tidings app at its peak"),
        ("29 Jun 2014", "Caliphate declared; group renames itself Islamic State"),
        ("5 Mar 2015", "Brookings ISIS Twitter Census: at least 46,000 accounts"),
        ("Sep 2015", "Telegram launches broadcast channels"),
        ("18 Nov 2015", "Telegram blocks 78 channels in 12 languages"),
        ("5 Feb 2016", "Twitter: over 125,000 accounts suspended"),
        ("18 Aug 2016", "Twitter: 235,000 more, 360,000 in total"),
        ("27 Apr 2018", "Europol announces takedown against Amaq and others"),
        ("25 Nov 2019", "Europol announces Telegram referral action results"),
    ),
)


REGULATION_COMPARISON = Report(
    filename="terrorist-content-regulation-comparison.pdf",
    title="Rules for Removal",
    subtitle="Terrorist content regulation in Germany, the European Union and the United Kingdom, 2017-2024",
    subject="Comparison of NetzDG, the EU Terrorist Content Online Regulation "
    "(2021/784), the Digital Services Act and the UK Online Safety Act 2023",
    keywords=("NetzDG", "TCO Regulation", "Digital Services Act", "Online Safety Act"),
    date=datetime(2024, 12, 20, 9, 0, tzinfo=UTC),
    sources_note=(
        "Written for this corpus in our own words. Facts are drawn from the "
        "texts of the laws as published by the German Bundestag, EUR-Lex and "
        "legislation.gov.uk, and from public statements by the European "
        "Commission, the German Federal Office of Justice and Ofcom."
    ),
    key_points=(
        "Regulation moved from voluntary industry cooperation (GIFCT, 2017; "
        "the Christchurch Call, 2019) to binding law.",
        "Germany's NetzDG (2017) relied on user complaints and a 24-hour deadline for manifestly unlawful content.",
        "The EU's TCO Regulation lets authorities order removal of terrorist "
        "content within one hour, from 7 June 2022.",
        "The DSA and the UK Online Safety Act focus on systems and risk assessment rather than individual takedowns.",
    ),
    sections=(
        Section(
            heading="1. The voluntary layer",
            paragraphs=(
                "Before binding law, companies cooperated on their own terms. "
                "Facebook, Microsoft, Twitter and YouTube announced a shared "
                "hash database in December 2016 and founded the Global Internet "
                "Forum to Counter Terrorism (GIFCT) on 26 June 2017. After the "
                "Christchurch attack of 15 March 2019, Jacinda Ardern and "
                "Emmanuel Macron launched the non-binding Christchurch Call in "
                "Paris on 15 May 2019.",
            ),
        ),
        Section(
            heading="2. Germany: NetzDG",
            paragraphs=(
                "The Network Enforcement Act was passed on 30 June 2017 and "
                "became fully enforceable on 1 January 2018. It applies to "
                "social networks with at least two million registered users in "
                "Germany. Manifestly unlawful content must be removed within 24 "
                "hours of a complaint and other unlawful content generally "
                "within seven days. Systematic failures can be fined up to 50 "
                "million euros. Facebook was fined 2 million euros in July 2019 "
                "for incomplete reporting.",
            ),
        ),
        Section(
            heading="3. EU: the Terrorist Content Online Regulation",
            paragraphs=(
                "Regulation (EU) 2021/784 applies from 7 June 2022 to hosting "
                "services offering services in the EU. A competent authority in "
                "any member state can issue a removal order, and the provider "
                "must act within one hour. Authorities in the provider's home "
                "state can scrutinise cross-border orders. Persistent failure "
                "can be penalised with up to 4 per cent of global turnover. "
                "Educational, journalistic, artistic and research material is "
                "protected, and providers cannot be required to use upload "
                "filters.",
            ),
        ),
        Section(
            heading="4. EU: the Digital Services Act",
            paragraphs=(
                "Regulation (EU) 2022/2065 entered into force on 16 November "
                "2022 and applied to all services from 17 February 2024. Very "
                "large online platforms, those with at least 45 million monthly "
                "users in the EU, must assess and mitigate systemic risks, "
                "including the spread of illegal content, and undergo annual "
                "independent audits. Fines can reach 6 per cent of global "
                "turnover. The first formal proceedings were opened against X "
                "on 18 December 2023.",
            ),
        ),
        Section(
            heading="5. United Kingdom: the Online Safety Act 2023",
            paragraphs=(
                "The Act received Royal Assent on 26 October 2023 and is "
                "enforced by Ofcom. Terrorism offences are priority offences, "
                "so services must take proactive steps to prevent users "
                "encountering such content. Fines can reach 18 million pounds "
                "or 10 per cent of qualifying worldwide revenue. Ofcom "
                "published its first illegal harms codes on 16 December 2024.",
            ),
        ),
        Section(
            heading="6. Enforcement so far",
            paragraphs=(
                "Enforcement has mostly concerned process failures rather than "
                "individual decisions. Germany's Federal Office of Justice fined "
                "Telegram about 5.1 million euros in October 2022 for lacking a "
                "compliant reporting channel and a local contact point. Under "
                "the DSA, the Commission's preliminary findings against X in July "
                "2024 concerned the blue checkmark, advertising transparency and "
                "researcher data access, while questions about illegal content "
                "remained under investigation.",
            ),
        ),
        Section(
            heading="7. Open questions",
            bullets=(
                "Over-removal: short deadlines and large fines encourage "
                "cautious deletion, including of evidence and journalism.",
                "Small platforms: many sites used by extremists have no "
                "moderation staff and little capacity to meet one-hour orders.",
                "Encryption: scanning powers in the UK Act remain contested.",
            ),
        ),
    ),
    table_heading="At a glance",
    table_columns=("Instrument", "Trigger, deadline and maximum penalty"),
    table_rows=(
        ("NetzDG (Germany, 2017)", "User complaints; 24 hours; up to EUR 50m"),
        ("TCO Regulation (EU 2021/784)", "Authority orders; one hour; up to 4%"),
        ("Digital Services Act (EU 2022/2065)", "Systemic risk duties; up to 6%"),
        ("Online Safety Act (UK, 2023)", "Ofcom; GBP 18m or 10% of revenue"),
    ),
)

REPORTS: tuple[Report, ...] = (ISLAMIC_STATE_MIGRATION, REGULATION_COMPARISON)


class ReportPDF(FPDF):
    """An A4 document with a running title and numbered footer."""

    def __init__(self, running_title: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.running_title = running_title
        self.set_margins(left=22, top=20, right=22)
        self.set_auto_page_break(auto=True, margin=22)

    def header(self) -> None:
        """Print the running title on every page except the cover."""
        if self.page_no() == 1:
            return
        self.set_font(FONT, "I", 8)
        self.set_text_color(*TEXT_GREY)
        self.cell(0, 6, self.running_title, align="R")
        self.ln(10)

    def footer(self) -> None:
        """Print 'Page n of N' at the bottom of every page."""
        self.set_y(-15)
        self.set_font(FONT, "", 8)
        self.set_text_color(*TEXT_GREY)
        self.cell(0, 10, f"Page {self.page_no()} of {{nb}}", align="C")


def check_latin1(report: Report) -> None:
    """Fail early if any text cannot be drawn with the core fonts."""
    texts = [report.title, report.subtitle, report.subject, report.sources_note]
    texts += list(report.key_points)
    for section in report.sections:
        texts += [section.heading, *section.paragraphs, *section.bullets]
    for left, right in (report.table_columns, *report.table_rows):
        texts += [left, right]
    for text in texts:
        try:
            text.encode("latin-1")
        except UnicodeEncodeError as exc:
            msg = f"{report.filename}: non latin-1 text: {text[:60]!r}"
            raise ValueError(msg) from exc


def write_cover(pdf: ReportPDF, report: Report) -> None:
    """Draw the cover page: title block, metadata and key points."""
    pdf.add_page()
    pdf.set_y(45)
    pdf.set_text_color(*ACCENT)
    pdf.set_font(FONT, "B", 28)
    pdf.multi_cell(0, 12, report.title, align="L")
    pdf.ln(2)
    pdf.set_font(FONT, "", 15)
    pdf.set_text_color(40, 40, 40)
    pdf.multi_cell(0, 8, report.subtitle, align="L")
    pdf.ln(6)
    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(0.6)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
    pdf.ln(6)
    pdf.set_font(FONT, "", 10)
    pdf.set_text_color(*TEXT_GREY)
    pdf.cell(0, 6, f"Author: {AUTHOR}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    date_text = report.date.strftime("%d %B %Y")
    pdf.cell(0, 6, f"Date: {date_text}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(10)
    write_heading(pdf, "Key points")
    write_bullets(pdf, report.key_points)
    pdf.ln(6)
    pdf.set_font(FONT, "I", 9)
    pdf.set_text_color(*TEXT_GREY)
    pdf.multi_cell(0, 5, report.sources_note, align="L")


def write_heading(pdf: ReportPDF, text: str) -> None:
    """Draw a section heading, keeping it off the very bottom of a page."""
    if pdf.get_y() > pdf.h - 50:
        pdf.add_page()
    pdf.ln(3)
    pdf.set_font(FONT, "B", 13)
    pdf.set_text_color(*ACCENT)
    pdf.multi_cell(0, 8, text, align="L")
    pdf.ln(1)


def write_paragraph(pdf: ReportPDF, text: str) -> None:
    """Draw one justified body paragraph."""
    pdf.set_font(FONT, "", BODY_SIZE)
    pdf.set_text_color(0, 0, 0)
    pdf.multi_cell(0, LINE_HEIGHT, text, align="J")
    pdf.ln(3)


def write_bullets(pdf: ReportPDF, items: tuple[str, ...]) -> None:
    """Draw a hyphen-bulleted list with a hanging indent."""
    pdf.set_font(FONT, "", BODY_SIZE)
    pdf.set_text_color(0, 0, 0)
    indent = 6
    for item in items:
        pdf.set_x(pdf.l_margin)
        pdf.cell(indent, LINE_HEIGHT, "-")
        pdf.multi_cell(0, LINE_HEIGHT, item, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(1)
    pdf.ln(2)


def write_table(pdf: ReportPDF, report: Report) -> None:
    """Draw the report's two-column summary table with a header row."""
    write_heading(pdf, report.table_heading)
    pdf.set_font(FONT, "", 10)
    pdf.set_text_color(0, 0, 0)
    rows = (report.table_columns, *report.table_rows)
    with pdf.table(col_widths=(2, 5), text_align="LEFT", line_height=7) as table:
        for left, right in rows:
            row = table.row()
            row.cell(left)
            row.cell(right)


def build_report(report: Report, output_dir: Path) -> Path:
    """Render one report to a PDF file and return its path."""
    check_latin1(report)
    pdf = ReportPDF(running_title=f"{report.title}: {report.subtitle}")
    pdf.set_title(f"{report.title}: {report.subtitle}")
    pdf.set_author(AUTHOR)
    pdf.set_subject(report.subject)
    pdf.set_keywords(", ".join(report.keywords))
    pdf.set_creator("scripts/make_corpus_pdfs.py (fpdf2)")
    pdf.set_lang("en")
    pdf.set_creation_date(report.date)

    write_cover(pdf, report)
    pdf.add_page()
    for section in report.sections:
        write_heading(pdf, section.heading)
        for paragraph in section.paragraphs:
            write_paragraph(pdf, paragraph)
        if section.bullets:
            write_bullets(pdf, section.bullets)
    write_table(pdf, report)

    output_dir.mkdir(parents=True, exist_ok=True)
    path = output_dir / report.filename
    pdf.output(str(path))
    return path


def main() -> None:
    """Build every report in REPORTS into corpus/reports/."""
    for report in REPORTS:
        path = build_report(report, OUTPUT_DIR)
        print(f"wrote {path.relative_to(REPO_ROOT)}")


if __name__ == "__main__":
    main()
