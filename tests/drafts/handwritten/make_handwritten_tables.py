"""Build four more hand-made 公文 drafts (.docx) with Word tables, with ground-truth roles.

  09, 10  公告 listing enterprises whose backward production capacity (落后产能) has
          been shut down: basis, a data table with one row per enterprise,
          公示期, 受理单位/监督电话, 特此公告。, 署名, date;
  11, 12  印发合成件 in one Word file: the 通知 that issues a plan, then on a new
          page the plan itself, then on a new page (or section) the 附件 with a
          任务分工表 table, and the 版记 at the very end.

The conventions are those of make_handwritten.py (whose Draft builder and
independent XML reading are reused), plus:
  * two more roles: "table" for every non-empty paragraph inside a data table
    (header cells included; a 版记 laid out as a table keeps copy_to/printed),
    and "label" for the standalone "附件"/"附件1" line heading an attachment;
  * table cell paragraphs are listed in row/cell order; a cell holding two
    typed paragraphs gives two entries; the continuation cells of a vertical
    merge are empty and give none;
  * page breaks (a paragraph holding only a page-break run, a page-break run at
    the end or the start of a text paragraph, "page break before") and section
    breaks carry no text of their own and give no entry.

Run:  /work/main/.venv/bin/python tests/drafts/handwritten/make_handwritten_tables.py
The script rebuilds its four drafts twice (checking the bytes are identical),
then re-opens them with python-docx and checks the labels against an
independent reading of the XML: texts in reading order, and where each
labelled paragraph sits (inside a data table or not, after a page break).
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import itertools
import json
import re
import sys
from pathlib import Path
from types import SimpleNamespace

sys.dont_write_bytecode = True
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import make_handwritten as mh  # noqa: E402
from make_handwritten import BANNER, HEI, KAI, RED_LINE, TITLE22, S, el, qn  # noqa: E402

ROLES = set(mh.ROLES) | {"table", "label"}

GRID = {"top": 8, "left": 8, "bottom": 8, "right": 8, "insideH": 4, "insideV": 4}


def ppr_insert(p, child):
    """Put `child` into the paragraph's w:pPr at its place in the schema order."""
    ppr = p.find(qn("w:pPr"))
    if ppr is None:
        ppr = el("w:pPr")
        p.insert(0, ppr)
    name = child.tag.split("}")[1]
    pos = mh.PPR_ORDER.index(name)
    for k in ppr:
        if mh.PPR_ORDER.index(k.tag.split("}")[1]) > pos:
            k.addprevious(child)
            return
    ppr.append(child)


def page_break_run():
    r = el("w:r")
    r.append(el("w:br", type="page"))
    return r


class TDraft(mh.Draft):
    def __init__(self, slug, **kw):
        super().__init__(slug, **kw)
        # the clerks' templates (WPS / a Normal.dotm set up for 公文) add no space after paragraphs
        sp = self.doc.styles.element.find(qn("w:docDefaults") + "/" + qn("w:pPrDefault") + "/" + qn("w:pPr"))
        sp = sp.find(qn("w:spacing"))
        sp.set(qn("w:after"), "0")
        sp.set(qn("w:line"), "240")

    def _record(self, text, role, level):
        assert role in ROLES, role
        if role == "heading":
            assert level in (1, 2, 3, 4), (text, level)
        else:
            assert level is None
        self.roles.append({"text": text, "role": role, "level": level})

    # ---- tables ----------------------------------------------------------
    def table(self, widths, *, borders=GRID, jc="center"):
        """An empty table (Word: 插入表格, then borders set by hand), placed in the body."""
        tbl = el("w:tbl")
        pr = el("w:tblPr")
        pr.append(el("w:tblW", w=sum(widths), type="dxa"))
        if jc:
            pr.append(el("w:jc", val=jc))
        b = el("w:tblBorders")
        for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
            sz = borders.get(side)
            if sz:
                b.append(el("w:" + side, val="single", sz=sz, space=0, color="000000"))
            else:
                b.append(el("w:" + side, val="nil"))
        pr.append(b)
        pr.append(el("w:tblLayout", type="fixed"))
        mar = el("w:tblCellMar")
        mar.append(el("w:left", w=108, type="dxa"))
        mar.append(el("w:right", w=108, type="dxa"))
        pr.append(mar)
        pr.append(el("w:tblLook", val="04A0", firstRow=1, lastRow=0, firstColumn=1, lastColumn=0, noHBand=0, noVBand=1))
        tbl.append(pr)
        grid = el("w:tblGrid")
        for w in widths:
            grid.append(el("w:gridCol", w=w))
        tbl.append(grid)
        self._append_body(tbl)
        return SimpleNamespace(tbl=tbl, widths=list(widths))

    def row(self, t, cells, *, role="table", repeat=False, height=None, fmt=None, align="center", **popts):
        """Add one row. A cell is a str, a list of str (one paragraph each) or a dict
        with "text", and optionally "span", "vmerge" ("restart"/"continue"), "align", "fmt"."""
        tr = el("w:tr")
        trpr = el("w:trPr")
        trpr.append(el("w:cantSplit"))
        if height:
            trpr.append(el("w:trHeight", val=height, hRule="atLeast"))
        if repeat:
            trpr.append(el("w:tblHeader"))
        tr.append(trpr)
        t.tbl.append(tr)
        col = 0
        for cell in cells:
            c = cell if isinstance(cell, dict) else {"text": cell}
            span = c.get("span", 1)
            tc = el("w:tc")
            tcpr = el("w:tcPr")
            tcpr.append(el("w:tcW", w=sum(t.widths[col : col + span]), type="dxa"))
            if span > 1:
                tcpr.append(el("w:gridSpan", val=span))
            if c.get("vmerge") == "restart":
                tcpr.append(el("w:vMerge", val="restart"))
            elif c.get("vmerge") == "continue":
                tcpr.append(el("w:vMerge"))
            if c.get("shade"):
                tcpr.append(el("w:shd", val="clear", color="auto", fill=c["shade"]))
            tcpr.append(el("w:vAlign", val="center"))
            tc.append(tcpr)
            tr.append(tc)
            col += span
            texts = c.get("text", "")
            if isinstance(texts, str):
                texts = [texts]
            holder = SimpleNamespace(_tc=tc)
            cfmt = dict(fmt or {}, **c.get("fmt", {}))
            for text in texts:
                self.p(
                    text,
                    role if text else None,
                    where=holder,
                    fmt=cfmt,
                    align=c.get("align", align),
                    **dict({"line": "1.0", "before": 0, "after": 0}, **popts),
                )
        assert col == len(t.widths), (col, t.widths)
        return tr

    def section(self, p, *, landscape=False, margins=None):
        """End a section at paragraph `p` (Word: 分隔符 → 下一页分节符)."""
        sp = copy.deepcopy(self.body.find(qn("w:sectPr")))
        for k in list(sp.attrib):
            del sp.attrib[k]
        pgsz = sp.find(qn("w:pgSz"))
        if landscape:
            pgsz.set(qn("w:w"), "16838")
            pgsz.set(qn("w:h"), "11906")
            pgsz.set(qn("w:orient"), "landscape")
        if margins:
            pgmar = sp.find(qn("w:pgMar"))
            for k, v in margins.items():
                pgmar.set(qn("w:" + k), str(v))
        ppr_insert(p, sp)


