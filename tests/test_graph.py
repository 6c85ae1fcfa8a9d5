"""kg.rdf, kg.build.outputs and kg.query.store on hand-built records (hand_corpus), and the bundled corpus once it builds.

hand_corpus() is imported by test_export.py and test_validate.py too. Every expected value below
is read from the records written here, not from the code's output.
"""
from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from kg.errors import KgError
from kg.model import (Alignment, Corpus, Deadline, Document, Evidence, Figure, Measure, Organisation,
                      ParentRef, Recurrence, Section, Source, Task, UnitMention)

DG = "https://w3id.org/dutygraph/ontology#"
DGR = "https://w3id.org/dutygraph/id/"
XSD = "http://www.w3.org/2001/XMLSchema#"


def _src(name: str, text: str) -> Source:
    return Source(path=name, name=name, sha256=hashlib.sha256(text.encode()).hexdigest(), format="txt", text=text)


def hand_corpus() -> Corpus:
    """A city plan (c1), a district plan (d1) carrying it out, and an annual report (r1)."""
    c1 = Document(id="c1", source=_src("c1.txt", "市方案"), title="XX市法治政府建设实施方案", level="city",
                  region="XX市", period=(2021, 2025),
                  sections=[Section(id="s1", number="一、", depth=1, title="健全政府机构职能体系")],
                  tasks=[Task(id="t1", number="1", title="推行权责清单", text="推行权责清单。", section="s1",
                              span=(10, 20),
                              units=[UnitMention(text="市司法局", role="lead", label="牵头单位", org_id="xx-sifaju")])])
    d1_text = "城中区方案 ..."
    d1 = Document(
        id="d1", source=_src("d1.txt", d1_text), title="城中区落实方案", level="district", region="XX市城中区",
        period=(2022, 2025),
        parents=[ParentRef(title="XX市法治政府建设实施方案", relation="applies", words="贯彻落实", document_id="c1",
                           level="city"),
                 ParentRef(title="法治政府建设实施纲要(2021-2025年)", relation="based_on", words="根据", level="national")],
        sections=[Section(id="s1", number="二、", depth=1, title="工作任务"),
                  Section(id="s1-1", number="（一）", depth=2, title="健全政府机构职能体系", parent="s1")],
        tasks=[
            Task(id="t1", number="1", title="全面实行政府权责清单制度",
                 text="全面实行政府权责清单制度。2022年年底前完善清单，2023年6月底前公布。", section="s1-1", span=(100, 180),
                 units=[UnitMention(text="区司法局", role="lead", label="牵头单位", span=(160, 164), org_id="cz-sifaju"),
                        UnitMention(text="区政府各有关部门", role="support", label="配合单位", org_id="cz-youguan"),
                        UnitMention(text="区委 编办", role="responsible", label="责任单位", qualifier="按职责分工负责",
                                    org_id=None)],
                 deadlines=[Deadline(raw="2023年6月底前", date="2023-06-30"), Deadline(raw="2022年年底前", date="2022-12-31")],
                 recurrences=[Recurrence(raw="每年", frequency="P1Y", quantity="不少于1次")]),
            Task(id="u1", number=None, title="加强法治宣传", text="加强法治宣传。", section="s1-1", span=(181, 190)),
        ])
    r1 = Document(
        id="r1", source=_src("r1.txt", "报告"), kind="report", title="城中区2022年法治政府建设情况报告",
        level="district", region="XX市城中区", year=2022, reporting_body="城中区人民政府", reporting_body_id="cz-zhengfu",
        sections=[Section(id="s1", number="一、", depth=1, title="主要成效")], section_types={"s1": "achievements"},
        section_themes={"s1": "quanze"},
        measures=[Measure(id="m1", text="制定完善政府权责清单，新收行政复议申请177件。", section="s1",
                          units=[UnitMention(text="区司法局", role="responsible", org_id="cz-sifaju")],
                          figures=[Figure(value=177, unit="件", counted="新收行政复议申请", text="新收行政复议申请177件",
                                          year=2022),
                                   Figure(value=98.5, unit="%", counted="满意率", text="满意率约98.5%", approximate=True,
                                          kind="percentage")])])
    orgs = {
        "xx-sifaju": Organisation(id="xx-sifaju", name="XX市司法局", labels=["市司法局"], kind="government",
                                  level="city", region="XX市", function="sifa"),
        "cz-zhengfu": Organisation(id="cz-zhengfu", name="XX市城中区人民政府", labels=["区政府"], kind="government",
                                   level="district", region="XX市城中区"),
        "cz-sifaju": Organisation(id="cz-sifaju", name="XX市城中区司法局", labels=["区司法局"], kind="government",
                                  level="district", region="XX市城中区", parent="cz-zhengfu", function="sifa",
                                  counterparts=["xx-sifaju"], mentions=["区司法局", "司法局"]),
        "cz-youguan": Organisation(id="cz-youguan", name="区政府各有关部门", kind="group", level="district",
                                   region="XX市城中区", is_group=True, scope="城中区人民政府所属各有关部门",
                                   members=["cz-sifaju"]),
    }
    return Corpus(documents=[c1, d1, r1], organisations=orgs,
                  alignments=[Alignment(child="d1#t1", parent="c1#t1", score=0.8731, method="section+bm25+title")],
                  evidence=[Evidence(measure="r1#m1", target="d1#t1", score=0.5, method="bm25"),
                            Evidence(measure="r1#m1", target="theme:quanze", score=0.9, method="section")])


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from kg.build.outputs import write_outputs

    out = tmp_path_factory.mktemp("g") / "out"
    files = write_outputs(hand_corpus(), out)
    return out, files


