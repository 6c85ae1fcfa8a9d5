"""Fuzzing (hypothesis, a few seconds): plan-like documents made of the genre's pieces (headings,
tasks, every annotation form, deadlines) mixed with what scrapes and typos bring (empty or
doubled labels, stray brackets, page markers, control characters, odd widths), and raw bytes
under every extension. Reading refuses a file with a one-line KgError or reads it; cleaning,
parsing, resolving and making the graph of what was read never fail; spans stay inside the
text; the triples parse. The long run (10,000+ documents, with timings) is bench/fuzz.py."""
from __future__ import annotations

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from kg.errors import KgError  # noqa: E402

REGIONS = ["柳州市城中区", "柳州市", "广西壮族自治区", "XX县", "某某区", ""]
UNITS = ["区司法局", "市公安局", "各县(市、区)人民政府", "区政府各有关部门", "市委编办", "县财政局", "区法院",
         "市应急局", "", "：", "（", "）", "、", "市场监管局", "区委区政府督察和绩效办"]
LABELS = ["牵头单位", "配合单位", "责任单位", "参加单位", "协办单位", "牵头部门", "牵头", "配合", ""]
NUMBERS = ["一、", "二、", "（一）", "（二）", "1．", "2.", "3、", "（1）", "(2)", "12、", "", "99999．"]
WORDS = ["健全依法决策机制", "推进严格规范公正文明执法", "2022年年底前完成", "2023年6月底前", "每年", "到2025年",
         "原则上每两年", "不少于60学时", "。", "；", "，", "\n", "\t", " ", "《", "》", "〈广西", "\x0c", "\x00",
         "\ufeff", "　", "ＡＢＣ１２３", "（", "）", "【", "】", "［", "］", "第1页", "共3页", "\u200b", "…"]


def annotation():
    unit_list = st.lists(st.sampled_from(UNITS), max_size=4).map("、".join)
    one = st.tuples(st.sampled_from(LABELS), st.sampled_from(["：", ":", "", "：："]), unit_list).map("".join)
    roles = st.lists(one, min_size=1, max_size=3).map("；".join)
    return st.one_of(roles.map(lambda r: f"（{r}）"), roles.map(lambda r: f"［{r}］"), roles,
                     st.tuples(unit_list, unit_list).map(lambda p: f"{p[0]}牵头，{p[1]}配合。"))


def line():
    text = st.lists(st.sampled_from(WORDS), max_size=6).map("".join)
    noise = st.one_of(st.just(""), st.text(max_size=8))
    task = st.tuples(st.sampled_from(NUMBERS), st.sampled_from(WORDS[:2]), text, annotation(), noise).map("".join)
    return st.one_of(task, st.tuples(st.sampled_from(NUMBERS), text, noise).map("".join))


documents = st.tuples(st.sampled_from(REGIONS), st.sampled_from(["法治政府建设实施方案", "工作方案", "年度报告", ""]),
                      st.lists(line(), max_size=25)).map(lambda d: f"{d[0]}{d[1]}\n\n" + "\n".join(d[2]))

FUZZ = settings(max_examples=150, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _through(name: str, data: bytes, tmp_path) -> None:
    """Read, parse, resolve and make the graph of one file: reading may refuse it (a one-line
    KgError); a file read is parsed and resolved without an error (a typo is a diagnostic)."""
    import pyoxigraph as ox

    import kg.rdf as graph

    from kg.resolve import entities as resolve
    from kg.build.pipeline import parse_source
    from kg.read.files import read_file

    path = tmp_path / name
    path.write_bytes(data)
    try:
        source = read_file(path)
    except KgError as e:
        assert "\n" not in str(e)
        return
    doc = parse_source(source)
    resolve.read(doc, [])
    n = len(source.text)
    for t in doc.tasks:
        assert t.span is None or 0 <= t.span[0] <= t.span[1] <= n
        for u in t.units:
            assert u.span is None or 0 <= u.span[0] <= u.span[1] <= n
            assert u.text.strip()
    made = graph.make_document(doc)
    if made is not None:
        assert len(list(ox.parse(made.nq, format=ox.RdfFormat.N_QUADS))) == made.triples
        ox.parse(graph.TTL_HEAD + made.chunk, format=ox.RdfFormat.TURTLE)


@FUZZ
@given(text=documents)
def test_plan_like_text_never_breaks_the_pipeline(tmp_path_factory, text):
    _through("plan.txt", text.encode("utf-8", "surrogatepass"), tmp_path_factory.mktemp("f"))


@settings(max_examples=40, deadline=None, derandomize=True, database=None)
@given(data=st.binary(max_size=3000), ext=st.sampled_from([".txt", ".html", ".docx", ".pdf"]))
def test_any_bytes_under_any_extension_are_read_or_refused_in_one_line(tmp_path_factory, data, ext):
    _through("x" + ext, data, tmp_path_factory.mktemp("b"))


@settings(max_examples=15, deadline=None, derandomize=True, database=None)
@given(texts=st.lists(documents, min_size=1, max_size=3))
def test_a_folder_of_fuzzed_plans_builds_or_says_why(tmp_path_factory, texts):
    """Whole builds (with resolution across documents and alignment): exit as a build or a
    one-line KgError, never anything else."""
    from kg.build import pipeline
    tmp = tmp_path_factory.mktemp("d")
    src = tmp / "src"
    src.mkdir()
    for k, text in enumerate(texts):
        (src / f"p{k}.txt").write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        pipeline.build([src], keep_going=True)
    except KgError as e:
        assert "\n" not in str(e)
