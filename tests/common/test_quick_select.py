"""A long select (the province's 2,000 projects on the register) keeps its options under the
reference data's version (issue 17): the same markup as built from the rows, a change shows at
once, and one user's options are never another's."""
import pytest
from django import forms

from apps.accounts.scoping import visible
from apps.common import references
from apps.common.forms import QuickSelect
from apps.projects.models import JobProject

pytestmark = pytest.mark.django_db


def _select(user, cached, value=None):
    field = forms.ModelChoiceField(
        queryset=visible(JobProject.objects.order_by("-id"), user), empty_label="全部项目",
        required=False, widget=QuickSelect(cache_options=cached))
    return field.widget.render("project", value, attrs={"id": "id_project"})


def test_kept_options_are_the_same_markup_as_built(world):
    for user in (world.province, world.agency_a1, world.unit_u1):
        for value in (None, world.project_a1.pk, str(world.project_a1.pk)):
            assert _select(user, True, value) == _select(user, False, value)
    assert f'<option value="{world.project_a1.pk}" selected>' in _select(
        world.province, True, world.project_a1.pk)


def test_a_renamed_project_shows_at_once(world):
    assert "日本介护项目" in _select(world.province, True)
    world.project_a1.name = "日本介护项目（二期）"
    world.project_a1.save()
    assert "日本介护项目（二期）" in _select(world.province, True)
    # A write that bypasses save() says so itself (projects.services does).
    JobProject.objects.filter(pk=world.project_a1.pk).update(name="日本介护三期<b>")
    references.changed()
    html = _select(world.province, True)
    assert "日本介护三期&lt;b&gt;" in html and "<b>" not in html


def test_one_users_options_are_not_anothers(world):
    province = _select(world.province, True)
    assert "未发布项目" in province                        # the province sees drafts
    agency = _select(world.agency_a1, True)              # after the province's were kept
    assert "未发布项目" not in agency and "德国护理项目（草稿）" in agency  # its own draft
    assert "德国护理项目（草稿）" not in _select(world.unit_u1, True)
