"""kg.similarity: genre stop list, TF-IDF cosine, BM25, title similarity."""
from __future__ import annotations

from kg.similarity import STOP_WORDS, Similarity, title_similarity, tokens


def test_tokens_drop_boilerplate_punctuation_numbers():
    toks = tokens("进一步加强和完善行政复议工作机制，2022年年底前全面推进。")
    assert not set(toks) & {"进一步", "加强", "完善", "工作", "机制", "全面", "推进"}
    assert any("复议" in t for t in toks)
    assert not any(ch.isdigit() for t in toks for ch in t)
    assert all(len(t) >= 2 for t in toks)


def test_tokens_ignore_layout_spaces():
    assert tokens("行政 复议 体制改革") == tokens("行政复议体制改革")


def test_stop_list_holds_the_genre_boilerplate():
    for w in ("加强", "推进", "健全", "进一步", "完善", "全面", "深入", "工作", "建设", "机制", "制度"):
        assert w in STOP_WORDS


def test_title_similarity_basics():
    assert title_similarity("持续深化行政复议体制改革", "持续深化行政复议体制改革") == 1.0
    assert title_similarity("", "加强经费保障") == 0.0
    a, b = "全面实行政府权责清单制度", "深化权责清单管理"
    assert title_similarity(a, b) == title_similarity(b, a)
    # sharing the real topic scores above sharing only boilerplate
    assert title_similarity(a, b) > title_similarity("加强经费保障", "加强行政监管")


def test_cosine_ranks_the_topical_candidate_first():
    cands = [
        "加强行政调解工作。规范行政调解范围和程序，推进行政调解与人民调解、司法调解有效衔接。",
        "持续深化行政复议体制改革。整合行政复议职责，健全优化行政复议审理机制，提高办案质量。",
        "加强经费保障。将法治政府建设经费纳入财政预算。",
    ]
    s = Similarity(cands)
    q = "深化行政复议体制改革，整合各级行政复议职责，全面落实行政复议决定书网上公开制度。"
    scores = s.scores(q)
    assert len(scores) == 3 and all(0.0 <= x <= 1.0 for x in scores)
    assert max(range(3), key=lambda i: scores[i]) == 1
    assert s.ranked(q, top=1)[0][0] == 1
    assert s.scores(cands[2])[2] == 1.0  # a text against itself
    bm = s.bm25(q)
    assert max(bm) == 1.0 and bm.index(1.0) == 1


def test_nothing_in_common_scores_zero_and_is_deterministic():
    s = Similarity(["严格落实重大行政决策程序。"])
    assert s.scores("加大食品药品执法力度。") == [0.0]
    a = Similarity(["行政复议体制改革", "行政调解"]).scores("行政复议")
    b = Similarity(["行政复议体制改革", "行政调解"]).scores("行政复议")
    assert a == b


def test_background_lowers_the_weight_of_common_words():
    cands = ["法治政府 督察 考核", "法治政府 经费 预算"]
    alone = Similarity(cands).scores("法治政府 督察")
    with_bg = Similarity(cands, background=["法治政府 示范", "法治政府 宣传", "法治政府 队伍"]).scores("法治政府 督察")
    # 法治政府 is everywhere in the background, so the candidate sharing only it drops further behind
    assert with_bg[1] / with_bg[0] < alone[1] / alone[0]
