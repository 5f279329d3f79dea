"""Issue 19 item 6: the certificate of work abroad, from the records, for the returnee."""
from django.urls import reverse

from apps.audit.models import AuditEvent
from apps.registry.idnumber import mask_id
from tests.returnees.conftest import abroad, returned


def test_the_certificate_is_printed_from_the_records(world, client):
    c = returned(world, "证明甲", 111)
    client.force_login(world.unit_u1)
    page = client.get(reverse("returnees:certificate", args=[c.pk])).content.decode()
    for text in ("境外工作证明", "证明甲", "日本介护项目", "株式会社さくら", "日本", "介护",
                 "2024年3月1日", f"{c.returned_on:%Y}年{c.returned_on.month}月{c.returned_on.day}日",
                 world.a1.name, mask_id(c.person.id_number), "print.css"):
        assert text in page, text
    assert c.person.id_number not in page  # masked, as every print
    assert AuditEvent.objects.filter(action="export", object_id=str(c.pk),
                                     detail__contains="境外工作证明").exists()


def test_no_certificate_before_the_return(world, client):
    c = abroad(world, "证明乙", 112)
    client.force_login(world.agency_a1)
    assert client.get(reverse("returnees:certificate", args=[c.pk])).status_code == 403
