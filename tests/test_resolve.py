"""Organisations: resolution of unit mentions (kg.resolve.entities, kg.resolve.orgnames) and `kg units`.

The seed documents are built from the hand-made gold unit lists (copies in tests/data/gold), with the
level, region and title of each seed as printed in it; a last test runs the real parser when it
is there. Every expected name below was checked against the seed texts and Chinese government
naming, not copied from output.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from kg.errors import KgError
from kg.model import Document, Measure, Organisation, Source, Task, UnitMention
from kg.resolve.entities import load_overrides, resolve, resolve_name

GOLD = Path(__file__).parent / "data" / "gold"  # copies of the hand-checked gold files of shared/eval
TITLE_000 = "柳州市城中区贯彻执行《柳州市落实〈广西法治政府建设实施方案（2021-2025年）〉工作方案》的方案"
TITLE_001 = "XX市法治政府建设实施方案(2022-2025年)"


def _doc(doc_id: str, level, region, title: str, tasks: list[list], parents=(), kind="plan") -> Document:
    """tasks: one list per task of (text, role) or (text, role, parts)."""
    from kg.model import ParentRef

    src = Source(path=f"{doc_id}.txt", name=f"{doc_id}.txt", sha256="0" * 64, format="txt", text="")
    d = Document(id=doc_id, source=src, kind=kind, title=title, level=level, region=region,
                 parents=[ParentRef(title=p, relation="applies", words="贯彻落实") for p in parents])
    for i, units in enumerate(tasks, 1):
        t = Task(id=f"t{i}", number=str(i), title=f"任务{i}", text=f"任务{i}")
        for u in units:
            text, role = u[0], u[1]
            t.units.append(UnitMention(text=text, role=role, parts=list(u[2]) if len(u) > 2 else []))
        d.tasks.append(t)
    return d


def _gold_doc(name: str, doc_id: str, title: str, parents=()) -> Document:
    g = json.loads((GOLD / f"{name}.json").read_text(encoding="utf-8"))
    exp = g.get("expansions", {})
    tasks = []
    for t in g["tasks"]:
        units = []
        for role in ("lead", "support", "responsible"):
            for u in t[role]:
                parts = exp.get(u, [])
                units.append((u, role, parts if parts and isinstance(parts[0], str) else []))
        tasks.append(units)
    region = g["region"].split(" ")[0]
    return _doc(doc_id, g["level"], region, title, tasks, parents)


@pytest.fixture(scope="module")
def seeds():
    if not (GOLD / "gold_000.json").is_file():
        pytest.skip("no gold files")
    d0 = _gold_doc("gold_000", "000", TITLE_000)
    d1 = _gold_doc("gold_001", "001", TITLE_001, parents=["广西法治政府建设实施方案(2021-2025年)"])
    orgs = resolve([d0, d1])
    return d0, d1, orgs


def _by_text(doc: Document, orgs) -> dict[str, Organisation]:
    out = {}
    for t in doc.tasks:
        for u in t.units:
            assert u.org_id in orgs, u.text
            out[u.text] = orgs[u.org_id]
    return out


def _named(orgs, name: str) -> Organisation:
    hits = [o for o in orgs.values() if o.name == name]
    assert len(hits) == 1, (name, [o.name for o in hits])
    return hits[0]


# ---------------------------------------------------------------- seeds

def test_every_mention_resolved_and_ids_ascii(seeds):
    d0, d1, orgs = seeds
    for d in (d0, d1):
        for t in d.tasks:
            for u in t.units:
                assert u.org_id and u.org_id in orgs
    for oid, o in orgs.items():
        assert oid == o.id and re.fullmatch(r"[a-z0-9-]+-[0-9a-f]{6}", oid), oid
        assert o.name and o.kind
    assert list(orgs) == sorted(orgs)


def test_seed_merges_are_exactly_the_aliases(seeds):
    """No two entities for one body and no merge of two bodies: the only written forms that
    share an entity are the true aliases (checked by eye on the two seeds' unit lists)."""
    d0, d1, orgs = seeds
    for d, expected in ((d0, []), (d1, [{"市应急局", "市应急管理局"},
                                        {"人民银行XX市中心支行", "人民银行xx市中心支行"}])):
        by_org: dict[str, set] = {}
        for text, o in _by_text(d, orgs).items():
            by_org.setdefault(o.id, set()).add(text)
        merged = sorted((s for s in by_org.values() if len(s) > 1), key=sorted)
        assert merged == sorted(expected, key=sorted)


def test_emergency_bureau_aliases_001(seeds):
    _, d1, orgs = seeds
    m = _by_text(d1, orgs)
    o = m["市应急局"]
    assert o is m["市应急管理局"]
    assert o.name == "XX市应急管理局" and o.level == "city" and o.region == "XX市"
    assert {"市应急局", "市应急管理局"} <= set(o.labels) and o.mentions == ["市应急局", "市应急管理局"]


def test_justice_bureaus_of_two_regions_are_apart(seeds):
    d0, d1, orgs = seeds
    q = _by_text(d0, orgs)["区司法局"]
    s = _by_text(d1, orgs)["市司法局"]
    assert q.id != s.id
    assert (q.name, q.level, q.region, q.kind) == ("柳州市城中区司法局", "district", "柳州市城中区", "government")
    assert (s.name, s.level, s.region) == ("XX市司法局", "city", "XX市")
    assert "区司法局" in q.labels and "城中区司法局" in q.labels and q.function == s.function == "sifa"


def test_functional_line_up_to_the_province(seeds):
    d0, d1, orgs = seeds
    q = _by_text(d0, orgs)["区司法局"]
    s = _by_text(d1, orgs)["市司法局"]
    (up,) = q.counterparts
    assert orgs[up].name == "柳州市司法局"  # 000's city is 柳州市, not 001's XX市
    assert orgs[up].level == "city" and orgs[up].mentions == []
    (prov,) = orgs[up].counterparts
    assert orgs[prov].name == "广西壮族自治区司法厅" and orgs[prov].level == "province"
    assert s.counterparts == [prov]
    # courts change their name with the level
    court = _by_text(d0, orgs)["区法院"]
    assert court.name == "柳州市城中区人民法院" and court.kind == "court"
    assert orgs[court.counterparts[0]].name == "柳州市中级人民法院"
    city_court = _by_text(d1, orgs)["市中级法院"]
    assert orgs[city_court.counterparts[0]].name == "广西壮族自治区高级人民法院"


def test_parents_and_branches(seeds):
    d0, d1, orgs = seeds
    m = _by_text(d0, orgs)
    assert orgs[m["区司法局"].parent].name == "柳州市城中区人民政府"
    assert orgs[m["区委组织部"].parent].name == "中共柳州市城中区委员会"
    assert orgs[m["区人大法制与内务司法委"].parent].name == "柳州市城中区人大常委会"
    police = m["市公安局城中分局"]
    assert (police.name, police.level, police.region) == ("柳州市公安局城中分局", "city", "柳州市")
    assert orgs[police.parent].name == "柳州市公安局"
    eco = m["城中生态环境局"]
    assert (eco.name, eco.level, eco.region) == ("柳州市生态环境局城中分局", "city", "柳州市")
    assert orgs[eco.parent].name == "柳州市生态环境局"
    assert m["区检察院"].parent is None and m["区残联"].parent is None


def test_kinds(seeds):
    d0, d1, orgs = seeds
    m = {**_by_text(d0, orgs), **_by_text(d1, orgs)}
    expected = {
        "区委编办": "party", "区委区政府督察和绩效办": "party", "区纪委监委机关": "party",
        "区委依法治区办": "party", "市委统战部": "party", "市委网信办": "party", "区委政法委": "party",
        "区政管办": "government", "区司法局": "government", "市卫生健康委": "government",
        "区政府办公室": "government", "市金融办": "government",
        "区法院": "court", "市中级法院": "court", "区检察院": "procuratorate",
        "区人大法制与内务司法委": "congress", "市人大常委会法工委": "congress",
        "区政协办公室": "cppcc", "区残联": "mass", "市法学会": "mass", "市社科联": "mass",
        "人民银行xx市中心支行": "other", "XX银保监分局": "other", "XX师范学院": "other",
        "市委党校(行政学院)": "other",
        "区政府各有关部门": "group", "各街道": "group", "各县(市、区)人民政府": "group",
    }
    got = {t: m[t].kind for t in expected}
    assert got == expected


def test_groups_keep_their_scope(seeds):
    d0, d1, orgs = seeds
    m = {**_by_text(d0, orgs), **_by_text(d1, orgs)}
    groups = ["区政府各有关部门", "区政府其他有关部门", "区级其他具有行政执法权的单位", "各街道",
              "区优化营商环境工作领导小组各成员单位", "区各党委（党组）", "教育主管部门", "公共交通主管部门",
              "各县(市、区)人民政府", "市政府各委办局", "市直有关部门", "市政府其他有关部门"]
    for g in groups:
        assert m[g].is_group and m[g].kind == "group" and m[g].scope, g
        assert m[g].function is None and m[g].parent is None and not m[g].counterparts
    assert m["区政府各有关部门"].id != m["区政府其他有关部门"].id
    assert m["市政府各委办局"].id != m["市政府其他委办局"].id
    assert m["区政府各有关部门"].region == "柳州市城中区" and m["各县(市、区)人民政府"].region == "XX市"
    assert m["区政府各有关部门"].scope == "区政府各有关部门"
    # a coordination: a group whose members are its parts' entities
    co = m["各县(市、区)党委和人民政府"]
    assert co.is_group and sorted(orgs[x].name for x in co.members) == ["XX市各县(市、区)人民政府",
                                                                        "XX市各县(市、区)党委"]
    assert m["各县(市、区)人民政府"].id in co.members


def test_canonical_names(seeds):
    d0, d1, orgs = seeds
    m = {**_by_text(d0, orgs), **_by_text(d1, orgs)}
    assert m["区市场监管局"].name == "柳州市城中区市场监督管理局"
    assert m["市发展改革委"].name == "XX市发展和改革委员会"
    assert m["市卫生健康委"].name == "XX市卫生健康委员会"
    assert m["市人力资源社会保障局"].name == "XX市人力资源和社会保障局"
    assert m["市检察院"].name == "XX市人民检察院"
    assert m["区委编办"].name == "柳州市城中区委机构编制委员会办公室"
    assert m["区政府办公室"].name == "柳州市城中区人民政府办公室"
    assert "XX市发展改革委" in m["市发展改革委"].labels


# ---------------------------------------------------------------- aliases, one name at a time

@pytest.mark.parametrize("a,b", [
    ("市应急局", "市应急管理局"),
    ("市人力资源社会保障局", "市人力资源和社会保障局"),
    ("市住房城乡建设局", "市住房和城乡建设局"),
    ("市发展改革委", "市发展和改革委员会"),
    ("市发改委", "市发展和改革委员会"),
    ("市卫生健康委", "市卫生健康委员会"),
    ("市中级法院", "市中级人民法院"),
    ("市检察院", "市人民检察院"),
    ("市市场监管局", "市市场监督管理局"),
    ("市政府办公室", "市人民政府办公室"),
    ("市委编办", "市委机构编制委员会办公室"),
    ("市纪委监委机关", "市纪委监委"),
    ("市司法局", "XX市司法局"),
])
def test_aliases_in_a_city(a, b):
    assert resolve_name(a, "city", "XX市").id == resolve_name(b, "city", "XX市").id


@pytest.mark.parametrize("a,b", [
    ("区发展和改革局", "区发改局"), ("区法院", "区人民法院"), ("区政府", "区人民政府"),
    ("区人社局", "区人力资源和社会保障局"), ("区司法局", "柳州市城中区司法局"), ("区司法局", "城中区司法局"),
])
def test_aliases_in_a_district(a, b):
    ra = resolve_name(a, "district", "柳州市城中区")
    assert ra.id == resolve_name(b, "district", "柳州市城中区").id


@pytest.mark.parametrize("a,b", [
    ("市委办公室", "市政府办公室"), ("市法院", "市检察院"), ("市公安局", "市公安局城中分局"),
    ("市政府各有关部门", "市政府其他有关部门"), ("市财政局", "市审计局"), ("市委政法委", "市委组织部"),
    ("市发展改革委", "市工业和信息化局"), ("市人大常委会办公室", "市政协办公室"),
])
def test_different_bodies_stay_apart(a, b):
    assert resolve_name(a, "city", "XX市").id != resolve_name(b, "city", "XX市").id


def test_region_levels_in_one_district_plan():
    orgs = resolve([_doc("x", "district", "柳州市城中区", TITLE_000,
                         [[("区司法局", "lead"), ("市司法局", "support"), ("自治区司法厅", "support")]])])
    names = sorted(o.name for o in orgs.values() if o.mentions)
    assert names == ["广西壮族自治区司法厅", "柳州市司法局", "柳州市城中区司法局"]
    q = _named(orgs, "柳州市城中区司法局")
    assert orgs[q.counterparts[0]].name == "柳州市司法局"  # the mentioned body, not a new one
    assert orgs[orgs[q.counterparts[0]].counterparts[0]].name == "广西壮族自治区司法厅"
    assert _named(orgs, "广西壮族自治区司法厅").level == "province"


# ---------------------------------------------------------------- other regions and layouts

def test_county_plan_variant():
    """A county plan whose region is printed alone; its city comes from the title."""
    d = _doc("c", "district", "阳朔县", "桂林市阳朔县法治政府建设实施方案",
             [[("县司法局", "lead"), ("县委编办", "support"), ("各乡镇人民政府", "responsible")],
              [("县人民法院", "lead"), ("县法院", "support"), ("县委办公室", "support")],
              [("县政府各部门", "support"), ("县人力资源社会保障局", "lead")]],
             parents=["广西法治政府建设实施方案(2021-2025年)"])
    orgs = resolve([d])
    m = _by_text(d, orgs)
    assert m["县司法局"].name == "桂林市阳朔县司法局" and m["县司法局"].level == "district"
    assert orgs[m["县司法局"].parent].name == "桂林市阳朔县人民政府"
    assert orgs[m["县司法局"].counterparts[0]].name == "桂林市司法局"
    assert m["县委编办"].kind == "party" and m["县委编办"].name == "桂林市阳朔县委机构编制委员会办公室"
    assert m["各乡镇人民政府"].is_group and m["县政府各部门"].is_group
    assert m["县人民法院"] is m["县法院"] and m["县法院"].name == "桂林市阳朔县人民法院"
    assert m["县委办公室"].kind == "party"


def test_city_plan_in_another_province():
    d = _doc("j", "city", "南昌市", "南昌市法治政府建设实施方案",
             [[("市司法局", "lead"), ("省司法厅", "support"), ("市卫生健康委", "support")]],
             parents=["江西省法治政府建设实施方案"])
    orgs = resolve([d])
    m = _by_text(d, orgs)
    assert m["市司法局"].name == "南昌市司法局"
    assert m["省司法厅"].name == "江西省司法厅" and m["省司法厅"].level == "province"
    assert m["市司法局"].counterparts == [m["省司法厅"].id]
    assert orgs[m["市卫生健康委"].counterparts[0]].name == "江西省卫生健康委员会"


def test_unknown_region_keeps_documents_apart():
    a = _doc("a", None, None, "某某方案", [[("区司法局", "lead")]])
    b = _doc("b", None, None, "另一方案", [[("区司法局", "lead")]])
    orgs = resolve([a, b])
    assert a.tasks[0].units[0].org_id != b.tasks[0].units[0].org_id
    assert all(o.name == "区司法局" for o in orgs.values() if o.mentions)


def test_report_reporting_body_and_measures():
    d = _doc("r", "department", "柳州市", "柳州市行政审批局2021年法治政府建设情况报告", [], kind="report")
    d.reporting_body = "柳州市行政审批局"
    d.measures = [Measure(id="m1", text="…", units=[UnitMention(text="市司法局", role="support")])]
    orgs = resolve([d])
    assert orgs[d.reporting_body_id].name == "柳州市行政审批局"
    assert orgs[d.reporting_body_id].kind == "government" and orgs[d.reporting_body_id].level == "city"
    assert orgs[d.measures[0].units[0].org_id].name == "柳州市司法局"


def test_deterministic(seeds):
    d0 = _gold_doc("gold_000", "000", TITLE_000)
    d1 = _gold_doc("gold_001", "001", TITLE_001, parents=["广西法治政府建设实施方案(2021-2025年)"])
    again = resolve([d1, d0])  # order of documents does not matter
    assert again == seeds[2]


# ---------------------------------------------------------------- overrides

def test_override_yaml(tmp_path):
    f = tmp_path / "over.yaml"
    f.write_text("""
units:
  - {name: "区政管办", same_as: "柳州市城中区政务服务管理办公室"}
  - {name: "区政务服务管理办公室"}
  - name: 区法治建设议事协调机构
    kind: party
  - {name: "市司法局", region: 南宁市, same_as: 市公安局}
links:
  - {child: "000#1", parent: "001#1"}
""", encoding="utf-8")
    d = _doc("o", "district", "柳州市城中区", TITLE_000,
             [[("区政管办", "lead"), ("区政务服务管理办公室", "support"), ("区法治建设议事协调机构", "support"),
               ("市司法局", "support")]])
    orgs = resolve([d], overrides=f)
    m = _by_text(d, orgs)
    assert m["区政管办"] is m["区政务服务管理办公室"]
    assert m["区政管办"].name == "柳州市城中区政务服务管理办公室" and "区政管办" in m["区政管办"].labels
    assert m["区法治建设议事协调机构"].kind == "party" and not m["区法治建设议事协调机构"].is_group
    assert m["市司法局"].name == "柳州市司法局"  # the rule is for another region


def test_override_csv(tmp_path):
    f = tmp_path / "over.csv"
    f.write_text("name,region,same_as,kind\n区政管办,柳州市城中区,柳州市城中区政务服务管理办公室,\n"
                 "区法治建设议事协调机构,,,group\n", encoding="utf-8")
    d = _doc("o", "district", "柳州市城中区", TITLE_000,
             [[("区政管办", "lead"), ("区法治建设议事协调机构", "support")]])
    orgs = resolve([d], overrides=f)
    m = _by_text(d, orgs)
    assert m["区政管办"].name == "柳州市城中区政务服务管理办公室"
    assert m["区法治建设议事协调机构"].is_group


@pytest.mark.parametrize("content,suffix,msg", [
    ("units: [{name: 区司法局, kind: bureau}]", ".yaml", "kind"),
    ("units: [{same_as: x}]", ".yaml", "no name"),
    ("units: {a: 1}", ".yaml", "list"),
    ("units: [", ".yaml", "YAML"),
    ("region,kind\nx,y\n", ".csv", "name"),
])
def test_override_errors(tmp_path, content, suffix, msg):
    f = tmp_path / f"bad{suffix}"
    f.write_text(content, encoding="utf-8")
    with pytest.raises(KgError, match=msg):
        load_overrides(f)
    with pytest.raises(KgError, match="no override file"):
        load_overrides(tmp_path / "missing.yaml")


# ---------------------------------------------------------------- segmentation

def test_jieba_is_private_and_cuts_prefixes():
    from kg.resolve import orgnames as N
    tk = N.tokenizer()
    assert tk is N.tokenizer()
    assert Path(tk.tmp_dir).name.startswith("dutygraph-jieba")
    assert N.cut("市市场监管局") == ["市", "市场监管局"]
    assert N.cut("区委编办") == ["区委", "编办"]


def test_normalise_and_contract():
    from kg.resolve import orgnames as N
    assert N.normalise(" 区 司法局 等部门按职责分工负责") == "区司法局"
    assert N.normalise("区各党委（党组）") == "区各党委(党组)"
    assert N.contract("发展和改革委员会") == N.contract("发展改革委") == "发改委"
    assert N.contract("应急管理局") == N.contract("应急局")
    assert N.contract("中级人民法院") == "中级法院"


# ---------------------------------------------------------------- kg units

TTL = """@prefix dg: <https://w3id.org/dutygraph/ontology#> .
@prefix o: <https://w3id.org/dutygraph/id/org/> .
@prefix t: <https://w3id.org/dutygraph/id/doc/001/t/> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .

dg:District skos:notation "district" .
dg:City skos:notation "city" .
o:xx-yingji a org:Organization ; skos:prefLabel "XX市应急管理局"@zh ;
    skos:altLabel "市应急局"@zh, "市应急管理局"@zh ; org:classification dg:GovernmentDepartment ;
    dg:level dg:City ; dg:region "XX市"@zh ; org:subOrganizationOf o:xx-gov .
o:xx-gov a org:Organization ; skos:prefLabel "XX市人民政府"@zh ;
    org:classification dg:GovernmentDepartment ; dg:level dg:City ; dg:region "XX市"@zh .
o:cz-all a org:Organization, dg:UnitGroup ; skos:prefLabel "柳州市城中区政府各有关部门"@zh ;
    org:classification dg:Group ; dg:level dg:District ; dg:region "柳州市城中区"@zh ;
    dg:scope "区政府各有关部门"@zh .
t:t1 dg:assignment <https://w3id.org/dutygraph/id/doc/001/t/t1/a/1>, <https://w3id.org/dutygraph/id/doc/001/t/t1/a/2> .
<https://w3id.org/dutygraph/id/doc/001/t/t1/a/1> a dg:Assignment ; dg:role dg:Lead ; dg:unit o:xx-yingji ;
    dg:asWritten "市应急局"@zh .
<https://w3id.org/dutygraph/id/doc/001/t/t1/a/2> a dg:Assignment ; dg:role dg:Support ; dg:unit o:cz-all ;
    dg:asWritten "区政府各有关部门"@zh .
<https://w3id.org/dutygraph/id/doc/001/t/t2/a/1> a dg:Assignment ; dg:role dg:Lead ; dg:unit o:xx-yingji ;
    dg:asWritten "市应急管理局"@zh .
<https://w3id.org/dutygraph/id/doc/001/t/t3/a/1> a dg:Assignment ; dg:role dg:Lead ; dg:unit o:xx-yingji ;
    dg:asWritten "市应急局"@zh .
"""


@pytest.fixture()
def graph_dir(tmp_path):
    (tmp_path / "graph.ttl").write_text(TTL, encoding="utf-8")
    return tmp_path


def test_units_table(graph_dir):
    from kg.query.units_view import open_graph, units_table

    rows = units_table(open_graph(graph_dir))
    assert [r["unit"] for r in rows] == ["XX市人民政府", "XX市应急管理局", "柳州市城中区政府各有关部门"]
    r = rows[1]
    assert (r["kind"], r["level"], r["region"]) == ("government", "city", "XX市")
    assert r["mentions"] == "市应急局 ×2; 市应急管理局 ×1" and r["assignments"] == 3
    assert r["labels"] == "市应急局; 市应急管理局" and r["part_of"] == "XX市人民政府" and r["id"] == "xx-yingji"
    assert rows[2]["kind"] == "group" and rows[2]["level"] == "district"
    assert [r["unit"] for r in units_table(open_graph(graph_dir), merged_only=True)] == ["XX市应急管理局"]
    assert [r["unit"] for r in units_table(open_graph(graph_dir), kind="group")] == ["柳州市城中区政府各有关部门"]


def test_kg_units_cli(graph_dir, tmp_path):
    from typer.testing import CliRunner

    from kg.cli import app

    runner = CliRunner()
    res = runner.invoke(app, ["units", "--graph", str(graph_dir), "--format", "json"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    assert rows[1]["unit"] == "XX市应急管理局" and rows[1]["mentions"].startswith("市应急局 ×2")
    res = runner.invoke(app, ["units", "--graph", str(graph_dir), "--format", "csv", "--merged"])
    assert res.exit_code == 0 and res.stdout.splitlines()[0].startswith("unit,kind,level,region")
    assert len(res.stdout.splitlines()) == 2
    res = runner.invoke(app, ["units", "--graph", str(tmp_path / "nothing")])
    assert res.exit_code != 0 and "Traceback" not in res.output
    res = runner.invoke(app, ["units", "--graph", str(graph_dir), "--kind", "bureau"])
    assert res.exit_code == 2


# ---------------------------------------------------------------- on the parsed seeds

def test_parsed_seeds(seed_path):
    parse = pytest.importorskip("kg.parse.plan")
    from kg.parse.clean import clean
    from kg.read.files import read_file

    docs = []
    for prefix in ("000", "001"):
        s = read_file(str(seed_path(prefix)))
        docs.append(parse.parse_plan(s, clean(s.text)))
    orgs = resolve(docs)
    m0, m1 = _by_text(docs[0], orgs), _by_text(docs[1], orgs)
    assert m1["市应急局"] is m1["市应急管理局"]
    assert m0["区司法局"].id != m1["市司法局"].id
    assert orgs[m0["区司法局"].counterparts[0]].name == "柳州市司法局"
    # every written form maps to one entity and only true aliases share one
    shared = {}
    for m in (m0, m1):
        for text, o in m.items():
            shared.setdefault(o.id, set()).add(text)
    merged = sorted(sorted(s) for s in shared.values() if len(s) > 1)
    assert merged == [["人民银行XX市中心支行", "人民银行xx市中心支行"], ["市应急局", "市应急管理局"]]


def test_autonomous_region_plan_and_bare_names():
    """In a 广西 plan 区 is the autonomous region; a bare region name is its government;
    an unprefixed department is the document's own level."""
    d = _doc("p", "province", "广西壮族自治区", "广西法治政府建设实施方案",
             [[("区司法厅", "lead"), ("自治区司法厅", "support"), ("区直各部门", "support"),
               ("区党委宣传部", "support"), ("自治区党委宣传部", "support"), ("司法厅", "support")]])
    orgs = resolve([d])
    m = _by_text(d, orgs)
    assert m["区司法厅"] is m["自治区司法厅"] is m["司法厅"]
    assert m["区司法厅"].name == "广西壮族自治区司法厅" and m["区司法厅"].level == "province"
    assert m["区直各部门"].is_group and m["区直各部门"].level == "province"
    assert m["自治区党委宣传部"] is m["区党委宣传部"]
    assert m["自治区党委宣传部"].kind == "party" and m["自治区党委宣传部"].name == "广西壮族自治区党委宣传部"
    r = _doc("r2", "district", "柳州市柳江区", "柳江区2024年度法治政府建设工作报告", [], kind="report")
    r.reporting_body = "柳江区"
    orgs = resolve([r])
    body = orgs[r.reporting_body_id]
    assert body.name == "柳州市柳江区人民政府" and body.kind == "government" and body.level == "district"


def test_national_bodies_and_the_line_above_a_province():
    nat = _doc("n", "national", "全国", "《法治政府建设实施纲要（2021-2025年）》重要举措分工方案",
               [[("司法部", "lead"), ("中央组织部", "support"), ("最高人民法院", "support"),
                 ("国家发展改革委", "support"), ("国务院各部门", "support")]])
    prov = _doc("p", "province", "广西壮族自治区", "广西法治政府建设实施方案",
                [[("自治区司法厅", "lead"), ("自治区党委组织部", "support"), ("自治区发展改革委", "support"),
                  ("自治区高级人民法院", "support")]])
    orgs = resolve([nat, prov])
    n, p = _by_text(nat, orgs), _by_text(prov, orgs)
    assert n["司法部"].name == "司法部" and n["司法部"].level == "national" and n["司法部"].kind == "government"
    assert n["中央组织部"].kind == "party" and n["最高人民法院"].kind == "court"
    assert n["国家发展改革委"].name == "国家发展和改革委员会" and n["国务院各部门"].is_group
    assert p["自治区司法厅"].counterparts == [n["司法部"].id]
    assert p["自治区党委组织部"].counterparts == [n["中央组织部"].id]
    assert p["自治区发展改革委"].counterparts == [n["国家发展改革委"].id]
    assert p["自治区高级人民法院"].counterparts == [n["最高人民法院"].id]
    # a national body named in a city plan is the same national body
    c = _doc("c", "city", "XX市", TITLE_001, [[("中央组织部", "support")]])
    assert resolve([nat, c])[c.tasks[0].units[0].org_id].id == n["中央组织部"].id


def test_branches_and_mass_bodies_written_other_ways():
    d = _doc("b", "district", "柳州市城中区", TITLE_000,
             [[("区公安分局", "lead"), ("市公安局城中分局", "support"), ("柳州市公安局城中分局", "support"),
               ("团区委", "support"), ("区妇联", "support"), ("区总工会", "support"), ("区司法局等部门", "support")]])
    orgs = resolve([d])
    m = _by_text(d, orgs)
    assert m["区公安分局"] is m["市公安局城中分局"] is m["柳州市公安局城中分局"]
    assert m["区公安分局"].name == "柳州市公安局城中分局" and m["区公安分局"].level == "city"
    assert (m["团区委"].kind, m["团区委"].level, m["团区委"].region) == ("mass", "district", "柳州市城中区")
    assert m["区妇联"].kind == m["区总工会"].kind == "mass"
    assert m["区司法局等部门"].name == "柳州市城中区司法局"


def test_level_from_the_region_when_not_given():
    d = _doc("v", None, "桂林市阳朔县", "阳朔县工作方案", [[("县司法局", "lead"), ("市司法局", "support")]])
    orgs = resolve([d])
    m = _by_text(d, orgs)
    assert m["县司法局"].name == "桂林市阳朔县司法局" and m["县司法局"].level == "district"
    assert m["市司法局"].name == "桂林市司法局" and m["县司法局"].counterparts == [m["市司法局"].id]


def test_units_table_from_a_persistent_store(tmp_path):
    """DIR/store (named graphs, as kg build writes it) is read as one graph."""
    import pyoxigraph as ox

    from kg.query.units_view import open_graph, units_table

    st = ox.Store(str(tmp_path / "store"))
    st.load(TTL.encode("utf-8"), ox.RdfFormat.TURTLE,
            to_graph=ox.NamedNode("https://w3id.org/dutygraph/id/graph/corpus"))
    st.flush()
    del st
    rows = units_table(open_graph(tmp_path))
    assert [r["unit"] for r in rows] == ["XX市人民政府", "XX市应急管理局", "柳州市城中区政府各有关部门"]
    assert rows[1]["assignments"] == 3


def test_odd_forms():
    d = _doc("z", "district", "桂林市阳朔县", "桂林市阳朔县工作方案",
             [[("白沙镇人民政府", "lead"), ("县委宣传部（县网信办）", "support"), ("县委宣传部", "support"),
               ("县委、县政府", "support"), ("教育、卫生健康主管部门", "support")]],
             parents=["广西法治政府建设实施方案"])
    orgs = resolve([d])
    m = _by_text(d, orgs)
    town = m["白沙镇人民政府"]
    assert town.name == "桂林市阳朔县白沙镇人民政府" and town.function is None and not town.counterparts
    assert m["县委宣传部（县网信办）"] is m["县委宣传部"] and m["县委宣传部"].function == "xuanchuanbu"
    assert m["县委宣传部"].name == "桂林市阳朔县委宣传部" and "县委宣传部(县网信办)" in m["县委宣传部"].labels
    both = m["县委、县政府"]
    assert both.is_group and sorted(orgs[x].name for x in both.members) == ["中共桂林市阳朔县委员会",
                                                                          "桂林市阳朔县人民政府"]
    assert m["教育、卫生健康主管部门"].is_group and m["教育、卫生健康主管部门"].members == []


def test_a_name_is_cut_the_same_whatever_was_read_before():
    """Region words are taught to jieba for one cut only: a city plan's 市公安局城中分局 is cut the
    same before and after a 城中区 plan was read (it used to depend on the reading order, which
    parallel workers and incremental builds do not share)."""
    from kg.resolve import orgnames as N
    before = N.cut("市公安局城中分局")
    assert "城中" not in before
    chain = N.chain_for("district", "柳州市城中区", "柳州市城中区法治政府建设实施方案")
    assert N.cut("柳州市城中区司法局", chain.words()) == ["柳州市城中区", "司法局"]  # taught for that cut
    assert "城中" in N.cut("市公安局城中分局", chain.words())
    N.parse("市公安局城中分局", chain)
    assert N.cut("市公安局城中分局") == before  # and taken back out
    assert "柳州市城中区" not in N.cut("柳州市城中区司法局")


def test_local_ids_are_the_ids_of_a_whole_corpus_resolve(corpus_dir):
    """A document's org ids come from the document alone (kg.resolve.entities.read), so its graph does
    too: they equal those of resolving the whole bundled corpus (five documents of four regions)."""
    from kg.build.pipeline import parse_paths
    from kg.resolve.entities import read

    docs = parse_paths([corpus_dir])
    alone = parse_paths([corpus_dir])
    resolve(docs)
    for doc, other in zip(docs, alone):
        read(other, [])
        want = [u.org_id for t in doc.tasks for u in t.units] + [u.org_id for m in doc.measures for u in m.units]
        assert want and all(want)
        assert [u.org_id for t in other.tasks for u in t.units] + [u.org_id for m in other.measures for u in m.units] == want
        assert other.reporting_body_id == doc.reporting_body_id


def test_parts_finished_apart_equal_one_resolver(corpus_dir, tmp_path):
    """The corpus is finished part by part (kg.resolve.entities.finish_all: regions tied by counterparts,
    the national bodies first): the organisations equal one resolver's over the whole corpus, on
    a corpus crafted to cross the parts (national bodies named by provinces and cities, two
    provinces, a body of another city and of another province, a coordination across levels, a
    document of unknown region), on the bundled corpus and on generated plans."""
    import sys

    from kg.build.pipeline import parse_paths
    from kg.resolve.entities import Reading, partition, read, resolve_whole

    nat = _doc("n", "national", "全国", "《法治政府建设实施纲要（2021-2025年）》重要举措分工方案",
               [[("司法部", "lead"), ("中央组织部", "support"), ("国家发展改革委", "support")]])
    gx = _doc("gx", "province", "广西壮族自治区", "广西法治政府建设实施方案",
              [[("自治区司法厅", "lead"), ("自治区发展改革委", "support"), ("司法部", "support")]])
    lz = _doc("lz", "city", "柳州市", TITLE_001,
              [[("市司法局", "lead"), ("桂林市司法局", "support"), ("市委、市政府", "support")],
               [("市应急局", "lead"), ("中央组织部", "support"), ("广东省司法厅", "support")]])
    cz = _doc("cz", "district", "柳州市城中区", TITLE_000,
              [[("区司法局", "lead"), ("区应急管理局", "support"), ("市司法局、区财政局", "support")]])
    gd = _doc("gd", "province", "广东省", "广东省法治政府建设实施方案",
              [[("省司法厅", "lead"), ("省应急管理厅", "support"), ("广西壮族自治区司法厅", "support")]])
    gz = _doc("gz", "city", "广州市", "广州市法治政府建设实施方案", [[("市司法局", "lead"), ("市应急局", "support")]],
              parents=["广东省法治政府建设实施方案"])
    unknown = _doc("u", None, None, "法治政府建设实施方案", [[("司法局", "lead"), ("各乡镇", "support")]])
    crafted = [nat, gx, lz, cz, gd, gz, unknown]
    parts = partition(t for d in crafted for t in read(d, []).ties)
    assert parts["全国"] == "全国"  # never tied: national bodies are looked up, not created
    assert parts["柳州市城中区"] == parts["柳州市"] == parts["广西壮族自治区"]
    assert parts["广州市"] == parts["广东省"] != parts["广西壮族自治区"]
    orgs = resolve(crafted)
    assert orgs == resolve_whole(crafted)
    sifa = {o.name: o for o in orgs.values()}
    assert sifa["广西壮族自治区司法厅"].counterparts == [sifa["司法部"].id]  # across parts
    assert sifa["柳州市城中区司法局"].counterparts == [sifa["柳州市司法局"].id]
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    from generate import generate

    generate(40, tmp_path / "gen")
    for docs, n_parts in ((parse_paths([corpus_dir]), 2), (parse_paths([tmp_path / "gen"]), 2)):
        readings = [read(d, []) for d in docs]
        assert isinstance(readings[0], Reading)
        assert len(set(partition(t for rd in readings for t in rd.ties).values())) >= n_parts
        assert resolve(docs) == resolve_whole(docs)


def test_pinyin_learned_from_an_earlier_build_is_not_looked_up_again(monkeypatch):
    """Org ids use pinyin (柳州市 -> liu zhou shi); an incremental build passes on what the previous
    one looked up, so that pypinyin need not even be imported."""
    import sys

    from kg.resolve import functions, orgnames as N
    monkeypatch.setattr(functions, "_PINYIN", {})
    assert N.pinyin("柳州市") == ("liu", "zhou", "shi")
    want = N.org_id("city|柳州市|司法局")
    table = N.pinyin_table()
    monkeypatch.setattr(functions, "_PINYIN", {})
    N.learn_pinyin(table)
    monkeypatch.setitem(sys.modules, "pypinyin", None)  # importing it now fails
    assert N.pinyin("柳州市") == ("liu", "zhou", "shi")
    assert N.org_id("city|柳州市|司法局") == want
    with pytest.raises(ImportError):
        N.pinyin("城中区")
