"""django-import-export resources for the province's reference data (admin import/export).

``clean_model_instances`` runs each model's full_clean: without it invalid rows are saved
(LIBRARIES.md). Rows are matched by their natural key, never by database id."""
from import_export import fields, resources
from import_export.widgets import ForeignKeyWidget

from apps.orgs.models import Agency, City, OrganisingUnit
from apps.quotas.models import Task


class CityResource(resources.ModelResource):
    class Meta:
        model = City
        import_id_fields = ("code",)
        fields = ("code", "name", "short_name", "service_org_name", "service_contact",
                  "service_phone")
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True


class OrganisingUnitResource(resources.ModelResource):
    city = fields.Field(attribute="city", column_name="city",
                        widget=ForeignKeyWidget(City, field="short_name"))

    class Meta:
        model = OrganisingUnit
        import_id_fields = ("name",)
        fields = ("seq", "name", "category", "city", "source", "filing_status",
                  "standing_class_allowed", "contact_person", "contact_phone", "note")
        clean_model_instances = True
        skip_unchanged = True


class AgencyResource(resources.ModelResource):
    class Meta:
        model = Agency
        import_id_fields = ("name",)
        fields = ("batch", "seq", "name", "credit_code", "licence_no", "licence_valid_until",
                  "home_province", "status", "filing_status", "contact_person", "contact_phone",
                  "note")
        clean_model_instances = True
        skip_unchanged = True


class TaskResource(resources.ModelResource):
    city = fields.Field(attribute="city", column_name="city",
                        widget=ForeignKeyWidget(City, field="short_name"))
    unit = fields.Field(attribute="unit", column_name="unit",
                        widget=ForeignKeyWidget(OrganisingUnit, field="name"))

    class Meta:
        model = Task
        import_id_fields = ("year", "city", "unit")
        fields = ("year", "city", "unit", "number", "note")
        clean_model_instances = True
        skip_unchanged = True
