"""The real-name registry (SPEC §4): one Person per real person, keyed by the ID number.

The ID number, passport number and phone numbers are stored encrypted (AES-GCM); exact search
and uniqueness go through keyed hashes (HMAC) of the normalised values, never the plain text.
"""
import pghistory
from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.urls import reverse
from django.utils import timezone

from apps.common.crypto import EncryptedTextField
from apps.common.search import Grams
from apps.registry.idnumber import mask_id, mask_passport, mask_phone


class Sex(models.TextChoices):
    MALE = "男", "男"
    FEMALE = "女", "女"


class Marital(models.TextChoices):
    SINGLE = "未婚", "未婚"
    MARRIED = "已婚", "已婚"
    DIVORCED = "离异", "离异"
    WIDOWED = "丧偶", "丧偶"


class Education(models.TextChoices):
    JUNIOR = "初中及以下", "初中及以下"
    SENIOR = "高中/中专/技校", "高中/中专/技校"
    COLLEGE = "大专", "大专"
    BACHELOR = "本科", "本科"
    POSTGRADUATE = "研究生", "研究生"


class PersonCategory(models.TextChoices):
    STUDENT = "学生", "学生"
    PUBLIC = "社会人员", "社会人员"


class PovertyStatus(models.TextChoices):
    NONE = "", "否"
    LIFTED = "脱贫劳动力", "脱贫劳动力"
    MONITORED = "监测对象", "监测对象"


# Seed 003 priority and the support restricted to it: 脱贫劳动力 and 防返贫监测对象 alike.
PRIORITY_STATUSES = (PovertyStatus.LIFTED, PovertyStatus.MONITORED)


class PovertySource(models.TextChoices):
    """What a 脱贫 status was checked against (seed 003 §一: the national system, shared)."""
    NATIONAL = "national", "全国扶贫开发信息系统"
    MONITORING = "monitoring", "全国防返贫监测信息系统"
    LOCAL = "local", "乡村入户或电话核实"


class VerificationState(models.TextChoices):
    """Computed from the verification date on each read, never stored (it cannot go stale)."""
    NONE = "", "—"
    UNVERIFIED = "unverified", "未核实"
    CURRENT = "current", "已核实"
    LAPSED = "lapsed", "核实已过期"


def poverty_due_on(verified_on):
    """Re-verification is due each year: on the anniversary of the last verification
    (29 February: on 28 February)."""
    try:
        return verified_on.replace(year=verified_on.year + 1)
    except ValueError:
        return verified_on.replace(year=verified_on.year + 1, day=28)


def poverty_current_since(today):
    """The earliest verification date still current on ``today`` (its due day not passed)."""
    try:
        return today.replace(year=today.year - 1)
    except ValueError:  # 29 February: a verification of 28 Feb last year is due today
        return today.replace(year=today.year - 1, day=28)


@pghistory.track(model_name="PersonHistory",
                 obj_field=pghistory.ObjForeignKey(related_name="history"))