TABLE_FONT = {"size": 12}
TABLE_HEAD = {"east": "黑体", "ascii": "黑体", "size": 12}


# --------------------------------------------------------------------------
# 09  公告  台山市工业和信息化局  2022  (two-line title, table after the basis,
#     a cell typed as two paragraphs, 公示期 paragraph)
# --------------------------------------------------------------------------


def draft09():
    d = TDraft("09-taishan-gongxin-luohou-gonggao", author="伍嘉敏", when=dt.datetime(2022, 11, 7, 10, 25))
    ind = {"first_chars": 200}
    d.blank(1)
    d.p("台山市工业和信息化局关于2022年度", "title", fmt=TITLE22, align="center", line=35)
    d.p("落后产能退出企业名单的公告", "title", fmt=TITLE22, align="center", line=35)
    d.blank(1)
    d.p(
        "根据《国务院关于进一步加强淘汰落后产能工作的通知》（国发〔2010〕7号）和江门市2022年淘汰落后产能工作"
        "部署要求，我局会同市发展和改革局、江门市生态环境局台山分局、市市场监督管理局、市应急管理局等部门，"
        "于2022年10月对全市2022年度落后产能退出任务完成情况进行了现场核查。",
        "body",
        **ind,
    )
    d.p(
        "经核查，台山市联鑫钢铁制品有限公司等8家企业已按要求完成落后产能退出工作，相关生产设备已拆除，"
        "或已采取封存、断电断水等措施，不具备恢复生产条件。现将企业名单予以公告，接受社会监督。",
        "body",
        **ind,
    )
    t = d.table([680, 2180, 1060, 2520, 1280, 1124])
    d.row(t, ["序号", "企业名称", "行业", "退出设备", "退出产能", "退出方式"], fmt=TABLE_HEAD, height=567)
    left = {"align": "left"}
    rows = [
        ("台山市联鑫钢铁制品有限公司", "钢铁", "中频感应炉2台（GW-5t）；轧钢生产线1条（φ250mm）", "3万吨/年", "拆除"),
        ("台山市大江镇宏达铸造厂", "铸造", "冲天炉1座（3t/h）", "0.6万吨/年", "拆除"),
        ("台山市永兴水泥粉磨站", "水泥", "水泥粉磨机1台（Φ2.2×6.5m）", "8万吨/年", "封存"),
        (
            "台山市华美陶瓷有限公司",
            "建筑陶瓷",
            ["燃煤辊道窑1条（120m）；", "喷雾干燥塔1座（3200型）"],
            "150万平方米/年",
            "断电断水",
        ),
        ("台山市水步镇金丰纸品厂", "造纸", "1092mm圆网造纸机1台", "0.5万吨/年", "拆除"),
        ("台山市广海镇德昌五金电镀厂", "电镀", "手工电镀生产线2条", "8万平方米/年", "关停"),
        ("台山市冲蒌镇新南印染厂", "印染", "间歇式染色机6台；燃煤定型机1台", "1500万米/年", "关停"),
        ("斗山镇塘底村无牌熔铝作坊", "有色金属", "坩埚熔炼炉3台", "0.2万吨/年", "取缔"),
    ]
    for i, (name, trade, kit, cap, how) in enumerate(rows, 1):
        d.row(t, [str(i), dict(left, text=name), trade, dict(left, text=kit), cap, how], fmt=TABLE_FONT)
    d.blank(1)
    d.p(
        "公示期：2022年11月8日至2022年11月14日。公示期间，如发现上述企业存在未按要求退出、擅自恢复生产"
        "或将淘汰设备转移至其他地区使用等情况，请以书面形式向我局实名反映，并提供必要的证明材料。",
        "body",
        **ind,
    )
    d.p(
        "受理单位：台山市工业和信息化局工业发展股；监督电话：0750-5522318；"
        "联系地址：台山市台城街道东华路18号行政服务中心5楼。",
        "body",
        **ind,
    )
    d.p("特此公告。", "body", **ind)
    d.blank(3)
    d.p("台山市工业和信息化局", "signature", align="right", right=960)
    d.p("2022年11月7日", "date", align="right", right=1280)
    d.save()


