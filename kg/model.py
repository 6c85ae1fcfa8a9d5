"""The records that flow through the pipeline.

read  -> Source, CleanText
parse -> Document (with Section, Task, UnitMention, Deadline, Recurrence, ParentRef, Diagnostic)
resolve -> Reading (a document's Effects), Resolution, Organisation (UnitMention.org_id filled in)
link  -> ParentRef.document_id filled in, Alignment, Evidence
graph -> RDF

Offsets are character offsets into ``Source.text`` (the decoded text of the file, before
cleaning). ``CleanText.to_source`` maps a span of the cleaned text back to the source.

All records are plain dataclasses so that every stage can be used, and tested, on its own.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple, Optional

from kg.vocab import LEVELS, ROLES  # noqa: F401  (records name them; defined once in kg.vocab)


@dataclass
class Source:
    """A file as read from disk: its decoded text is the reference for every offset."""

    path: str  # the path as given by the user (a file name that is not UTF-8 keeps its bytes: os.fsdecode)
    # the file's name as shown: its path relative to the folder a build was given (its base name
    # when the file was given itself), e.g. 000_b7f676789088e75d.txt or 城中区/实施方案.txt; always text
    name: str
    sha256: str  # checksum of the file's bytes
    format: str  # txt | docx | pdf | html | doc | wps | rtf | odt | ofd
    text: str  # decoded text (paragraphs and table cells in document order, one per line)
    encoding: Optional[str] = None  # for .txt/.html: utf-8, utf-8-sig, gb18030 ...
    id: Optional[str] = None  # the document id a build gives it (kg.identity); None: made from ``name``


@dataclass
class CleanText:
    """Cleaned text, with a map back to the source text.

    ``offsets[i]`` is the index in ``Source.text`` of cleaned character ``i``;
    ``offsets`` has ``len(text) + 1`` entries, the last one mapping the end.
    """

    text: str
    offsets: list[int]
    removed: list[tuple[int, int, str]] = field(default_factory=list)  # (src_start, src_end, why)
    page_breaks: list[int] = field(default_factory=list)  # cleaned offsets where a page marker was removed

    def to_source(self, start: int, end: int) -> tuple[int, int]:
        if end <= start:
            s = self.offsets[min(start, len(self.offsets) - 1)]
            return (s, s)
        return (self.offsets[start], self.offsets[end - 1] + 1)


@dataclass
class Diagnostic:
    code: str  # machine-readable, e.g. numbers-absent, task-without-units, fragment-placed, fragment-left-over
    message: str  # one readable line, in English, naming the thing concerned
    span: Optional[tuple[int, int]] = None  # source offsets, when the problem has a place
    severity: str = "warning"  # info | warning | error


@dataclass
class ParentRef:
    """A parent directive named in a document's preamble."""

    title: str  # the title inside 《》, nested 〈〉 kept, layout noise cleaned
    relation: str  # based_on (根据…制定) | applies (贯彻落实, 为确保…得到落实, 落实)
    words: str  # the relation words as written, e.g. 根据 / 贯彻落实 / 为确保…得到落实
    span: Optional[tuple[int, int]] = None
    level: Optional[str] = None  # inferred from the title (national/province/city/district/department)
    region: Optional[str] = None  # inferred from the title, e.g. 广西 / 柳州市
    document_id: Optional[str] = None  # set by link when the directive is in the corpus


@dataclass
class UnitMention:
    """One unit named in a task's annotation, as written."""

    text: str  # as written, cleaned of layout noise (no page markers, no inner spaces)
    role: str  # lead | support | responsible
    label: str = ""  # the role label as written: 牵头单位 / 配合单位 / 参加单位 / 责任单位 / 牵头 ...
    span: Optional[tuple[int, int]] = None  # source offsets
    parts: list[str] = field(default_factory=list)  # a coordination resolved into its parts
    qualifier: str = ""  # e.g. 按职责分工负责, 等部门
    org_id: Optional[str] = None  # set by resolve


@dataclass
class Deadline:
    raw: str  # e.g. 2022年年底前
    date: str  # ISO end date, e.g. 2022-12-31
    span: Optional[tuple[int, int]] = None


@dataclass
class Recurrence:
    raw: str  # e.g. 每年应当举办两期以上
    frequency: str  # ISO 8601 duration: P1Y for 每年, P2Y for 每两年, P6M for 每半年 ...
    quantity: str = ""  # e.g. 两期以上, 不少于60学时, 不少于1次
    span: Optional[tuple[int, int]] = None


@dataclass
class Section:
    id: str  # stable within the document, ASCII: s1, s1-2, s1-2-3 ...
    number: str  # as printed: 一、 / （一） / 1． / （1）
    depth: int  # 1 for 一、, 2 for （一）, 3 for 1., 4 for （1）
    title: str
    parent: Optional[str] = None  # id of the enclosing section
    span: Optional[tuple[int, int]] = None


@dataclass
class Task:
    id: str  # stable within the document, ASCII: t1, t2 ... or u1, u2 for unnumbered tasks
    number: Optional[str]  # as printed, digits only ('12'); None when the document prints none
    title: str  # first sentence, without the number and the final 。
    text: str  # the task's whole text, cleaned, without its unit annotation
    section: Optional[str] = None  # id of the enclosing section
    span: Optional[tuple[int, int]] = None
    units: list[UnitMention] = field(default_factory=list)
    deadlines: list[Deadline] = field(default_factory=list)
    recurrences: list[Recurrence] = field(default_factory=list)
    # the number a task printed without one probably had (from its neighbours); never printed,
    # so never eli:number — ``number`` stays None
    inferred_number: Optional[str] = None


