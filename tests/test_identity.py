"""Document identity (kg.identity): a document is its path relative to the build's input, never its
base name alone; ids stay ASCII and stable, and the seeds keep their ids."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from kg.build import pipeline
REGION_PLAN = """柳州市{district}法治政府建设实施方案（2022-2025年）

为贯彻落实《柳州市法治政府建设实施方案（2021-2025年）》，制定本方案。

一、主要任务
1．推进政府机构职能优化。2023年年底前完成清理。（牵头单位：区司法局；配合单位：区财政局）
2．深化行政审批制度改革。持续推进改革。（牵头单位：区行政审批局）
"""


def _region_folders(root: Path) -> Path:
    """Two districts' plans, each named 实施方案.txt in its own folder (the normal case: one folder per region)."""
    for district in ("城中区", "柳江区"):
        (root / district).mkdir(parents=True)
        (root / district / "实施方案.txt").write_text(REGION_PLAN.format(district=district), encoding="utf-8")
    return root


def _table(out: Path) -> list[tuple[str, str, str, str]]:
    """(document file name, task number, role, resolved unit) of every assignment in the store."""
    from kg.query.store import Store

    rows = Store.open(out).query("""
        SELECT ?file ?number ?role ?name WHERE {
          ?doc dg:fileName ?file . ?task dg:inDocument ?doc ; eli:number ?number ; dg:assignment ?a .
          ?a dg:role ?r ; dg:unit ?org . ?org skos:prefLabel ?name BIND(STRAFTER(STR(?r), "#") AS ?role) }""")
    return sorted((r["file"], r["number"], r["role"], r["name"]) for r in rows)


def test_two_files_with_the_same_name_in_two_folders_are_two_documents(tmp_path):
    """城中区/实施方案.txt and 柳江区/实施方案.txt built as one folder: two documents with ASCII ids,
    named by their relative paths, each unit resolved in its own district (no crossing)."""
    src = _region_folders(tmp_path / "plans")
    res = pipeline.build([src], tmp_path / "out")
    docs = res.corpus.documents
    assert [d.source.name for d in docs] == ["城中区/实施方案.txt", "柳江区/实施方案.txt"]
    ids = [d.id for d in docs]
    assert len(set(ids)) == 2 and all(i.isascii() for i in ids), ids
    assert [d.region for d in docs] == ["柳州市城中区", "柳州市柳江区"]
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert [i["file"] for i in manifest["inputs"]] == ["城中区/实施方案.txt", "柳江区/实施方案.txt"]
    assert len({i["graph"] for i in manifest["inputs"]}) == 2
    # the table: each plan's 区司法局 is its own district's bureau, never the other's
    assert _table(tmp_path / "out") == [
        ("城中区/实施方案.txt", "1", "Lead", "柳州市城中区司法局"),
        ("城中区/实施方案.txt", "1", "Support", "柳州市城中区财政局"),
        ("城中区/实施方案.txt", "2", "Lead", "柳州市城中区行政审批局"),
        ("柳江区/实施方案.txt", "1", "Lead", "柳州市柳江区司法局"),
        ("柳江区/实施方案.txt", "1", "Support", "柳州市柳江区财政局"),
        ("柳江区/实施方案.txt", "2", "Lead", "柳州市柳江区行政审批局"),
    ]
    # the same input gives the same ids (a second build, from scratch)
    again = pipeline.build([src], tmp_path / "again", incremental=False)
    assert [d.id for d in again.corpus.documents] == ids


def test_one_name_in_three_formats_gives_three_documents(tmp_path, make_docx, make_html, make_pdf):
    src = tmp_path / "plans"
    src.mkdir()
    body = ["柳州市城中区法治政府建设实施方案", "一、主要任务", "1．推进政府机构职能优化。（牵头单位：区司法局）"]
    make_docx(src / "plan.docx", body)
    make_html(src / "plan.html", "".join(f"<p>{x}</p>" for x in body))
    make_pdf(src / "plan.pdf", [body])
    res = pipeline.build([src], tmp_path / "out")
    assert [(d.source.name, d.id) for d in res.corpus.documents] == [
        ("plan.docx", "plan-docx"), ("plan.html", "plan-html"), ("plan.pdf", "plan-pdf")]