# --------------------------------------------------------------------------
# 10  公告  开平市科工商务局  2022  (title "…公告" + centred "第3号", typed
#     indents, 7-column table with an extra column, header row repeated,
#     vertically merged town cells, 公示 in the clerk's own words)
# --------------------------------------------------------------------------


def draft10():
    d = TDraft(
        "10-kaiping-kegongshang-luohou-gonggao",
        author="关慧玲",
        when=dt.datetime(2022, 12, 2, 15, 50),
        east="仿宋",
        ascii="仿宋",
        line="1.5",
        margins="word",
        footer_page=False,
    )
    d.p(
        "开平市科工商务局公告", "title", fmt={"east": "宋体", "ascii": "宋体", "size": 22, "bold": True}, align="center"
    )
    d.p("第3号", "body", align="center")
    d.blank(1)
    d.p(
        S * 2 + "根据《国务院关于进一步加强淘汰落后产能工作的通知》（国发〔2010〕7号）、《产业结构调整指导目录"
        "（2019年本）》以及江门市下达我市的2022年淘汰落后产能工作任务，经企业申报、镇（街）初审、"
        "市有关部门现场核查，开平市金鹰铸造有限公司等10家企业的落后生产设备已完成淘汰处置。"
        "为接受社会监督，现将有关企业名单及淘汰情况公告如下：",
        "body",
    )
    t = d.table([560, 1720, 1000, 1900, 1150, 900, 1076])
    head = ["序号", "企业名称", "所属行业", "淘汰设备", "淘汰产能", "处置方式", "所在镇（街）"]
    d.row(t, head, fmt={"size": 10.5, "bold": True}, repeat=True, height=510)
    small = {"size": 10.5}
    left = {"align": "left"}
    rows = [
        (
            "开平市金鹰铸造有限公司",
            "铸造",
            "冲天炉2座（5t/h）",
            "1.2万吨/年",
            "拆除",
            {"text": "水口镇", "vmerge": "restart"},
        ),
        ("开平市水口镇裕丰五金铸件厂", "铸造", "中频感应炉1台（GW-1t）", "0.3万吨/年", "拆除", {"vmerge": "continue"}),
        ("开平市三埠华盛纸业有限公司", "造纸", "1575mm长网造纸机1台", "1.5万吨/年", "封存", "三埠街道"),
        ("开平市恒达陶瓷有限公司", "建筑陶瓷", "燃煤隧道窑1条（80m）", "60万平方米/年", "断电断水", "沙塘镇"),
        ("开平市月山镇兴旺水暖器材厂", "有色金属铸造", "燃煤坩埚炉4台", "0.15万吨/年", "取缔", "月山镇"),
        (
            "开平市苍城镇宏利纺织印染有限公司",
            "印染",
            "间歇式染色机8台（常压溢流）；热定型机1台（燃煤）",
            "2000万米/年",
            "关停",
            "苍城镇",
        ),
        ("开平市长沙街道东兴皮革厂", "制革", "转鼓6个（Φ3.0×3.0m）", "3万标张/年", "关停", "长沙街道"),
        ("开平市赤坎镇新华电池厂", "铅蓄电池", "开口式化成槽24个", "5万千伏安时/年", "拆除", "赤坎镇"),
        ("开平市马冈镇利源红砖厂", "黏土砖瓦", "轮窑1座（24门）", "3000万块/年", "拆除", "马冈镇"),
        ("开平市大沙镇联合玻璃制品厂", "日用玻璃", "燃煤坩埚窑1座", "0.4万吨/年", "断电断水", "大沙镇"),
    ]
    for i, (name, trade, kit, cap, how, town) in enumerate(rows, 1):
        d.row(t, [str(i), dict(left, text=name), trade, dict(left, text=kit), cap, how, town], fmt=small)
    d.p(
        S * 2 + "本次公告期为7天（2022年12月5日至12月11日）。社会各界对上述企业淘汰落后产能情况如有异议，"
        "可在公告期内以书面形式或通过监督电话向我局反映，逾期不再受理。反映问题须实事求是，"
        "以单位名义反映的应加盖公章，以个人名义反映的应署真实姓名并留下联系方式。",
        "body",
    )
    d.p(
        S * 2 + "受理单位：开平市科工商务局工业股；监督电话：0750-2232715；"
        "联系地址：开平市长沙街道幕沙路32号市政府大院3号楼402室。",
        "body",
    )
    d.p(S * 2 + "特此公告。", "body")
    d.blank(2)
    d.p(S * 14 + "开平市科工商务局", "signature")
    d.p(S * 14 + "2022年12月2日", "date")
    d.save()