class Person(models.Model):
    """A registered person (附件5 对外劳务输出人员报名表)."""

    name = models.CharField("姓名", max_length=50)
    sex = models.CharField("性别", max_length=1, choices=Sex.choices)
    birth_date = models.DateField("出生日期")
    id_number = EncryptedTextField("身份证号")
    # Keyed hashes are hex: compared bytewise (collation "C"), indexed without the LIKE
    # (varchar_pattern_ops) copies Django would add, since they are only ever matched whole.
    id_hash = models.CharField(max_length=64, editable=False, db_collation="C")
    phone = EncryptedTextField("联系方式", blank=True, default="")
    phone_hash = models.CharField(max_length=64, blank=True, editable=False, db_collation="C")
    hukou = models.CharField("户籍所在地", max_length=100, blank=True)
    health = models.CharField("健康状况", max_length=50, blank=True)
    marital = models.CharField("婚姻状况", max_length=4, choices=Marital.choices, blank=True)
    school_major = models.CharField("毕业院校及专业", max_length=100, blank=True)
    education = models.CharField("学历", max_length=10, choices=Education.choices, blank=True)
    intended_trade = models.CharField("拟就业工种", max_length=50, blank=True)
    languages = models.CharField("外语及水平", max_length=50, blank=True,
                                 help_text="如：日语N4、英语四级")
    address = models.CharField("学校或家庭住址", max_length=200, blank=True)
    family_name = models.CharField("家庭联系人姓名", max_length=50, blank=True)
    family_relation = models.CharField("与本人关系", max_length=20, blank=True)
    family_phone = EncryptedTextField("家庭联系人联系方式", blank=True, default="")
    work_history = models.TextField("工作经历", blank=True)
    category = models.CharField("人员类别", max_length=4, choices=PersonCategory.choices)
    poverty_status = models.CharField("脱贫劳动力/监测对象", max_length=5,
                                      choices=PovertyStatus.choices, blank=True, default="")
    # The last verification of that status (PovertyVerification keeps each one): set only by
    # registry.services.person_poverty_verify; a status typed on the form is unverified.
    poverty_verified_on = models.DateField("脱贫状态核实日期", null=True, blank=True)
    poverty_source = models.CharField("脱贫状态核实来源", max_length=12, blank=True, default="",
                                      choices=PovertySource.choices)
    passport_no = EncryptedTextField("护照号", blank=True, default="")
    passport_hash = models.CharField(max_length=64, blank=True, editable=False,
                                     db_collation="C")
    unit = models.ForeignKey("orgs.OrganisingUnit", verbose_name="推荐单位",
                             on_delete=models.PROTECT, null=True, blank=True,
                             related_name="persons")
    # Indexed by (city, unit) below; a second index on city alone would only slow inserts.
    city = models.ForeignKey("orgs.City", verbose_name="所属地市", on_delete=models.PROTECT,
                             related_name="persons", db_index=False)
    registered_on = models.DateField("报名日期", default=timezone.localdate)
    # Never searched by: accounts are deactivated, not deleted, so no index is needed.
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人",
                                   on_delete=models.PROTECT, related_name="+", db_index=False)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "劳务人员"
        verbose_name_plural = "劳务人员"
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["id_hash"], name="person_id_hash_unique")]
        indexes = [
            models.Index(fields=["city", "unit"]),  # also serves city alone
            models.Index(fields=["name"]),
            # The list's order (newest first), alone and within a city's or a unit's scope.
            # The list's keyset order (newest first), alone and within each scope.
            models.Index(fields=["created_at", "id"], name="person_list_order"),
            models.Index(fields=["city", "created_at", "id"], name="person_city_order"),
            models.Index(fields=["unit", "created_at", "id"], name="person_unit_order"),
            # The list filtered to the priority groups (seed 003), in the list's keyset order:
            # a small part of the people, so a partial index.
            models.Index(fields=["created_at", "id"], name="person_priority_order",
                         condition=~models.Q(poverty_status="")),
            # The reserve pool's first group under 脱贫劳动力优先: those verified (and current,
            # checked on the row): without it the walk read every unverified priority person.
            models.Index(fields=["created_at", "id"], name="person_verified_order",
                         condition=~models.Q(poverty_status="")
                         & models.Q(poverty_verified_on__isnull=False)),
            # The reserve pool's searches by trade and language (apps/common/search.py).
            GinIndex(Grams("intended_trade"), name="person_trade_grams"),
            GinIndex(Grams("languages"), name="person_languages_grams"),
            # A name search matches the name's beginning (姓 first): a pattern index serves
            # LIKE '张三%' whatever the database's collation. A two-character Chinese name has
            # no trigram, so a substring index (pg_trgm) could not serve the common search.
            models.Index(fields=["name"], opclasses=["varchar_pattern_ops"],
                         name="person_name_prefix"),
            models.Index(fields=["phone_hash"], name="person_phone_hash_idx"),
            # Most people have no passport yet: only those who do are indexed.
            models.Index(fields=["passport_hash"], name="person_passport_hash_idx",
                         condition=~models.Q(passport_hash="")),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("registry:person_detail", args=[self.pk])

    @property
    def age(self) -> int:
        return self.age_on(timezone.localdate())

    def age_on(self, day) -> int:
        """Full years on ``day``: a form states the age on the date it carries."""
        b = self.birth_date
        return day.year - b.year - ((day.month, day.day) < (b.month, b.day))

    @property
    def is_priority(self) -> bool:
        return self.poverty_status in PRIORITY_STATUSES

    def poverty_state(self, today=None) -> str:
        """未核实 / 已核实 / 核实已过期 of the person's 脱贫 status, from the date on each read."""
        if not self.poverty_status and self.poverty_verified_on is None:
            return VerificationState.NONE
        if self.poverty_verified_on is None:
            return VerificationState.UNVERIFIED
        today = today or timezone.localdate()
        if poverty_due_on(self.poverty_verified_on) < today:
            return VerificationState.LAPSED
        return VerificationState.CURRENT

    @property
    def poverty_state_label(self) -> str:
        return VerificationState(self.poverty_state()).label

    @property
    def poverty_due_on(self):
        return poverty_due_on(self.poverty_verified_on) if self.poverty_verified_on else None

    @property
    def id_masked(self) -> str:
        return mask_id(self.id_number)

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)

    @property
    def family_phone_masked(self) -> str:
        return mask_phone(self.family_phone)

    @property
    def passport_masked(self) -> str:
        return mask_passport(self.passport_no)


