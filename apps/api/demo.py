"""A demo API client for the demo agency (中智), made once as the consoles make one: the demo
system administrator creates it, the demo security administrator authorises it. Never in
production (the demo command refuses there)."""
from datetime import timedelta

from django.utils import timezone

from apps.accounts.models import Role, User
from apps.api.models import ApiClient, Grant
from apps.api.services import apiclient_authorise, apiclient_create
from apps.orgs.models import Agency

DEMO_CLIENT = "中智后台系统（演示）"


def demo_api_client() -> str | None:
    """The new client's key (shown once), or None when the demo client exists already."""
    if ApiClient.objects.filter(name=DEMO_CLIENT).exists():
        return None
    client, key = apiclient_create(
        actor=User.objects.get(username="sysadmin"), name=DEMO_CLIENT,
        purpose="演示：同步本机构的输出与归国人员", role=Role.AGENCY,
        agency=Agency.objects.get(name="中国国际技术智力合作有限公司"),
        grants=[Grant.REFERENCE, Grant.PIPELINE_READ, Grant.STAGES_WRITE],
        ip_allowlist="127.0.0.1\n::1", expires_on=timezone.localdate() + timedelta(days=180),
        rate_limit=120)
    apiclient_authorise(client, actor=User.objects.get(username="secadmin"))
    return key