# --------------------------------------------------------------------------
# 11  印发合成件  鹤山市工业和信息化局  2022  (通知 + 计划 + 附件 table;
#     page break alone in a paragraph, then a page break at the end of the
#     plan's 附件 line; plan pasted in with its own formatting; 版记 paragraphs)
# --------------------------------------------------------------------------


def draft11():  # noqa: PLR0915
    d = TDraft(
        "11-heshan-gongxin-luohou-jihua",
        author="冯嘉伟",
        when=dt.datetime(2022, 2, 28, 9, 40),
        reviewer="吕国雄",
        fragment=True,
    )
    d.blank(1)
    d.p("鹤山市工业和信息化局文件", "banner", fmt=dict(BANNER, size=34), align="center", line=0)
    d.blank(2)
    d.p("鹤工信〔2022〕9号", "number", align="center")
    d.p("", border=RED_LINE, line=0)
    d.blank(1)
    d.p("关于印发《鹤山市2022年淘汰落后产能", "title", fmt=TITLE22, align="center", line=35)
    d.p("工作计划》的通知", "title", fmt=TITLE22, align="center", line=35)
    d.blank(1)
    d.p("各镇人民政府、街道办事处，市直有关单位：", "recipients")
    d.p(
        S * 2 + "现将《鹤山市2022年淘汰落后产能工作计划》印发给你们，请认真组织实施。"
        "实施过程中遇到的问题，请及时向市工业和信息化局反映。",
        "body",
    )
    d.blank(2)
    d.p(S * 13 + "鹤山市工业和信息化局", "signature")
    d.p(S * 15 + "2022年2月28日", "date")
    d.p(S * 2 + "（联系人：冯嘉伟；联系电话：0750-8882135）", "note")
    # Ctrl+Enter in Word 2016: the page break sits alone in its paragraph
    d.p([("raw", page_break_run())])

    # the plan, pasted from the 股室's own file: 仿宋, 1.5 lines, indent in characters
    pf = {"east": "仿宋", "ascii": "仿宋"}
    ph = {"east": "黑体", "ascii": "黑体"}
    pk = {"east": "楷体", "ascii": "楷体"}
    ind = {"first_chars": 200, "line": "1.5"}
    d.p("鹤山市2022年淘汰落后产能工作计划", "title", fmt=TITLE22, align="center", line="1.5")
    d.blank(1, line="1.5")
    d.p(
        "为深入贯彻落实国家、省关于淘汰落后产能的决策部署，依法依规推动落后产能退出，促进我市工业绿色低碳"
        "高质量发展，根据《江门市2022年淘汰落后产能工作计划》要求，结合我市实际，制定本计划。",
        "body",
        fmt=pf,
        **ind,
    )
    d.p("一、工作目标", "heading", 1, fmt=ph, **ind)
    d.p(
        "2022年，全市计划完成淘汰落后产能企业12家，其中铸造行业5家、建筑陶瓷行业3家、造纸行业2家、"
        "其他行业2家。列入淘汰计划的企业于2022年10月底前全部完成退出，确保“退得出、不反弹”。",
        "body",
        fmt=pf,
        **ind,
    )
    d.p("二、重点任务", "heading", 1, fmt=ph, **ind)
    d.p("（一）全面摸底排查", "heading", 2, fmt=pk, **ind)
    d.p(
        "各镇（街）要对照《产业结构调整指导目录（2019年本）》淘汰类目录，重点对钢铁、铸造、建材、造纸、"
        "印染等行业开展全面排查，建立落后产能企业清单，于2022年4月15日前报送市工业和信息化局。",
        "body",
        fmt=pf,
        **ind,
    )
    d.p("（二）依法依规推动退出", "heading", 2, fmt=pk, **ind)
    d.p("1.严格执行标准", "heading", 3, fmt=pf, **ind)
    d.p(
        "严格执行能耗、环保、质量、安全、技术等法律法规和强制性标准，对达不到标准要求的企业依法责令限期整改；"
        "逾期仍达不到要求的，依法予以关停退出。",
        "body",
        fmt=pf,
        **ind,
    )
    d.p("2.落实差别化政策", "heading", 3, fmt=pf, **ind)
    d.p("对淘汰类设备用电执行差别电价、惩罚性电价，倒逼企业主动退出落后产能。", "body", fmt=pf, **ind)
    d.p("（三）严防死灰复燃", "heading", 2, fmt=pk, **ind)
    d.p(
        "对已完成退出的企业，各镇（街）要建立“回头看”制度，每季度开展不少于1次现场巡查，"
        "严防落后产能异地转移和死灰复燃。",
        "body",
        fmt=pf,
        **ind,
    )
    d.p("三、保障措施", "heading", 1, fmt=ph, **ind)
    d.p("（一）加强组织领导", "heading", 2, fmt=pk, **ind)
    d.p(
        "市工业和信息化局牵头负责全市淘汰落后产能工作的统筹协调，各镇（街）要落实属地责任，明确分管领导和具体责任人。",
        "body",
        fmt=pf,
        **ind,
    )
    d.p("（二）强化督查考核", "heading", 2, fmt=pk, **ind)
    d.p(
        "市工业和信息化局将会同有关部门对各镇（街）工作进展情况进行督查，督查结果纳入年度考核。"
        "各镇（街）要于每月5日前报送上月工作进展情况。",
        "body",
        fmt=pf,
        **ind,
    )
    d.blank(1, line="1.5")
    # the clerk pressed Ctrl+Enter at the end of the 附件 line (Word 2007 keeps the break in it)
    d.p(
        [("t", "附件：鹤山市2022年淘汰落后产能工作任务分工表"), ("raw", page_break_run())],
        "attachments",
        fmt=pf,
        **ind,
    )

    # the 附件
    d.p("附件", "label", fmt=HEI, line=28)
    d.blank(1)
    d.p("鹤山市2022年淘汰落后产能工作任务分工表", "title", fmt=dict(TITLE22, size=20), align="center", line=35)
    d.blank(1)
    t = d.table([700, 3600, 2900, 1644])
    d.row(t, ["序号", "工作任务", "责任单位", "完成时限"], fmt=TABLE_HEAD, height=567)
    left = {"align": "left"}
    tasks = [
        ("开展落后产能摸底排查，建立企业清单", "各镇人民政府（街道办事处）", "2022年4月15日前"),
        (
            "制定落后产能企业退出工作方案，明确退出时限和方式",
            "市工业和信息化局，各镇人民政府（街道办事处）",
            "2022年5月底前",
        ),
        ("对淘汰类设备用电执行差别电价、惩罚性电价", "市发展和改革局、鹤山供电局", "长期坚持"),
        ("依法查处污染物排放不达标企业，督促限期整改", "江门市生态环境局鹤山分局", "2022年9月底前"),
        ("开展产品质量监督抽查，依法查处生产不合格产品行为", "市市场监督管理局", "2022年9月底前"),
        ("开展安全生产执法检查，对不具备安全生产条件的企业依法责令停产整顿", "市应急管理局", "2022年9月底前"),
        (
            "组织淘汰落后产能现场验收，公告退出企业名单",
            "市工业和信息化局、市发展和改革局、江门市生态环境局鹤山分局、市市场监督管理局、市应急管理局",
            "2022年11月底前",
        ),
        ("开展“回头看”巡查，防止落后产能死灰复燃", "各镇人民政府（街道办事处）", "每季度1次"),
        ("汇总报送工作进展情况", "各镇人民政府（街道办事处）、市直有关单位", "每月5日前"),
    ]
    for i, (task, who, when) in enumerate(tasks, 1):
        d.row(t, [str(i), dict(left, text=task), dict(left, text=who), when], fmt=TABLE_FONT, height=454)
    d.blank(8)
    d.p(
        "抄送：江门市工业和信息化局，鹤山市人民政府办公室。",
        "copy_to",
        fmt={"size": 14},
        left=320,
        right=320,
        border={"top": ("single", 8, "000000"), "bottom": ("single", 4, "000000")},
    )
    d.p(
        "鹤山市工业和信息化局办公室" + S * 3 + "2022年3月1日印发",
        "printed",
        fmt={"size": 14},
        left=320,
        right=320,
        border={"bottom": ("single", 8, "000000")},
    )
    d.save()


