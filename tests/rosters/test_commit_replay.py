"""The confirm button of one preview pressed twice at once (two tabs, the live server), the
same POST replayed after it succeeded, a commit after the kept file changed or after another
upload wrote the same people: one write, the counts what the user was told, never a 500."""
import re
import urllib.parse
import urllib.request

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.audit.models import AuditAction, AuditEvent
from apps.registry.models import Person
from apps.rosters.models import Upload, UploadKind, UploadStatus
from apps.rosters.services import CommitRefused, upload_commit, upload_receive
from tests.concurrency import at_once
from tests.rosters.files import person_row, xlsx


def receive(user, data):
    return upload_receive(actor=user, kind=UploadKind.REGISTRATION,
                          uploaded=SimpleUploadedFile("名册.xlsx", data))


def _commits(upload):
    return AuditEvent.objects.filter(action=AuditAction.UPLOAD, object_id=str(upload.pk),
                                     detail__startswith="确认导入").count()


@pytest.mark.django_db(transaction=True)
def test_two_tabs_confirming_one_preview_at_once_write_once(world, live_server, client):
    upload = receive(world.unit_u1, xlsx([person_row(i) for i in range(1, 21)]))
    client.force_login(world.unit_u1)
    session = f"sessionid={client.cookies['sessionid'].value}"
    detail = live_server.url + reverse("rosters:upload_detail", args=[upload.pk])
    with urllib.request.urlopen(urllib.request.Request(detail, headers={"Cookie": session})) as r:
        body, cookies = r.read().decode(), r.headers.get_all("Set-Cookie") or []
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
    csrf = next(c.split(";")[0] for c in cookies if c.startswith("csrftoken="))
    data = urllib.parse.urlencode({"csrfmiddlewaretoken": token}).encode()

    def confirm():
        request = urllib.request.Request(
            live_server.url + reverse("rosters:upload_commit", args=[upload.pk]), data=data,
            headers={"Cookie": f"{session}; {csrf}"})
        with urllib.request.urlopen(request) as response:  # a 500 raises here
            return response.status

    outcomes = at_once(2, confirm)
    assert outcomes == [("ok", 200), ("ok", 200)]
    assert Person.objects.filter(name__startswith="测试").count() == 20
    upload.refresh_from_db()
    assert (upload.status, upload.new_count) == (UploadStatus.COMMITTED, 20)
    assert _commits(upload) == 1


def test_the_confirm_posted_again_after_it_succeeded_writes_nothing(world, as_user):
    upload = receive(world.unit_u1, xlsx([person_row(i) for i in range(1, 6)]))
    client = as_user(world.unit_u1)
    url = reverse("rosters:upload_commit", args=[upload.pk])
    first = client.post(url, follow=True)
    assert "已导入：新增 5 人" in first.content.decode()
    again = client.post(url, follow=True)
    assert "不能再次导入" in again.content.decode()
    assert Person.objects.filter(name__startswith="测试").count() == 5
    upload.refresh_from_db()
    assert upload.new_count == 5 and _commits(upload) == 1


def test_a_commit_after_the_kept_file_changed_writes_nothing(world):
    upload = receive(world.unit_u1, xlsx([person_row(i) for i in range(1, 6)]))
    name = upload.file.name
    upload.file.storage.delete(name)
    upload.file.storage.save(name, ContentFile(xlsx([person_row(i) for i in range(1, 9)])))
    with pytest.raises(CommitRefused, match="校验值不符"):
        upload_commit(Upload.objects.get(pk=upload.pk), actor=world.unit_u1)
    assert not Person.objects.filter(name__startswith="测试").exists()
    assert Upload.objects.get(pk=upload.pk).status == UploadStatus.PREVIEWED


def test_a_commit_after_the_records_changed_counts_what_it_wrote(world):
    """Previewed as 5 new; another upload then registers 3 of them: the commit writes the 2
    still new and updates none twice, and says so (the preview is stored again)."""
    upload = receive(world.unit_u1, xlsx([person_row(i) for i in range(1, 6)]))
    assert upload.new_count == 5
    upload_commit(receive(world.unit_u1, xlsx([person_row(i) for i in range(1, 4)])),
                  actor=world.unit_u1)
    done = upload_commit(Upload.objects.get(pk=upload.pk), actor=world.unit_u1)
    assert (done.status, done.new_count, done.new_count + done.unchanged_count
            + done.update_count) == (UploadStatus.COMMITTED, 2, 5)
    assert Person.objects.filter(name__startswith="测试").count() == 5