@pytest.fixture(scope="module")
def store(built):
    from kg.query.store import Store

    return Store.open(built[0])


def ask(store, q: str, **b) -> list[dict]:
    return store.query(q, b or None)


# ---------------------------------------------------------------------------- the build directory

def test_outputs_written(built):
    out, files = built
    assert [f.name for f in files] == ["graph.ttl", "store", "diagnostics.json", "manifest.json"]
    assert all(f.exists() for f in files)
    assert not [p for p in out.parent.iterdir() if ".tmp-" in p.name or ".old-" in p.name]


def test_byte_identical_and_no_timestamps(built, tmp_path):
    from kg.build.outputs import write_outputs

    out2 = tmp_path / "again"
    write_outputs(hand_corpus(), out2)
    for name in ("graph.ttl", "diagnostics.json", "manifest.json"):
        assert (built[0] / name).read_bytes() == (out2 / name).read_bytes(), name
    man = (out2 / "manifest.json").read_text(encoding="utf-8")
    assert not re.search(r"20\d\d-\d\d-\d\dT|\btime", man)
    m = json.loads(man)
    assert [i["file"] for i in m["inputs"]] == ["c1.txt", "d1.txt", "r1.txt"]
    assert m["inputs"][1]["sha256"] == hashlib.sha256("城中区方案 ...".encode()).hexdigest()
    assert m["counts"]["tasks"] == 3 and m["counts"]["organisations"] == 4 and m["counts"]["assignments"] == 4


def test_turtle_parses_and_has_explicit_prefixes(built):
    import pyoxigraph as ox

    ttl = (built[0] / "graph.ttl").read_bytes()
    assert ttl.startswith(b"@prefix dg: <https://w3id.org/dutygraph/ontology#> .\n")
    n = len(list(ox.parse(ttl, format=ox.RdfFormat.TURTLE)))
    import rdflib

    assert len(rdflib.Graph().parse(data=ttl, format="turtle")) == n
    if shutil.which("rapper"):
        r = subprocess.run(["rapper", "-i", "turtle", "-c", str(built[0] / "graph.ttl")], capture_output=True, text=True)
        assert r.returncode == 0 and f"returned {n} triples" in r.stderr


def test_iris_ascii_and_chinese_literals_zh(store):
    import pyoxigraph as ox

    cjk = re.compile(r"[\u3400-\u9fff]")
    for q in store.quads():
        for t in (q.subject, q.predicate, q.object, q.graph_name):
            if isinstance(t, ox.NamedNode):
                assert t.value.isascii(), t.value
        # dg:fileName is an identifier (a file name as on disk), not text: kept a plain string
        if isinstance(q.object, ox.Literal) and cjk.search(q.object.value) and q.predicate.value != DG + "fileName":
            assert q.object.language == "zh", (q.predicate.value, q.object.value)