# --------------------------------------------------------------------------
# 12  印发合成件  阳春市工业和信息化局  2022  (WPS-style page break at the start
#     of the plan's title paragraph, Word auto numbering in the plan, section
#     break in the 附件 line to landscape pages, two attachments each with a
#     table, 附件2 on a new page by "段前分页", a 合计 row, 版记 as a one-row table)
# --------------------------------------------------------------------------


def draft12():  # noqa: PLR0915
    d = TDraft(
        "12-yangchun-gongxin-xiaoshenggui-fangan",
        author="陈海燕",
        when=dt.datetime(2022, 4, 14, 16, 10),
        reviewer="莫文军",
    )
    mh.add_abstract_num(
        d.doc,
        40,
        "6B2D4F40",
        [
            mh.lvl_xml(0, "chineseCounting", "%1、", east="黑体"),
            mh.lvl_xml(1, "chineseCounting", "（%2）", east="楷体_GB2312"),
        ],
    )
    mh.add_num(d.doc, 40, 40)
    h1 = {"num": (40, 0), "first_chars": 200, "left": 0}
    h2 = {"num": (40, 1), "first_chars": 200, "left": 0}
    ind = {"first_chars": 200}

    d.blank(1)
    d.p("阳春市工业和信息化局文件", "banner", fmt=dict(BANNER, size=34, scale=95), align="center", line=0)
    d.blank(2)
    d.p("春工信〔2022〕21号", "number", align="center", border=RED_LINE, after=120)
    d.blank(1)
    d.p("关于印发《阳春市2022年推动工业企业", "title", fmt=TITLE22, align="center", line=35)
    d.p("“小升规”工作实施方案》的通知", "title", fmt=TITLE22, align="center", line=35)
    d.blank(1)
    d.p("各镇人民政府，市直有关单位，各有关企业：", "recipients")
    d.p(
        "《阳春市2022年推动工业企业“小升规”工作实施方案》已经市人民政府同意，现印发给你们，请结合实际认真贯彻落实。",
        "body",
        **ind,
    )
    d.p(
        "各镇、各有关单位要于每季度结束后5个工作日内，将“小升规”工作推进情况报送市工业和信息化局"
        "企业服务股（电子邮箱：ycgxj_qyfw@163.com）。",
        "body",
        **ind,
    )
    d.blank(2)
    d.p("阳春市工业和信息化局", "signature", align="right", right=1120)
    d.p("2022年4月15日", "date", align="right", right=1280)
    d.blank(1)
    d.p("（此件主动公开）", "note", **ind)

    # the plan: WPS left the page break at the start of the title paragraph
    d.p(
        [("raw", page_break_run()), ("t", "阳春市2022年推动工业企业“小升规”工作实施方案")],
        "title",
        fmt=TITLE22,
        align="center",
        line=35,
    )
    d.blank(1)
    d.p(
        "为贯彻落实省、阳江市关于促进工业企业“小升规”的工作部署，加快培育壮大我市规模以上工业企业队伍，"
        "夯实工业经济发展基础，结合我市实际，制定本方案。",
        "body",
        **ind,
    )
    d.p("工作目标", "heading", 1, label="一、", fmt=HEI, **h1)
    d.p(
        "2022年，全市力争新增规模以上工业企业25家以上，其中春城街道、合水镇、春湾镇各新增3家以上，"
        "其他镇各新增1家以上；规模以上工业增加值同比增长6%以上。",
        "body",
        **ind,
    )
    d.p("培育对象", "heading", 1, label="二、", fmt=HEI, **h1)
    d.p(
        "主营业务收入在1000万元至2000万元之间、成长性较好的规模以下工业企业，以及2022年新投产、"
        "预计年主营业务收入可达2000万元以上的工业企业。",
        "body",
        **ind,
    )
    d.p("主要措施", "heading", 1, label="三、", fmt=HEI, **h1)
    d.p("建立培育库", "heading", 2, label="（一）", fmt=KAI, **h2)
    d.p(
        "市工业和信息化局会同各镇对辖区内工业企业进行全面摸查，筛选符合条件的企业纳入“小升规”重点培育库，"
        "实行动态管理，一企一档、精准培育。",
        "body",
        **ind,
    )
    d.p("强化政策扶持", "heading", 2, label="（二）", fmt=KAI, **h2)
    d.p("1.落实奖励政策", "heading", 3, **ind)
    d.p(
        "对2022年首次纳入规模以上工业统计的企业，由市财政给予一次性奖励10万元；"
        "升规后连续两年保持在库的，再给予奖励5万元。",
        "body",
        **ind,
    )
    d.p("2.加大融资支持", "heading", 3, **ind)
    d.p(
        "鼓励金融机构开发“小升规”专属信贷产品，对培育库企业给予贷款利率优惠；"
        "市中小企业融资担保机构优先为培育库企业提供担保服务。",
        "body",
        **ind,
    )
    d.p("优化精准服务", "heading", 2, label="（三）", fmt=KAI, **h2)
    d.p(
        "建立市领导和部门挂点联系培育库企业制度，及时协调解决企业在用地、用电、用工、融资等方面的困难和问题。",
        "body",
        **ind,
    )
    d.p("工作要求", "heading", 1, label="四、", fmt=HEI, **h1)
    d.p(
        "各镇、各有关单位要高度重视“小升规”工作，按照任务分工抓好落实。"
        "市工业和信息化局要加强统筹协调，定期通报工作进展情况。",
        "body",
        **ind,
    )
    d.blank(1)
    d.p("附件：1.阳春市2022年推动工业企业“小升规”工作任务分工表", "attachments", **ind)
    last = d.p("2.阳春市2022年“小升规”重点培育企业名单", "attachments", left=1600)
    d.section(last)  # 插入 → 分隔符 → 下一页分节符, at the end of the 附件 line

    # 附件1 and 附件2 on landscape pages
    d.p("附件1", "label", fmt=HEI)
    d.p("阳春市2022年推动工业企业“小升规”工作任务分工表", "title", fmt=dict(TITLE22, size=20), align="center", line=35)
    d.blank(1, line=0)
    t = d.table([900, 5400, 4356, 2100])
    gray = "D9D9D9"
    d.row(
        t,
        [{"text": h, "shade": gray} for h in ("序号", "工作任务", "责任单位", "完成时限")],
        fmt=TABLE_HEAD,
        repeat=True,
        height=510,
    )
    left = {"align": "left"}
    tasks = [
        ("建立“小升规”重点培育库，实行动态管理", "市工业和信息化局，各镇人民政府", "2022年4月底前"),
        ("落实“小升规”奖励资金", "市财政局、市工业和信息化局", "2022年12月底前"),
        ("做好新升规企业入库统计业务指导", "市统计局", "长期坚持"),
        ("开发“小升规”专属信贷产品，落实贷款利率优惠", "中国人民银行阳春市支行", "2022年6月底前"),
        ("为培育库企业优先提供融资担保服务", "市财政局、市中小企业融资担保有限公司", "长期坚持"),
        ("协调解决培育库企业用地问题", "市自然资源局", "长期坚持"),
        ("协调解决培育库企业用电问题", "阳春供电局", "长期坚持"),
        ("落实减税降费政策，开展“送政策上门”服务", "国家税务总局阳春市税务局", "长期坚持"),
        (
            "建立挂点联系培育库企业制度",
            "市工业和信息化局、市发展和改革局、市财政局、市统计局、各镇人民政府",
            ["2022年5月底前建立；", "长期坚持"],
        ),
        ("按季度报送“小升规”工作进展情况", "各镇人民政府、市直有关单位", "每季度结束后5个工作日内"),
    ]
    for i, (task, who, when) in enumerate(tasks, 1):
        d.row(t, [str(i), dict(left, text=task), dict(left, text=who), when], fmt=TABLE_FONT, height=454)

    p2 = d.p("附件2", "label", fmt=HEI)
    ppr_insert(p2, el("w:pageBreakBefore"))  # 段落 → 换行和分页 → 段前分页
    d.p("阳春市2022年“小升规”重点培育企业名单", "title", fmt=dict(TITLE22, size=20), align="center", line=35)
    d.blank(1, line=0)
    t2 = d.table([900, 4200, 2400, 2856, 2400])
    d.row(
        t2,
        [
            {"text": h, "shade": gray}
            for h in ("序号", "企业名称", "所在镇（街道）", "主营产品", "2021年主营业务收入（万元）")
        ],
        fmt=TABLE_HEAD,
        repeat=True,
        height=510,
    )
    firms = [
        ("阳春市鑫源五金制品有限公司", "春城街道", "五金配件", "1680"),
        ("阳春市合水镇绿源农产品加工厂", "合水镇", "农产品初加工", "1420"),
        ("阳春市华信建材有限公司", "春湾镇", "预拌混凝土", "1850"),
        ("阳春市恒达石材有限公司", "春湾镇", "石材板材", "1230"),
        ("阳春市马水镇新力电子有限公司", "马水镇", "电子元器件", "1510"),
        ("阳春市岗美镇丰润食品有限公司", "岗美镇", "腊味制品", "1160"),
        ("阳春市河朗镇天益木业有限公司", "河朗镇", "木制品", "1340"),
        ("阳春市八甲镇南山茶业有限公司", "八甲镇", "茶叶", "1090"),
    ]
    for i, (name, town, goods, income) in enumerate(firms, 1):
        d.row(t2, [str(i), dict(left, text=name), town, goods, income], fmt=TABLE_FONT, height=454)
    total = sum(int(f[3]) for f in firms)
    d.row(t2, [{"text": "合计", "span": 4}, str(total)], fmt=dict(TABLE_FONT, bold=True), height=454)
    end2 = d.p("", line=0)
    d.section(end2, landscape=True, margins={"top": 1588, "bottom": 1474, "left": 2098, "right": 1984})

    # back to a portrait page for the 版记, laid out as a one-column table
    d.blank(16)
    bj = d.table([8844], borders={"top": 12, "bottom": 12})
    d.row(
        bj,
        ["阳春市工业和信息化局办公室" + S * 4 + "2022年4月18日印发"],
        role="printed",
        fmt={"size": 14},
        align=None,
        left=320,
        height=510,
    )
    d.blank(1, line=0)
    d.save()


