from apps.accounts.scoping import visible
from apps.rosters.models import Upload, UploadStatus


def upload_list(user, *, status=""):
    qs = visible(Upload.objects.select_related("uploaded_by", "unit", "city"), user)
    if status in UploadStatus.values:
        qs = qs.filter(status=status)
    return qs
