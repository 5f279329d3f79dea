"""What each endpoint gives out. Personal numbers are masked as on the pages
(registry.idnumber.mask_*) unless the view put the person in ``context["full"]``: the client
holds the full-number grant and ``scoping.full_numbers_visible`` lets its account see them."""
from rest_framework import serializers

from apps.dashboards.models import DepartureFigure
from apps.deadlines.models import DeadlineItem
from apps.orgs.models import Agency, City, OrganisingUnit
from apps.pipeline.models import Candidacy, StageEvent
from apps.projects.models import JobProject
from apps.quotas.models import Task
from apps.registry.idnumber import mask_id, mask_passport, mask_phone
from apps.registry.models import Person


class CitySerializer(serializers.ModelSerializer):
    class Meta:
        model = City
        fields = ["id", "name", "short_name", "code"]


class UnitSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrganisingUnit
        fields = ["id", "name", "category", "city", "filing_status"]


class AgencySerializer(serializers.ModelSerializer):
    class Meta:
        model = Agency
        fields = ["id", "name", "credit_code", "licence_no", "licence_valid_until",
                  "home_province", "status", "filing_status"]


class ProjectSerializer(serializers.ModelSerializer):
    class Meta:
        model = JobProject
        fields = ["id", "agency", "name", "country", "employer", "trade", "headcount",
                  "contract_term", "service_fee", "status", "review_no", "published_at"]


class TaskSerializer(serializers.ModelSerializer):
    class Meta:
        model = Task
        fields = ["id", "year", "city", "unit", "number", "note", "updated_at"]


class _Numbers:
    """Full or masked, per person, as the view decided."""

    def _full(self, person_id) -> bool:
        return person_id in self.context.get("full", ())


class PersonSerializer(_Numbers, serializers.ModelSerializer):
    id_number = serializers.SerializerMethodField(help_text="身份证号（脱敏，除非授权取得完整号码）")
    phone = serializers.SerializerMethodField(help_text="联系方式（脱敏，除非授权取得完整号码）")
    passport_no = serializers.SerializerMethodField(help_text="护照号（脱敏，除非授权取得完整号码）")

    class Meta:
        model = Person
        fields = ["id", "name", "sex", "birth_date", "id_number", "phone", "passport_no",
                  "hukou", "education", "intended_trade", "languages", "category",
                  "poverty_status", "unit", "city", "registered_on", "created_at", "updated_at"]

    def get_id_number(self, person) -> str:
        return person.id_number if self._full(person.pk) else mask_id(person.id_number)

    def get_phone(self, person) -> str:
        return person.phone if self._full(person.pk) else mask_phone(person.phone)

    def get_passport_no(self, person) -> str:
        return person.passport_no if self._full(person.pk) else mask_passport(person.passport_no)


class StageEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = StageEvent
        # details never hold the passport or the phone (pipeline.services.SENSITIVE).
        fields = ["id", "candidacy", "stage", "result", "happened_on", "session", "details",
                  "recorded_at"]


class CandidacySerializer(_Numbers, serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True)
    passport_no = serializers.SerializerMethodField(help_text="护照号（脱敏，除非授权取得完整号码）")
    return_phone = serializers.SerializerMethodField(help_text="归国后联系电话（脱敏，除非授权取得完整号码）")

    class Meta:
        model = Candidacy
        fields = ["id", "person", "person_name", "project", "unit", "city", "agency", "stage",
                  "result", "stage_on", "status", "breach", "contract_trade", "contract_term",
                  "service_fee", "loan_applied", "certificate_no", "passport_no",
                  "residence_status_no", "country", "departure_trade", "departed_on",
                  "employer", "contract_ends_on", "not_departed_reason", "returned_on",
                  "return_reason", "return_phone", "ended_on", "end_reason", "created_at",
                  "updated_at"]

    def get_passport_no(self, c) -> str:
        number = c.person.passport_no
        return number if self._full(c.person_id) else mask_passport(number)

    def get_return_phone(self, c) -> str:
        return c.return_phone if self._full(c.person_id) else mask_phone(c.return_phone)


