"""The full-number version of a granted request: the same forms as apps.rosters.exports, with
full numbers for the request's people only."""
from apps.disclosures.models import DisclosureForm
from apps.disclosures.selectors import selection_of
from apps.rosters import exports


def disclosure_file(disclosure, user, full_for: set[int]) -> tuple[bytes, str]:
    selection = selection_of(disclosure, user)
    if disclosure.form == DisclosureForm.FORM5:
        person = selection.rows[0]
        return (exports.form5_person(person, full=person.pk in full_for),
                f"附件5 对外劳务输出人员报名表 {person.name}（完整号码）.xlsx")
    if disclosure.form == DisclosureForm.FORM6:
        return (exports.form6_roster(selection.rows, org_name=disclosure.org_name,
                                     full_for=full_for),
                f"附件6 对外劳务输出花名表 {disclosure.org_name}（完整号码）.xlsx")
    cls = selection.training_class
    return (exports.form9_members(cls, selection.rows, full_for=full_for),
            f"附件9 非建制班人员花名表 {cls.name}（完整号码）.xlsx")