def test_named_graphs(store):
    """A graph per document, per document's links, per region's organisations, and the corpus graph:
    cut so that a change to one document touches few of them."""
    from kg.rdf.iris import orgs_graph_iri

    cz, xx = orgs_graph_iri("XX市城中区"), orgs_graph_iri("XX市")
    assert cz.isascii() and cz.startswith(DGR + "graph/orgs/xx-shi-cheng-zhong-qu-") and cz != xx
    docs = [DGR + "graph/" + g for g in ("c1", "corpus", "d1", "r1")]
    links = [DGR + "graph/links/" + g for g in ("c1", "d1", "r1")]
    graphs = set(store.graphs())
    assert set(docs) | {cz, xx} <= graphs
    assert graphs - set(docs) - {cz, xx} <= set(links)
    tasks = {q.subject.value for q in store.quads(DGR + "graph/d1") if q.predicate.value == DG + "inDocument"}
    assert tasks == {DGR + "doc/d1/t/t1", DGR + "doc/d1/t/u1"}
    # the district's bureau in its region's graph, the city's in the city's
    assert DGR + "org/cz-sifaju" in {q.subject.value for q in store.quads(cz)}
    assert DGR + "org/xx-sifaju" in {q.subject.value for q in store.quads(xx)}
    # d1's alignment to its parent c1 in d1's links graph
    assert DGR + "doc/d1/t/t1/al/1" in {q.subject.value for q in store.quads(DGR + "graph/links/d1")}
    corpus_subjects = {q.subject.value for q in store.quads(DGR + "graph/corpus")}
    assert not any(s.startswith(DGR + "org/") for s in corpus_subjects)


def test_refuses_a_directory_that_is_not_a_build(tmp_path):
    from kg.build.outputs import write_outputs

    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("x")
    with pytest.raises(KgError, match="not a built graph"):
        write_outputs(hand_corpus(), tmp_path / "mine")
    assert (tmp_path / "mine" / "notes.txt").read_text() == "x"


