"""kg.query.validate: the SHACL shapes on hand-built records, broken on purpose, and on the bundled corpus."""
from __future__ import annotations

import pytest

from kg.model import Deadline, Organisation, Task, UnitMention
from test_graph import DGR, hand_corpus


def violations(corpus):
    from kg.rdf import corpus_quads
    from kg.query.validate import validate_quads

    return validate_quads(corpus_quads(corpus)[0])


def test_hand_corpus_conforms():
    assert violations(hand_corpus()) == []


def test_task_without_title_or_lead():
    c = hand_corpus()
    d1 = c.documents[1]
    d1.tasks.append(Task(id="t9", number="9", title="", text="", section="s1-1",
                         units=[UnitMention(text="区政府各有关部门", role="support", label="配合单位", org_id="cz-youguan")]))
    found = violations(c)
    assert {(v.focus, v.path) for v in found} == {(DGR + "doc/d1/t/t9", "dcterms:title"),
                                                  (DGR + "doc/d1/t/t9", "dg:assignment/dg:role")}
    msgs = {v.message for v in found}
    assert "a task must have a title (dcterms:title @zh)" in msgs
    assert "a task with units must have at least one lead or responsible unit" in msgs
    assert all(v.label == "d1.txt task 9" for v in found)


def test_deadline_must_be_a_date():
    c = hand_corpus()
    c.documents[1].tasks[0].deadlines.append(Deadline(raw="2022年年底前", date="2022-13-45"))
    found = violations(c)
    assert {(v.path, v.message) for v in found} >= {("dg:date", "a deadline's dg:date must be one xsd:date")}


def test_organisation_needs_zh_preflabel():
    c = hand_corpus()
    c.organisations["nameless"] = Organisation(id="nameless", name="", kind="other")
    found = violations(c)
    assert [(v.focus, v.path) for v in found] == [(DGR + "org/nameless", "skos:prefLabel")]
    from kg.query.validate import format_violation

    line = format_violation(found[0])
    assert line.startswith("Violation: <https://w3id.org/dutygraph/id/org/nameless> [skos:prefLabel]: an organisation must")


def test_validate_directory(tmp_path):
    from kg.build.outputs import write_outputs
    from kg.query.validate import validate

    c = hand_corpus()
    c.documents[1].tasks[1].title = ""
    write_outputs(c, tmp_path / "out")
    [v] = validate(tmp_path / "out")
    assert v.label == "d1.txt task (unnumbered)" and v.path == "dcterms:title"


def test_shapes_file_names_no_inference():
    from kg.query.validate import SHAPES

    text = SHAPES.read_text(encoding="utf-8")
    for needle in ("sh:targetClass dg:Task", "dg:inDocument", "dcterms:title", "sh:targetClass dg:Deadline",
                   "sh:datatype xsd:date", "sh:targetClass org:Organization", 'sh:languageIn ( "zh" )'):
        assert needle in text, needle


def test_bundled_corpus_validates(tmp_path, corpus_dir):
    pytest.importorskip("kg.parse.report")
    import kg
    from kg.query.validate import format_violation, validate

    kg.build([corpus_dir], tmp_path / "out", incremental=False)
    assert [format_violation(v) for v in validate(tmp_path / "out")] == []
