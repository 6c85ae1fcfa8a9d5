"""The query library: headers, parameter binding as RDF terms, and every query on a tiny graph.

tests/data/mini.trig is hand-written (three plans in a cascade p1 <- c1 <- d1 and one report r1);
every expected answer below was read off that file.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from kg.query import queries as Q
from kg.errors import KgError

MINI = Path(__file__).parent / "data" / "mini.trig"
DOC = "https://w3id.org/dutygraph/id/doc/"
ODD = '区"法治"{办}#1'  # a unit name with quotes, braces and '#'


@pytest.fixture(scope="module")
def graph():
    from kg.query.api import Graph

    return Graph.open(MINI)


def nums(rows, key="task_number"):
    return [(r["document"], r[key]) for r in rows]


# ----------------------------------------------------------------------------- headers

def test_every_query_file_has_a_header_with_typed_params_and_columns():
    qs = Q.available()
    names = {q.name for q in qs}
    for needed in ("tasks-of", "units-of", "workload", "due-before", "overdue", "shared", "no-lead",
                   "parent-chain", "coverage", "tasks-per-section", "organisations"):
        assert needed in names
    for q in qs:
        assert q.title and q.title != q.name, q.name
        assert q.returns, f"{q.name} documents no columns"
        for p in q.params:
            assert p.type in Q.TYPES and p.description, (q.name, p)
            # pyoxigraph substitution needs every parameter projected
            select = q.text.split("WHERE")[0]
            assert re.search(rf"(^|\s)\?{p.name}(\s|$)", select), (q.name, p.name)


def test_header_parsing_reads_params_returns_and_continuations():
    text = ("# Tasks of a unit: the long story.\n# more prose\n#\n"
            "# @param label  zh   required  A name\n#   that goes on.\n"
            "# @param doc    iri  optional  A document.\n#\n# @return document  The id.\n"
            "SELECT ?document ?label ?doc WHERE { ?x ?y ?label }\n")
    q = Q.parse(text, "t")
    assert q.title == "Tasks of a unit"
    assert "long story" in q.description and "more prose" in q.description
    assert [(p.name, p.type, p.required) for p in q.params] == [("label", "zh", True), ("doc", "iri", False)]
    assert q.params[0].description == "A name that goes on."
    assert q.columns == ["document"]


def test_find_by_name_underscore_or_file(tmp_path):
    assert Q.find("tasks_of").name == "tasks-of"
    assert Q.find(str(Q.query_dir() / "workload.rq")).name == "workload"
    with pytest.raises(KgError, match="no query named"):
        Q.find("nope")
    with pytest.raises(KgError, match="does not exist"):
        Q.find(str(tmp_path / "missing.rq"))


def test_bad_type_in_header_is_an_error():
    with pytest.raises(KgError, match="unknown type"):
        Q.parse("# T: x\n# @param a  str  required  x\nSELECT ?a WHERE {}", "bad")


# ----------------------------------------------------------------------------- terms

def test_terms_are_typed_and_escaped():
    assert Q.term("区司法局", "zh").ntriples() == '"区司法局"@zh'
    assert Q.term(ODD, "zh").ntriples() == '"区\\"法治\\"{办}#1"@zh'
    assert Q.term('a\\b\nc', "string").ntriples() == '"a\\\\b\\nc"'
    assert Q.term("2023-01-01", "date").ntriples() == '"2023-01-01"^^<http://www.w3.org/2001/XMLSchema#date>'
    assert Q.term("dg:Lead", "iri").ntriples() == "<https://w3id.org/dutygraph/ontology#Lead>"
    assert Q.term("dgr:doc/000", "iri").value == "https://w3id.org/dutygraph/id/doc/000"
    assert Q.term(" 7 ", "integer").value == "7"
    assert Q.term("yes", "boolean").value == "true"


@pytest.mark.parametrize("value,ptype", [("2023-13-01", "date"), ("2023/01/01", "date"), ("x", "integer"),
                                         ("http://a b", "iri"), ("<x>", "iri"), ("http://a>{", "iri"),
                                         ("maybe", "boolean"), ("23", "gyear"), ("nan", "decimal")])
def test_bad_values_are_refused_in_one_line(value, ptype):
    with pytest.raises(KgError) as e:
        Q.term(value, ptype, "p")
    assert "\n" not in str(e.value)


def test_bind_checks_names_and_required():
    q = Q.find("due-before")
    with pytest.raises(KgError, match="needs before"):
        Q.bind(q, {})
    with pytest.raises(KgError, match="no parameter 'nope'"):
        Q.bind(q, {"before": "2023-01-01", "nope": 1})
    assert Q.bind(q, {"before": "2023-01-01", "doc": None}) == {"before": Q.term("2023-01-01", "date")}


def test_values_block_goes_into_the_outer_where_group_not_a_comment_or_iri():
    text = ('# a { in a comment\nPREFIX x: <http://ex/a#>\nSELECT ?a ?b (CONCAT("{", ?a) AS ?c) WHERE { ?s ?p ?a }')
    out = Q.inject_values(text, {"b": Q.term('x"}#', "zh"), "a": Q.term("1", "integer")})
    assert out.startswith(text.split(" WHERE")[0] + " WHERE {\n  VALUES (?a ?b)")
    assert '"x\\"}#"@zh' in out and out.rstrip().endswith("?s ?p ?a }")
    assert Q.inject_values(text, {}) == text


PER_FORM_CASES = [
    ("workload-of", {"org": "dgr:org/cz-sifaju"}), ("workload-of", {"org": "dgr:org/cz-sifaju", "in_doc": DOC + "d1"}),
    ("workload", {"in_doc": DOC + "d1"}), ("due-before-doc", {"before": "2023-07-01", "doc": DOC + "c1"}),
    ("overdue-doc", {"on": "2023-07-01", "doc": DOC + "d1"}),
]


def test_injected_values_parse_and_give_the_same_answers_as_substitution(graph):
    """The remote binding (VALUES) and the local one (substitutions) agree on every query."""
    cases = [
        ("tasks-of", {"label": "区司法局"}), ("tasks-of", {"label": "司法局", "role": "support"}),
        ("tasks-of", {"label": ODD}), ("tasks-of", {"label": "区司法局", "doc": DOC + "c1"}),
        ("units-of", {"task": DOC + "d1/t/t4"}), ("workload", {}), ("workload", {"org": "dgr:org/cz-sifaju"}),
        ("due-before", {"before": "2023-01-01"}), ("overdue", {"on": "2023-07-01"}),
        ("shared", {"label_a": "区司法局", "label_b": "区委编办"}), ("no-lead", {}),
        ("no-lead", {"doc": DOC + "c1"}), ("parent-chain", {"task": DOC + "d1/t/t1"}),
        ("coverage", {"child_doc": DOC + "d1", "parent_doc": DOC + "c1"}),
        ("tasks-per-section", {"doc": DOC + "d1"}), ("organisations", {"kind": "dg:Party"}),
        ("organisations", {"level": "dg:City"}), ("organisations", {}),
        ("find-task", {"doc": DOC + "d1", "number": "2"}), ("task", {"task": DOC + "d1/t/u1"}),
        ("unit-lookup", {"label": "市司法局"}), ("parent-docs", {"doc": DOC + "d1"}),
    ] + PER_FORM_CASES
    from kg.query.api import LocalBackend

    substituting = LocalBackend(graph.backend.store, binding="substitutions")
    assert graph.backend.binding == "values"
    for name, params in cases:
        q = Q.find(name)
        bound = Q.bind(q, params)
        local = substituting.select(q.text, bound)
        injected = graph.backend.select(q.text, bound)
        assert local == injected, name
        assert local or name in ("tasks-of", "no-lead"), f"{name} {params} found nothing"


def test_a_name_is_never_pasted_into_the_query(graph):
    evil = '区司法局"@zh } UNION { ?org ?p ?label } #'
    q = Q.find("unit-lookup")
    assert graph.backend.select(q.text, Q.bind(q, {"label": evil})) == []
    assert graph.backend.select(Q.inject_values(q.text, Q.bind(q, {"label": evil})), {}) == []


# ----------------------------------------------------------------------------- each question

def test_tasks_of_matches_every_label(graph):
    by_short = graph.tasks_of("区司法局")
    assert [(r["task_number"], r["role"], r["unit_as_written"]) for r in by_short] == [
        ("1", "lead", "区司法局"), ("2", "support", "司法局"), ("4", "responsible", "区司法局")]
    assert {r["unit"] for r in by_short} == {"柳州市城中区司法局"}
    assert by_short[0]["deadline"] == "2022-12-31" and by_short[0]["document"] == "d1"
    assert graph.tasks_of("柳州市城中区司法局") == by_short  # prefLabel
    assert graph.tasks_of("司法局") == by_short  # altLabel and as written in d1/t2
    assert nums(graph.tasks_of("市司法局")) == [("c1", "1")]


def test_tasks_of_by_role_and_document(graph):
    assert nums(graph.tasks_of("区司法局", role="lead")) == [("d1", "1")]
    assert nums(graph.tasks_of("区司法局", role="support")) == [("d1", "2")]
    assert nums(graph.tasks_of("区司法局", role="responsible")) == [("d1", "4")]
    assert graph.tasks_of("区司法局", doc="c1") == []  # the unit exists: an empty answer
    with pytest.raises(KgError, match="role 'boss'"):
        graph.tasks_of("区司法局", role="boss")


def test_odd_unit_name_is_just_a_name(graph):
    rows = graph.tasks_of(ODD)
    assert [(r["task_number"], r["role"], r["unit"]) for r in rows] == [("4", "responsible", ODD)]


def test_units_of(graph):
    rows = graph.units_of("d1#4")
    assert [(r["role"], r["unit"], r["unit_as_written"], r["role_label"]) for r in rows] == [
        ("responsible", ODD, ODD, "责任单位"), ("responsible", "柳州市城中区司法局", "区司法局", "责任单位")]
    rows = graph.units_of(DOC + "d1/t/t1")
    assert [(r["role"], r["kind"]) for r in rows] == [("lead", "GovernmentDepartment"), ("support", "Group")]


def test_due_before_is_strict(graph):
    assert [(r["document"], r["task_number"], r["deadline"]) for r in graph.due("2023-01-01")] == [
        ("d1", "4", "2022-06-30"), ("d1", "1", "2022-12-31")]
    assert nums(graph.due("2022-12-31")) == [("d1", "4")]
    assert nums(graph.due("2023-07-01")) == [("d1", "4"), ("d1", "1"), ("c1", "2"), ("d1", "2")]
    assert nums(graph.due("2023-07-01", doc="c1")) == [("c1", "2")]
    row = graph.due("2023-01-01")[1]
    assert row["deadline_text"] == "2022年年底前" and row["lead"] == "柳州市城中区司法局"


def test_overdue_counts_reported_evidence(graph):
    rows = graph.overdue("2023-01-01")
    assert [(r["task_number"], r["reported"]) for r in rows] == [("4", 0), ("1", 1)]
    assert nums(graph.overdue("2023-01-01", unreported_only=True)) == [("d1", "4")]


def test_workload(graph):
    rows = graph.workload()
    top = rows[0]
    assert (top["unit"], top["lead"], top["support"], top["responsible"], top["total"], top["documents"]) == (
        "柳州市城中区司法局", 1, 1, 1, 3, 1)
    assert (rows[1]["unit"], rows[1]["support"], rows[1]["total"]) == ("区政府各有关部门", 2, 2)
    assert len(rows) == 7 and len(graph.workload(top=2)) == 2
    assert [r["unit"] for r in graph.workload(unit="市委编办")] == ["中共柳州市委机构编制委员会办公室"]
    assert graph.workload(unit="区司法局", doc="c1") == []


def test_shared(graph):
    rows = graph.shared("区司法局", "区委编办")
    assert [(r["task_number"], r["role_a"], r["role_b"]) for r in rows] == [("2", "support", "lead")]
    rows = graph.shared("司法局", "区政府各有关部门")
    assert [(r["task_number"], r["role_a"], r["role_b"]) for r in rows] == [("1", "lead", "support")]
    assert graph.shared("区司法局", "市司法局") == []


def test_no_lead(graph):
    rows = graph.no_lead()
    assert [(r["document"], r["task_number"], r["supporting"]) for r in rows] == [
        ("d1", "3", "区政府各有关部门"), ("d1", None, None)]
    assert graph.no_lead(doc="c1") == []


def test_parent_chain(graph):
    rows = graph.parent_chain("d1#1")
    assert [(r["distance"], r["document"], r["level"], r["task_number"]) for r in rows] == [
        (0, "d1", "District", "1"), (1, "c1", "City", "1"), (2, "p1", "Province", "1")]
    assert [r["distance"] for r in graph.parent_chain("d1#2")] == [0]
    with pytest.raises(KgError, match="no task numbered 9"):
        graph.parent_chain("d1#9")
    with pytest.raises(KgError, match="no task"):
        graph.parent_chain(DOC + "d1/t/t99")


def test_coverage(graph):
    rows = graph.coverage("d1", "c1")
    assert [(r["task_number"], r["covered"], r["children"], r["child_numbers"]) for r in rows] == [
        ("1", True, 1, "1"), ("2", False, 0, None)]
    assert graph.coverage("d1") == rows  # the parent d1 applies
    assert [(r["task_number"], r["covered"]) for r in graph.coverage("c1")] == [("1", True)]
    with pytest.raises(KgError, match="no parent"):
        graph.coverage("p1")


def test_tasks_per_section(graph):
    rows = graph.tasks_per_section("d1")
    assert [(r["section_number"], r["depth"], r["tasks"], r["direct"]) for r in rows] == [
        ("二、", 1, 5, 0), ("（一）", 2, 2, 2), ("（二）", 2, 3, 3)]


def test_organisations_by_kind_and_level(graph):
    assert {r["unit"] for r in graph.organisations(kind="party")} == {
        "中共柳州市委机构编制委员会办公室", "中共柳州市城中区委员会机构编制委员会办公室"}
    assert {r["unit"] for r in graph.organisations(level="city")} == {"柳州市司法局", "中共柳州市委机构编制委员会办公室"}
    rows = graph.organisations(kind="Group", level="district")
    assert [(r["unit"], r["tasks"]) for r in rows] == [("区政府各有关部门", 2)]
    assert len(graph.organisations()) == 8
    sifaju = next(r for r in graph.organisations(kind="government") if r["unit"] == "柳州市城中区司法局")
    assert set(sifaju["labels"].split("、")) == {"区司法局", "司法局"}
    with pytest.raises(KgError, match="kind 'army'"):
        graph.organisations(kind="army")


def test_a_form_found_only_as_written_still_names_the_unit():
    """An organisation whose as-written form is not among its labels is still found by it, once."""
    import pyoxigraph as ox

    from kg.query.api import Graph

    store = ox.Store()
    store.load(input=b"""
        @prefix dg: <https://w3id.org/dutygraph/ontology#> . @prefix dgr: <https://w3id.org/dutygraph/id/> .
        @prefix skos: <http://www.w3.org/2004/02/skos/core#> . @prefix eli: <http://data.europa.eu/eli/ontology#> .
        dgr:doc\\/x a dg:Plan .
        dgr:org\\/a skos:prefLabel "\xe7\x94\xb2\xe5\xb1\x80"@zh .
        dgr:doc\\/x\\/t\\/t1 a dg:Task ; dg:inDocument dgr:doc\\/x ; eli:number "1" ; dg:leadUnit dgr:org\\/a ;
            dg:assignment dgr:doc\\/x\\/t\\/t1\\/a\\/1 , dgr:doc\\/x\\/t\\/t1\\/a\\/2 .
        dgr:doc\\/x\\/t\\/t1\\/a\\/1 dg:role dg:Lead ; dg:unit dgr:org\\/a ; dg:asWritten "\xe8\x80\x81\xe7\x94\xb2"@zh .
        dgr:doc\\/x\\/t\\/t2 a dg:Task ; dg:inDocument dgr:doc\\/x ; eli:number "2" ; dg:supportingUnit dgr:org\\/a ;
            dg:assignment dgr:doc\\/x\\/t\\/t2\\/a\\/1 .
        dgr:doc\\/x\\/t\\/t2\\/a\\/1 dg:role dg:Support ; dg:unit dgr:org\\/a ; dg:asWritten "\xe8\x80\x81\xe7\x94\xb2"@zh .
    """, format=ox.RdfFormat.TURTLE)
    g = Graph.from_store(store)
    rows = g.tasks_of("老甲")  # written so in both tasks; the organisation's only label is 甲局
    assert [(r["task_number"], r["role"], r["unit"], r["unit_as_written"]) for r in rows] == [
        ("1", "lead", "甲局", "老甲"), ("2", "support", "甲局", "老甲")]
    assert g.tasks_of("甲局") == rows


# ----------------------------------------------------------------------------- two forms, one answer

def test_the_per_document_and_per_organisation_forms_give_the_corpus_forms_rows(graph):
    """due-before-doc / overdue-doc / workload-of answer for one document or organisation what
    due-before / overdue / workload answer with that parameter bound, row for row."""
    for day in ("2022-12-31", "2023-01-01", "2023-07-01", "2030-01-01"):
        for doc in ("c1", "d1", "p1", "r1"):
            assert graph.query("due-before-doc", before=day, doc=DOC + doc) == \
                graph.query("due-before", before=day, doc=DOC + doc), (day, doc)
            assert graph.query("overdue-doc", on=day, doc=DOC + doc) == \
                graph.query("overdue", on=day, doc=DOC + doc), (day, doc)
    assert graph.due("2023-07-01", doc="d1") == [r for r in graph.due("2023-07-01") if r["document"] == "d1"]
    for row in graph.workload():
        for in_doc in (None, DOC + "d1", DOC + "c1"):
            assert graph.query("workload-of", org=row["org"], in_doc=in_doc) == \
                graph.query("workload", org=row["org"], in_doc=in_doc), (row["org"], in_doc)


# ----------------------------------------------------------------------------- ORDER BY done in Python

def test_split_order_takes_only_the_outermost_order_by_of_plain_variables():
    text, keys = Q.split_order("SELECT ?a ?b WHERE { ?a ?p ?b }\nGROUP BY ?a ?b\nORDER BY DESC(?b) ?a\n# done\n")
    assert keys == [("b", True), ("a", False)]
    assert "ORDER" not in text and text.rstrip().endswith("GROUP BY ?a ?b")
    assert Q.split_order("SELECT ?a WHERE { { SELECT ?a WHERE { ?a ?p ?o } ORDER BY ?a } }") is None
    assert Q.split_order("SELECT ?a WHERE { ?a ?p ?o } ORDER BY STR(?a)") is None
    assert Q.split_order("SELECT ?a WHERE { ?a ?p ?o } ORDER BY ?a LIMIT 3") is None
    assert Q.split_order("SELECT ?a WHERE { ?a ?p ?o }") is None


def test_sort_solutions_orders_as_sparql_or_gives_up():
    import pyoxigraph as ox

    def lit(v, dt=None, lang=None):
        return ox.Literal(v, language=lang) if lang else ox.Literal(v, datatype=ox.NamedNode(Q.XSD + dt)) if dt \
            else ox.Literal(v)

    rows = [[lit("10", "integer"), lit("b")], [None, lit("c")], [lit("2", "integer"), lit("a")],
            [ox.NamedNode("http://x/1"), lit("d")]]
    out = Q.sort_solutions(["n", "s"], rows, [("n", False)])
    # unbound first, then IRIs, then literals; numbers by value (2 before 10)
    assert [r[1].value for r in out] == ["c", "d", "a", "b"]
    assert [r[1].value for r in Q.sort_solutions(["n", "s"], rows, [("n", True)])] == ["b", "a", "d", "c"]
    assert Q.sort_solutions(["n", "s"], rows, [("x", False)]) is None  # not projected
    tie = [[lit("1", "integer"), lit("a")], [lit("1", "integer"), lit("b")]]
    assert Q.sort_solutions(["n", "s"], tie, [("n", False)]) is None  # the engine's order for ties
    assert Q.sort_solutions(["n", "s"], tie, [("n", False), ("s", True)]) == [tie[1], tie[0]]
    mixed = [[lit("a", lang="zh")], [lit("b")]]
    assert Q.sort_solutions(["s"], mixed, [("s", False)]) is None


def test_python_order_is_pyoxigraph_order_on_every_query(graph):
    """Every named query through the local backend (ORDER BY done in Python) gives the rows, in the
    order, that pyoxigraph gives for the query as written."""
    cases = [(q.name, {}) for q in Q.available() if not any(p.required for p in q.params)] + PER_FORM_CASES + [
        ("tasks-of", {"label": "区司法局"}), ("tasks-of", {"label": "司法局", "role": "support"}),
        ("units-of", {"task": DOC + "d1/t/t4"}), ("due-before", {"before": "2030-01-01"}),
        ("overdue", {"on": "2030-01-01"}), ("shared", {"label_a": "区司法局", "label_b": "区委编办"}),
        ("parent-chain", {"task": DOC + "d1/t/t1"}), ("tasks-per-section", {"doc": DOC + "d1"}),
        ("coverage", {"child_doc": DOC + "d1", "parent_doc": DOC + "c1"}),
        ("unit-lookup", {"label": "市司法局"}), ("parent-docs", {"doc": DOC + "d1"}),
        ("report-evidence", {"task": DOC + "d1/t/t1"}), ("report-figures", {}),
    ]
    store = graph.backend.store
    seen = 0
    for name, params in cases:
        q = Q.find(str(Q.query_dir() / f"{name}.rq"))
        bound = Q.bind(q, params)
        res = store.query(Q.inject_values(q.text, bound), use_default_graph_as_union=True)
        names = [v.value for v in res.variables]
        direct = [{n: Q.from_oxigraph(sol[n]) for n in names} for sol in res]
        assert graph.backend.select(q.text, bound) == direct, (name, params)
        seen += bool(direct)
    assert seen >= 20


def test_the_library_s_own_sparql_lives_in_queries_internal():
    """No inline SPARQL in kg/query, kg/export, kg/cli: reading a store back and the units table run
    queries/internal/*.rq, which `kg query --list` does not list."""
    import re as _re
    from pathlib import Path

    from kg.query import queries as Q

    root = Path(__file__).resolve().parent.parent
    internal = sorted(p.stem for p in (root / "queries" / "internal").glob("*.rq"))
    assert internal and all(Q.internal_query(n).lstrip().startswith("#") for n in internal)
    assert not set(internal) & {q.name for q in Q.available()}
    for pkg in ("query", "export", "cli"):
        for p in (root / "kg" / pkg).glob("*.py"):
            code = "\n".join(l for l in p.read_text(encoding="utf-8").splitlines() if not l.lstrip().startswith((">>>", "#", "-")))
            assert not _re.search(r"[\"']\s*SELECT\s+[?(]", code), p