def test_the_same_name_at_the_top_of_two_folders_given(tmp_path):
    """kg build a b, both holding plan.txt: named by their paths as given, distinct ids."""
    for d in ("a", "b"):
        (tmp_path / d).mkdir()
        (tmp_path / d / "plan.txt").write_text(REGION_PLAN.format(district="城中区"), encoding="utf-8")
    from kg.identity import assign

    found = assign([(str(tmp_path / d / "plan.txt"), "plan.txt") for d in ("a", "b")])
    assert [n for _, n, _ in found] == [str(tmp_path / "a" / "plan.txt"), str(tmp_path / "b" / "plan.txt")]
    assert len({i for _, _, i in found}) == 2 and all(i.isascii() for _, _, i in found)
    res = pipeline.build([tmp_path / "a", tmp_path / "b"], tmp_path / "out")
    assert len({d.id for d in res.corpus.documents}) == 2


def test_seeds_keep_their_ids_in_a_flat_folder_and_alone(corpus_dir, seed_path):
    from kg.identity import name_id

    assert [name_id(p.name) for p in sorted(corpus_dir.iterdir())] == [p.stem for p in sorted(corpus_dir.iterdir())]
    listed = pipeline.read_paths([corpus_dir])[0]
    assert [d.id for d in listed] == [p.stem for p in sorted(corpus_dir.iterdir())]
    alone = pipeline.read_paths([seed_path("000")])[0]
    assert [(d.id, d.source.name) for d in alone] == [("000_b7f676789088e75d", "000_b7f676789088e75d.txt")]


def test_an_added_namesake_changes_the_ids_and_the_cache_follows(tmp_path, make_docx):
    """plan.txt alone is document plan; with plan.docx beside it the two are plan-docx and plan-txt:
    an incremental build serves no record made under the old id, and ends as a clean build."""
    src = tmp_path / "plans"
    src.mkdir()
    (src / "plan.txt").write_text(REGION_PLAN.format(district="城中区"), encoding="utf-8")
    out = tmp_path / "out"
    assert [d.id for d in pipeline.build([src], out).corpus.documents] == ["plan"]
    make_docx(src / "plan.docx", REGION_PLAN.format(district="柳江区").splitlines())
    res = pipeline.build([src], out)
    assert [d.id for d in res.corpus.documents] == ["plan-docx", "plan-txt"]
    clean = tmp_path / "clean"
    pipeline.build([src], clean, incremental=False)
    for name in ("graph.ttl", "manifest.json", "diagnostics.json"):
        assert (out / name).read_bytes() == (clean / name).read_bytes(), name


def test_ids_of_names_in_folders_are_ascii_and_stable():
    from kg.identity import name_id

    assert name_id("000_b7f676789088e75d.txt") == "000_b7f676789088e75d"
    a, b = name_id("城中区/实施方案.txt"), name_id("柳江区/实施方案.txt")
    assert a != b and a.startswith("doc-") and a.isascii()
    assert name_id("sub/plan.txt").startswith("sub-plan-") and name_id("sub/plan.txt") != name_id("subplan.txt")
    assert name_id("plan.docx", with_extension=True) == "plan-docx"


@pytest.mark.skipif(os.name != "posix", reason="file names as bytes are a POSIX matter")
def test_a_file_name_that_is_not_utf8(tmp_path, seed_path):
    """A GBK-named file (from a Windows zip) is read, named decoded, given an ASCII id; the folder
    builds and builds again (its cache index keeps the name's bytes)."""
    src = tmp_path / "zip"
    src.mkdir()
    gbk = "实施方案.txt".encode("gb18030")
    with open(os.path.join(os.fsencode(src), gbk), "wb") as f:
        f.write(seed_path("000").read_bytes())
    with open(os.path.join(os.fsencode(src), b"\xff\xfe-plan.txt"), "wb") as f:  # neither UTF-8 nor GB18030
        f.write(REGION_PLAN.format(district="柳江区").encode("utf-8"))
    out = tmp_path / "out"
    res = pipeline.build([src], out)
    names = sorted(d.source.name for d in res.corpus.documents)
    assert names == ["实施方案.txt", "\ufffd\ufffd-plan.txt"]
    assert all(d.id.isascii() for d in res.corpus.documents)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert sorted(i["file"] for i in manifest["inputs"]) == names
    again = pipeline.build([src], out)
    assert (again.parsed, again.reused) == (0, 2)
    from kg.identity import shown

    assert shown(os.fsdecode(gbk)) == "实施方案.txt"