@dataclass
class Figure:
    """A figure stated in a report: 新收行政复议申请177件."""

    value: float
    unit: str  # 件 次 人 % 万元 项 ...
    counted: str  # what is counted, e.g. 新收行政复议申请
    text: str  # the clause it was taken from
    year: Optional[int] = None
    approximate: bool = False  # 100余家次, 约300, 2万余
    kind: str = "count"  # count | percentage | growth
    span: Optional[tuple[int, int]] = None


@dataclass
class Measure:
    """A reported action in an annual report."""

    id: str
    text: str
    section: Optional[str] = None
    units: list[UnitMention] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    span: Optional[tuple[int, int]] = None


@dataclass
class Document:
    id: str  # ASCII slug from the file's name (kg.identity.document_id)
    source: Source
    kind: str = "plan"  # plan | report
    title: str = ""
    level: Optional[str] = None
    region: Optional[str] = None  # e.g. 柳州市城中区, 柳州市, 广西壮族自治区
    period: Optional[tuple[int, int]] = None  # (2021, 2025)
    parents: list[ParentRef] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    # the covering notice (关于印发《X》的通知): its issuing bodies as written and its date (ISO)
    issuers: list[str] = field(default_factory=list)
    issuer_ids: list[str] = field(default_factory=list)  # set by resolve
    date: Optional[str] = None
    # annual reports
    year: Optional[int] = None
    reporting_body: Optional[str] = None  # as written; resolved to reporting_body_id
    reporting_body_id: Optional[str] = None
    section_types: dict[str, str] = field(default_factory=dict)  # section id -> achievements|problems|plans|leadership
    section_themes: dict[str, str] = field(default_factory=dict)  # section id -> theme id
    measures: list[Measure] = field(default_factory=list)

    @property
    def counts(self) -> dict:
        """How many tasks, assignments, sections and measures the document holds."""
        return {"tasks": len(self.tasks), "assignments": sum(len(t.units) for t in self.tasks),
                "sections": len(self.sections), "measures": len(self.measures)}


@dataclass
class Organisation:
    id: str  # ASCII slug, stable
    name: str  # canonical full name, e.g. 柳州市城中区司法局
    labels: list[str] = field(default_factory=list)  # other names (altLabels): 区司法局 ...
    kind: str = "other"  # party | government | court | procuratorate | congress | cppcc | mass | other
    level: Optional[str] = None
    region: Optional[str] = None
    parent: Optional[str] = None  # org:subOrganizationOf
    function: Optional[str] = None  # functional key shared across levels, e.g. sifa
    counterparts: list[str] = field(default_factory=list)  # same function, one level up
    is_group: bool = False  # a collective phrase: 区政府各有关部门
    scope: str = ""  # for groups: whom the phrase covers
    members: list[str] = field(default_factory=list)  # for coordinations: the parts' ids
    mentions: list[str] = field(default_factory=list)  # every as-written form merged into it


@dataclass(slots=True)  # ~150k of them at national size
class Alignment:
    """A child task carries out a parent task."""

    child: str  # task key: "<doc id>#<task id>"
    parent: str
    score: float
    method: str  # e.g. section+bm25+title, override
    confirmed: bool = False  # from the override file


@dataclass
class Evidence:
    """A report measure reports on a plan task or a national theme."""

    measure: str  # "<doc id>#<measure id>"
    target: str  # "<doc id>#<task id>" or "theme:<id>"
    score: float
    method: str
    # for a task: whether the measure is evidence that the task was carried out (the right report,
    # an achievement; kg.link.evidence), or only a related passage
    counts: bool = True


@dataclass
class Corpus:
    documents: list[Document] = field(default_factory=list)
    organisations: dict[str, Organisation] = field(default_factory=dict)
    alignments: list[Alignment] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    # links between directives the corpus names but does not hold, so that the cascade shows
    # whole: (child title, based_on | applies, parent title); see kg.link.align.directive_chain
    directive_links: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass
class Skipped:
    """An input a ``--keep-going`` build could not read or parse, and left out."""

    path: str
    name: str
    reason: str  # the one-line error, naming the file


class Effect(NamedTuple):
    """What one entity takes from one as-written unit (kg.resolve.resolver.Resolver.effects): a
    function of the mention and the override rules, so equal mentions share theirs."""

    key: str  # the entity's key
    parsed: object  # the name as parsed (kg.resolve.orgnames.ParsedName: its level, region, core …)
    canonical: str  # the canonical name the key stands for
    name: Optional[str]  # the name an override rule gives (same_as), else None
    kind: str  # the kind an override rule gives, else ""
    written: str  # as written in the document
    record: bool  # a mention of its own (else the entity only takes it as a label)
    members: tuple  # the keys of a coordination's parts


@dataclass
class Reading:
    """What resolution takes from one document alone (kg.resolve.entities.read): the effects of
    the units it names, in order, and the groups of regions they tie together (``ties``), which
    decide how the corpus splits into parts finished apart (kg.resolve.entities.finish_all)."""

    effects: list[Effect]
    ties: tuple


@dataclass
class Resolution:
    """The organisations of a corpus and how they were made: ``parts`` (region -> part name),
    each part's organisations, and the national bodies' index (a quick update, kg.build.quick,
    keeps these to finish again only the parts a change touches)."""

    organisations: dict[str, Organisation]
    parts: dict[str, str]
    by_part: dict[str, dict[str, Organisation]]
    national: dict


def task_count(doc) -> int:
    """The number of tasks of a Document, or of a stand-in that carries its ``counts`` (a quick
    update's kg.build.stubs.Stub) without loading its records."""
    return len(doc.tasks) if isinstance(doc, Document) else doc.counts["tasks"]
