from cmrnet.audit.models import AuditEntry
from cmrnet.network.models import Centre
from cmrnet.people.models import User


def admin(request):
    return {"centres": Centre.objects.count(), "people": User.objects.filter(is_active=True).count(),
            "recent": list(AuditEntry.objects.all()[:5])}