class CandidacyDetailSerializer(CandidacySerializer):
    events = StageEventSerializer(many=True, read_only=True)

    class Meta(CandidacySerializer.Meta):
        fields = CandidacySerializer.Meta.fields + ["events"]


class DeadlineItemSerializer(serializers.ModelSerializer):
    rule = serializers.CharField(source="rule.code", read_only=True)
    rule_name = serializers.CharField(source="rule.name", read_only=True)

    class Meta:
        model = DeadlineItem
        fields = ["id", "rule", "rule_name", "candidacy", "stage", "training_class", "city",
                  "unit", "agency", "owner_role", "event_on", "due_on", "due_at", "status",
                  "done_at", "paused_since", "created_at"]


class DepartureFigureSerializer(serializers.ModelSerializer):
    class Meta:
        model = DepartureFigure
        fields = ["id", "year", "month", "city", "unit", "agency", "country", "departure_trade",
                  "poverty_status", "n"]


# --- Request bodies, described for the schema. The endpoints validate with the pages' own
# forms (registry.forms.PersonForm, pipeline.forms.RecordForm / OpenCandidacyForm), so a
# rule is never kept twice; these only tell a client what to send.

class PersonWriteSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="姓名")
    sex = serializers.CharField(help_text="性别：男 或 女（须与身份证号一致）")
    id_number = serializers.CharField(help_text="身份证号（18位，校验位）")
    phone = serializers.CharField(help_text="联系方式（手机号）")
    category = serializers.CharField(help_text="人员类别：学生 或 社会人员")
    registered_on = serializers.DateField(help_text="报名日期，不晚于今天")
    unit = serializers.IntegerField(required=False, help_text="推荐单位编号（仅市人社局客户端）")
    hukou = serializers.CharField(required=False, help_text="户籍所在地")
    education = serializers.CharField(required=False, help_text="学历")
    intended_trade = serializers.CharField(required=False, help_text="拟就业工种")
    confirm_region = serializers.BooleanField(required=False,
                                              help_text="地区码不在代码表中时，核对原件后置为 `true`")


class CandidacyOpenSerializer(serializers.Serializer):
    person = serializers.IntegerField(help_text="人员编号")
    project = serializers.IntegerField(help_text="已发布的岗位项目编号")
    happened_on = serializers.DateField(help_text="报名日期，不晚于今天")


class StageRecordSerializer(serializers.Serializer):
    stage = serializers.CharField(help_text="环节：须为该报名记录的下一环节，如 `contract`、`departure`、`return`")
    result = serializers.CharField(help_text="结果，如 `signed`、`departed`、`returned`")
    happened_on = serializers.DateField(help_text="发生日期：不晚于今天，不早于上一环节")
    session = serializers.IntegerField(required=False, help_text="场次编号")
    contract_trade = serializers.CharField(required=False, help_text="合同工种（合同签订时必填）")
    contract_term = serializers.CharField(required=False, help_text="合同期限（合同签订时必填）")
    service_fee = serializers.DecimalField(max_digits=10, decimal_places=2, required=False,
                                           help_text="服务费（元）")
    loan_applied = serializers.BooleanField(required=False, help_text="已申请贴息贷款")
    passport_no = serializers.CharField(required=False, help_text="护照号（输出时必填）")
    residence_status_no = serializers.CharField(required=False, help_text="在留资格号（输出时必填）")
    country = serializers.CharField(required=False, help_text="输出国（输出时必填）")
    departure_trade = serializers.CharField(required=False, help_text="输出工种（输出时必填）")
    employer = serializers.CharField(required=False, help_text="外方用工企业（输出时必填）")
    not_departed_reason = serializers.CharField(required=False, help_text="未输出原因")
    return_reason = serializers.CharField(required=False, help_text="归国原因（归国时必填）")
    return_phone = serializers.CharField(required=False, help_text="归国后联系电话")
    note = serializers.CharField(required=False, help_text="备注")
    gap_reason = serializers.CharField(required=False, help_text="间隔超限说明")