DRAFTS = [draft09, draft10, draft11, draft12]
SLUGS = [
    "09-taishan-gongxin-luohou-gonggao",
    "10-kaiping-kegongshang-luohou-gonggao",
    "11-heshan-gongxin-luohou-jihua",
    "12-yangchun-gongxin-xiaoshenggui-fangan",
]


# --------------------------------------------------------------------------
# verification
# --------------------------------------------------------------------------


def placements(path: Path):
    """For each non-empty paragraph in reading order (same rules as mh.read_back):
    (text, where, after_break), where is "data"/"banji" (inside a table whose
    text says 印发 or 抄送 counts as 版记) or "body"; after_break tells whether a
    page break, "page break before" or a section break came since the previous
    non-empty paragraph (a break run before the text in the same paragraph counts)."""
    from docx import Document

    doc = Document(str(path))
    out = []
    pending = False

    def breaks_before_text(p):
        if p.find(qn("w:pPr") + "/" + qn("w:pageBreakBefore")) is not None:
            return True
        for node in p.iter(qn("w:t"), qn("w:br")):
            if node.tag == qn("w:t") and node.text:
                return False
            if node.tag == qn("w:br") and node.get(qn("w:type")) == "page":
                return True
        return False

    def breaks_after_text(p):
        seen_text = False
        for node in p.iter(qn("w:t"), qn("w:br")):
            if node.tag == qn("w:t") and node.text:
                seen_text = True
            elif node.tag == qn("w:br") and node.get(qn("w:type")) == "page" and seen_text:
                return True
        return p.find(qn("w:pPr") + "/" + qn("w:sectPr")) is not None

    def do_p(p, where):
        nonlocal pending
        text = mh.own_text(p)
        if breaks_before_text(p):
            pending = True
        if text:
            out.append((text, where, pending))
            pending = False
        if breaks_after_text(p):
            pending = True

    for child in doc.element.body:
        if child.tag == qn("w:p"):
            do_p(child, "body")
        elif child.tag == qn("w:tbl"):
            alltext = "".join(mh.own_text(p) for p in child.iter(qn("w:p")))
            ncols = len(child.find(qn("w:tblGrid")).findall(qn("w:gridCol")))
            where = "banji" if ncols == 1 and ("印发" in alltext or "抄送" in alltext) else "data"
            for tr in child.findall(qn("w:tr")):
                for tc in tr.findall(qn("w:tc")):
                    for p in tc.findall(qn("w:p")):
                        do_p(p, where)
    return out


