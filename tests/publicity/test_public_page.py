import pytest
from django.urls import reverse

from apps.publicity.models import Notice
from tests.conftest import SENTINEL_AGENCY, SENTINEL_PERSON

pytestmark = pytest.mark.django_db


def test_anyone_sees_published_projects_and_notices_without_login(world, client):
    Notice.objects.filter(pk=world.notice.pk).update(published=True)
    Notice.objects.create(title="内部草稿通知", body="x", created_by=world.province)
    page = client.get(reverse("publicity:public_home")).content.decode()
    assert "日本介护项目" in page and "晋商审〔2020〕1号" in page
    assert "关于做好2020年对外劳务输出工作的通知" in page
    # Drafts, closed projects, unpublished notices and people never appear.
    for hidden in ("未发布项目", "德国护理项目（草稿）", "新加坡建筑项目", "内部草稿通知",
                   SENTINEL_AGENCY, SENTINEL_PERSON, "张三"):
        assert hidden not in page
    assert client.get(reverse("publicity:public_project", args=[world.project_a1.pk])).status_code == 200
    assert client.get(reverse("publicity:public_project", args=[world.project_draft.pk])).status_code == 404
    assert client.get(reverse("publicity:public_notice", args=[world.notice.pk])).status_code == 200


def test_unpublished_notice_is_not_public(world, client):
    assert client.get(reverse("publicity:public_notice", args=[world.notice.pk])).status_code == 404


def test_province_publishes_a_notice_dated_today(world, client):
    client.force_login(world.province)
    response = client.post(reverse("publicity:notice_create"), {
        "title": "2020年补助标准", "source": "晋人社厅函〔2020〕1号", "body": "标准如下",
        "published": "on"})
    assert response.status_code == 302
    notice = Notice.objects.get(title="2020年补助标准")
    assert notice.published_on is not None and notice.created_by == world.province
    client.logout()
    assert "2020年补助标准" in client.get(reverse("publicity:public_home")).content.decode()


def test_public_page_query_count_is_fixed(world, client, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        client.get(reverse("publicity:public_home"))
