from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from apps.accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "first_name", "role", "city", "unit", "agency", "is_active"]
    list_filter = ["role", "is_active"]
    list_select_related = ["city", "unit", "agency"]
    fieldsets = BaseUserAdmin.fieldsets + (
        ("角色与所属机构", {"fields": ("role", "city", "unit", "agency", "department")}),
    )
    add_fieldsets = BaseUserAdmin.add_fieldsets + (
        ("角色与所属机构", {"fields": ("role", "city", "unit", "agency", "department")}),
    )
    autocomplete_fields = []
