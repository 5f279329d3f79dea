from django.contrib import admin

from apps.publicity.models import Notice


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ["title", "source", "published", "published_on"]
    list_filter = ["published"]