class PersonTransfer(models.Model):
    """The province moved a person from one organising unit to another (人员转移)."""

    person = models.ForeignKey(Person, verbose_name="人员", on_delete=models.PROTECT,
                               related_name="transfers")
    from_unit = models.ForeignKey("orgs.OrganisingUnit", verbose_name="原单位",
                                  on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    from_city = models.ForeignKey("orgs.City", verbose_name="原地市", on_delete=models.PROTECT,
                                  related_name="+")
    to_unit = models.ForeignKey("orgs.OrganisingUnit", verbose_name="转入单位",
                                on_delete=models.PROTECT, related_name="+")
    to_city = models.ForeignKey("orgs.City", verbose_name="转入地市", on_delete=models.PROTECT,
                                related_name="+")
    reason = models.CharField("转移原因", max_length=200)
    # The open candidacies that moved with the person (closed ones stay with the old unit).
    moved_candidacies = models.PositiveIntegerField("随转报名数", default=0)
    transferred_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="办理人",
                                       on_delete=models.PROTECT, related_name="+")
    transferred_at = models.DateTimeField("办理时间", auto_now_add=True)

    class Meta:
        verbose_name = "人员转移"
        verbose_name_plural = "人员转移"
        ordering = ["-transferred_at"]


class PovertyVerification(models.Model):
    """One verification of a person's 脱贫 status (seed 003 §一): which status, against which
    source, on which day, by whom; from a page or one row of an upload. Never changed."""

    person = models.ForeignKey(Person, verbose_name="人员", on_delete=models.PROTECT,
                               related_name="poverty_verifications")
    status = models.CharField("核实结果", max_length=5, choices=PovertyStatus.choices,
                              blank=True)
    previous_status = models.CharField("原状态", max_length=5, choices=PovertyStatus.choices,
                                       blank=True)
    source = models.CharField("核实来源", max_length=12, choices=PovertySource.choices)
    verified_on = models.DateField("核实日期")
    note = models.CharField("备注", max_length=200, blank=True)
    upload = models.ForeignKey("rosters.Upload", verbose_name="导入批次", on_delete=models.PROTECT,
                               null=True, blank=True, related_name="+")
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="核实人",
                                    on_delete=models.PROTECT, related_name="+", db_index=False)
    recorded_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "脱贫状态核实"
        verbose_name_plural = "脱贫状态核实"
        ordering = ["-verified_on", "-id"]
        indexes = [models.Index(fields=["person", "verified_on"])]

    def __str__(self):
        return f"{self.person.name} {self.get_status_display()}（{self.verified_on:%Y-%m-%d}核实）"