def test_failed_build_leaves_previous_directory(tmp_path, monkeypatch):
    from kg.build import outputs as graph
    out = tmp_path / "out"
    graph.write_outputs(hand_corpus(), out)
    (out / "cache").mkdir()
    (out / "cache" / "k").write_text("kept")
    before = (out / "graph.ttl").read_bytes()

    def boom(*a, **k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(graph, "manifest_json", boom)
    c = hand_corpus()
    c.documents[0].title = "改了"
    with pytest.raises(RuntimeError):
        graph.write_outputs(c, out, keep=("cache",))
    assert (out / "graph.ttl").read_bytes() == before
    assert (out / "cache" / "k").read_text() == "kept"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    monkeypatch.undo()
    graph.write_outputs(c, out, keep=("cache",))
    assert "改了".encode() in (out / "graph.ttl").read_bytes()
    assert (out / "cache" / "k").read_text() == "kept"


def test_prepare_runs_while_the_documents_load(tmp_path, monkeypatch):
    """write_outputs(prepare=...): the documents' graphs are written (and their store load begun)
    before prepare completes the corpus; the directory ends as a build of the complete corpus."""
    import pyoxigraph as ox

    from kg.build import outputs
    from kg.rdf import graphs as graph
    whole = hand_corpus()
    outputs.write_outputs(whole, tmp_path / "whole")
    bare = hand_corpus()
    orgs, alignments = bare.organisations, bare.alignments
    bare.organisations, bare.alignments = {}, []
    made, seen = [], []
    quads = graph.document_quads
    monkeypatch.setattr(graph, "document_quads", lambda b, doc: (made.append(doc.id), quads(b, doc)))

    def prepare():
        seen.extend(made)
        bare.organisations, bare.alignments = orgs, alignments
        return graph.org_graphs(orgs)

    outputs.write_outputs(bare, tmp_path / "split", prepare=prepare)
    assert seen == [d.id for d in bare.documents]
    for name in ("graph.ttl", "manifest.json", "diagnostics.json"):
        assert (tmp_path / "split" / name).read_bytes() == (tmp_path / "whole" / name).read_bytes()
    a, b = (ox.Store.read_only(str(tmp_path / d / "store")) for d in ("whole", "split"))
    assert set(a) == set(b) and len(b) > 0
    assert not [p.name for p in (tmp_path / "split").iterdir() if p.name.endswith(".nq") or ".nq." in p.name]


def test_prepare_failing_leaves_no_trace(tmp_path):
    from kg.build import outputs as graph
    out = tmp_path / "out"
    graph.write_outputs(hand_corpus(), out)
    before = (out / "graph.ttl").read_bytes()

    def prepare():
        raise RuntimeError("alignment failed")

    with pytest.raises(RuntimeError, match="alignment failed"):
        graph.write_outputs(hand_corpus(), out, prepare=prepare)
    assert (out / "graph.ttl").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


# ---------------------------------------------------------------------------- the vocabulary

def test_document(store):
    rows = ask(store, """SELECT ?type ?title ?level ?region ?start ?end ?file ?src ?sha ?run WHERE {
        dgr:doc\\/d1 a ?type ; dcterms:title ?title ; dg:level ?level ; dg:region ?region ; dg:periodStart ?start ;
            dg:periodEnd ?end ; dg:fileName ?file ; prov:wasDerivedFrom ?src ; prov:wasGeneratedBy ?run .
        ?src a prov:Entity ; dg:sha256 ?sha . ?run a prov:Activity ; prov:used ?src }""")
    assert len(rows) == 1
    r = rows[0]
    assert (r["type"], r["title"], r["level"], r["region"]) == (DG + "Plan", "城中区落实方案", DG + "District", "XX市城中区")
    assert (r["start"], r["end"], r["file"]) == ("2022", "2025", "d1.txt")
    assert r["src"] == DGR + "file/" + r["sha"] and r["run"].startswith(DGR + "run/")


def test_parents(store):
    rows = ask(store, """SELECT ?p ?target ?rel WHERE { dgr:doc\\/d1 ?p ?target .
        FILTER(?p IN (eli:based_on, eli:applies, eli:implements)) OPTIONAL { ?target a ?rel FILTER(?rel = dg:Directive) } }
        ORDER BY ?p""")
    assert rows[0]["p"] == "http://data.europa.eu/eli/ontology#applies" and rows[0]["target"] == DGR + "doc/c1"
    assert rows[1]["p"] == "http://data.europa.eu/eli/ontology#based_on"
    assert rows[1]["target"].startswith(DGR + "directive/") and rows[1]["rel"] == DG + "Directive"
    ph = ask(store, """SELECT ?t ?l WHERE { ?d a eli:LegalResource , dg:Directive ; dcterms:title ?t ; dg:level ?l }""")
    assert ph == [{"t": "法治政府建设实施纲要(2021-2025年)", "l": DG + "National"}]
    refs = ask(store, """SELECT ?k ?t ?w ?r ?target WHERE { dgr:doc\\/d1 dg:namesParent ?k . ?k a dg:ParentReference ;
        dcterms:title ?t ; dg:relationWords ?w ; dg:relation ?r ; dg:target ?target } ORDER BY ?k""")
    assert [(x["t"], x["w"], x["r"]) for x in refs] == [("XX市法治政府建设实施方案", "贯彻落实", "applies"),
                                                         ("法治政府建设实施纲要(2021-2025年)", "根据", "based_on")]


def test_sections_and_tasks(store):
    s = ask(store, """SELECT ?n ?t ?d ?up WHERE { dgr:doc\\/d1\\/s\\/s1-1 a dg:Section ; eli:number ?n ; dcterms:title ?t ;
        dg:depth ?d ; eli:is_part_of ?up }""")
    assert s == [{"n": "（一）", "t": "健全政府机构职能体系", "d": 2, "up": DGR + "doc/d1/s/s1"}]
    t = ask(store, """SELECT ?num ?title ?desc ?a ?b ?o ?sec ?due WHERE { dgr:doc\\/d1\\/t\\/t1 a dg:Task ;
        eli:number ?num ; dcterms:title ?title ; schema:description ?desc ; dg:sourceStart ?a ; dg:sourceEnd ?b ;
        dg:order ?o ; eli:is_part_of ?sec ; dg:dueDate ?due }""")
    assert t == [{"num": "1", "title": "全面实行政府权责清单制度",
                  "desc": "全面实行政府权责清单制度。2022年年底前完善清单，2023年6月底前公布。",
                  "a": 100, "b": 180, "o": 1, "sec": DGR + "doc/d1/s/s1-1", "due": "2022-12-31"}]
    u = ask(store, "SELECT ?n ?o WHERE { dgr:doc\\/d1\\/t\\/u1 dg:order ?o OPTIONAL { dgr:doc\\/d1\\/t\\/u1 eli:number ?n } }")
    assert u == [{"n": None, "o": 2}]


def test_assignments_and_shortcuts(store):
    rows = ask(store, """SELECT ?role ?unit ?w ?label ?q WHERE { dgr:doc\\/d1\\/t\\/t1 dg:assignment ?a .
        ?a a dg:Assignment ; dg:role ?role ; dg:asWritten ?w ; dg:order ?k .
        OPTIONAL { ?a dg:unit ?unit } OPTIONAL { ?a dg:roleLabel ?label } OPTIONAL { ?a dg:qualifier ?q } } ORDER BY ?k""")
    assert rows == [
        {"role": DG + "Lead", "unit": DGR + "org/cz-sifaju", "w": "区司法局", "label": "牵头单位", "q": None},
        {"role": DG + "Support", "unit": DGR + "org/cz-youguan", "w": "区政府各有关部门", "label": "配合单位", "q": None},
        {"role": DG + "Responsible", "unit": None, "w": "区委 编办", "label": "责任单位", "q": "按职责分工负责"}]
    lead = ask(store, "SELECT ?o WHERE { dgr:doc\\/d1\\/t\\/t1 dg:leadUnit ?o }")
    sup = ask(store, "SELECT ?o WHERE { dgr:doc\\/d1\\/t\\/t1 dg:supportingUnit ?o }")
    assert lead == [{"o": DGR + "org/cz-sifaju"}] and sup == [{"o": DGR + "org/cz-youguan"}]


def test_deadlines_and_recurrence(store):
    import pyoxigraph as ox

    d = [q.object for q in store.quads() if q.predicate.value == DG + "date"]
    assert sorted(x.value for x in d) == ["2022-12-31", "2023-06-30"]
    assert all(x.datatype == ox.NamedNode(XSD + "date") for x in d)
    raw = ask(store, """SELECT ?raw ?date WHERE { dgr:doc\\/d1\\/t\\/t1 dg:deadline ?d . ?d a dg:Deadline ;
        dg:rawText ?raw ; dg:date ?date } ORDER BY ?d""")
    assert raw == [{"raw": "2023年6月底前", "date": "2023-06-30"}, {"raw": "2022年年底前", "date": "2022-12-31"}]
    r = ask(store, """SELECT ?f ?q ?raw WHERE { dgr:doc\\/d1\\/t\\/t1 dg:recurrence ?r . ?r a dg:Recurrence ;
        dg:frequency ?f ; dg:quantity ?q ; dg:rawText ?raw }""")
    assert r == [{"f": "P1Y", "q": "不少于1次", "raw": "每年"}]


def test_organisations(store):
    o = ask(store, """SELECT ?pref ?kind ?level ?region ?parent ?fn ?above WHERE { dgr:org\\/cz-sifaju a org:Organization ;
        skos:prefLabel ?pref ; org:classification ?kind ; dg:level ?level ; dg:region ?region ;
        org:subOrganizationOf ?parent ; dg:function ?fn ; dg:counterpartAbove ?above }""")
    assert o == [{"pref": "XX市城中区司法局", "kind": DG + "GovernmentDepartment", "level": DG + "District",
                  "region": "XX市城中区", "parent": DGR + "org/cz-zhengfu", "fn": DGR + "function/sifa",
                  "above": DGR + "org/xx-sifaju"}]
    alt = ask(store, "SELECT ?a WHERE { dgr:org\\/cz-sifaju skos:altLabel ?a } ORDER BY ?a")
    assert [x["a"] for x in alt] == ["区司法局", "司法局"]
    g = ask(store, """SELECT ?kind ?scope ?m WHERE { dgr:org\\/cz-youguan a dg:UnitGroup , org:Organization ;
        org:classification ?kind ; dg:scope ?scope ; dg:groupMember ?m }""")
    assert g == [{"kind": DG + "Group", "scope": "城中区人民政府所属各有关部门", "m": DGR + "org/cz-sifaju"}]


def test_alignment_and_evidence(store):
    a = ask(store, """SELECT ?p ?s ?m WHERE { dgr:doc\\/d1\\/t\\/t1 dg:carriesOut ?p ; dg:alignment ?al .
        ?al a dg:Alignment ; dg:parentTask ?p ; dg:score ?s ; dg:method ?m }""")
    assert a == [{"p": DGR + "doc/c1/t/t1", "s": 0.8731, "m": "section+bm25+title"}]
    e = ask(store, """SELECT ?t ?s WHERE { dgr:doc\\/r1\\/m\\/m1 dg:evidenceFor ?t . ?e a dg:Evidence ;
        dg:measure dgr:doc\\/r1\\/m\\/m1 ; dg:target ?t ; dg:score ?s } ORDER BY ?t""")
    assert e == [{"t": DGR + "doc/d1/t/t1", "s": 0.5}, {"t": DGR + "theme/quanze", "s": 0.9}]


def test_themes_and_functions_are_concepts(store):
    th = ask(store, "SELECT ?n WHERE { ?t a dg:Theme , skos:Concept ; skos:notation ?n }")
    assert th == [{"n": "quanze"}]  # not in kg/data/themes.yaml: no label, still a concept
    fn = ask(store, "SELECT ?f ?n WHERE { ?f a dg:Function , skos:Concept ; skos:notation ?n }")
    assert fn == [{"f": DGR + "function/sifa", "n": "sifa"}]


def test_report(store):
    r = ask(store, """SELECT ?body ?year ?st ?theme WHERE { dgr:doc\\/r1 a dg:AnnualReport ; dg:reportingBody ?body ;
        dg:year ?year . dgr:doc\\/r1\\/s\\/s1 a dg:ReportSection ; dg:sectionType ?st ; dg:theme ?theme }""")
    assert r == [{"body": DGR + "org/cz-zhengfu", "year": "2022", "st": DG + "Achievements",
                  "theme": DGR + "theme/quanze"}]
    f = ask(store, """SELECT ?v ?u ?c ?approx ?kind WHERE { ?f a dg:Figure ; dg:figureOf dgr:doc\\/r1\\/m\\/m1 ;
        schema:value ?v ; schema:unitText ?u ; dg:counted ?c ; dg:approximate ?approx ; dg:figureKind ?kind } ORDER BY ?f""")
    assert f == [{"v": 177.0, "u": "件", "c": "新收行政复议申请", "approx": False, "kind": "count"},
                 {"v": 98.5, "u": "%", "c": "满意率", "approx": True, "kind": "percentage"}]
    m = ask(store, """SELECT ?sec ?u WHERE { dgr:doc\\/r1\\/m\\/m1 a dg:Measure ; eli:is_part_of ?sec ; dg:mentionsUnit ?u }""")
    assert m == [{"sec": DGR + "doc/r1/s/s1", "u": DGR + "org/cz-sifaju"}]


def test_ontology_declares_every_dg_term_used(store):
    import rdflib

    onto = rdflib.Graph().parse(str(Path(__file__).resolve().parent.parent / "ontology" / "dutygraph.ttl"))
    declared = {str(s) for s in onto.subjects() if str(s).startswith(DG)}
    used = set()
    for q in store.quads():
        for t in (q.predicate, q.object):
            if getattr(t, "value", "").startswith(DG):
                used.add(t.value)
        if q.predicate.value.endswith("#type"):
            used.add(q.object.value) if q.object.value.startswith(DG) else None
    assert used - declared == set()
    # own terms carry zh and en labels and a comment
    for term in declared:
        t = rdflib.URIRef(term)
        langs = {lab.language for lab in onto.objects(t, rdflib.RDFS.label)}
        if (t, rdflib.RDF.type, rdflib.OWL.Class) in onto or (t, rdflib.RDF.type, rdflib.OWL.ObjectProperty) in onto \
                or (t, rdflib.RDF.type, rdflib.OWL.DatatypeProperty) in onto:
            assert {"zh", "en"} <= langs, term
            assert onto.value(t, rdflib.RDFS.comment) is not None, term
    sub = rdflib.URIRef("http://www.w3.org/2000/01/rdf-schema#subPropertyOf")
    assert onto.value(rdflib.URIRef(DG + "leadUnit"), sub) == rdflib.URIRef("https://schema.org/agent")
    assert onto.value(rdflib.URIRef(DG + "supportingUnit"), sub) == rdflib.URIRef("https://schema.org/participant")
    assert "eli:implements" not in "".join(l for l in (Path(__file__).resolve().parent.parent / "ontology" /
                                                       "dutygraph.ttl").read_text().splitlines() if not l.startswith("#"))


# ---------------------------------------------------------------------------- kg.query.store

def test_store_open_errors(tmp_path):
    from kg.query.store import Store

    with pytest.raises(KgError, match=r"not a built graph \(no store/\); run `kg build PATH --out"):
        Store.open(tmp_path)
    with pytest.raises(KgError, match="not a built graph"):
        Store.open(tmp_path / "missing")


def test_store_bindings_are_terms_not_text(store):
    import pyoxigraph as ox

    q = "SELECT ?t ?lab WHERE { ?t dg:leadUnit ?o . ?o skos:altLabel ?lab }"
    assert [r["t"] for r in store.query(q, {"lab": ox.Literal("区司法局", language="zh")})] == [DGR + "doc/d1/t/t1"]
    evil = ox.Literal('区司法局"@zh } UNION { ?t ?p ?lab', language="zh")
    assert store.query(q, {"lab": evil}) == []
    with pytest.raises(KgError, match="bad SPARQL"):
        store.query("SELECT WHERE {")


# ---------------------------------------------------------------------------- the bundled corpus

@pytest.fixture(scope="module")
def corpus_build(tmp_path_factory, corpus_dir):
    pytest.importorskip("kg.parse.report", reason="the report parser has not landed yet")
    import kg

    out = tmp_path_factory.mktemp("corpus") / "out"
    kg.build([corpus_dir], out, incremental=False)
    return out


def _leads(out: Path, file_name: str, label: str) -> list:
    """Tasks whose lead unit carries ``label`` in the document ``file_name``: documented vocabulary only."""
    import pyoxigraph as ox

    from kg.query.store import Store

    q = """SELECT ?num ?title ?order ?file ?label WHERE {
        ?doc dg:fileName ?file .
        ?task a dg:Task ; dg:inDocument ?doc ; dg:leadUnit ?org ; dcterms:title ?title ; dg:order ?order .
        ?org skos:prefLabel|skos:altLabel ?label .
        OPTIONAL { ?task eli:number ?num } } ORDER BY ?order"""
    rows = Store.open(out).query(q, {"file": ox.Literal(file_name), "label": ox.Literal(label, language="zh")})
    return [int(r["num"]) if r["num"] else r["title"] for r in rows]


def test_corpus_lead_queries(corpus_build, corpus_dir):
    # 000: read from each task's （牵头单位：…） in corpus/000 (lines 14-131): 区司法局 is named before 配合单位 in
    # tasks 1 4 6 7 8 9 10 12 13 14 15 21 22 23 24 25 28 31 34 35 36 47 (not in 19, 42, 44).
    f000 = sorted(corpus_dir.glob("000_*"))[0].name
    assert _leads(corpus_build, f000, "区司法局") == [1, 4, 6, 7, 8, 9, 10, 12, 13, 14, 15, 21, 22, 23, 24, 25, 28, 31,
                                                   34, 35, 36, 47]
    # 001: read from the 牵头单位: lists in corpus/001 (lines 5, 11-17, 23, 28-29, 31-32, 36, 38-41, 44, 48-50), each
    # standing before the next task's number: 5 9 10 11 19 25 26 27, the unnumbered 持续深化行政复议体制改革
    # (line 15, before 28.), 28 29 34 38 39 41 46 49 50 52 53. (Line 4-5's 牵头单位:市司|法局 before 19. belongs to
    # the absent task 18.)
    f001 = sorted(corpus_dir.glob("001_*"))[0].name
    got = _leads(corpus_build, f001, "市司法局")
    assert sorted(x for x in got if isinstance(x, int)) == [5, 9, 10, 11, 19, 25, 26, 27, 28, 29, 34, 38, 39, 41, 46,
                                                             49, 50, 52, 53]
    assert [x for x in got if isinstance(x, str)] == ["持续深化行政复议体制改革"]


def test_corpus_turtle_accepted_and_identical(corpus_build, corpus_dir, tmp_path):
    import pyoxigraph as ox

    import kg

    ttl = corpus_build / "graph.ttl"
    assert len(list(ox.parse(path=str(ttl), format=ox.RdfFormat.TURTLE))) > 1000
    if shutil.which("rapper"):
        assert subprocess.run(["rapper", "-i", "turtle", "-c", str(ttl)], capture_output=True).returncode == 0
    kg.build([corpus_dir], tmp_path / "again", incremental=False)
    for name in ("graph.ttl", "manifest.json", "diagnostics.json"):
        assert (tmp_path / "again" / name).read_bytes() == (corpus_build / name).read_bytes(), name


def test_corpus_diagnostics_kept(corpus_build):
    d = json.loads((corpus_build / "diagnostics.json").read_text(encoding="utf-8"))
    [k001] = [k for k in d if k.startswith("001")]
    assert any("13-18" in x["message"] and "37" in x["message"] for x in d[k001]["diagnostics"])


def test_corpus_one_entity_per_body(corpus_build):
    """001 writes both 市应急管理局 (line 7, 牵头单位:市应急管理局、…) and 市应急局 (lines 9-10): one body.
    区司法局 (000) and 市司法局 (001) are different bodies."""
    from kg.query.store import Store

    rows = Store.open(corpus_build).query("""SELECT DISTINCT ?file ?w ?u WHERE {
        ?t dg:inDocument ?d ; dg:assignment ?a . ?d dg:fileName ?file . ?a dg:asWritten ?w ; dg:unit ?u .
        FILTER(STR(?w) IN ("市应急局", "市应急管理局", "区司法局", "市司法局")) }""")
    unit = {(r["file"][:3], r["w"]): r["u"] for r in rows}
    assert unit[("001", "市应急局")] == unit[("001", "市应急管理局")]
    assert unit[("000", "区司法局")] != unit[("001", "市司法局")]


def test_store_loads_while_the_triples_are_written(tmp_path):
    """kg.build.loader.Loader: a child process loads what is written into the store; a failure on
    either side comes back in the caller as one line, nothing hangs, and the child is gone."""
    import pyoxigraph as ox

    from kg.build.loader import Loader

    line = b'<https://w3id.org/dutygraph/id/a> <https://w3id.org/dutygraph/id/p> "x"@zh <https://w3id.org/dutygraph/id/graph/g> .\n'
    other = line.replace(b"/a>", b"/b>")
    with Loader(tmp_path / "store") as loader:
        for x in (line, other, line, other * 2):
            loader.file.write(x)
    assert loader.proc.returncode == 0
    store = ox.Store.read_only(str(tmp_path / "store"))
    assert sorted(str(q) for q in store) == sorted(
        x.decode().rstrip(" .\n") for x in (line, other))
    del store

    with pytest.raises(RuntimeError, match="disk full"):
        with Loader(tmp_path / "b") as loader:
            loader.file.write(line)
            raise RuntimeError("disk full")
    assert loader.proc.returncode is not None  # stopped, not left running

    with pytest.raises(KgError, match=r"^the store loader stopped: .*") as e:
        with Loader(tmp_path / "c") as loader:
            for _ in range(20000):  # more than the pipe holds, so the writer sees the loader stop
                loader.file.write(b"this is not N-Quads\n")
    assert "\n" not in str(e.value) and "Traceback" not in str(e.value)


def test_loader_uses_the_allocator_asked_for(monkeypatch):
    """$KG_MALLOC names the allocator the loader preloads (``system``: none); without it, an
    installed mimalloc or jemalloc, else none."""
    from kg.build import loader
    monkeypatch.delenv("LD_PRELOAD", raising=False)
    monkeypatch.setenv("KG_MALLOC", "system")
    assert loader.allocator() is None and "LD_PRELOAD" not in loader._env()
    monkeypatch.setenv("KG_MALLOC", "/opt/lib/libfast.so")
    assert loader.allocator() == "/opt/lib/libfast.so"
    assert loader._env()["LD_PRELOAD"].split()[0] == "/opt/lib/libfast.so"
    monkeypatch.delenv("KG_MALLOC")
    monkeypatch.setattr(loader, "_linker_cache", lambda: {"jemalloc": "libjemalloc.so.2", "c": "libc.so.6"})
    assert loader.allocator() == ("libjemalloc.so.2" if __import__("sys").platform.startswith("linux") else None)


def test_loader_of_a_killed_build_stops(tmp_path):
    """A build killed while its store loads (no clean-up runs) leaves no loader running on: the
    child sees its parent gone and exits instead of loading what it was sent."""
    import os
    import subprocess
    import sys
    import time

    if os.name != "posix":
        pytest.skip("POSIX process tree")
    # the build dies without closing the loader's input, which a forked worker of it still holds
    # (as a parse or alignment worker does): the loader sees no end of input
    script = (
        "import os, sys, time; from pathlib import Path; from kg.build.loader import Loader\n"
        f"l = Loader(Path({str(tmp_path / 'store')!r}))\n"
        "w = os.fork()\n"
        "if w == 0:\n    os.close(1); os.close(2); time.sleep(60); os._exit(0)\n"
        "print(l.proc.pid, w, flush=True)\n"
        "os._exit(0)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    pid, worker = map(int, out.stdout.split())
    deadline = time.time() + 10
    while time.time() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        try:  # reaped by init; a zombie of ours would not be, but this process is not its parent
            with open(f"/proc/{pid}/stat") as f:
                if f.read().split(") ")[1].startswith("Z"):
                    break
        except OSError:
            break
        time.sleep(0.1)
    else:
        os.kill(pid, 9)
        os.kill(worker, 9)
        pytest.fail("the loader outlived its build by 10 s")
    os.kill(worker, 9)


def test_the_store_loader_imports_this_package_wherever_it_runs(tmp_path, corpus_dir):
    """The store is loaded by a child process: run from a folder that holds another kg/ (a
    checkout, a user's own package), it still imports the library that started it."""
    import subprocess
    import sys

    (tmp_path / "kg").mkdir()
    (tmp_path / "kg" / "__init__.py").write_text('raise ImportError("another kg")\n', encoding="utf-8")
    script = ("import sys; sys.path.remove(sys.path[0]) if sys.path[0] in ('', '.') else None\n"
              "import kg; kg.build([sys.argv[1]], sys.argv[2])\n")
    r = subprocess.run([sys.executable, "-c", script, str(corpus_dir), "out"], cwd=tmp_path,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    import pyoxigraph as ox
    store = ox.Store.read_only(str(tmp_path / "out" / "store"))
    assert len(store) > 1000