def check_one(path: Path) -> list[str]:  # noqa: PLR0912
    errs = []
    roles = json.loads((path.parent / f"{path.stem}.roles.json").read_text("utf-8"))
    _, items = mh.read_back(path)
    expect = [r["text"] for r in roles]
    if items != expect:
        for i, (a, b) in enumerate(itertools.zip_longest(items, expect)):
            if a != b:
                errs.append(f"#{i}: docx={a!r} json={b!r}")
    places = placements(path)
    if len(places) != len(roles):
        errs.append(f"placements: {len(places)} paragraphs, {len(roles)} labels")
        return errs
    for i, (r, (text, where, after_break)) in enumerate(zip(roles, places, strict=True)):
        role = r["role"]
        if role not in ROLES:
            errs.append(f"#{i}: unknown role {role}")
        if (role == "heading") != (r["level"] is not None):
            errs.append(f"#{i}: level {r['level']} with role {role}")
        if not r["text"].endswith(text):  # numbering labels come before the own text
            errs.append(f"#{i}: placement text {text!r} vs {r['text']!r}")
        if (where == "data") != (role == "table"):
            errs.append(f"#{i}: {r['text']!r} is in {where} but labelled {role}")
        if where == "banji" and role not in ("copy_to", "printed"):
            errs.append(f"#{i}: 版记 table paragraph labelled {role}")
        if where == "body" and re.fullmatch(r"附件\d*", text.strip(S + " ")) and role != "label":
            errs.append(f"#{i}: standalone {text!r} labelled {role}")
        if role == "label":
            if not re.fullmatch(r"附件\d*", r["text"]):
                errs.append(f"#{i}: label {r['text']!r}")
            if not after_break:
                errs.append(f"#{i}: label {r['text']!r} not on a new page")
    # in a 印发合成件 the plan's title is the first paragraph of its page
    titles_after_break = [r["text"] for r, pl in zip(roles, places, strict=True) if r["role"] == "title" and pl[2]]
    if any(r["role"] == "label" for r in roles) and not titles_after_break:
        errs.append("no title starts a new page")
    return errs


def verify() -> bool:
    ok = True
    for slug in SLUGS:
        f = HERE / f"{slug}.docx"
        roles = json.loads((HERE / f"{slug}.roles.json").read_text("utf-8"))
        errs = check_one(f)
        counts = {}
        for r in roles:
            counts[r["role"]] = counts.get(r["role"], 0) + 1
        print(f"{f.name}: {len(roles)} labelled, ok={not errs}")
        print("    " + ", ".join(f"{k}={v}" for k, v in counts.items()))
        for e in errs:
            print("    " + e)
        ok &= not errs
    return ok


def digest() -> str:
    h = hashlib.sha256()
    for slug in SLUGS:
        for ext in (".docx", ".roles.json"):
            h.update((HERE / f"{slug}{ext}").read_bytes())
    return h.hexdigest()


def main():
    for make in DRAFTS:
        make()
    first = digest()
    for make in DRAFTS:
        make()
    if digest() != first:
        print("not deterministic: a second build gave other bytes")
        sys.exit(1)
    if not verify():
        sys.exit(1)


if __name__ == "__main__":
    main()
