"""The columns of each roster users upload, with the headers printed in the seed's forms."""
from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool = False
    aliases: tuple = ()
    width: int = 12


@dataclass(frozen=True)
class Layout:
    kind: str
    title: str
    columns: tuple
    note: str = ""

    def by_header(self) -> dict:
        found = {}
        for column in self.columns:
            for name in (column.header,) + column.aliases:
                found[normalise_header(name)] = column
        return found


def normalise_header(value) -> str:
    # Printed forms space out short headers ("姓 名"); users add "*" to required ones.
    return "".join(str(value or "").split()).replace("*", "").replace("（", "(").replace("）", ")")


REGISTRATION = Layout(
    kind="registration",
    title="对外劳务输出人员报名名册",
    note="每行一人，字段同《对外劳务输出人员报名表》（附件5）。身份证号列须为文本格式；带*为必填。",
    columns=(
        Column("seq", "序号", width=6),
        Column("name", "姓名", required=True, width=10),
        Column("sex", "性别", required=True, width=6),
        Column("id_number", "身份证号", required=True, width=22),
        Column("phone", "联系方式", required=True, aliases=("联系电话", "手机号"), width=14),
        Column("hukou", "户籍所在地", width=16),
        Column("health", "健康状况"),
        Column("marital", "婚姻状况"),
        Column("school_major", "毕业院校及专业", width=20),
        Column("education", "学历"),
        Column("intended_trade", "拟就业工种"),
        Column("languages", "外语及水平"),
        Column("address", "学校或家庭住址", width=24),
        Column("family_name", "家庭联系人姓名", aliases=("家庭联系人",)),
        Column("family_relation", "与本人关系", aliases=("关系",)),
        Column("family_phone", "家庭联系人联系方式", width=14),
        Column("work_history", "工作经历", width=24),
        Column("category", "人员类别", required=True),
        Column("poverty_status", "脱贫劳动力/监测对象", aliases=("脱贫劳动力",), width=16),
        Column("unit", "推荐单位", width=20),
        Column("registered_on", "报名日期", width=12),
    ),
)

STANDING_CLASS = Layout(
    kind="standing_class",
    title="非建制班人员花名表",
    note="人员类别为“学生”或“社会人员”。身份证号列须为文本格式。",
    columns=(
        Column("seq", "序号", width=6),
        Column("name", "姓名", required=True, width=10),
        Column("sex", "性别", required=True, width=6),
        Column("age", "年龄", width=6),
        Column("id_number", "身份证号", required=True, width=22),
        Column("category", "人员类别", required=True, width=10),
        Column("phone", "联系方式", required=True, width=14),
    ),
)

POVERTY = Layout(
    kind="poverty",
    title="脱贫劳动力核实名单",
    note="每行一人，须为已登记的人员。核实结果为“脱贫劳动力”“监测对象”或“否”；核实来源为"
         "“全国扶贫开发信息系统”“全国防返贫监测信息系统”或“乡村入户或电话核实”；核实日期不能晚于今天。"
         "身份证号列须为文本格式；带*为必填。",
    columns=(
        Column("seq", "序号", width=6),
        Column("name", "姓名", required=True, width=10),
        Column("id_number", "身份证号", required=True, width=22),
        Column("status", "核实结果", required=True, aliases=("脱贫劳动力/监测对象",), width=14),
        Column("source", "核实来源", required=True, width=26),
        Column("verified_on", "核实日期", required=True, width=12),
        Column("note", "备注", width=24),
    ),
)

LAYOUTS = {layout.kind: layout for layout in (REGISTRATION, STANDING_CLASS, POVERTY)}
